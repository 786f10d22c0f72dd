from django.contrib import admin

from congdanso.core.admin import AuditedAdmin
from congdanso.outreach.models import SupportSession, Turn


@admin.register(SupportSession)
class SupportSessionAdmin(AuditedAdmin):
    list_display = ["date", "place", "campaign", "status", "anonymous_turns"]
    list_filter = ["status", "campaign"]
    raw_id_fields = ["place"]
    date_hierarchy = "date"


@admin.register(Turn)
class TurnAdmin(AuditedAdmin):
    list_display = ["session", "resident", "criterion", "service", "unit"]
    list_select_related = ["session__place", "resident", "criterion", "unit"]
    raw_id_fields = ["session", "resident"]
    show_full_result_count = False
