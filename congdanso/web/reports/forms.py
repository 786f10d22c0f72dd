"""The forms of the reports sent up: sending one, and deciding on one."""

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from congdanso.campaigns.models import Campaign
from congdanso.reports.models import Decision
from congdanso.vn import vietnam_today
from congdanso.web import formats


class SubmitForm(forms.Form):
    """`ngay` (the date the figures are as of), `chot` (only the residents in the list by
    then), `ghi-chu` (a note for the reader)."""

    def __init__(self, data: Any = None, *, campaign: Campaign, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.campaign = campaign
        self.fields["ngay"] = forms.DateField(
            label=_("Figures as of"),
            input_formats=["%Y-%m-%d"],
            widget=forms.DateInput(
                attrs={
                    "type": "date",
                    "min": campaign.start_date.isoformat(),
                    "max": campaign.end_date.isoformat(),
                },
                format="%Y-%m-%d",
            ),
            error_messages={
                "required": _("Choose the date the figures are as of."),
                "invalid": _("Enter a date as day/month/year, e.g. 30/09/2023."),
            },
        )
        self.fields["chot"] = forms.BooleanField(
            label=_("Only the residents in the list by that date"), required=False
        )
        self.fields["ghi-chu"] = forms.CharField(
            label=_("Note for the reader (optional)"),
            required=False,
            max_length=2000,
            widget=forms.Textarea(attrs={"rows": 2}),
        )

    def clean_ngay(self) -> dt.date:
        day: dt.date = self.cleaned_data["ngay"]
        start, end = self.campaign.start_date, min(self.campaign.end_date, vietnam_today())
        if not start <= day <= end:
            raise forms.ValidationError(
                _("Send figures as of a day from %(start)s to %(end)s."),
                params={"start": formats.day(start), "end": formats.day(end)},
                code="outside_campaign",
            )
        return day


class DecideForm(forms.Form):
    """`quyet-dinh` (accepted or returned) and `y-kien` (what to correct: required to
    return; the service says so)."""

    def __init__(self, data: Any = None, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.fields["quyet-dinh"] = forms.ChoiceField(
            label=_("Decision"),
            choices=[
                (Decision.ACCEPT, _("Accept the figures")),
                (Decision.RETURN, _("Return it to the commune to correct")),
            ],
            widget=forms.RadioSelect,
            error_messages={"required": _("Choose to accept or to return the report.")},
        )
        self.fields["y-kien"] = forms.CharField(
            label=_("Comment (what to correct, when returning)"),
            required=False,
            max_length=2000,
            widget=forms.Textarea(attrs={"rows": 3}),
        )
