"""Set-up: units and their pledges, twinnings, donations."""

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from congdanso.campaigns.models import Campaign
from congdanso.core.errors import NotFound
from congdanso.partners import selectors as partner_selectors
from congdanso.partners import services as partner_services
from congdanso.places.models import Place
from congdanso.places.selectors import path_ancestors
from congdanso.web.setup.common import GET_POST, apply, campaign_places, managed, page
from congdanso.web.setup.forms_partners import DonationForm, PledgeForm, TwinningForm, UnitForm

# --- Units and pledges ----------------------------------------------------------------------


def _unit_places(campaign: Campaign) -> list[Place]:
    """Where a new unit may belong: the campaign's place or a place above it (the district
    Party office works in every commune of the district)."""
    paths = path_ancestors(campaign.place.path)
    return list(Place.objects.filter(path__in=paths).order_by("-path"))


@GET_POST
def setup_units(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = managed(request, campaign_id)
    form = UnitForm(
        request.POST if request.method == "POST" else None,
        places=_unit_places(campaign),
        initial={"place": campaign.place_id},
    )
    if request.method == "POST":
        found = apply(
            form,
            lambda: partner_services.unit_get_or_create(
                place=form.cleaned_data["place"],
                name=form.cleaned_data["name"],
                kind=form.cleaned_data["kind"],
            ),
        )
        if found is not None:
            unit, created = found
            text = (
                _("The unit %(name)s is added. Record its pledge next.")
                if created
                else _("The unit %(name)s exists already.")
            )
            messages.success(request, text % {"name": unit.name})
            return redirect("campaigns:setup_pledge", campaign_id=campaign.pk, unit_id=unit.pk)
    pledges = {p.unit_id: p for p in partner_selectors.campaign_pledges(campaign)}
    rows = [(unit, pledges.get(unit.pk)) for unit in partner_selectors.campaign_units(campaign)]
    return page(request, "units.html", campaign, rows=rows, unit_form=form)


@GET_POST
def setup_pledge(request: HttpRequest, campaign_id: int, unit_id: int) -> HttpResponse:
    campaign = managed(request, campaign_id)
    unit = partner_selectors.campaign_unit_get(campaign, unit_id)
    pledge = partner_selectors.campaign_pledges(campaign).filter(unit=unit).first()
    sites = campaign_places(campaign)
    if request.method != "POST":
        initial: dict[str, Any] = {}
        if pledge is not None:
            initial = {
                "signed_on": pledge.signed_on,
                "deadline": pledge.deadline,
                "target_people": pledge.target_people,
                "target_sessions": pledge.target_sessions,
                "target_achievements": pledge.target_achievements,
                "villages": [v.pk for v in pledge.villages.all()],
                "note": pledge.note,
            }
        form = PledgeForm(initial=initial, sites=sites)
        return page(request, "pledge.html", campaign, unit=unit, pledge=pledge, pledge_form=form)
    form = PledgeForm(request.POST, sites=sites)
    saved = apply(
        form,
        lambda: partner_services.pledge_upsert(
            unit=unit,
            campaign=campaign,
            signed_on=form.cleaned_data["signed_on"],
            deadline=form.cleaned_data["deadline"],
            target_people=form.cleaned_data["target_people"],
            target_sessions=form.cleaned_data["target_sessions"],
            target_achievements=form.cleaned_data["target_achievements"],
            villages=form.cleaned_data["villages"],
            note=form.cleaned_data["note"],
        ),
    )
    if saved is None:
        return page(request, "pledge.html", campaign, unit=unit, pledge=pledge, pledge_form=form)
    messages.success(request, _("The pledge of %(name)s is saved.") % {"name": unit.name})
    return redirect("campaigns:setup_units", campaign_id=campaign.pk)


@GET_POST
def setup_pledge_delete(request: HttpRequest, campaign_id: int, unit_id: int) -> HttpResponse:
    campaign = managed(request, campaign_id)
    unit = partner_selectors.campaign_unit_get(campaign, unit_id)
    if request.method != "POST":
        return redirect("campaigns:setup_pledge", campaign_id=campaign.pk, unit_id=unit.pk)
    pledge = partner_selectors.campaign_pledges(campaign).filter(unit=unit).first()
    if pledge is None:
        raise NotFound(_("This unit has no pledge in the campaign."), code="not_found")
    partner_services.pledge_delete(pledge=pledge)
    messages.success(request, _("The pledge of %(name)s is removed.") % {"name": unit.name})
    return redirect("campaigns:setup_units", campaign_id=campaign.pk)


# --- Twinnings ------------------------------------------------------------------------------


@GET_POST
def setup_twinnings(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = managed(request, campaign_id)
    form = TwinningForm(
        request.POST if request.method == "POST" else None,
        units=partner_selectors.campaign_units(campaign),
        sites=campaign_places(campaign),
    )
    if request.method == "POST":
        found = apply(
            form,
            lambda: partner_services.twinning_get_or_create(
                unit=form.cleaned_data["unit"],
                village=form.cleaned_data["village"],
                since=form.cleaned_data["since"],
                note=form.cleaned_data["note"],
            ),
        )
        if found is not None:
            twinning, created = found
            names = {"unit": twinning.unit.name, "village": twinning.village.name}
            text = (
                _("%(unit)s is twinned with %(village)s.")
                if created
                else _("%(unit)s was twinned with %(village)s already.")
            )
            messages.success(request, text % names)
            return redirect("campaigns:setup_twinnings", campaign_id=campaign.pk)
    return page(
        request,
        "twinnings.html",
        campaign,
        twinnings=partner_selectors.campaign_twinnings(campaign),
        twinning_form=form,
    )


@GET_POST
def setup_twinning_delete(request: HttpRequest, campaign_id: int, twinning_id: int) -> HttpResponse:
    campaign = managed(request, campaign_id)
    twinning = partner_selectors.campaign_twinning_get(campaign, twinning_id)
    if request.method == "POST":
        partner_services.twinning_delete(twinning=twinning)
        messages.success(
            request,
            _("The twinning of %(unit)s with %(village)s is removed.")
            % {"unit": twinning.unit.name, "village": twinning.village.name},
        )
    return redirect("campaigns:setup_twinnings", campaign_id=campaign.pk)


# --- Donations ------------------------------------------------------------------------------


def _donation_form(
    campaign: Campaign, data: Any = None, initial: dict[str, Any] | None = None
) -> DonationForm:
    return DonationForm(
        data,
        initial=initial,
        units=partner_selectors.campaign_units(campaign),
        sites=campaign_places(campaign),
    )


def _donation_terms(form: DonationForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "village": data["village"],
        "item": data["item"],
        "given_on": data["given_on"],
        "value_vnd": data["value_vnd"],
        "donor_units": data["donor_units"],
        "donor_villages": data["donor_villages"],
        "site": data["site"],
        "description": data["description"],
        "note": data["note"],
    }


@GET_POST
def setup_donations(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = managed(request, campaign_id)
    if request.method == "POST":
        form = _donation_form(campaign, request.POST)
        done = apply(
            form,
            lambda: partner_services.donation_create(campaign=campaign, **_donation_terms(form)),
        )
        if done is not None:
            messages.success(request, _("The donation is saved."))
            return redirect("campaigns:setup_donations", campaign_id=campaign.pk)
    else:
        form = _donation_form(campaign, initial={"item": "internet_line"})
    donations = list(partner_selectors.campaign_donations(campaign))
    return page(
        request,
        "donations.html",
        campaign,
        donations=donations,
        total=sum(d.value_vnd for d in donations),
        donation_form=form,
    )


@GET_POST
def setup_donation(request: HttpRequest, campaign_id: int, donation_id: int) -> HttpResponse:
    campaign = managed(request, campaign_id)
    donation = partner_selectors.campaign_donation_get(campaign, donation_id)
    if request.method == "POST":
        form = _donation_form(campaign, request.POST)
        done = apply(
            form,
            lambda: partner_services.donation_update(donation=donation, **_donation_terms(form)),
        )
        if done is not None:
            messages.success(request, _("The donation is saved."))
            return redirect("campaigns:setup_donations", campaign_id=campaign.pk)
    else:
        form = _donation_form(campaign, initial=DonationForm.initial_of(donation))
    return page(request, "donation.html", campaign, donation=donation, donation_form=form)


@GET_POST
def setup_donation_delete(request: HttpRequest, campaign_id: int, donation_id: int) -> HttpResponse:
    campaign = managed(request, campaign_id)
    donation = partner_selectors.campaign_donation_get(campaign, donation_id)
    if request.method != "POST":
        return redirect(
            "campaigns:setup_donation", campaign_id=campaign.pk, donation_id=donation.pk
        )
    partner_services.donation_delete(donation=donation)
    messages.success(request, _("The donation is removed."))
    return redirect("campaigns:setup_donations", campaign_id=campaign.pk)
