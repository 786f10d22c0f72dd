"""Set-up: the overview, targets and period, criteria."""

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.db.models import Count, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from congdanso.campaigns.models import Campaign, Criterion, TargetKind
from congdanso.campaigns.selectors import campaign_rules
from congdanso.campaigns.services import (
    campaign_criteria_set,
    campaign_criterion_add,
    campaign_update,
)
from congdanso.campaigns.targets import (
    target_add,
    target_get,
    target_place_set,
    target_remove,
    target_update,
    targets_of,
)
from congdanso.core.errors import DomainError
from congdanso.outreach.models import SessionStatus
from congdanso.outreach.selectors import session_list
from congdanso.partners import selectors as partner_selectors
from congdanso.places.models import Place
from congdanso.progress.indicators import campaign_indicators
from congdanso.scope.cards import criterion_label
from congdanso.vn import vietnam_today
from congdanso.web.setup.common import GET_POST, apply, campaign_villages, managed, page
from congdanso.web.setup.forms_campaign import (
    CampaignCriteriaForm,
    CampaignTargetsForm,
    CriterionAddForm,
    TargetAddForm,
)

# --- Overview -------------------------------------------------------------------------------


@require_GET
def setup_overview(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = managed(request, campaign_id)
    donations = partner_selectors.campaign_donations(campaign).aggregate(
        count=Count("pk"), total=Sum("value_vnd")
    )
    sessions = session_list(campaign=campaign).exclude(status=SessionStatus.CANCELLED)
    teams = partner_selectors.campaign_teams(campaign)
    villages = campaign_villages(campaign)
    covered = {v.pk for team in teams for v in team.villages.all()}
    return page(
        request,
        "overview.html",
        campaign,
        rules=campaign_rules(campaign),
        unit_count=len(partner_selectors.campaign_units(campaign)),
        pledge_count=partner_selectors.campaign_pledges(campaign).count(),
        twinning_count=partner_selectors.campaign_twinnings(campaign).count(),
        team_count=len(teams),
        village_count=len(villages),
        covered_count=sum(1 for v in villages if v.pk in covered),
        donation_count=donations["count"],
        donation_total=donations["total"] or 0,
        session_count=sessions.count(),
        upcoming_count=sessions.filter(date__gte=vietnam_today()).count(),
    )


# --- Targets, period and criteria -----------------------------------------------------------


def _criteria_form(campaign: Campaign, data: Any = None) -> CampaignCriteriaForm:
    rules = {r.criterion_id: (r.position, r.is_exemplary) for r in campaign.rules.all()}
    return CampaignCriteriaForm(
        data, catalog=list(Criterion.objects.order_by("position", "code")), rules=rules
    )


def _targetspage(
    request: HttpRequest,
    campaign: Campaign,
    *,
    targets: CampaignTargetsForm | None = None,
    criteria: CampaignCriteriaForm | None = None,
    new_criterion: CriterionAddForm | None = None,
    new_target: TargetAddForm | None = None,
) -> HttpResponse:
    all_targets = targets_of(campaign)
    catalog = Criterion.objects.order_by("position", "code")
    return page(
        request,
        "targets.html",
        campaign,
        other_targets=[t for t in all_targets if not t.role],
        criterion_names={c.code: criterion_label(c) for c in catalog},
        own_targets=[t for t in all_targets if t.role],
        target_form=new_target or _target_form(),
        targets_form=targets
        or CampaignTargetsForm(initial=CampaignTargetsForm.initial_of(campaign)),
        criteria_form=criteria or _criteria_form(campaign),
        criterion_form=new_criterion or CriterionAddForm(),
    )


def _target_form(data: Any = None, **kwargs: Any) -> TargetAddForm:
    return TargetAddForm(
        data, catalog=list(Criterion.objects.order_by("position", "code")), **kwargs
    )


def _target_terms(form: TargetAddForm) -> dict[str, Any]:
    """The target's terms as `target_add` and `target_update` take them."""
    data = form.cleaned_data
    low, high = data.get("min_age"), data.get("max_age")
    return {
        "name": data["name"],
        "kind": data["kind"],
        "value": data["value"],
        "criteria": data["criteria"],
        "ages": (low, high) if low is not None and high is not None else None,
        "deadline": data.get("deadline"),
        "milestones": data["milestone_list"],
        "segment": data.get("segment") or "",
    }


@GET_POST
def setup_target_add(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = managed(request, campaign_id)
    back = reverse("campaigns:setup_targets", args=[campaign.pk]) + "#more-targets"
    if request.method != "POST":
        return redirect(back)
    form = _target_form(request.POST)

    target = apply(form, lambda: target_add(campaign=campaign, **_target_terms(form)))
    if target is None:
        return _targetspage(request, campaign, new_target=form)
    messages.success(request, _("The target %(name)s is added.") % {"name": target.name})
    return redirect(back)


def _typed(kind: str, value: int | Decimal | None) -> str:
    """A target's amount as the form takes it back: "2500", "80%", "62,5%"."""
    if value is None:
        return ""
    if kind == TargetKind.SHARE:
        return f"{(Decimal(value) * 100).normalize():f}%".replace(".", ",")
    return str(value)


@GET_POST
def setup_target_edit(request: HttpRequest, campaign_id: int, target_id: int) -> HttpResponse:
    """Change a target of the campaign's own: its name, amount, what counts, by when."""
    campaign = managed(request, campaign_id)
    target = target_get(campaign=campaign, target_id=target_id)
    back = reverse("campaigns:setup_targets", args=[campaign.pk]) + "#more-targets"
    if target.role:
        return redirect(reverse("campaigns:setup_targets", args=[campaign.pk]))
    if request.method != "POST":
        terms = next(t for t in targets_of(campaign) if t.pk == target.pk)
        initial = {
            "name": terms.name,
            "kind": terms.kind,
            "value": _typed(terms.kind, terms.count if terms.kind == "count" else terms.share),
            "criteria": list(target.criteria.values_list("code", flat=True)),
            "min_age": terms.min_age,
            "max_age": terms.max_age,
            "segment": terms.segment,
            "deadline": target.deadline,
            "milestones": "\n".join(
                f"{day.strftime('%d/%m/%Y')} = {_typed(terms.kind, value)}"
                for day, value in terms.milestones
            ),
        }
        form = _target_form(initial=initial)
        return page(request, "target_edit.html", campaign, target=target, target_form=form)
    form = _target_form(request.POST)

    saved = apply(form, lambda: target_update(target=target, **_target_terms(form)))
    if saved is None:
        return page(request, "target_edit.html", campaign, target=target, target_form=form)
    messages.success(request, _("The target %(name)s is saved.") % {"name": saved.name})
    return redirect(back)


@GET_POST
def setup_target_remove(request: HttpRequest, campaign_id: int, target_id: int) -> HttpResponse:
    campaign = managed(request, campaign_id)
    back = reverse("campaigns:setup_targets", args=[campaign.pk]) + "#more-targets"
    if request.method != "POST":
        return redirect(back)
    target = target_get(campaign=campaign, target_id=target_id)
    try:
        target_remove(target=target)
    except DomainError as error:
        messages.error(request, str(error.message))
        return redirect(back)
    messages.success(request, _("The target %(name)s is removed.") % {"name": target.name})
    return redirect(back)


@GET_POST
def setup_target_parts(request: HttpRequest, campaign_id: int, target_id: int) -> HttpResponse:
    """Each village's part of a target: its share of the population's, or set by hand (an
    empty box: back to its share)."""
    campaign = managed(request, campaign_id)
    target = target_get(campaign=campaign, target_id=target_id)
    day = min(max(vietnam_today(), campaign.start_date), campaign.end_date)
    figure = next(
        t for t in campaign_indicators(campaign, on=day).targets if t.target_id == target.pk
    )
    terms = next(t for t in targets_of(campaign) if t.pk == target.pk)

    def typed_value(place_id: int) -> str:
        return _typed(target.kind, terms.part_of(place_id))

    villages = Place.objects.in_bulk([row.place_id for row in figure.villages])
    errors: dict[int, str] = {}
    if request.method == "POST":
        for row in figure.villages:
            typed = request.POST.get(f"part-{row.place_id}", "").strip()
            if typed == typed_value(row.place_id):
                continue
            try:
                target_place_set(target=target, place=villages[row.place_id], value=typed or None)
            except DomainError as error:
                errors[row.place_id] = str(error.message)
        if not errors:
            messages.success(request, _("The villages' parts are saved."))
            return redirect("campaigns:setup_target_parts", campaign_id=campaign.pk,
                            target_id=target.pk)  # fmt: skip
    return page(
        request,
        "target_parts.html",
        campaign,
        target=target,
        figure=figure,
        rows=[
            (
                row,
                request.POST.get(f"part-{row.place_id}", typed_value(row.place_id)),
                errors.get(row.place_id, ""),
            )
            for row in figure.villages
        ],  # fmt: skip
    )


@GET_POST
def setup_targets(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = managed(request, campaign_id)
    if request.method != "POST":
        return _targetspage(request, campaign)
    form = CampaignTargetsForm(request.POST)
    done = apply(
        form,
        lambda: campaign_update(
            campaign=campaign,
            name=form.cleaned_data["name"],
            start_date=form.cleaned_data["start_date"],
            end_date=form.cleaned_data["end_date"],
            target_exemplary=form.cleaned_data["target_exemplary"],
            cohort_ages=(form.cleaned_data["cohort_min_age"], form.cleaned_data["cohort_max_age"]),
            cohort_target=form.cleaned_data["cohort_percent"],
        ),
    )
    if done is None:
        return _targetspage(request, campaign, targets=form)
    messages.success(request, _("The targets and the period are saved."))
    return redirect("campaigns:setup_targets", campaign_id=campaign.pk)


@GET_POST
def setup_criteria(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = managed(request, campaign_id)
    if request.method != "POST":
        return redirect(reverse("campaigns:setup_targets", args=[campaign.pk]) + "#criteria")
    form = _criteria_form(campaign, request.POST)

    def save() -> Campaign:
        tracked, exemplary = form.chosen()
        return campaign_criteria_set(campaign=campaign, criteria=tracked, exemplary=exemplary)

    if apply(form, save) is None:
        return _targetspage(request, campaign, criteria=form)
    messages.success(request, _("The criteria are saved."))
    return redirect(reverse("campaigns:setup_targets", args=[campaign.pk]) + "#criteria")


@GET_POST
def setup_criterion_add(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = managed(request, campaign_id)
    if request.method != "POST":
        return redirect(reverse("campaigns:setup_targets", args=[campaign.pk]) + "#new-criterion")
    form = CriterionAddForm(request.POST)
    criterion = apply(
        form,
        lambda: campaign_criterion_add(
            campaign=campaign,
            code=form.cleaned_data["code"],
            name=form.cleaned_data["name"],
            name_en=form.cleaned_data["name_en"],
            exemplary=form.cleaned_data["exemplary"],
        ),
    )
    if criterion is None:
        return _targetspage(request, campaign, new_criterion=form)
    messages.success(
        request, _("The criterion %(name)s is added to the campaign.") % {"name": criterion.name}
    )
    return redirect(reverse("campaigns:setup_targets", args=[campaign.pk]) + "#criteria")
