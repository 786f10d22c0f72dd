"""The fields and the base form of the set-up pages: numbers typed the Vietnamese way
("4.000.000", "4 000 000 đ") or plainly ("4000000"), percentages, dates as the date picker
sends them (YYYY-MM-DD) or as typed (DD/MM/YYYY), and choices of objects built once per page
from lists the view passes in (a plan of a hundred rows does not query the database a
hundred times). A form says, next to the field, what is wrong; the services then apply the
domain's rules."""

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


#: Whole numbers above these are typing mistakes (and would overflow the columns).
MAX_COUNT = 100_000_000


MAX_VND = 1_000_000_000_000


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


def date_field(label: Any, *, required: bool = True, help_text: Any = "") -> forms.DateField:
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


def date_text(day: dt.date) -> str:
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
