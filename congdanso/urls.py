"""The root URL configuration: the site (`congdanso.web`), Django's admin and the API."""

from django.contrib import admin
from django.urls import path

from congdanso.api.v1 import api
from congdanso.web.urls import ACCESS_RULES
from congdanso.web.urls import urlpatterns as site

admin.site.site_header = "congdanso"
admin.site.site_title = "congdanso"

__all__ = ["ACCESS_RULES", "urlpatterns"]


def api_urls():  # type: ignore[no-untyped-def]
    """The API's URLs. It authenticates by token and answers 401 in JSON itself, so the
    log-in redirect of LoginRequiredMiddleware does not apply to it."""
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        pattern.callback.login_required = False  # type: ignore[union-attr]
    return patterns, app_name, namespace


urlpatterns = [
    *site,
    path("admin/", admin.site.urls),
    path("api/v1/", api_urls()),
]
