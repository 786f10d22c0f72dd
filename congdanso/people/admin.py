"""The registry in Django's admin: numbers masked in lists, in clear only in the edit form."""

from contextlib import AbstractContextManager
from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from congdanso.core.admin import AuditedAdmin
from congdanso.core.hooks import residents_changing
from congdanso.people.models import DataIssue, Resident, Segment
from congdanso.people.selectors import resident_search
from congdanso.people.services import segments_parse
from congdanso.vn import VnValueError, fold, normalize_phone, parse_cccd


class DataIssueInline(admin.TabularInline):
    model = DataIssue
    extra = 0
    # original_value is masked for CCCD and phone issues.
    fields = ("code", "field", "original_value", "detail", "source", "created_at", "resolved_at")
    readonly_fields = fields


class ResidentForm(forms.ModelForm):
    """The CCCD and phone in clear, checked like the importer checks them, stored encrypted."""

    cccd = forms.CharField(label=_("CCCD number"), required=False, max_length=40)
    phone = forms.CharField(label=_("phone"), required=False, max_length=40)
    groups = forms.MultipleChoiceField(
        label=_("groups"),
        required=False,
        choices=Segment.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("A target may count only the residents of a group (e.g. students)."),
    )

    class Meta:
        model = Resident
        fields = [
            "full_name",
            "birth_date",
            "birth_date_precision",
            "gender",
            "village",
            "status",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["cccd"] = self.instance.cccd or ""
            self.initial["phone"] = self.instance.phone
            self.initial["groups"] = [g for g in self.instance.segments.split(",") if g]

    def clean_cccd(self) -> str:
        text = self.cleaned_data["cccd"].strip()
        if not text:
            return ""
        try:
            return parse_cccd(text).number
        except VnValueError as error:
            raise forms.ValidationError(str(error)) from error

    def clean_phone(self) -> str:
        text = self.cleaned_data["phone"].strip()
        if not text:
            return ""
        try:
            return normalize_phone(text)
        except VnValueError as error:
            raise forms.ValidationError(str(error)) from error

    def save(self, commit: bool = True) -> Resident:
        resident: Resident = super().save(commit=False)
        resident.cccd = self.cleaned_data["cccd"] or None
        resident.phone = self.cleaned_data["phone"]
        resident.segments = segments_parse(self.cleaned_data["groups"])
        if commit:
            resident.save()
        return resident


@admin.register(Resident)
class ResidentAdmin(AuditedAdmin):
    form = ResidentForm
    list_display = [
        "full_name",
        "birth_date",
        "gender",
        "village",
        "masked_cccd",
        "masked_phone",
        "status",
    ]
    list_filter = ["status", "gender", "birth_date_precision", "commune"]
    list_select_related = ["village"]
    readonly_fields = ["name_key", "commune", "created_at", "updated_at"]
    raw_id_fields = ["village"]
    search_fields = ["name_key"]
    search_help_text = _(
        "Name fragments in any order, a whole CCCD or phone number, or its last four digits "
        "or more."
    )
    show_full_result_count = False
    inlines = [DataIssueInline]

    @admin.display(description=_("CCCD number"))
    def masked_cccd(self, resident: Resident) -> str:
        return resident.cccd_masked

    @admin.display(description=_("phone"))
    def masked_phone(self, resident: Resident) -> str:
        return resident.phone_masked

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Resident], search_term: str
    ) -> tuple[QuerySet[Resident], bool]:
        if not search_term.strip():
            return queryset, False
        return resident_search(queryset, search_term, limit=None), False

    def save_model(self, request: HttpRequest, obj: Resident, form: object, change: bool) -> None:
        obj.name_key = fold(obj.full_name)
        super().save_model(request, obj, form, change)

    def changing(self, obj: Resident) -> AbstractContextManager[None]:
        # A new resident has no id yet, and an edit may move them: track the communes.
        stored = Resident.objects.filter(pk=obj.pk).values_list("commune_id", flat=True)
        communes = {obj.commune_id, *stored} - {None}
        return residents_changing(communes=communes, turns=True)


@admin.register(DataIssue)
class DataIssueAdmin(AuditedAdmin):
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

    def changing(self, obj: DataIssue) -> AbstractContextManager[None]:
        return residents_changing(residents=[obj.resident_id])
