from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "congdanso.campaigns"
    verbose_name = _("Campaigns")

    def ready(self) -> None:
        from congdanso.campaigns.tallies import tally_change
        from congdanso.core.changes import residents_changing_register

        residents_changing_register(tally_change)
