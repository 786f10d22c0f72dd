"""The campaign dashboard: one call to `campaign_indicators`, dressed for the page.

Nothing here computes a figure: it sorts the rows, picks each share's colour bucket, draws the
chart from the weekly rows and builds, for every number, the address of the list of people
behind it (reports/lists.py restates each figure's definition as a filter). Those
addresses are only given to users who may see the people of the whole place; a viewer gets
the numbers alone, and a village's name takes them to the village's figures rather than to
its page of people.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from congdanso.campaigns.models import Campaign, TargetRole
from congdanso.places.models import COMMUNE_LEVEL_KINDS, Place
from congdanso.progress.figures import (
    AreaRow,
    Indicators,
    TargetFigure,
    UnitRow,
    WeekRow,
    registry_line,
)
from congdanso.progress.indicators import campaign_indicators
from congdanso.scope.access import (
    ALL_ROLES,
    PERSON_ROLES,
    Access,
    indicator_place_for,
    place_get_for,
)
from congdanso.vn import vietnam_today
from congdanso.web import formats
from congdanso.web.dashboard.charts import Point, progress_chart

#: `?sap-xep=` keys of the area table → the row's attribute (a leading "-": descending).
SORT_KEYS: dict[str, Callable[[AreaRow], Any]] = {
    "ten": lambda row: row.name.casefold(),
    "dan-so": lambda row: row.residents,
    "nhom": lambda row: row.cohort,
    "dat": lambda row: row.met,
    "ti-le": lambda row: row.share,
    "tieu-bieu": lambda row: row.exemplary,
    "con-thieu": lambda row: row.gap,
}
SORT_LABELS = {
    "ten": gettext_lazy("Name"),
    "dan-so": gettext_lazy("Residents"),
    "nhom": gettext_lazy("Cohort"),
    "dat": gettext_lazy("Exemplary in the cohort"),
    "ti-le": gettext_lazy("Share"),
    "tieu-bieu": gettext_lazy("Exemplary, all ages"),
    "con-thieu": gettext_lazy("Still needed"),
}
SORT_CHOICES = tuple(key for name in SORT_KEYS for key in (name, f"-{name}"))
#: Villages at risk listed for a place above a commune (a province has thousands of them).
AT_RISK_SHOWN = 15


def default_date(campaign: Campaign) -> dt.date:
    """Today, within the campaign's period."""
    return min(max(vietnam_today(), campaign.start_date), campaign.end_date)


def share_bucket(share: float, target: float) -> str:
    """The CSS class of a share: far from the target, on the way, or there."""
    if target and share >= target:
        return "share-met"
    if share >= target / 2:
        return "share-half"
    return "share-low"


def sort_areas(rows: tuple[AreaRow, ...], sort: str) -> tuple[AreaRow, ...]:
    """The rows in the order asked for (unknown or empty: as given, by place)."""
    key = SORT_KEYS.get(sort.lstrip("-"))
    if key is None:
        return rows
    # The name breaks ties so that the order does not change between two loads.
    ordered = sorted(rows, key=lambda row: row.name.casefold())
    return tuple(sorted(ordered, key=key, reverse=sort.startswith("-")))


def people_url(campaign: Campaign, **params: Any) -> str:
    """The list of people behind a number; parameters named as in the URL (`tieu_bieu` is
    `?tieu-bieu=`), None or "" left out."""
    query = {
        name.replace("_", "-"): value for name, value in params.items() if value not in (None, "")
    }
    base = reverse("campaigns:people", args=[campaign.pk])
    return f"{base}?{urlencode(query)}" if query else base


@dataclass(frozen=True)
class AreaLine:
    row: AreaRow
    bucket: str
    page_url: str | None  # the village page, or a commune's dashboard
    people: dict[str, str | None]  # figure → list of people (None: no link)
    exemplary_part: int | None = None  # the village's part of the exemplary target


@dataclass(frozen=True)
class UnitLine:
    row: UnitRow
    people_url: str | None  # the people the unit helped (turns and people)
    achievements_url: str | None  # the people whose achievements went through it


@dataclass(frozen=True)
class WeekLine:
    week_start: dt.date
    week_end: dt.date
    exemplary: int
    cohort_met: int
    exemplary_url: str | None
    cohort_met_url: str | None


@dataclass(frozen=True)
class SortLink:
    """A column heading of the area table: the address that sorts by it."""

    key: str
    label: str
    numeric: bool
    url: str
    current: str  # "ascending", "descending" or "" (aria-sort)


