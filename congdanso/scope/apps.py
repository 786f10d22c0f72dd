from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScopeConfig(AppConfig):
    name = "congdanso.scope"
    verbose_name = _("Scope")
