from django.contrib import admin

from congdanso.partners.models import Donation, Pledge, Twinning, Unit


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "place"]
    list_filter = ["kind"]
    readonly_fields = ["name_key"]
    raw_id_fields = ["place"]
    search_fields = ["name"]


@admin.register(Pledge)
class PledgeAdmin(admin.ModelAdmin):
    list_display = ["unit", "campaign", "signed_on", "target_people", "target_sessions"]
    raw_id_fields = ["villages"]


@admin.register(Twinning)
class TwinningAdmin(admin.ModelAdmin):
    list_display = ["unit", "village", "since"]
    raw_id_fields = ["village"]


@admin.register(Donation)
class DonationAdmin(admin.ModelAdmin):
    list_display = ["village", "item", "value_vnd", "given_on"]
    raw_id_fields = ["village", "donor_villages"]
