"""Forms of the field-mode people pages: the search box, showing a number in full, settling a
data issue."""

from collections.abc import Sequence
from typing import Any, cast

from django import forms
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from congdanso.core.errors import DomainError
from congdanso.core.qr_images import qr_text_in_photo
from congdanso.core.uploads import upload_refused
from congdanso.people.selectors import (
    SearchInvalid,
    SearchQuery,
    search_query_parse,
)
from congdanso.people.services import REVEALABLE
from congdanso.places.models import Place
from congdanso.vn import CccdQr, looks_like_cccd_qr
from congdanso.vn.qr import QR_MAX_LENGTH


class SearchForm(forms.Form):
    """One box: a name without diacritics in any order, a CCCD or a phone (or its last four
    digits). The form posts, so that a number never lands in a URL, the browser's history
    or an access log; a link may still carry a name (`?q=`), never digits."""

    q = forms.CharField(
        label=_("Name, CCCD or phone"),
        required=False,
        # a card's QR code read by a scanner into the box is longer than anything typed; the
        # search itself says when typed text is too long (SEARCH_MAX_LENGTH)
        max_length=QR_MAX_LENGTH,
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
        """The posted search (or the QR code in a posted photo of a card); on a GET, the `q`
        of a link when it holds no digit."""
        if request.method == "POST" and (
            "photo" in request.FILES or upload_refused(request, "photo")
        ):
            return cls._from_photo(request)
        if request.method == "POST":
            return cls(request.POST)
        text = request.GET.get("q", "")
        if text and not any(ch.isdigit() for ch in text):
            return cls({"q": text})
        return cls()

    @classmethod
    def _from_photo(cls, request: HttpRequest) -> "SearchForm":
        """The search for the QR code in a photo of a card, or the form saying why none."""
        try:
            refused = upload_refused(request, "photo")
            if refused is not None:
                raise refused
            photo = request.FILES.get("photo")
            if photo is None:  # the field was sent empty
                raise DomainError(_("Choose a photo of the card first."), code="photo_missing")
            text = qr_text_in_photo(photo, size=photo.size or 0)
        except DomainError as error:
            form = cls({"q": ""})
            form.is_valid()
            form.add_error("q", str(error.message))
            return form
        return cls({"q": text})

    def clean_q(self) -> str:
        text = self.cleaned_data.get("q", "")
        try:
            query = self.cleaned_data["query"] = search_query_parse(text)
        except SearchInvalid as error:
            raise forms.ValidationError(str(error.message), code=error.code) from error
        return "" if query.card is not None else text

    def text(self) -> str:
        """The search text, or "" while the form is unbound or invalid (and for a card's QR
        code, whose text is never shown back: `card` says what it holds)."""
        return self.cleaned_data.get("q", "") if self.is_valid() else ""

    def box_value(self) -> str:
        """What the box shows again: the text typed, never a card's."""
        if self.is_bound and self.is_valid():
            return self.text()
        value = self.data.get("q", "") if self.is_bound else ""
        return "" if looks_like_cccd_qr(value) else value

    @property
    def card(self) -> CccdQr | None:
        query = self.cleaned_data.get("query") if self.is_valid() else None
        return query.card if query is not None else None

    def query(self) -> SearchQuery | None:
        """What the text searches for, None while there is nothing to search."""
        if not self.is_valid():
            return None
        query = self.cleaned_data.get("query")
        return query if query is not None and (query.text or query.card) else None


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


class CardAddForm(forms.Form):
    """A scanned card whose number matched nobody: the person added to the list with what the
    card says (a volunteer may correct the name), in a village of the campaign."""

    full_name = forms.CharField(label=_("Full name"), max_length=200)
    birth_date = forms.CharField(label=_("Birth date"), required=False, max_length=20)
    gender = forms.CharField(required=False, max_length=5)
    cccd = forms.CharField(max_length=20)
    village = forms.ChoiceField(
        label=_("Village"),
        error_messages={
            "required": _("Choose the village where the person lives."),
            "invalid_choice": _("Choose a village of the campaign where you may add people."),
        },
    )
    next = forms.CharField(required=False, max_length=500)

    def __init__(self, *args: Any, villages: Sequence[Place], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._villages = {str(v.pk): v for v in villages}
        field = cast(forms.ChoiceField, self.fields["village"])
        field.choices = [(str(v.pk), v.name) for v in villages]

    def clean_village(self) -> Place:
        return self._villages[self.cleaned_data["village"]]


class CardAttachForm(forms.Form):
    """A scanned card's number given to the resident without one who has its name and birth
    date ("gắn số CCCD này")."""

    cccd = forms.CharField(max_length=20)
    next = forms.CharField(required=False, max_length=500)
