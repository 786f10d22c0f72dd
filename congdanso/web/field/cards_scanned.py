"""What a scanned CCCD card does when its number matched nobody in the list.

The search box reads a card's QR code (a scanner typing into it, a paste, the camera or a
photo: see `scan.py`) and finds the resident by the card's number. When nobody has that
number, the results offer the residents without a CCCD who have the card's name and birth
date — "gắn số CCCD này" gives them the number (audited as a correction) — and otherwise "Thêm
vào danh sách": the person added with what the card says, in a village of the campaign where
the user may add people (a manager's, or a unit member's). The card's raw text is never
stored: only the number, the name, the birth date and the sex travel back in these forms.
"""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from congdanso.core.errors import DomainError, NotFound
from congdanso.people.services import resident_add, resident_correct
from congdanso.scope.access import access_for, can_record
from congdanso.scope.people import campaign_for_people, campaign_resident_get, villages_to_add_in
from congdanso.vn import VnValueError, parse_cccd
from congdanso.web.field.forms import CardAddForm, CardAttachForm
from congdanso.web.field.people import safe_next

#: The reason written when a card's number is given to a resident who had none.
ATTACH_REASON = "Gắn số CCCD từ mã QR trên thẻ"


def _back(request: HttpRequest, next_url: str, fallback: str, resident_id: int) -> str:
    """The page the scan came from, with the person open there (session mode), else the
    person's card."""
    target = safe_next(request, next_url)
    if target and "/buoi/" in target:
        return f"{target.split('?')[0]}?nguoi={resident_id}"
    return fallback


def card_scan_page(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """The camera scan screen: it posts the code it reads to the page it came from (session
    mode, or the search page by default), which finds the person."""
    access = access_for(request.user)
    campaign = campaign_for_people(access, campaign_id)
    target = safe_next(request, request.GET.get("next")) or reverse(
        "people:search", args=[campaign.pk]
    )
    return render(
        request,
        "field/scan.html",
        {"campaign": campaign, "target": target.split("?")[0], "nav_active": "search"},
    )


@require_http_methods(["GET", "POST"])
def card_add_page(request: HttpRequest, campaign_id: int) -> HttpResponse:
    access = access_for(request.user)
    campaign = campaign_for_people(access, campaign_id)
    search = reverse("people:search", args=[campaign.pk])
    if request.method != "POST":
        return redirect(search)
    villages = villages_to_add_in(access, campaign)
    if not villages:
        raise NotFound(_("No such page in this campaign."), code="not_found")
    form = CardAddForm(request.POST, villages=villages)
    next_url = safe_next(request, request.POST.get("next")) or search
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect(next_url)
    data = form.cleaned_data
    try:
        resident = resident_add(
            village=data["village"],
            full_name=data["full_name"],
            birth_date=data["birth_date"] or None,
            gender=data["gender"],
            cccd=data["cccd"],
            added_by=request.user if request.user.is_authenticated else None,
            source="quét mã QR trên thẻ CCCD",
        )
    except DomainError as error:
        messages.error(request, str(error.message))
        return redirect(next_url)
    messages.success(request, _("%(name)s is now in the list.") % {"name": resident.full_name})
    card = reverse("people:card", args=[campaign.pk, resident.pk])
    return redirect(_back(request, next_url, card, resident.pk))


@require_http_methods(["GET", "POST"])
def card_attach_page(request: HttpRequest, campaign_id: int, resident_id: int) -> HttpResponse:
    access = access_for(request.user)
    campaign = campaign_for_people(access, campaign_id)
    resident = campaign_resident_get(access, campaign, resident_id)
    card = reverse("people:card", args=[campaign.pk, resident.pk])
    if request.method != "POST":
        return redirect(card)
    if not can_record(access, campaign, resident) or resident.cccd_hmac:
        raise NotFound(_("No such page in this campaign."), code="not_found")
    form = CardAttachForm(request.POST)
    next_url = safe_next(request, request.POST.get("next")) or card
    if form.is_valid():
        try:
            number = parse_cccd(form.cleaned_data["cccd"])
        except VnValueError:
            number = None
        if number is None or not number.agrees_with(
            birth_year=resident.birth_date.year if resident.birth_date else None,
            gender=resident.gender or None,
        ):
            messages.error(
                request,
                _("This card's number does not match %(name)s's birth year or sex.")
                % {"name": resident.full_name},
            )
            return redirect(next_url)
        try:
            resident_correct(
                resident=resident,
                changes={"cccd": form.cleaned_data["cccd"]},
                reason=ATTACH_REASON,
                corrected_by=request.user if request.user.is_authenticated else None,
            )
        except DomainError as error:
            messages.error(request, str(error.message))
            return redirect(next_url)
        messages.success(
            request, _("The CCCD number is now %(name)s's.") % {"name": resident.full_name}
        )
    return redirect(_back(request, next_url, card, resident.pk))
