"""The form that records an achievement from the person card: a one-tap "done today" button
posts only the criterion; the details chooser adds a date, a unit and a session."""

import datetime as dt
from collections.abc import Sequence
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from congdanso.campaigns.models import Criterion
from congdanso.outreach.models import SupportSession
from congdanso.partners.models import Unit
from congdanso.scope.cards import criterion_label
from congdanso.vn import vietnam_today

DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"]


class AchievementRecordForm(forms.Form):
    criterion = forms.ChoiceField(
        label=_("Criterion"),
        error_messages={
            "required": _("Choose a criterion."),
            "invalid_choice": _("This campaign does not track this criterion."),
        },
    )
    achieved_on = forms.DateField(
        label=_("Date done"),
        required=False,
        input_formats=DATE_INPUT_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Empty: today (or the session's day)."),
        error_messages={"invalid": _("Write the date as dd/mm/yyyy, e.g. 13/04/2023.")},
    )
    unit = forms.ChoiceField(
        label=_("Unit"),
        required=False,
        error_messages={"invalid_choice": _("This unit does not work in this campaign.")},
    )
    session = forms.ChoiceField(
        label=_("Session"),
        required=False,
        error_messages={"invalid_choice": _("Choose one of the campaign's sessions.")},
    )
    next = forms.CharField(required=False, max_length=500, widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        criteria: Sequence[Criterion],
        units: Sequence[Unit],
        sessions: Sequence[SupportSession],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self._criteria = {c.code: c for c in criteria}
        self._units = {str(u.pk): u for u in units}
        self._sessions = {str(s.pk): s for s in sessions}
        choices: dict[str, list[tuple[str, Any]]] = {
            "criterion": [(c.code, criterion_label(c)) for c in criteria],
            "unit": [("", _("No unit")), *((str(u.pk), u.name) for u in units)],
            "session": [
                ("", _("No session")),
                *((str(s.pk), f"{s.date:%d/%m/%Y} — {s.place.name}") for s in sessions),
            ],
        }
        for name, options in choices.items():
            cast(forms.ChoiceField, self.fields[name]).choices = options

    def clean_criterion(self) -> Criterion:
        return self._criteria[self.cleaned_data["criterion"]]

    def clean_unit(self) -> Unit | None:
        return self._units.get(self.cleaned_data.get("unit") or "")

    def clean_session(self) -> SupportSession | None:
        return self._sessions.get(self.cleaned_data.get("session") or "")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "achieved_on" in data and data["achieved_on"] is None:
            session = data.get("session")
            data["achieved_on"] = session.date if session is not None else vietnam_today()
        achieved_on: dt.date | None = data.get("achieved_on")
        if achieved_on is not None and achieved_on > vietnam_today():
            self.add_error(
                "achieved_on",
                _("The date %(date)s is in the future.") % {"date": f"{achieved_on:%d/%m/%Y}"},
            )
        return data


class WithdrawForm(forms.Form):
    """Withdraw an achievement: why (kept with it, and in the audit log)."""

    reason = forms.CharField(
        label=_("Why is it withdrawn?"),
        max_length=500,
        error_messages={
            "required": _("Say why the achievement is withdrawn."),
            "max_length": _("Write at most %(limit_value)d characters."),
        },
    )
