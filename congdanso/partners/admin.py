from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from congdanso.core.admin import AuditedAdmin
from congdanso.partners.models import Donation, Pledge, TeamMember, Twinning, Unit
from congdanso.vn import clean_name, fold


class TeamMemberInline(admin.TabularInline):
    model = TeamMember
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Unit)
class UnitAdmin(AuditedAdmin):
    list_display = ["name", "kind", "place"]
    list_filter = ["kind"]
    readonly_fields = ["name_key"]
    raw_id_fields = ["place", "villages"]
    inlines = [TeamMemberInline]
    search_fields = ["name"]

    def save_model(self, request: HttpRequest, obj: Unit, form: Any, change: bool) -> None:
        obj.name = clean_name(obj.name)
        obj.name_key = fold(obj.name)  # the look-up key follows the name, as in the service
        super().save_model(request, obj, form, change)


@admin.register(Pledge)
class PledgeAdmin(AuditedAdmin):
    list_display = ["unit", "campaign", "signed_on", "target_people", "target_sessions"]
    raw_id_fields = ["villages"]


@admin.register(Twinning)
class TwinningAdmin(AuditedAdmin):
    list_display = ["unit", "village", "since"]
    raw_id_fields = ["village"]


@admin.register(Donation)
class DonationAdmin(AuditedAdmin):
    list_display = ["village", "item", "value_vnd", "given_on"]
    raw_id_fields = ["village", "donor_villages"]
