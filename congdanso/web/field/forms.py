"""Forms of the field-mode people pages: the search box, showing a number in full, settling a
data issue."""

from django import forms
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from congdanso.people.selectors import (
    SEARCH_MAX_LENGTH,
    SearchInvalid,
    SearchQuery,
    search_query_parse,
)
from congdanso.people.services import REVEALABLE


class SearchForm(forms.Form):
    """One box: a name without diacritics in any order, a CCCD or a phone (or its last four
    digits). The form posts, so that a number never lands in a URL, the browser's history
    or an access log; a link may still carry a name (`?q=`), never digits."""

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

    @classmethod
    def from_request(cls, request: HttpRequest) -> "SearchForm":
        """The posted search; on a GET, the `q` of a link when it holds no digit."""
        if request.method == "POST":
            return cls(request.POST)
        text = request.GET.get("q", "")
        if text and not any(ch.isdigit() for ch in text):
            return cls({"q": text})
        return cls()

    def clean_q(self) -> str:
        text = self.cleaned_data.get("q", "")
        try:
            self.cleaned_data["query"] = search_query_parse(text)
        except SearchInvalid as error:
            raise forms.ValidationError(str(error.message), code=error.code) from error
        return text

    def text(self) -> str:
        """The search text, or "" while the form is unbound or invalid."""
        return self.cleaned_data.get("q", "") if self.is_valid() else ""

    def query(self) -> SearchQuery | None:
        """What the text searches for, None while there is nothing to search."""
        return self.cleaned_data.get("query") if self.text() else None


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
