"""Forms of the accounts pages."""

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from congdanso.core.models import AuditAction


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label=_("Done by (user name)"), required=False, max_length=150)
    resident = forms.CharField(
        label=_("Resident concerned (name or #number)"), required=False, max_length=100
    )
    action = forms.ChoiceField(
        label=_("Action"), required=False, choices=[("", _("All"))] + list(AuditAction.choices)
    )
    object_type = forms.ChoiceField(label=_("Object"), required=False, choices=[("", _("All"))])
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput({"type": "date"})
    )
    until = forms.DateField(label=_("To"), required=False, widget=forms.DateInput({"type": "date"}))

    def __init__(self, *args: Any, object_types: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ChoiceField, self.fields["object_type"])
        field.choices = [("", _("All")), *object_types]

    def clean(self) -> dict:  # type: ignore[type-arg]
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", _("The end date is before the start date."))
        return data
