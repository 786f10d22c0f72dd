from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from congdanso.accounts.models import ApiToken, RoleGrant, User
from congdanso.core.admin import AuditedAdmin


@admin.register(User)
class AuditedUserAdmin(AuditedAdmin, UserAdmin):  # type: ignore[misc]
    pass


@admin.register(RoleGrant)
class RoleGrantAdmin(AuditedAdmin):
    list_display = ["user", "role", "place", "unit", "created_at"]
    list_filter = ["role"]
    raw_id_fields = ["user", "place", "unit"]


@admin.register(ApiToken)
class ApiTokenAdmin(AuditedAdmin):
    list_display = ["user", "name", "prefix", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["user", "prefix", "key_hash", "created_at", "last_used_at"]

    def has_add_permission(self, request: object) -> bool:
        return False  # keys are made by `congdanso tokens create`, which shows the key once
