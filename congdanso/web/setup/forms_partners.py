"""Set-up forms of the partners: a unit, its pledge, a twinning, a donation."""

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from congdanso.partners.models import DonationItem, Unit, UnitKind
from congdanso.places.models import Place
from congdanso.web.setup.fields import (
    ObjectChoiceField,
    ObjectMultipleChoiceField,
    SetupForm,
    VndField,
    WholeNumberField,
    date_field,
)


class UnitForm(SetupForm):
    name = forms.CharField(label=_("Unit name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=UnitKind.choices)

    error_fields = {"unit_name_missing": "name", "unit_kind_unknown": "kind"}

    def __init__(self, *args: Any, places: Sequence[Place], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["place"] = ObjectChoiceField(
            label=_("Belongs to"),
            objects=places,
            label_of=lambda p: p.name,
            help_text=_("The commune for commune units; the district for a district office."),
        )


class PledgeForm(SetupForm):
    signed_on = date_field(_("Signed on"), required=False)
    deadline = date_field(
        _("Deadline"), required=False, help_text=_("Empty: the campaign's end date.")
    )
    target_people = WholeNumberField(label=_("Target: people helped"), required=False)
    target_sessions = WholeNumberField(label=_("Target: sessions held"), required=False)
    target_achievements = WholeNumberField(label=_("Target: achievements recorded"), required=False)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    error_fields = {
        "village_outside_campaign": "villages",
        "pledge_deadline_invalid": "deadline",
    }

    def __init__(self, *args: Any, sites: Sequence[Place], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["villages"] = ObjectMultipleChoiceField(
            label=_("Villages covered"),
            objects=sites,
            label_of=lambda p: p.name,
            required=False,
            widget=forms.CheckboxSelectMultiple,
        )
        self.order_fields(["signed_on", "deadline", "target_people", "target_sessions"])


class TwinningForm(SetupForm):
    since = date_field(_("Since"), required=False)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    error_fields = {"twinning_place_invalid": "village"}

    def __init__(
        self, *args: Any, units: Sequence[Unit], sites: Sequence[Place], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"] = ObjectChoiceField(label=_("Unit"), objects=units)
        self.fields["village"] = ObjectChoiceField(
            label=_("Village"), objects=sites, label_of=lambda p: p.name
        )
        self.order_fields(["unit", "village"])


class DonationForm(SetupForm):
    item = forms.ChoiceField(label=_("Item"), choices=DonationItem.choices)
    description = forms.CharField(
        label=_("Description"),
        max_length=300,
        required=False,
        help_text=_("E.g. a 100 Mbps fibre line."),
    )
    site = forms.CharField(
        label=_("Site"), max_length=200, required=False, help_text=_("E.g. the community house.")
    )
    value_vnd = VndField(label=_("Value (đồng)"), help_text=_("E.g. 4.000.000."))
    given_on = date_field(_("Date installed or given"))
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    error_fields = {
        "donation_donor_missing": "donor_units",
        "donation_item_unknown": "item",
        "donation_value_invalid": "value_vnd",
        "donation_place_invalid": "village",
        "donation_to_itself": "donor_villages",
        "village_outside_campaign": "village",
    }

    def __init__(
        self, *args: Any, units: Sequence[Unit], sites: Sequence[Place], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["village"] = ObjectChoiceField(
            label=_("Village receiving"), objects=sites, label_of=lambda p: p.name
        )
        self.fields["donor_units"] = ObjectMultipleChoiceField(
            label=_("Donor units"),
            objects=units,
            required=False,
            widget=forms.CheckboxSelectMultiple,
        )
        self.fields["donor_villages"] = ObjectMultipleChoiceField(
            label=_("Donor villages"),
            objects=sites,
            label_of=lambda p: p.name,
            required=False,
            widget=forms.CheckboxSelectMultiple,
            help_text=_("When a village gives too, e.g. thôn Tân Lập."),
        )
        self.order_fields(["village", "donor_units", "donor_villages", "item", "description"])

    @classmethod
    def initial_of(cls, donation: Any) -> dict[str, Any]:
        return {
            "village": donation.village_id,
            "donor_units": [u.pk for u in donation.donor_units.all()],
            "donor_villages": [v.pk for v in donation.donor_villages.all()],
            "item": donation.item,
            "description": donation.description,
            "site": donation.site,
            "value_vnd": f"{donation.value_vnd:,}".replace(",", "."),
            "given_on": donation.given_on,
            "note": donation.note,
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            "donor_units" in data
            and "donor_villages" in data
            and not data["donor_units"]
            and not data["donor_villages"]
        ):
            self.add_error("donor_units", _("Choose at least one donor: a unit or a village."))
        village = data.get("village")
        if village is not None and village in data.get("donor_villages", []):
            self.add_error("donor_villages", _("The village receiving cannot be among the donors."))
        return data


class TeamForm(SetupForm):
    name = forms.CharField(
        label=_("Team name"),
        max_length=200,
        help_text=_("E.g. Tổ công nghệ số cộng đồng thôn 1."),
    )

    error_fields = {
        "unit_name_missing": "name",
        "unit_exists": "name",
        "team_villages_missing": "villages",
        "team_village_outside": "villages",
    }

    def __init__(
        self, *args: Any, villages: Sequence[Place], with_name: bool = True, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["villages"] = ObjectMultipleChoiceField(
            label=_("Villages the team works in"),
            objects=villages,
            label_of=lambda p: (
                p.name
                if p.commune is None or len({v.commune_id for v in villages}) < 2
                else f"{p.name} ({p.commune.name})"
            ),
            widget=forms.CheckboxSelectMultiple,
            error_messages={"required": _("Tick at least one village.")},
        )
        if not with_name:
            del self.fields["name"]


class TeamMemberForm(SetupForm):
    full_name = forms.CharField(label=_("Full name"), max_length=200)
    role = forms.CharField(
        label=_("Role in the team"),
        max_length=100,
        required=False,
        help_text=_("E.g. team leader (the village head), member."),
    )
    organisation = forms.CharField(
        label=_("Comes from"),
        max_length=200,
        required=False,
        help_text=_("E.g. Youth Union, Women's Union, Viettel, the village's front committee."),
    )
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)

    error_fields = {"member_name_missing": "full_name", "phone_invalid": "phone"}
