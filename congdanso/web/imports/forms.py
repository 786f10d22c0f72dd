"""Forms of the import pages: the upload, and the column choice of the preview."""

from collections.abc import Collection, Mapping
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from congdanso.campaigns.importing import ImportFailed, campaign_unit_get
from congdanso.campaigns.importing.arguments import campaign_criterion_check
from congdanso.campaigns.models import Campaign, CampaignCriterion, Criterion
from congdanso.core.errors import DomainError
from congdanso.partners.models import Unit
from congdanso.people.importing.villages import CREATE_VILLAGES_LABEL
from congdanso.people.models import ImportKind, Segment
from congdanso.places.models import Place


class CommuneChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Place) -> str:
        return obj.name


class CampaignChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Campaign) -> str:
        return f"{obj.name} — {obj.place.name}"


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What the file is"),
        choices=ImportKind.choices,
        initial=ImportKind.RESIDENTS,
        widget=forms.RadioSelect,
    )
    file = forms.FileField(
        label=_("File"),
        help_text=_("Excel (.xlsx, .xls), LibreOffice (.ods) or CSV."),
        required=False,  # checked in clean_file, after the size limit's own message
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xls,.ods,.csv,.xlsm,.txt,.tsv"}),
    )
    sheet = forms.CharField(
        label=_("Sheet (name or number)"),
        required=False,
        max_length=100,
        help_text=_("Leave empty for the first sheet."),
    )
    commune = CommuneChoiceField(
        label=_("Commune"),
        queryset=Place.objects.none(),
        required=False,
        empty_label=None,
        help_text=_("For a resident list: the commune the residents live in."),
    )
    create_villages = forms.BooleanField(
        label=CREATE_VILLAGES_LABEL,
        required=False,
    )
    campaign = CampaignChoiceField(
        label=_("Campaign"),
        queryset=Campaign.objects.none(),
        required=False,
        empty_label=None,
        help_text=_("For an achievement list or a group's list: the campaign it counts for."),
    )
    criterion = forms.ModelChoiceField(
        label=_("Criterion the list reports"),
        queryset=Criterion.objects.none(),
        required=False,
        empty_label=None,
    )
    unit = forms.CharField(
        label=_("Partner unit that sent the list"),
        required=False,
        max_length=200,
        help_text=_("Optional, e.g. Công an xã."),
    )
    segment = forms.ChoiceField(
        label=_("Group the list names"),
        choices=[("", "—"), *Segment.choices],
        required=False,
        help_text=_("A school's list of its students, an office's list of its staff."),
    )
    default_date = forms.DateField(
        label=_("Date for the whole list"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Only for a list without a date column."),
        error_messages={"invalid": _("Write the date as day/month/year.")},
    )

    def __init__(
        self,
        *args: Any,
        communes: QuerySet[Place],
        campaigns: QuerySet[Campaign],
        refused: DomainError | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.refused = refused
        fields: Any = self.fields
        fields["commune"].queryset = communes
        fields["campaign"].queryset = campaigns.select_related("place").order_by(
            "-start_date", "-pk"
        )
        criteria = CampaignCriterion.objects.filter(campaign__in=campaigns).values("criterion_id")
        fields["criterion"].queryset = Criterion.objects.filter(pk__in=criteria).order_by("code")
        self.unit_found: Unit | None = None

    def clean_file(self) -> Any:
        if self.refused is not None:
            # The upload handler dropped a file past the size limit: say so, not "required".
            raise forms.ValidationError(str(self.refused.message), code=self.refused.code)
        file = self.cleaned_data.get("file")
        if not file:
            raise forms.ValidationError(_("Choose the file to import."), code="required")
        return file

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind")
        if kind == ImportKind.RESIDENTS and not data.get("commune"):
            self.add_error("commune", _("Choose the commune to import into."))
        if kind == ImportKind.SEGMENTS:
            if data.get("campaign") is None:
                self.add_error("campaign", _("Choose the campaign the list counts for."))
            if not data.get("segment"):
                self.add_error("segment", _("Choose the group the list names."))
        if kind == ImportKind.ACHIEVEMENTS:
            campaign, criterion = data.get("campaign"), data.get("criterion")
            if campaign is None:
                self.add_error("campaign", _("Choose the campaign the list counts for."))
            if criterion is None:
                self.add_error("criterion", _("Choose the criterion the list reports."))
            if campaign is not None and criterion is not None:
                try:
                    campaign_criterion_check(campaign=campaign, criterion=criterion)
                except ImportFailed as error:
                    self.add_error("criterion", str(error.message))
            if campaign is not None and data.get("unit"):
                try:
                    self.unit_found = campaign_unit_get(campaign=campaign, name=data["unit"])
                except ImportFailed as error:
                    self.add_error("unit", str(error.message))
        return data


def column_label(index: int) -> str:
    """Excel's name of a column: 0 → A, 25 → Z, 26 → AA."""
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(ord("A") + rest) + name
    return name


NOT_IN_FILE = ""


class ColumnMappingForm(forms.Form):
    """One choice per field: the file's column that holds it, or none."""

    def __init__(
        self,
        *args: Any,
        labels: Mapping[str, Promise],
        header_cells: list[str] | tuple[str, ...],
        width: int,
        required: Collection[str],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.required_fields = tuple(required)
        choices: list[tuple[str, str]] = [(NOT_IN_FILE, str(_("— not in the file —")))]
        for index in range(width):
            title = header_cells[index] if index < len(header_cells) else ""
            choices.append(
                (str(index), f"{column_label(index)} · {title}" if title else column_label(index))
            )
        for name, label in labels.items():
            self.fields[name] = forms.ChoiceField(label=str(label), choices=choices, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        seen: dict[str, str] = {}
        for name in self.fields:
            value = data.get(name)
            if not value:
                continue
            if value in seen:
                self.add_error(
                    name,
                    _("Column %(column)s is already chosen for “%(field)s”.")
                    % {
                        "column": column_label(int(value)),
                        "field": self.fields[seen[value]].label,
                    },
                )
            else:
                seen[value] = name
        if not any(data.get(name) for name in self.required_fields):
            first = self.required_fields[0]
            if len(self.required_fields) == 1:
                self.add_error(first, _("Choose the column that holds this field."))
            else:
                self.add_error(
                    first,
                    _("Choose at least the column of the CCCD, the phone or the full name."),
                )
        return data

    def columns(self) -> dict[str, int | None]:
        """The choice, as the pipelines take it (field → 0-based column or None)."""
        return {
            name: int(value) if (value := self.cleaned_data.get(name)) else None
            for name in self.fields
        }
