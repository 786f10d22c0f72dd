"""Forms of the field-mode people pages: the search box, showing a number in full, settling a
data issue."""

from django import forms
from django.utils.translation import gettext_lazy as _

from congdanso.people.services import REVEALABLE

SEARCH_MAX_LENGTH = 100


class SearchForm(forms.Form):
    """One box: a name without diacritics in any order, a CCCD or a phone (or its end)."""

    q = forms.CharField(
        label=_("Name, CCCD or phone"),
        required=False,
        max_length=SEARCH_MAX_LENGTH,
        strip=True,
        error_messages={
            "max_length": _("Type at most %(limit_value)d characters."),
        },
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "autocomplete": "off",
                "autocapitalize": "off",
                "spellcheck": "false",
                "enterkeyhint": "search",
            }
        ),
    )

    def text(self) -> str:
        """The search text, or "" while the form is unbound or invalid."""
        return self.cleaned_data.get("q", "") if self.is_valid() else ""


class RevealForm(forms.Form):
    field = forms.ChoiceField(
        label=_("Number"),
        choices=[("cccd", _("CCCD")), ("phone", _("Phone"))],
        error_messages={"invalid_choice": _("Choose the CCCD or the phone.")},
    )
    reason = forms.CharField(
        label=_("Why do you need it?"),
        max_length=500,
        error_messages={
            "required": _("Say why the number is shown in full."),
            "max_length": _("Write at most %(limit_value)d characters."),
        },
    )

    def clean_field(self) -> str:
        value = self.cleaned_data["field"]
        if value not in REVEALABLE:  # the choices already say so; kept in step with the service
            raise forms.ValidationError(_("Choose the CCCD or the phone."))
        return value


class IssueFixForm(forms.Form):
    """Correct the value an issue is about, or close the issue as it is."""

    FIX = "fix"
    CLOSE = "close"

    value = forms.CharField(
        label=_("Correct value"),
        required=False,
        max_length=200,
        error_messages={"max_length": _("Write at most %(limit_value)d characters.")},
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        error_messages={
            "required": _("Say why."),
            "max_length": _("Write at most %(limit_value)d characters."),
        },
    )
    action = forms.ChoiceField(
        choices=[(FIX, _("Correct")), (CLOSE, _("Close as it is"))],
        required=False,  # Enter in the value field submits without a button: a correction
        error_messages={"invalid_choice": _("Choose to correct the value or to close the issue.")},
    )

    def __init__(self, *args: object, correctable: bool = True, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.correctable = correctable

    def clean_action(self) -> str:
        return self.cleaned_data.get("action") or self.FIX

    def clean(self) -> dict:  # type: ignore[type-arg]
        data = super().clean() or {}
        if data.get("action") == self.FIX:
            if not self.correctable:
                self.add_error(None, _("This issue is not about one field: close it instead."))
            elif not data.get("value", "").strip():
                self.add_error("value", _("Type the correct value."))
        return data
