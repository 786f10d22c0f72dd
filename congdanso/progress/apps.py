from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgressConfig(AppConfig):
    name = "congdanso.progress"
    verbose_name = _("Progress")

    def ready(self) -> None:
        # The tallies follow every write that changes what they count: the apps below call
        # these hooks (core.hooks) and never import the tallies.
        from congdanso.core import hooks
        from congdanso.progress.tallies import (
            tally_change,
            tally_rebuild,
            tally_rebuild_target,
            tally_track,
        )

        hooks.residents_changing_register(tally_change)
        hooks.residents_found_register(tally_track)
        hooks.campaign_rules_changed_register(tally_rebuild)
        hooks.campaign_target_changed_register(tally_rebuild_target)
