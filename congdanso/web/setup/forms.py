"""Forms of the campaign set-up pages: they parse what the secretary typed and say, next to
the field, what is wrong; the services then apply the domain's rules.

Numbers are typed the Vietnamese way ("4.000.000", "4 000 000 đ") or plainly ("4000000");
dates as the browser's date picker sends them (YYYY-MM-DD) or as typed (DD/MM/YYYY).
Choices of places and units are built once per page from lists the view passes in, so a
plan of a hundred rows does not query the database a hundred times.
"""

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from congdanso.campaigns.models import Campaign, Criterion
from congdanso.outreach.schedule import WEEKDAY_NAMES
from congdanso.partners.models import DonationItem, Unit, UnitKind
from congdanso.places.models import Place

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
#: Whole numbers above these are typing mistakes (and would overflow the columns).
MAX_COUNT = 100_000_000
MAX_VND = 1_000_000_000_000
#: Rows of a proposed plan edited at once: a year of Thursdays and Fridays at two sessions a
#: day is about 210, and the page stays under its weight budget.
PLAN_MAX_ROWS = 400

_CURRENCY = re.compile(r"(?:đồng|đ|vnđ|vnd)\.?$", re.IGNORECASE)
_GROUPED = re.compile(r"\d{1,3}(?:([.,])\d{3})(?:\1\d{3})*")


def whole_number_parse(text: str) -> int | None:
    """ "4.000.000", "4,000,000", "4 000 000 đ" and "4000000" → 4000000; None when the text is
    not a whole number written one of those ways (a decimal, a sign, mixed separators)."""
    cleaned = unicodedata.normalize("NFC", text or "").strip()
    cleaned = _CURRENCY.sub("", cleaned).strip()
    cleaned = re.sub(r"[\s\u00a0\u202f]", "", cleaned)
    if cleaned.isascii() and cleaned.isdigit():
        return int(cleaned)
    if _GROUPED.fullmatch(cleaned):
        return int(re.sub(r"[.,]", "", cleaned))
    return None


def _date_field(label: Any, *, required: bool = True, help_text: Any = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "invalid": _("Write the date as dd/mm/yyyy, e.g. 12/04/2023."),
            "required": _("Enter the date."),
        },
    )


def _date_text(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


class WholeNumberField(forms.CharField):
    """A whole number typed with or without thousands separators."""

    def __init__(
        self,
        *,
        min_value: int = 1,
        max_value: int = MAX_COUNT,
        invalid: Any = None,
        **kwargs: Any,
    ) -> None:
        # The length is the widget's only: CharField's length validator would run on the int.
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 30})
        )
        super().__init__(**kwargs)
        self.min_value, self.max_value = min_value, max_value
        self.invalid = invalid or _("Write a whole number, e.g. 1.000.")

    def to_python(self, value: Any) -> int | None:  # type: ignore[override]
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        number = whole_number_parse(str(text))
        if number is None:
            raise forms.ValidationError(self.invalid, code="invalid")
        if number < self.min_value:
            raise forms.ValidationError(
                _("The number must be %(min)s or more.") if self.min_value else self.invalid,
                code="min_value",
                params={"min": self.min_value},
            )
        if number > self.max_value:
            raise forms.ValidationError(
                _("The number is too large: at most %(max)s."),
                code="max_value",
                params={"max": f"{self.max_value:,}".replace(",", ".")},
            )
        return number


