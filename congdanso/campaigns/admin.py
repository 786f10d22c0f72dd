"""Admin for administrators. Achievements are read-only here: they are recorded and
withdrawn through the services (which keep the history), not edited in place."""

from typing import Any

from django.contrib import admin
from django.db import transaction
from django.http import HttpRequest

from congdanso.campaigns.models import (
    Achievement,
    Campaign,
    CampaignCriterion,
    Criterion,
    Milestone,
    PlaceTarget,
    Target,
)
from congdanso.campaigns.targets import campaign_targets_sync, target_tallies_delete
from congdanso.core.admin import AuditedAdmin
from congdanso.core.hooks import campaign_rules_changed, campaign_target_changed


@admin.register(Criterion)
class CriterionAdmin(AuditedAdmin):
    list_display = ["code", "name", "name_en", "is_builtin", "position"]
    readonly_fields = ["is_builtin"]


class CampaignCriterionInline(admin.TabularInline):
    model = CampaignCriterion
    extra = 0


@admin.register(Campaign)
class CampaignAdmin(AuditedAdmin):
    list_display = ["name", "place", "start_date", "end_date", "target_exemplary"]
    raw_id_fields = ["place"]
    inlines = [CampaignCriterionInline]

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        campaign_targets_sync(form.instance)
        # Dates, cohort or criteria may have changed: every figure is computed again.
        campaign_rules_changed(form.instance)


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0


class PlaceTargetInline(admin.TabularInline):
    model = PlaceTarget
    extra = 0
    raw_id_fields = ["place"]


@admin.register(Target)
class TargetAdmin(AuditedAdmin):
    list_display = ["name", "campaign", "kind", "count", "share", "deadline", "role"]
    raw_id_fields = ["campaign"]
    inlines = [MilestoneInline, PlaceTargetInline]

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        if not form.instance.role:
            # criteria, ages, group or deadline may have changed: its tallies, computed again
            # (the campaign's two read the campaign's own figures)
            campaign_target_changed(form.instance)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is not None and obj.role:
            # the campaign's two follow its fields: changed on the campaign, not here
            return ["campaign", "role", "kind", "count", "share", "min_age", "max_age"]
        return ["role"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # the campaign's two targets go with the campaign
        return super().has_delete_permission(request, obj) and not (obj and obj.role)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            target_tallies_delete(obj)
            super().delete_model(request, obj)


@admin.register(Achievement)
class AchievementAdmin(AuditedAdmin):
    list_display = ["resident", "criterion", "achieved_on", "source", "unit", "withdrawn_at"]
    list_filter = ["criterion", "source"]
    list_select_related = ["resident", "criterion", "unit"]
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
