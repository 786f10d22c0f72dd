"""Admin for administrators. Turns are recorded through the services (session mode, API);
here they can only be looked at or deleted, and every change keeps the tallies exact."""

from contextlib import AbstractContextManager
from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from congdanso.core.admin import AuditedAdmin
from congdanso.core.hooks import residents_changing
from congdanso.outreach.models import SupportSession, Turn
from congdanso.outreach.selectors import session_residents


@admin.register(SupportSession)
class SupportSessionAdmin(AuditedAdmin):
    list_display = ["date", "place", "campaign", "status", "anonymous_turns"]
    list_filter = ["status", "campaign"]
    raw_id_fields = ["place"]
    date_hierarchy = "date"

    def changing(self, obj: SupportSession) -> AbstractContextManager[None]:
        return residents_changing(residents=session_residents(obj.pk), turns=True)


@admin.register(Turn)
class TurnAdmin(AuditedAdmin):
    list_display = ["session", "resident", "criterion", "service", "unit"]
    list_select_related = ["session__place", "resident", "criterion", "unit"]
    raw_id_fields = ["session", "resident"]
    show_full_result_count = False

    def changing(self, obj: Turn) -> AbstractContextManager[None]:
        return residents_changing(residents=[obj.resident_id], turns=True)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
