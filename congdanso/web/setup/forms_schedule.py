"""Set-up forms of the Thursday/Friday schedule: propose, the times of day, the plan's rows."""

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from congdanso.campaigns.models import Campaign
from congdanso.outreach.session_days import WEEKDAY_NAMES
from congdanso.partners.models import Unit
from congdanso.places.models import Place
from congdanso.web.setup.fields import (
    ObjectChoiceField,
    ObjectMultipleChoiceField,
    SetupForm,
    date_field,
    date_text,
)

#: Rows of a proposed plan edited at once: a year of Thursdays and Fridays at two sessions a
#: day is about 210, and the page stays under its weight budget.
PLAN_MAX_ROWS = 400


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
    date_from = date_field(_("From"))
    date_to = date_field(
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
                % {"start": date_text(campaign.start_date), "end": date_text(campaign.end_date)},
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

    date = date_field(_("Date"))

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
                % {"start": date_text(campaign.start_date), "end": date_text(campaign.end_date)}
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
