"""Set-up forms of a campaign: its targets and period, its criteria, a criterion of its
own."""

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from congdanso.campaigns.models import Campaign, Criterion, TargetKind
from congdanso.people.models import Segment
from congdanso.scope.cards import criterion_label
from congdanso.web.setup.fields import (
    DATE_FORMATS,
    PercentField,
    SetupForm,
    WholeNumberField,
    date_field,
)


class CampaignTargetsForm(SetupForm):
    name = forms.CharField(label=_("Campaign name"), max_length=200)
    start_date = date_field(_("Start date"))
    end_date = date_field(_("End date"))
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


def milestones_parse(text: str) -> list[tuple[Any, str]]:
    """ "30/06/2025 = 60%; 31/12/2025 = 80%" → [(date, "60%"), (date, "80%")]; a line or a ';'
    per milestone. ValueError names the part that is not "date = value"."""
    steps = []
    for part in text.replace("\n", ";").split(";"):
        if not part.strip():
            continue
        day, sep, value = part.partition("=")
        parsed = None
        for pattern in DATE_FORMATS:
            try:
                parsed = dt.datetime.strptime(day.strip(), pattern).date()  # noqa: DTZ007
                break
            except ValueError:
                continue
        if not sep or parsed is None or not value.strip():
            raise ValueError(part.strip())
        steps.append((parsed, value.strip()))
    return steps


class TargetAddForm(SetupForm):
    """A target of the campaign's own: what counts, over which population, how many, by when."""

    name = forms.CharField(label=_("Target name"), max_length=200)
    kind = forms.ChoiceField(
        label=_("Kind of target"),
        choices=TargetKind.choices,
        initial=TargetKind.SHARE,
        widget=forms.RadioSelect,
    )
    value = forms.CharField(
        label=_("Target"),
        max_length=20,
        help_text=_("A number of residents (e.g. 2.500) or a share (e.g. 80%)."),
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    criteria = forms.MultipleChoiceField(
        label=_("Criteria, all to be met"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: the criteria that make a citizen exemplary."),
    )
    min_age = forms.IntegerField(
        label=_("Youngest age"), required=False, min_value=0, max_value=130
    )
    max_age = forms.IntegerField(label=_("Oldest age"), required=False, min_value=0, max_value=130)
    segment = forms.ChoiceField(
        label=_("Only a group"),
        required=False,
        choices=[("", _("Every resident")), *Segment.choices],
    )
    deadline = date_field(
        _("Deadline"), required=False, help_text=_("Empty: the campaign's end date.")
    )
    milestones = forms.CharField(
        label=_("Milestones"),
        required=False,
        max_length=500,
        help_text=_("One per line: date = target, e.g. 30/06/2025 = 60%."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    error_fields = {
        "target_name_missing": "name",
        "target_kind_invalid": "kind",
        "target_share_invalid": "value",
        "target_count_invalid": "value",
        "criterion_unknown": "criteria",
        "segment_unknown": "segment",
        "target_ages_invalid": "max_age",
        "target_date_outside": "deadline",
        "milestone_date_invalid": "milestones",
        "milestones_invalid": "milestones",
    }

    def __init__(self, *args: Any, catalog: Sequence[Criterion], **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "target")
        super().__init__(*args, **kwargs)
        self.fields["criteria"].choices = [(c.code, criterion_label(c)) for c in catalog]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        low, high = data.get("min_age"), data.get("max_age")
        if (low is None) != (high is None):
            self.add_error("max_age", _("Write both ages, or neither for every resident."))
        elif low is not None and high is not None and high < low:
            self.add_error("max_age", _("The oldest age must not be below the youngest."))
        try:
            data["milestone_list"] = milestones_parse(data.get("milestones") or "")
        except ValueError as error:
            self.add_error(
                "milestones",
                _("Write each milestone as date = target, e.g. 30/06/2025 = 60%%: %(part)s")
                % {"part": error},
            )
        return data
