"""The query parameters of the dashboard, the people lists and the village pages.

The parameters are Vietnamese words because they show in addresses that users share
(`?ngay=2023-09-30&noi=ea-yong`). A bad value is a message next to its field, never a 500:
the dashboard then shows its default for that field; a list shows no one rather than the
wrong people.
"""

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from congdanso.campaigns.models import Campaign, Criterion
from congdanso.campaigns.selectors import CampaignRules
from congdanso.partners.models import Unit
from congdanso.reports.lists import IssueFilter
from congdanso.scope.cards import criterion_label
from congdanso.web import formats
from congdanso.web.dashboard.page import SORT_CHOICES, default_date

YES, NO = "1", "0"


class CriterionChoiceField(forms.ChoiceField):
    """A criterion of the campaign, by code; one the campaign does not track is refused by
    its name (an address from another campaign), never by its code."""

    def validate(self, value: Any) -> None:
        try:
            super().validate(value)
        except forms.ValidationError as error:
            known = Criterion.objects.filter(code=value).first() if value else None
            if known is None:
                raise
            raise forms.ValidationError(
                _("This campaign does not track %(criterion)s."),
                code="criterion_not_tracked",
                params={"criterion": criterion_label(known)},
            ) from error


def _date_field() -> forms.DateField:
    return forms.DateField(
        label=_("As of"),
        required=False,
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter a date as day/month/year, e.g. 30/09/2023.")},
    )


class _CampaignDateForm(forms.Form):
    def __init__(self, data: Any, *, campaign: Campaign, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.campaign = campaign
        self.fields["ngay"] = _date_field()
        self.fields["ngay"].widget.attrs.update(
            {"min": campaign.start_date.isoformat(), "max": campaign.end_date.isoformat()}
        )
        self.fields["noi"] = forms.CharField(required=False, widget=forms.HiddenInput)
        self.fields["chot"] = forms.BooleanField(
            label=_("Only the residents in the list by that date"), required=False
        )

    def clean_ngay(self) -> dt.date | None:
        day = self.cleaned_data.get("ngay")
        start, end = self.campaign.start_date, self.campaign.end_date
        if day is not None and not start <= day <= end:
            raise forms.ValidationError(
                _("Pick a date within the campaign, from %(start)s to %(end)s."),
                params={"start": formats.day(start), "end": formats.day(end)},
                code="outside_campaign",
            )
        return day

    def day(self) -> dt.date:  # after is_valid()
        """The date asked for when valid, else the default."""
        return (self.cleaned_data or {}).get("ngay") or default_date(self.campaign)

    def registered_by(self) -> dt.date | None:  # after is_valid()
        """The date when the figures count only the residents in the list by then."""
        return self.day() if (self.cleaned_data or {}).get("chot") else None

    def place_code(self) -> str:
        return ((self.cleaned_data or {}).get("noi") or "").strip()


class DashboardForm(_CampaignDateForm):
    def __init__(self, data: Any, *, campaign: Campaign, **kwargs: Any) -> None:
        super().__init__(data, campaign=campaign, **kwargs)
        self.fields["sap-xep"] = forms.ChoiceField(
            required=False,
            choices=[("", "")] + [(key, key) for key in SORT_CHOICES],
            widget=forms.HiddenInput,
            error_messages={"invalid_choice": _("The table cannot be sorted that way.")},
        )

    def sort(self) -> str:
        return (self.cleaned_data or {}).get("sap-xep") or ""


class PeopleForm(_CampaignDateForm):
    """The filters of a list of people; `query()` gives them to the selector."""

    def __init__(
        self,
        data: Any,
        *,
        campaign: Campaign,
        rules: CampaignRules,
        **kwargs: Any,
    ) -> None:
        super().__init__(data, campaign=campaign, **kwargs)
        self.rules = rules
        yes_no = [("", _("Any")), (YES, _("Yes")), (NO, _("No"))]
        criteria = [("", _("Any"))] + [(c.code, criterion_label(c)) for c in rules.criteria]
        fields: dict[str, forms.Field] = {
            "tieu-bieu": forms.ChoiceField(label=_("Exemplary"), choices=yes_no),
            "nhom": forms.ChoiceField(label=_("In the age cohort"), choices=yes_no),
            "tieu-chi": CriterionChoiceField(label=_("Has done"), choices=criteria),
            "thieu": CriterionChoiceField(label=_("Still needs"), choices=criteria),
            "van-de": forms.ChoiceField(
                label=_("Data issues"),
                choices=[
                    ("", _("Any")),
                    (IssueFilter.ANY, _("Has an open data issue")),
                    (IssueFilter.DUPLICATE, _("Possible duplicate")),
                ],
            ),
            "khong-ngay-sinh": forms.ChoiceField(
                label=_("Birth date"), choices=[("", _("Any")), (YES, _("No birth date"))]
            ),
            "khong-thon": forms.ChoiceField(
                required=False, choices=[("", ""), (YES, YES)], widget=forms.HiddenInput
            ),
            "giup": forms.ChoiceField(
                label=_("Helped in a session"), choices=[("", _("Any")), (YES, _("Yes"))]
            ),
            "don-vi": forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput),
        }
        for name, field in fields.items():
            field.required = False
            field.error_messages["invalid_choice"] = _("%(value)s is not one of the choices.")
            self.fields[name] = field
        self.fields["don-vi"].error_messages["invalid"] = _("No such unit.")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        unit_id = data.get("don-vi")
        if unit_id is not None:
            unit = Unit.objects.filter(pk=unit_id).first()
            if unit is None:
                self.add_error("don-vi", _("No such unit."))
            data["unit"] = unit
        return data

    def _criterion(self, name: str) -> Criterion | None:
        code = self.cleaned_data.get(name)
        return next((c for c in self.rules.criteria if c.code == code), None)

    def query(self) -> dict[str, Any]:
        """The filters as keyword arguments of `PeopleFilter` (without the place)."""
        data = self.cleaned_data

        def flag(name: str) -> bool | None:
            return {YES: True, NO: False}.get(data.get(name) or "")

        return {
            "day": self.day(),
            "registered_by": self.registered_by(),
            "exemplary": flag("tieu-bieu"),
            "cohort": flag("nhom"),
            "done": self._criterion("tieu-chi"),
            "missing": self._criterion("thieu"),
            "issues": data.get("van-de") or "",
            "no_birth_date": data.get("khong-ngay-sinh") == YES,
            "no_village": data.get("khong-thon") == YES,
            "helped": data.get("giup") == YES,
            "unit": data.get("unit"),
        }
