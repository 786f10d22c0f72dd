from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutreachConfig(AppConfig):
    name = "congdanso.outreach"
    verbose_name = _("Support sessions")

    def ready(self) -> None:
        # A campaign's period may not leave its sessions outside (campaigns calls the hook).
        from congdanso.core.hooks import campaign_period_check_register
        from congdanso.outreach.selectors import sessions_outside_period_check

        campaign_period_check_register(sessions_outside_period_check)
