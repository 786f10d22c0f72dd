from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "congdanso.people"
    verbose_name = _("Residents")

    def ready(self) -> None:
        # A village or site where residents live may not be archived (places calls the hook).
        from congdanso.core.hooks import place_archive_check_register
        from congdanso.people.selectors import living_residents_check

        place_archive_check_register(living_residents_check)
