"""The campaign dashboard, the people behind its numbers, the village page and its print view.

Each view reads its query parameters with a form, calls one selector (web/dashboard/page.py,
reports/lists.py) and renders. Scope comes from `scope.access`: the campaign, the
place and the village are looked up through it, and anything outside it is a 404.
"""

from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from congdanso.campaigns.models import Campaign
from congdanso.campaigns.selectors import CampaignRules, campaign_rules
from congdanso.core.errors import DomainError
from congdanso.places.models import Place
from congdanso.reports.list_xlsx import people_list_file_name, people_list_xlsx
from congdanso.reports.lists import (
    PRINT_ROWS_PER_PAGE,
    PeopleFilter,
    list_place,
    people_page,
    require_person_scope,
    village_get_for,
    village_page,
    village_print_sheet,
)
from congdanso.reports.submissions import submissions_returned
from congdanso.scope.access import (
    Access,
    access_for,
    campaign_get_for,
    campaigns_visible,
    can_submit_report,
)
from congdanso.web.dashboard.forms import NO, DashboardForm, PeopleForm
from congdanso.web.dashboard.page import dashboard_get, default_date
from congdanso.web.downloads import XLSX_TYPE, file_download
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
    returned = (
        submissions_returned(campaign, dashboard.place)
        if can_submit_report(access, dashboard.place)
        else []
    )
    return render(
        request,
        "dashboard/campaign_dashboard.html",
        {
            "campaign": campaign,
            "form": form,
            "dashboard": dashboard,
            "returned": returned,
            "nav_active": "dashboard",
        },
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
            "query": data.urlencode(),  # the sheet's filters, its default included
        },
    )


def campaign_list(request: HttpRequest) -> HttpResponse:
    campaigns = campaigns_visible(access_for(request.user)).order_by("-start_date", "-pk")
    return render(
        request, "dashboard/campaign_list.html", {"campaigns": campaigns, "nav_active": "list"}
    )


# --- "Tải Excel": the whole list a page shows ------------------------------------------------


def _list_download(
    access: Access, campaign: Campaign, rules: CampaignRules, place: Place, form: PeopleForm
) -> FileResponse:
    if not form.is_valid():  # the page shows no one then: the file is refused, not empty
        raise DomainError(
            _("Some filters are not valid: correct them to see the list."), code="invalid"
        )
    f = PeopleFilter(place=place, **form.query())
    return file_download(
        lambda path: people_list_xlsx(access, campaign, rules, f, path),
        name=people_list_file_name(f),
        content_type=XLSX_TYPE,
    )


@require_GET
def campaign_people_xlsx(request: HttpRequest, campaign_id: int) -> FileResponse:
    """The people behind a number (the list page with the same query), every page of them."""
    access = access_for(request.user)
    campaign = campaign_get_for(access, campaign_id)
    rules = campaign_rules(campaign)
    form = PeopleForm(request.GET, campaign=campaign, rules=rules)
    form.is_valid()
    place = list_place(access, campaign, form.place_code())
    require_person_scope(access, place)
    return _list_download(access, campaign, rules, place, form)


@require_GET
def village_xlsx(request: HttpRequest, campaign_id: int, code: str) -> FileResponse:
    """A village page's residents with its filters, every page of them."""
    access = access_for(request.user)
    campaign = campaign_get_for(access, campaign_id)
    village = village_get_for(access, campaign, code)
    rules = campaign_rules(campaign)
    form = PeopleForm(request.GET, campaign=campaign, rules=rules)
    return _list_download(access, campaign, rules, village, form)