@dataclass(frozen=True)
class Dashboard:
    campaign: Campaign
    place: Place
    indicators: Indicators
    is_campaign_place: bool
    campaign_place_visible: bool  # whether "the whole campaign" is a place the user may read
    people_links: bool
    links: dict[str, str | None]  # figure → list of people, for the headline figures
    criteria_links: dict[
        str, tuple[str | None, str | None, str | None]
    ]  # code → cohort/all/missing
    areas: tuple[AreaLine, ...]
    areas_are_communes: bool
    sort: str
    sort_links: tuple[SortLink, ...]
    at_risk: tuple[AreaLine, ...]
    at_risk_more: int
    units: tuple[UnitLine, ...]
    weeks: tuple[WeekLine, ...]
    chart: SafeString
    donations_total: int
    registry: str  # which list of residents the figures count
    #: the query of the report downloads: the date, the place, and "only the list by then"
    report_query: str
    #: the exemplary target of the place shown: below the campaign's place, the place's part
    exemplary_target: int = 0
    exemplary_share_of_target: float = 0.0
    #: the targets beyond the campaign's own two, for the place shown
    other_targets: tuple[TargetFigure, ...] = ()


def dashboard_get(
    access: Access,
    campaign: Campaign,
    *,
    place_code: str = "",
    on: dt.date | None = None,
    sort: str = "",
    registered_by: dt.date | None = None,
) -> Dashboard:
    """Everything the dashboard shows, for the place (default: the campaign's, or the user's
    own place within it) as of the day (default: today within the campaign)."""
    asked = place_get_for(access, place_code) if place_code else None
    place = indicator_place_for(access, campaign, asked)
    indicators = campaign_indicators(
        campaign, place=place, on=on or default_date(campaign), registered_by=registered_by
    )
    day = indicators.date
    show = access.covers(place, PERSON_ROLES)
    listed = {"chot": 1} if registered_by else {}  # the lists count the same residents

    def link(target: Place | None = None, **params: Any) -> str | None:
        if not show:
            return None
        where = target or place
        return people_url(
            campaign, **{"noi": where.code, "ngay": day.isoformat(), **listed, **params}
        )

    target_share = indicators.cohort.target_share
    exemplary = next((t for t in indicators.targets if t.role == TargetRole.EXEMPLARY), None)
    exemplary_target = exemplary.needed if exemplary else indicators.exemplary.target
    exemplary_parts = {row.place_id: row.needed for row in exemplary.villages} if exemplary else {}
    communes_shown = bool(indicators.communes)
    area_rows = indicators.communes if communes_shown else indicators.villages
    places = {
        p.pk: p
        for p in Place.objects.filter(
            pk__in=[r.place_id for r in (*area_rows, *indicators.villages_at_risk) if r.place_id]
        )
    }

    def area_line(row: AreaRow) -> AreaLine:
        area = places.get(row.place_id) if row.place_id else None
        extra: dict[str, Any] = {}
        if area is None and place.kind in COMMUNE_LEVEL_KINDS:
            area, extra = place, {"khong_thon": 1}  # the commune's people filed under no village
        if area is None:
            page_url, people = None, dict.fromkeys(("residents", "cohort", "met", "exemplary"))
        else:
            if row.place_id is None:
                page_url = None
            elif area.kind in COMMUNE_LEVEL_KINDS:
                page_url = _dashboard_url(campaign, area.code, day)
            elif access.covers(area, PERSON_ROLES):
                page_url = (
                    reverse("campaigns:village", args=[campaign.pk, area.code])
                    + "?"
                    + urlencode({"ngay": day.isoformat()})
                )
            elif area.pk != place.pk:
                # A viewer never sees the village page (its people): the village's figures.
                page_url = _dashboard_url(campaign, area.code, day)
            else:
                page_url = None
            people = {
                "residents": link(area, **extra),
                "cohort": link(area, nhom=1, **extra),
                "met": link(area, nhom=1, tieu_bieu=1, **extra),
                "exemplary": link(area, tieu_bieu=1, **extra),
            }
        return AreaLine(
            row,
            share_bucket(row.share, target_share),
            page_url,
            people,
            exemplary_parts.get(row.place_id) if row.place_id else None,
        )

    at_risk = indicators.villages_at_risk
    shown_risk = at_risk if place.kind in COMMUNE_LEVEL_KINDS else at_risk[:AT_RISK_SHOWN]
    chart = progress_chart(
        start=campaign.start_date,
        end=campaign.end_date,
        points=[Point(_week_end(w.week_start, day), w.exemplary) for w in indicators.weekly],
        projected_at_end=indicators.projection.exemplary_at_end,
        target=exemplary_target,
        title=_("Exemplary citizens, week by week"),
        description=_chart_description(indicators, campaign, exemplary_target),
    )
    return Dashboard(
        campaign=campaign,
        place=place,
        indicators=indicators,
        registry=registry_line(indicators),
        report_query="?" + urlencode({"ngay": day.isoformat(), "noi": place.code, **listed}),
        is_campaign_place=place.pk == campaign.place_id,
        campaign_place_visible=access.covers(campaign.place, ALL_ROLES),
        people_links=show,
        links={
            "exemplary": link(tieu_bieu=1),
            "cohort": link(nhom=1),
            "cohort_met": link(nhom=1, tieu_bieu=1),
            "cohort_not_met": link(nhom=1, tieu_bieu=0),
            "helped": link(giup=1),
            "residents": link(),
            "issues": link(van_de=1),
            "duplicates": link(van_de="trung"),
            "no_birth_date": link(khong_ngay_sinh=1),
        },
        criteria_links={
            row.code: (
                link(nhom=1, tieu_chi=row.code),
                link(tieu_chi=row.code),
                link(thieu=row.code),
            )
            for row in indicators.criteria
        },
        areas=tuple(area_line(r) for r in sort_areas(area_rows, sort)),
        areas_are_communes=communes_shown,
        sort=sort,
        sort_links=_sort_links(campaign, place, day, sort),
        at_risk=tuple(area_line(r) for r in shown_risk),
        at_risk_more=len(at_risk) - len(shown_risk),
        units=tuple(
            UnitLine(
                row=row,
                people_url=link(giup=1, don_vi=row.unit_id),
                achievements_url=link(don_vi=row.unit_id),
            )
            for row in indicators.units
        ),
        weeks=tuple(_week_line(w, day, link) for w in indicators.weekly),
        chart=chart,
        donations_total=sum(d.value_vnd for d in indicators.donations),
        exemplary_target=exemplary_target,
        exemplary_share_of_target=(
            indicators.exemplary.count / exemplary_target if exemplary_target else 0.0
        ),
        other_targets=tuple(t for t in indicators.targets if not t.role),
    )


