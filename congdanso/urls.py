from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from congdanso.accounts import urls as accounts_urls
from congdanso.api.v1 import api
from congdanso.campaigns import urls as campaigns_urls
from congdanso.campaigns.views import home
from congdanso.outreach import urls as outreach_urls
from congdanso.people import urls as people_urls
from congdanso.places import urls as places_urls
from congdanso.reports import urls as reports_urls

admin.site.site_header = "congdanso"
admin.site.site_title = "congdanso"


def api_urls():  # type: ignore[no-untyped-def]
    """The API's URLs. It authenticates by token and answers 401 in JSON itself, so the
    log-in redirect of LoginRequiredMiddleware does not apply to it."""
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        pattern.callback.login_required = False  # type: ignore[union-attr]
    return patterns, app_name, namespace


#: Who may open each page (URL name → rule), read by the permission-matrix test
#: (core/tests/test_site_matrix.py): a page without a rule fails it. Each app declares its
#: pages' rules next to its URLs (`ACCESS` in its urls.py). "public": anyone; "signed-in": any
#: signed-in user; "manager": campaign managers and administrators; "campaign": anyone whose
#: places overlap the campaign's (viewers included); "campaign-person": the roles that see
#: residents one by one, in the campaign; "campaign-manage": the managers of the campaign's
#: place; "commune-manage": the managers of the place an object belongs to (an import job).
#: Outside those: 404. Anonymous users are sent to the log-in page. The admin site
#: (staff only) and the API (`x-access` per operation) declare theirs elsewhere.
ACCESS_RULES: dict[str, str] = {
    "home": "signed-in",
    "set_language": "public",
    **{f"{module.app_name}:{name}": rule for module in (
        accounts_urls, campaigns_urls, people_urls, outreach_urls, places_urls, reports_urls,
    ) for name, rule in module.ACCESS.items()},
}  # fmt: skip

urlpatterns = [
    path("", home, name="home"),
    path("ngon-ngu/", login_not_required(set_language), name="set_language"),
    path("", include(accounts_urls)),
    path("", include(campaigns_urls)),
    path("", include(people_urls)),
    path("", include(outreach_urls)),
    path("", include(places_urls)),
    path("", include(reports_urls)),
    path("admin/", admin.site.urls),
    path("api/v1/", api_urls()),
]
