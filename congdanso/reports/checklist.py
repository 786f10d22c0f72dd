"""A village's door-to-door checklist as one standalone HTML file, for print.

It is the web print view (`web.dashboard.views.village_print`): the same selector
(`reports.lists.village_print_sheet`: who is not yet exemplary — or everyone — in pages of
`PRINT_ROWS_PER_PAGE`, what each has done and still needs) rendered by the same template
(`reports/village_print_sheet.html`), wrapped in a page that carries its own print style:
a file opened from disk cannot load the site's /static/ style sheet.
"""

import re
from functools import lru_cache
from pathlib import Path

from django.contrib.staticfiles import finders
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from congdanso.campaigns.selectors import campaign_rules
from congdanso.core.errors import DomainError, Message, NotFound
from congdanso.places.models import LOCAL_KINDS, Place
from congdanso.reports.lists import PRINT_ROWS_PER_PAGE, village_print_sheet
from congdanso.reports.selectors import ReportRequest
from congdanso.scope.access import Access
from congdanso.vn.places import place_key

#: The command line is a system administrator's job: it sees every resident.
COMMAND_LINE = Access(user_id=None, is_admin=True, grants=())

STYLE_SHEET = "congdanso/site.css"


def checklist_html(request: ReportRequest, *, village: str, everyone: bool = False) -> str:
    """The checklist of the village (its code, or its name) of the request's place, as of the
    request's date: the residents not yet exemplary, or `everyone`."""
    place = village_find(request, village)
    access = request.access or COMMAND_LINE
    rules = campaign_rules(request.campaign)
    filters = {"day": request.on} if everyone else {"day": request.on, "exemplary": False}
    # A viewer (aggregates only) gets a 404 from the selector, as on the web.
    sheet = village_print_sheet(access, request.campaign, rules, village=place, **filters)
    return render_to_string(
        "reports/checklist.html",
        {
            "campaign": request.campaign,
            "rules": rules,
            "village": place,
            "sheet": sheet,
            "rows_per_page": PRINT_ROWS_PER_PAGE,
            "style": print_style(),
            "language": translation.get_language() or "vi",
        },
    )


def village_find(request: ReportRequest, wanted: str) -> Place:
    """A village or site within the request's place, by its code or its name ("Thôn Cao
    Bằng", "cao bang": any spelling the place key folds the same)."""
    text = wanted.strip()
    places = Place.objects.filter(path__startswith=request.place.path, kind__in=LOCAL_KINDS)
    key = place_key(text) if text else ""
    found = list(
        places.filter(Q(code=text) | Q(name_key=key) if key else Q(code=text)).order_by("path")
    )
    exact = [p for p in found if p.code == text]
    if exact:
        return exact[0]
    live = [p for p in found if p.archived_at is None] or found
    if len(live) == 1:
        return live[0]
    if not live:
        raise NotFound(
            Message(
                _("No village or site called %(village)s in %(place)s."),
                village=text,
                place=request.place.name,
            ),
            code="village_not_found",
        )
    raise DomainError(
        Message(
            _("Several villages are called %(village)s: give one of their codes (%(codes)s)."),
            village=text,
            codes=", ".join(f"{p.code} = {p.name}" for p in live),
        ),
        code="village_ambiguous",
    )


@lru_cache(maxsize=1)
def print_style() -> str:
    """The style the print view needs: the site's colours and base font, and its checklist
    section (from its heading comment to the next section's), read from the site's sheet."""
    found = finders.find(STYLE_SHEET)
    if not found:
        return ""
    css = Path(str(found)).read_text(encoding="utf-8")
    parts = []
    root = re.search(r":root\s*\{.*?\}", css, re.S)
    if root:
        parts.append(root.group(0))
    parts.append("*, *::before, *::after { box-sizing: border-box; }")
    body = re.search(r"\nbody\s*\{.*?\}", css, re.S)
    if body:
        parts.append(body.group(0).strip())
    start = css.find("/* The printed checklist")
    if start >= 0:
        end = css.find("\n/* ===", start)
        parts.append(css[start : end if end >= 0 else len(css)].strip())
    parts.append("body.print-view { background: #fff; } .site-main { padding: 1rem; }")
    return "\n".join(parts)
