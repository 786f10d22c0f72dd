from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from congdanso.api.v1 import api

admin.site.site_header = "congdanso"
admin.site.site_title = "congdanso"


def api_urls():  # type: ignore[no-untyped-def]
    """The API's URLs. It authenticates by token and answers 401 in JSON itself, so the
    log-in redirect of LoginRequiredMiddleware does not apply to it."""
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        pattern.callback.login_required = False  # type: ignore[union-attr]
    return patterns, app_name, namespace


#: Who may open each page (URL name → rule), read by the permission-matrix test: a page
#: without a rule fails it. "public": anyone; "signed-in": any signed-in user; "manager":
#: campaign managers and administrators (404 for the other roles). Anonymous users are sent to
#: the log-in page. The admin site (staff only) and the API (`x-access` per operation) declare
#: theirs elsewhere.
ACCESS_RULES: dict[str, str] = {
    "home": "signed-in",
    "accounts:login": "public",
    "accounts:logout": "signed-in",
    "accounts:audit": "manager",
}

urlpatterns = [
    # The home page comes later; until then the administrators' site is it.
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False), name="home"),
    path("", include("congdanso.accounts.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", api_urls()),
]
