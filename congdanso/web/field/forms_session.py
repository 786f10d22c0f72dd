"""Forms of the session pages: opening today's session, a turn, a person not in the list."""

from collections.abc import Sequence
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from congdanso.campaigns.models import Criterion
from congdanso.outreach.models import SessionStatus, TurnService
from congdanso.places.models import Place
from congdanso.scope.cards import criterion_label


class SessionOpenForm(forms.Form):
    place = forms.ChoiceField(
        label=_("Where"),
        error_messages={
            "required": _("Choose where the session is held."),
            "invalid_choice": _("Choose a village, school or site of this campaign."),
        },
    )
    title = forms.CharField(
        label=_("Title (optional)"),
        required=False,
        max_length=200,
        error_messages={"max_length": _("Write at most %(limit_value)d characters.")},
    )

    def __init__(self, *args: Any, places: Sequence[Place], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._places = {str(p.pk): p for p in places}
        choices = [(str(p.pk), p.name) for p in places]
        field = cast(forms.ChoiceField, self.fields["place"])
        field.choices = choices if len(choices) == 1 else [("", "—"), *choices]

    def clean_place(self) -> Place:
        return self._places[self.cleaned_data["place"]]


class TurnForm(forms.Form):
    """One tap in session mode: a criterion done, or a service given (exactly one)."""

    resident = forms.IntegerField(
        min_value=1,
        error_messages={"required": _("Choose a person."), "invalid": _("Choose a person.")},
    )
    criterion = forms.ChoiceField(
        required=False,
        error_messages={"invalid_choice": _("This campaign does not track this criterion.")},
    )
    service = forms.ChoiceField(
        label=_("Help given"),
        required=False,
        choices=[("", "—"), *TurnService.choices],
        error_messages={"invalid_choice": _("Choose one of the kinds of help.")},
    )

    def __init__(self, *args: Any, criteria: Sequence[Criterion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._criteria = {c.code: c for c in criteria}
        field = cast(forms.ChoiceField, self.fields["criterion"])
        field.choices = [("", "—"), *((c.code, criterion_label(c)) for c in criteria)]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        code = data.get("criterion") or ""
        data["criterion"] = self._criteria.get(code)
        if data["criterion"] is not None:
            data["service"] = ""  # the criterion button wins over the help chooser
        elif not data.get("service") and not self.errors:
            raise forms.ValidationError(_("Choose what was done."))
        return data


class AnonymousTurnForm(forms.Form):
    """+1 person not in the list (or −1 to take back a mistaken tap), with what they told of
    themselves, if anything, for the newcomers' queue."""

    count = forms.TypedChoiceField(
        coerce=int,
        choices=[("1", "+1"), ("-1", "−1")],
        error_messages={
            "required": _("Say whether to add or take back a turn."),
            "invalid_choice": _("Say whether to add or take back a turn."),
        },
    )
    full_name = forms.CharField(
        label=_("Full name"),
        required=False,
        max_length=200,
        error_messages={"max_length": _("Write at most %(limit_value)d characters.")},
    )
    birth_year = forms.IntegerField(
        label=_("Birth year"),
        required=False,
        min_value=1900,
        max_value=2100,
        error_messages={
            "invalid": _("Write the birth year as four digits, e.g. 1985."),
            "min_value": _("Write the birth year as four digits, e.g. 1985."),
            "max_value": _("Write the birth year as four digits, e.g. 1985."),
        },
    )
    phone = forms.CharField(
        label=_("Phone"),
        required=False,
        max_length=30,
        error_messages={"max_length": _("Write at most %(limit_value)d characters.")},
    )


class NewcomerForm(forms.Form):
    """A manager deals with an entry of the newcomers' queue: into the list, or aside."""

    ADD = "add"
    DISMISS = "dismiss"

    action = forms.ChoiceField(
        choices=[(ADD, _("Add to the list")), (DISMISS, _("Set aside"))],
        error_messages={"invalid_choice": _("Choose to add the person or to set them aside.")},
    )
    village = forms.ChoiceField(
        label=_("Village"),
        required=False,
        error_messages={"invalid_choice": _("Choose a village of the commune.")},
    )
    full_name = forms.CharField(label=_("Full name"), required=False, max_length=200)

    def __init__(self, *args: Any, villages: Sequence[Place], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._villages = {str(v.pk): v for v in villages}
        field = cast(forms.ChoiceField, self.fields["village"])
        field.choices = [(str(v.pk), v.name) for v in villages]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["village"] = self._villages.get(data.get("village") or "")
        if data.get("action") == self.ADD and data["village"] is None:
            self.add_error("village", _("Choose the village where the person lives."))
        return data


class SessionStatusForm(forms.Form):
    """Mark a session held, cancel it, or plan it again."""

    status = forms.ChoiceField(
        choices=SessionStatus.choices,
        error_messages={
            "required": _("Choose what became of the session."),
            "invalid_choice": _("Choose what became of the session."),
        },
    )
