"""Set-up: the community digital technology teams (Tổ công nghệ số cộng đồng) of the
campaign's communes — each with its villages and members; its target is a pledge
(web/setup/partners.py), its standing the dashboard's leaderboard."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from congdanso.campaigns.models import Campaign
from congdanso.core.errors import DomainError, Message
from congdanso.partners import selectors as partner_selectors
from congdanso.partners import teams as team_services
from congdanso.web.setup.common import GET_POST, apply, campaign_villages, managed, page
from congdanso.web.setup.forms_partners import TeamForm, TeamMemberForm


def _team_create(campaign: Campaign, form: TeamForm) -> object:
    villages = form.cleaned_data["villages"]
    communes = {v.commune_id for v in villages}
    if len(communes) > 1:
        raise DomainError(
            _("A team works in villages of one commune: tick the villages of one commune."),
            code="team_village_outside",
        )
    return team_services.team_create(
        commune=villages[0].commune, name=form.cleaned_data["name"], villages=villages
    )


@GET_POST
def setup_teams(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = managed(request, campaign_id)
    villages = campaign_villages(campaign)
    form = TeamForm(request.POST if request.method == "POST" else None, villages=villages)
    if request.method == "POST":
        team = apply(form, lambda: _team_create(campaign, form))
        if team is not None:
            messages.success(
                request,
                _("The team %(name)s is saved. Add its members next.") % {"name": team.name},
            )
            return redirect("campaigns:setup_team", campaign_id=campaign.pk, team_id=team.pk)
    teams = partner_selectors.campaign_teams(campaign)
    pledges = {p.unit_id: p for p in partner_selectors.campaign_pledges(campaign)}
    covered = {v.pk for team in teams for v in team.villages.all()}
    return page(
        request,
        "teams.html",
        campaign,
        rows=[(team, pledges.get(team.pk)) for team in teams],
        without_team=[v for v in villages if v.pk not in covered],
        team_form=form,
    )


@GET_POST
def setup_team(request: HttpRequest, campaign_id: int, team_id: int) -> HttpResponse:
    campaign = managed(request, campaign_id)
    team = partner_selectors.campaign_team_get(campaign, team_id)
    villages = [v for v in campaign_villages(campaign) if v.commune_id == team.place_id]
    posted = request.POST if request.method == "POST" else None
    which = request.POST.get("form") if posted is not None else None
    villages_form = TeamForm(
        posted if which == "villages" else None,
        villages=villages,
        with_name=False,
        initial={"villages": [v.pk for v in team.villages.all()]},
        prefix="villages",
    )
    member_form = TeamMemberForm(posted if which == "member" else None, prefix="member")
    if which == "villages":
        if apply(
            villages_form,
            lambda: team_services.team_villages_set(
                team=team, villages=villages_form.cleaned_data["villages"]
            ),
        ):
            messages.success(request, _("The team's villages are saved."))
            return redirect("campaigns:setup_team", campaign_id=campaign.pk, team_id=team.pk)
    elif which == "member":
        member = apply(
            member_form,
            lambda: team_services.team_member_add(
                team=team,
                full_name=member_form.cleaned_data["full_name"],
                role=member_form.cleaned_data["role"],
                organisation=member_form.cleaned_data["organisation"],
                phone=member_form.cleaned_data["phone"],
            ),
        )
        if member is not None:
            messages.success(
                request, _("%(name)s is added to the team.") % {"name": member.full_name}
            )
            return redirect("campaigns:setup_team", campaign_id=campaign.pk, team_id=team.pk)
    elif posted is not None:
        messages.error(request, str(Message(_("Unknown form %(form)s."), form=which or "")))
    pledge = partner_selectors.campaign_pledges(campaign).filter(unit=team).first()
    return page(
        request,
        "team.html",
        campaign,
        team=team,
        pledge=pledge,
        villages_form=villages_form,
        member_form=member_form,
    )


@GET_POST
def setup_team_member_remove(
    request: HttpRequest, campaign_id: int, team_id: int, member_id: int
) -> HttpResponse:
    campaign = managed(request, campaign_id)
    team = partner_selectors.campaign_team_get(campaign, team_id)
    member = partner_selectors.team_member_get(team, member_id)
    if request.method == "POST":
        team_services.team_member_remove(member=member)
        messages.success(
            request, _("%(name)s is no longer in the team.") % {"name": member.full_name}
        )
    return redirect("campaigns:setup_team", campaign_id=campaign.pk, team_id=team.pk)