def _week_line(week: WeekRow, day: dt.date, link: Callable[..., str | None]) -> WeekLine:
    """A weekly row with the lists behind its figures, as of the week's last day."""
    end = _week_end(week.week_start, day)
    return WeekLine(
        week_start=week.week_start,
        week_end=end,
        exemplary=week.exemplary,
        cohort_met=week.cohort_met,
        exemplary_url=link(ngay=end.isoformat(), tieu_bieu=1),
        cohort_met_url=link(ngay=end.isoformat(), tieu_bieu=1, nhom=1),
    )


def _week_end(week_start: dt.date, day: dt.date) -> dt.date:
    """The last day a weekly row counts (the current week is cut at the day shown)."""
    return min(week_start + dt.timedelta(days=6), day)


def _dashboard_url(campaign: Campaign, place_code: str, day: dt.date, **params: Any) -> str:
    query = {"noi": place_code, "ngay": day.isoformat(), **params}
    return reverse("campaigns:dashboard", args=[campaign.pk]) + "?" + urlencode(query)


def _sort_links(campaign: Campaign, place: Place, day: dt.date, sort: str) -> tuple[SortLink, ...]:
    """For each column: the address that sorts by it (again: the other way round)."""
    links = []
    for key, label in SORT_LABELS.items():
        current = "ascending" if sort == key else "descending" if sort == f"-{key}" else ""
        # Names sort A→Z first, figures largest first; a second click reverses.
        first = key if key == "ten" else f"-{key}"
        wanted = (key if sort == f"-{key}" else f"-{key}") if current else first
        url = _dashboard_url(campaign, place.code, day, **{"sap-xep": wanted}) + "#khu-vuc"
        links.append(
            SortLink(key=key, label=str(label), numeric=key != "ten", url=url, current=current)
        )
    return tuple(links)


def _chart_description(indicators: Indicators, campaign: Campaign, target: int) -> str:
    projection = indicators.projection
    return _(
        "%(count)s exemplary citizens on %(date)s, target %(target)s by %(end)s. "
        "At the pace of the last %(days)s days: %(projected)s by the end date."
    ) % {
        "count": formats.number(indicators.exemplary.count),
        "date": formats.day(indicators.date),
        "target": formats.number(target),
        "end": formats.day(campaign.end_date),
        "days": projection.basis_days,
        "projected": formats.number(projection.exemplary_at_end),
    }
