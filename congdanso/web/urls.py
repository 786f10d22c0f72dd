"""The site's addresses, gathered from its workflows, and who may open each page.

Each workflow package (`accounts`, `dashboard`, `field`, `setup`, `imports`, `reports`)
declares its pages by URL namespace (`PATTERNS`) — the namespaces are the names every link
and test uses (`people:card`, `campaigns:dashboard`, …), older than this layout, so a
namespace may gather pages of several workflows — and each page's access rule (`ACCESS`).

`ACCESS_RULES` is read by the permission-matrix test (web/tests/test_site_matrix.py): a page
without a rule fails it. "public": anyone; "signed-in": any signed-in user; "manager":
campaign managers and administrators; "campaign": anyone whose places overlap the
campaign's (viewers included); "campaign-person": the roles that see residents one by one,
in the campaign; "campaign-manage": the managers of the campaign's place; "commune-manage":
the managers of the place an object belongs to (an import job). Outside those: 404.
Anonymous users are sent to the log-in page. The admin site (staff only) and the API
(`x-access` per operation) declare theirs elsewhere.
"""

from django.contrib.auth.decorators import login_not_required
from django.urls import URLPattern, URLResolver, include, path
from django.views.i18n import set_language

from congdanso.web import home
from congdanso.web.accounts import urls as accounts
from congdanso.web.dashboard import urls as dashboard
from congdanso.web.field import urls as field
from congdanso.web.imports import urls as imports
from congdanso.web.reports import urls as reports
from congdanso.web.setup import urls as setup

WORKFLOWS = (accounts, dashboard, field, setup, imports, reports)

ACCESS_RULES: dict[str, str] = {
    "home": "signed-in",
    "set_language": "public",
    **{name: rule for workflow in WORKFLOWS for name, rule in workflow.ACCESS.items()},
}


def _by_namespace() -> dict[str, list[URLPattern | URLResolver]]:
    gathered: dict[str, list[URLPattern | URLResolver]] = {}
    for workflow in WORKFLOWS:
        for namespace, patterns in workflow.PATTERNS.items():
            gathered.setdefault(namespace, []).extend(patterns)
    return gathered


urlpatterns: list[URLPattern | URLResolver] = [
    path("", home.home, name="home"),
    path("ngon-ngu/", login_not_required(set_language), name="set_language"),
    *field.ROOT,
    *(path("", include((patterns, name))) for name, patterns in _by_namespace().items()),
]
