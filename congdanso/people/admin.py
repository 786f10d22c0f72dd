from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from congdanso.people.models import DataIssue, Resident
from congdanso.vn import fold


class DataIssueInline(admin.TabularInline):
    model = DataIssue
    extra = 0
    fields = ("code", "field", "original_value", "detail", "source", "created_at", "resolved_at")
    readonly_fields = fields


@admin.register(Resident)
class ResidentAdmin(admin.ModelAdmin):
    list_display = ["full_name", "birth_date", "gender", "village", "cccd", "phone", "status"]
    list_filter = ["status", "gender", "birth_date_precision", "commune"]
    list_select_related = ["village"]
    readonly_fields = ["name_key", "commune", "created_at", "updated_at"]
    raw_id_fields = ["village"]
    search_fields = ["name_key"]
    show_full_result_count = False
    inlines = [DataIssueInline]

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Resident], search_term: str
    ) -> tuple[QuerySet[Resident], bool]:
        """Folded name fragments in any order, or a CCCD / phone fragment."""
        term = search_term.strip()
        if not term:
            return queryset, False
        digits = "".join(ch for ch in term if ch.isdigit())
        if digits and len(digits) == len(term.replace(" ", "").replace(".", "")):
            return queryset.filter(Q(cccd__contains=digits) | Q(phone__contains=digits)), False
        for word in fold(term).split():
            queryset = queryset.filter(name_key__contains=word)
        return queryset, False

    def save_model(self, request: HttpRequest, obj: Resident, form: object, change: bool) -> None:
        obj.name_key = fold(obj.full_name)
        super().save_model(request, obj, form, change)


@admin.register(DataIssue)
class DataIssueAdmin(admin.ModelAdmin):
    list_display = ["resident", "code", "original_value", "detail", "created_at", "resolved_at"]
    list_filter = ["code"]
    raw_id_fields = ["resident"]
    readonly_fields = [
        "commune",
        "resident",
        "code",
        "field",
        "original_value",
        "detail",
        "source",
        "created_at",
    ]