class VndField(WholeNumberField):
    """A value in đồng: a whole positive number."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            min_value=1,
            max_value=MAX_VND,
            invalid=_("Write the value in đồng as a whole positive number, e.g. 4.000.000."),
            **kwargs,
        )

    def to_python(self, value: Any) -> int | None:  # type: ignore[override]
        try:
            return super().to_python(value)
        except forms.ValidationError as error:
            if error.code == "min_value":  # "0" is a number, but not a value
                raise forms.ValidationError(self.invalid, code="min_value") from error
            raise


class PercentField(forms.CharField):
    """A share typed as a percentage: "50", "50%", "52,5" → Decimal("0.5"), Decimal("0.525")."""

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        try:
            percent = Decimal(str(text).strip().rstrip("%").strip().replace(",", "."))
        except InvalidOperation:
            percent = Decimal(-1)
        if not percent.is_finite() or not 0 < percent <= 100:
            raise forms.ValidationError(
                _("Write a percentage above 0 and at most 100, e.g. 50."), code="invalid"
            )
        return (percent / 100).quantize(Decimal("0.0001"))


class ObjectChoiceField(forms.ChoiceField):
    """One of the given objects, by primary key; cleans to the object."""

    def __init__(self, *, objects: Iterable[Any], label_of: Any = str, **kwargs: Any) -> None:
        self.objects = {str(o.pk): o for o in objects}
        super().__init__(choices=[(k, label_of(o)) for k, o in self.objects.items()], **kwargs)

    def clean(self, value: Any) -> Any:
        key = super().clean(value)
        return self.objects.get(key) if key else None


class ObjectMultipleChoiceField(forms.MultipleChoiceField):
    """Some of the given objects, by primary key; cleans to a list in the given order."""

    def __init__(self, *, objects: Iterable[Any], label_of: Any = str, **kwargs: Any) -> None:
        self.objects = {str(o.pk): o for o in objects}
        super().__init__(choices=[(k, label_of(o)) for k, o in self.objects.items()], **kwargs)

    def clean(self, value: Any) -> list[Any]:
        keys = set(super().clean(value))
        return [o for k, o in self.objects.items() if k in keys]


class SetupForm(forms.Form):
    """A set-up form: `error_fields` says next to which field a service's refusal (by its
    code) is shown; other refusals go above the form."""

    error_fields: dict[str, str] = {}


# --- Targets, period and criteria -----------------------------------------------------------


class CampaignTargetsForm(SetupForm):
    name = forms.CharField(label=_("Campaign name"), max_length=200)
    start_date = _date_field(_("Start date"))
    end_date = _date_field(_("End date"))
    target_exemplary = WholeNumberField(
        label=_("Target: exemplary digital citizens"),
        help_text=_("How many by the end date, e.g. 1.000."),
    )
    cohort_min_age = forms.IntegerField(
        label=_("Cohort: youngest age"),
        min_value=0,
        max_value=130,
        error_messages={
            "invalid": _("Write an age between 0 and 130."),
            "min_value": _("Write an age between 0 and 130."),
            "max_value": _("Write an age between 0 and 130."),
        },
    )
    cohort_max_age = forms.IntegerField(
        label=_("Cohort: oldest age"),
        min_value=0,
        max_value=130,
        error_messages={
            "invalid": _("Write an age between 0 and 130."),
            "min_value": _("Write an age between 0 and 130."),
            "max_value": _("Write an age between 0 and 130."),
        },
    )
    cohort_percent = PercentField(
        label=_("Target: share of the cohort (%)"),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "maxlength": 10}),
        help_text=_("Share of the cohort meeting every exemplary criterion by the end date."),
    )

    error_fields = {
        "campaign_name_missing": "name",
        "campaign_dates_invalid": "end_date",
        "sessions_outside_period": "start_date",
        "cohort_ages_invalid": "cohort_max_age",
        "target_invalid": "target_exemplary",
        "cohort_target_invalid": "cohort_percent",
    }

    @classmethod
    def initial_of(cls, campaign: Campaign) -> dict[str, Any]:
        percent = (campaign.cohort_target * 100).normalize()
        return {
            "name": campaign.name,
            "start_date": campaign.start_date,
            "end_date": campaign.end_date,
            "target_exemplary": f"{campaign.target_exemplary:,}".replace(",", "."),
            "cohort_min_age": campaign.cohort_min_age,
            "cohort_max_age": campaign.cohort_max_age,
            "cohort_percent": f"{percent:f}".replace(".", ","),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The end date must be on or after the start date."))
        low, high = data.get("cohort_min_age"), data.get("cohort_max_age")
        if low is not None and high is not None and high < low:
            self.add_error("cohort_max_age", _("The oldest age must not be below the youngest."))
        return data


class CampaignCriteriaForm(SetupForm):
    """Every catalog criterion: tracked or not, required to be exemplary or not, and its
    place in the campaign's order."""

    error_fields = {"criteria_missing": "__all__", "exemplary_missing": "__all__"}

    def __init__(
        self,
        *args: Any,
        catalog: Sequence[Criterion],
        rules: dict[int, tuple[int, bool]],
        **kwargs: Any,
    ) -> None:
        """`rules`: criterion id → (position, is exemplary) for the tracked criteria."""
        super().__init__(*args, **kwargs)
        self.catalog = list(catalog)
        ordered = sorted(rules.items(), key=lambda item: item[1][0])
        rank = {criterion_id: n for n, (criterion_id, _rule) in enumerate(ordered, 1)}
        for criterion in self.catalog:
            pk = criterion.pk
            self.fields[f"track_{pk}"] = forms.BooleanField(
                label=_("Track"), required=False, initial=pk in rules
            )
            self.fields[f"exemplary_{pk}"] = forms.BooleanField(
                label=_("Required to be exemplary"),
                required=False,
                initial=rules.get(pk, (0, False))[1],
            )
            self.fields[f"position_{pk}"] = forms.IntegerField(
                label=_("Order"),
                required=False,
                min_value=1,
                max_value=99,
                initial=rank.get(pk),
                widget=forms.NumberInput(attrs={"class": "input-short"}),
                error_messages={
                    "invalid": _("Write a number from 1 to 99."),
                    "min_value": _("Write a number from 1 to 99."),
                    "max_value": _("Write a number from 1 to 99."),
                },
            )

    def rows(self) -> list[tuple[Criterion, forms.BoundField, forms.BoundField, forms.BoundField]]:
        return [
            (c, self[f"track_{c.pk}"], self[f"exemplary_{c.pk}"], self[f"position_{c.pk}"])
            for c in self.catalog
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        tracked = [c for c in self.catalog if data.get(f"track_{c.pk}")]
        for criterion in self.catalog:
            if data.get(f"exemplary_{criterion.pk}") and criterion not in tracked:
                self.add_error(
                    f"exemplary_{criterion.pk}",
                    _("Only a tracked criterion can make a citizen exemplary."),
                )
        if not tracked:
            raise forms.ValidationError(_("Tick at least one criterion to track."))
        if not any(data.get(f"exemplary_{c.pk}") for c in tracked):
            raise forms.ValidationError(
                _("Choose at least one criterion that makes a citizen exemplary.")
            )
        return data

    def chosen(self) -> tuple[list[str], list[str]]:
        """(tracked codes in the chosen order, exemplary codes)."""
        data = self.cleaned_data
        catalog_order = {c.pk: n for n, c in enumerate(self.catalog)}
        tracked = sorted(
            (c for c in self.catalog if data.get(f"track_{c.pk}")),
            key=lambda c: (data.get(f"position_{c.pk}") or 100, catalog_order[c.pk]),
        )
        return (
            [c.code for c in tracked],
            [c.code for c in tracked if data.get(f"exemplary_{c.pk}")],
        )


class CriterionAddForm(SetupForm):
    code = forms.RegexField(
        label=_("Code"),
        max_length=40,
        regex=r"^[a-z0-9_]+$",
        help_text=_("Lower-case letters without diacritics, digits and _, e.g. zalo_account."),
        error_messages={
            "invalid": _(
                "Use lower-case letters without diacritics, digits and _ only, e.g. zalo_account."
            )
        },
    )
    name = forms.CharField(label=_("Name in Vietnamese"), max_length=200)
    name_en = forms.CharField(label=_("Name in English"), max_length=200, required=False)
    exemplary = forms.BooleanField(label=_("Required to be exemplary"), required=False)

    error_fields = {"criterion_exists": "code", "criterion_code_invalid": "code"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "new")
        super().__init__(*args, **kwargs)


# --- Units and pledges ----------------------------------------------------------------------


class UnitForm(SetupForm):
    name = forms.CharField(label=_("Unit name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=UnitKind.choices)

    error_fields = {"unit_name_missing": "name", "unit_kind_unknown": "kind"}

    def __init__(self, *args: Any, places: Sequence[Place], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["place"] = ObjectChoiceField(
            label=_("Belongs to"),
            objects=places,
            label_of=lambda p: p.name,
            help_text=_("The commune for commune units; the district for a district office."),
        )


class PledgeForm(SetupForm):
    signed_on = _date_field(_("Signed on"), required=False)
    target_people = WholeNumberField(label=_("Target: people helped"), required=False)
    target_sessions = WholeNumberField(label=_("Target: sessions held"), required=False)
    target_achievements = WholeNumberField(label=_("Target: achievements recorded"), required=False)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    error_fields = {"village_outside_campaign": "villages"}

    def __init__(self, *args: Any, sites: Sequence[Place], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["villages"] = ObjectMultipleChoiceField(
            label=_("Villages covered"),
            objects=sites,
            label_of=lambda p: p.name,
            required=False,
            widget=forms.CheckboxSelectMultiple,
        )
        self.order_fields(["signed_on", "target_people", "target_sessions"])


# --- Twinnings and donations ----------------------------------------------------------------


class TwinningForm(SetupForm):
    since = _date_field(_("Since"), required=False)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    error_fields = {"twinning_place_invalid": "village"}

    def __init__(
        self, *args: Any, units: Sequence[Unit], sites: Sequence[Place], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"] = ObjectChoiceField(label=_("Unit"), objects=units)
        self.fields["village"] = ObjectChoiceField(
            label=_("Village"), objects=sites, label_of=lambda p: p.name
        )
        self.order_fields(["unit", "village"])


class DonationForm(SetupForm):
    item = forms.ChoiceField(label=_("Item"), choices=DonationItem.choices)
    description = forms.CharField(
        label=_("Description"),
        max_length=300,
        required=False,
        help_text=_("E.g. a 100 Mbps fibre line."),
    )
    site = forms.CharField(
        label=_("Site"), max_length=200, required=False, help_text=_("E.g. the community house.")
    )
    value_vnd = VndField(label=_("Value (đồng)"), help_text=_("E.g. 4.000.000."))
    given_on = _date_field(_("Date installed or given"))
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    error_fields = {
        "donation_donor_missing": "donor_units",
        "donation_item_unknown": "item",
        "donation_value_invalid": "value_vnd",
        "donation_place_invalid": "village",
        "donation_to_itself": "donor_villages",
        "village_outside_campaign": "village",
    }

    def __init__(
        self, *args: Any, units: Sequence[Unit], sites: Sequence[Place], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["village"] = ObjectChoiceField(
            label=_("Village receiving"), objects=sites, label_of=lambda p: p.name
        )
        self.fields["donor_units"] = ObjectMultipleChoiceField(
            label=_("Donor units"),
            objects=units,
            required=False,
            widget=forms.CheckboxSelectMultiple,
        )
        self.fields["donor_villages"] = ObjectMultipleChoiceField(
            label=_("Donor villages"),
            objects=sites,
            label_of=lambda p: p.name,
            required=False,
            widget=forms.CheckboxSelectMultiple,
            help_text=_("When a village gives too, e.g. thôn Tân Lập."),
        )
        self.order_fields(["village", "donor_units", "donor_villages", "item", "description"])

    @classmethod
    def initial_of(cls, donation: Any) -> dict[str, Any]:
        return {
            "village": donation.village_id,
            "donor_units": [u.pk for u in donation.donor_units.all()],
            "donor_villages": [v.pk for v in donation.donor_villages.all()],
            "item": donation.item,
            "description": donation.description,
            "site": donation.site,
            "value_vnd": f"{donation.value_vnd:,}".replace(",", "."),
            "given_on": donation.given_on,
            "note": donation.note,
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            "donor_units" in data
            and "donor_villages" in data
            and not data["donor_units"]
            and not data["donor_villages"]
        ):
            self.add_error("donor_units", _("Choose at least one donor: a unit or a village."))
        village = data.get("village")
        if village is not None and village in data.get("donor_villages", []):
            self.add_error("donor_villages", _("The village receiving cannot be among the donors."))
        return data


# --- Schedule -------------------------------------------------------------------------------


def _time_field(label: Any) -> forms.TimeField:
    return forms.TimeField(
        label=label,
        required=False,
        input_formats=["%H:%M", "%H:%M:%S", "%Hh%M", "%Hh"],
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={"invalid": _("Write the time as HH:MM, e.g. 07:30.")},
    )


class _TimesMixin(forms.Form):
    starts_at = _time_field(_("Starts at"))
    ends_at = _time_field(_("Ends at"))

    def _check_times(self, data: dict[str, Any]) -> None:
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("The session must end after it starts."))


class ScheduleProposeForm(_TimesMixin, SetupForm):
    date_from = _date_field(_("From"))
    date_to = _date_field(
        _("To"), required=False, help_text=_("Empty: until the end of the campaign.")
    )
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Days of the week"),
        choices=[(n, name) for n, name in enumerate(WEEKDAY_NAMES)],
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Tick at least one day of the week.")},
    )
    per_day = forms.IntegerField(
        label=_("Sessions a day"),
        min_value=1,
        max_value=5,
        error_messages={
            "invalid": _("Write a number from 1 to 5."),
            "min_value": _("Write a number from 1 to 5."),
            "max_value": _("Write a number from 1 to 5."),
        },
    )

    error_fields = {
        "date_range_invalid": "date_to",
        "date_outside_campaign": "date_from",
        "weekdays_invalid": "weekdays",
        "per_day_invalid": "per_day",
        "session_times_invalid": "ends_at",
        "schedule_too_long": "date_to",
    }

    def __init__(
        self, *args: Any, campaign: Campaign, units: Sequence[Unit], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        self.fields["units"] = ObjectMultipleChoiceField(
            label=_("Units going"),
            objects=units,
            required=False,
            widget=forms.CheckboxSelectMultiple,
            help_text=_("Proposed for every session; change them row by row below."),
        )
        self.order_fields(["date_from", "date_to", "weekdays", "per_day", "units"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        campaign = self.campaign
        if start and end and end < start:
            self.add_error("date_to", _("The end date must be on or after the start date."))
        elif start and not campaign.start_date <= start <= campaign.end_date:
            self.add_error(
                "date_from",
                _("Choose a day within the campaign (%(start)s – %(end)s).")
                % {"start": _date_text(campaign.start_date), "end": _date_text(campaign.end_date)},
            )
        self._check_times(data)
        return data


class ScheduleTimesForm(_TimesMixin, SetupForm):
    """The hours of every session of the plan being saved."""

    error_fields = {"session_times_invalid": "ends_at"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "times")
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self._check_times(data)
        return data


class ScheduleRowForm(forms.Form):
    """One proposed session: the day, the place and the units, as the secretary edits it."""

    date = _date_field(_("Date"))

    def __init__(
        self,
        *args: Any,
        campaign: Campaign,
        sites: Sequence[Place],
        units: Sequence[Unit],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        self.fields["place"] = ObjectChoiceField(
            label=_("Place"), objects=sites, label_of=lambda p: p.name
        )
        self.fields["units"] = ObjectMultipleChoiceField(
            label=_("Units"), objects=units, required=False, widget=forms.SelectMultiple
        )

    def day(self) -> dt.date | None:
        """The row's day as proposed (or as typed, once valid): its weekday is shown."""
        if self.is_bound:
            return getattr(self, "cleaned_data", {}).get("date")
        return self.initial.get("date")

    def clean_date(self) -> dt.date:
        day: dt.date = self.cleaned_data["date"]
        campaign = self.campaign
        if not campaign.start_date <= day <= campaign.end_date:
            raise forms.ValidationError(
                _("Choose a day within the campaign (%(start)s – %(end)s).")
                % {"start": _date_text(campaign.start_date), "end": _date_text(campaign.end_date)}
            )
        return day


class BaseScheduleFormSet(forms.BaseFormSet):  # type: ignore[type-arg]
    def clean(self) -> None:
        if any(self.errors):
            return
        seen: set[tuple[int, dt.date]] = set()
        kept = 0
        for form in self.forms:
            if not form.has_changed() and form.empty_permitted:
                continue
            if self.can_delete and form.cleaned_data.get("DELETE"):
                continue
            kept += 1
            key = (form.cleaned_data["place"].pk, form.cleaned_data["date"])
            if key in seen:
                form.add_error("place", _("This place already has a session that day in the list."))
            seen.add(key)
        if not kept:
            raise forms.ValidationError(_("Every row was dropped: there is nothing to save."))


ScheduleFormSet = forms.formset_factory(
    ScheduleRowForm,
    formset=BaseScheduleFormSet,
    extra=0,
    can_delete=True,
    max_num=PLAN_MAX_ROWS,
    absolute_max=PLAN_MAX_ROWS,
    validate_max=True,
)
