"""The audit log in the admin (read-only), and the mixin that audits admin edits.

The admin is for administrators; what they change there is audited like a service's change:
`AuditedAdmin` records create, update and delete with the changed fields (personal ones
masked by `audit_record`)."""

from contextlib import AbstractContextManager, nullcontext
from typing import Any

from django.contrib import admin
from django.db import models, transaction
from django.forms.models import model_to_dict
from django.http import HttpRequest

from congdanso.core.audit import audit_context, audit_record, client_ip
from congdanso.core.models import AuditAction, AuditEvent


def _data(obj: models.Model) -> dict[str, Any]:
    return {k: v for k, v in model_to_dict(obj).items() if not isinstance(v, list | tuple)}


class AuditedAdmin(admin.ModelAdmin):
    def changing(self, obj: Any) -> AbstractContextManager[None]:
        """What must stay exact around a change of `obj` (see core.hooks)."""
        return nullcontext()

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        before = _data(type(obj).objects.get(pk=obj.pk)) if change and obj.pk else None
        with (
            transaction.atomic(),
            audit_context(user=request.user, ip=client_ip(request), via="admin"),
            self.changing(obj),
        ):
            super().save_model(request, obj, form, change)
            audit_record(
                action=AuditAction.UPDATE if change else AuditAction.CREATE,
                obj=obj,
                before=before,
                after=_data(obj),
            )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with (
            transaction.atomic(),
            audit_context(user=request.user, ip=client_ip(request), via="admin"),
            self.changing(obj),
        ):
            audit_record(action=AuditAction.DELETE, obj=obj, before=_data(obj))
            super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "actor_name", "via", "action", "object_type", "object_label", "ip"]
    list_filter = ["action", "via", "object_type"]
    search_fields = ["actor_name", "object_id", "object_label", "reason"]
    date_hierarchy = "at"
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
