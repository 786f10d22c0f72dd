"""The campaign dashboard, the people behind its numbers, the village page and its print view.

Each view reads its query parameters with a form, calls one selector (web/dashboard/page.py,
reports/lists.py) and renders. Scope comes from `scope.access`: the campaign, the
place and the village are looked up through it, and anything outside it is a 404.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from congdanso.campaigns.selectors import campaign_rules
from congdanso.reports.lists import (
    PRINT_ROWS_PER_PAGE,
    list_place,
    people_page,
    require_person_scope,
    village_get_for,
    village_page,
    village_print_sheet,
)
from congdanso.scope.access import access_for, campaign_get_for, campaigns_visible
from congdanso.web.dashboard.forms import NO, DashboardForm, PeopleForm
from congdanso.web.dashboard.page import dashboard_get, default_date
from congdanso.web.navigation import remember_campaign


def campaign_dashboard(request: HttpRequest, campaign_id: int) -> HttpResponse:
    access = access_for(request.user)
    campaign = campaign_get_for(access, campaign_id)
    remember_campaign(request, campaign)
    query = request.GET.copy()
    if not query.get("ngay"):
        # The date picker shows the date the figures are as of, not an empty field.
        query["ngay"] = default_date(campaign).isoformat()
    form = DashboardForm(query, campaign=campaign)
    form.is_valid()  # invalid fields show their message; the page uses their default
    dashboard = dashboard_get(
        access,
        campaign,
        place_code=form.place_code(),
        on=form.day(),
        sort=form.sort(),
        registered_by=form.registered_by(),
    )
    return render(
        request,
        "dashboard/campaign_dashboard.html",
        {"campaign": campaign, "form": form, "dashboard": dashboard, "nav_active": "dashboard"},
    )


def campaign_people(request: HttpRequest, campaign_id: int) -> HttpResponse:
    access = access_for(request.user)
    campaign = campaign_get_for(access, campaign_id)
    rules = campaign_rules(campaign)
    form = PeopleForm(request.GET, campaign=campaign, rules=rules)
    valid = form.is_valid()
    place = list_place(access, campaign, form.place_code())
    require_person_scope(access, place)
    people = None
    if valid:
        people = people_page(
            access, campaign, rules, place=place, page_number=request.GET.get("trang"),
            **form.query(),
        )  # fmt: skip
    return render(
        request,
        "dashboard/people_list.html",
        {
            "campaign": campaign,
            "rules": rules,
            "form": form,
            "place": place,
            "people": people,
            "nav_active": "dashboard",
        },
    )


def village_detail(request: HttpRequest, campaign_id: int, code: str) -> HttpResponse:
    access = access_for(request.user)
    campaign = campaign_get_for(access, campaign_id)
    village = village_get_for(access, campaign, code)
    rules = campaign_rules(campaign)
    form = PeopleForm(request.GET, campaign=campaign, rules=rules)
    page = None
    if form.is_valid():
        page = village_page(
            access, campaign, rules, village=village, page_number=request.GET.get("trang"),
            **form.query(),
        )  # fmt: skip
    return render(
        request,
        "dashboard/village_detail.html",
        {
            "campaign": campaign,
            "rules": rules,
            "form": form,
            "village": village,
            "page": page,
            "nav_active": "dashboard",
        },
    )


def village_print(request: HttpRequest, campaign_id: int, code: str) -> HttpResponse:
    access = access_for(request.user)
    campaign = campaign_get_for(access, campaign_id)
    village = village_get_for(access, campaign, code)
    rules = campaign_rules(campaign)
    data = request.GET.copy()
    data.setdefault("tieu-bieu", NO)  # the checklist is of those who still need something
    form = PeopleForm(data, campaign=campaign, rules=rules)
    sheet = None
    if form.is_valid():
        sheet = village_print_sheet(access, campaign, rules, village=village, **form.query())
    # "Print everyone" keeps every other filter of the page (its date above all).
    everyone = request.GET.copy()
    everyone["tieu-bieu"] = ""
    return render(
        request,
        "dashboard/village_print.html",
        {
            "campaign": campaign,
            "rules": rules,
            "form": form,
            "village": village,
            "sheet": sheet,
            "rows_per_page": PRINT_ROWS_PER_PAGE,
            "everyone_query": everyone.urlencode(),
        },
    )


def campaign_list(request: HttpRequest) -> HttpResponse:
    campaigns = campaigns_visible(access_for(request.user)).order_by("-start_date", "-pk")
    return render(
        request, "dashboard/campaign_list.html", {"campaigns": campaigns, "nav_active": "list"}
    )
