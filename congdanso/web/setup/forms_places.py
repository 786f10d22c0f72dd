"""Forms of the places page."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from congdanso.places.models import LOCAL_KINDS, PlaceKind

_KIND_CHOICES = [("", _("From the name (Thôn, Buôn, Trường…)"))] + [
    (value, label) for value, label in PlaceKind.choices if value in LOCAL_KINDS
]
_NAME_ERRORS = {"required": _("Write the name of the village or site.")}


class CommunePickForm(forms.Form):
    xa = forms.ChoiceField(label=_("Commune"))

    def __init__(self, *args: Any, communes: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["xa"].choices = communes  # type: ignore[attr-defined]


class VillageAddForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=200,
        error_messages=_NAME_ERRORS,
        help_text=_("For example Thôn Tân Lập, Buôn Ghamah, Trường Tiểu học Chu Văn An."),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=_KIND_CHOICES, required=False)


class VillageRenameForm(forms.Form):
    name = forms.CharField(label=_("New name"), max_length=200, error_messages=_NAME_ERRORS)
