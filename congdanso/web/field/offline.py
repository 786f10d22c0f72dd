"""Field mode with no signal: session mode as an installable web app.

- `session_roster_page` gives a session's roster (`scope.roster`) as JSON; the session page's
  "Tải danh sách để làm không có mạng" keeps it in the browser (IndexedDB), with the day.
- `offline_shell` is the app shell: one page without any personal data, which the service
  worker keeps and serves for a session's address when the network is gone; `offline.js`
  then runs session mode from the roster — search, ticks, "+1" — and queues each write with
  its client-generated UUID in an outbox.
- The outbox goes to the API's `/batch` with the signed-in session and a CSRF token from
  `offline_csrf`, and each write is applied once (`core.idempotency`).
- `service_worker` is the worker, served from the site's root so that it may serve the
  session pages; `web_manifest` makes the site installable.

The roster and the outbox are erased at log-out (a `Clear-Site-Data` header, and the page's
own script) and when the roster is older than the session's day.
"""

import hashlib
import json

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from congdanso.scope.access import access_for
from congdanso.scope.people import campaign_for_people
from congdanso.scope.roster import session_roster
from congdanso.scope.sessions import session_get_for

#: What the service worker keeps so that the shell works with no network.
SHELL_ASSETS = (
    "congdanso/site.css",
    "congdanso/site.js",
    "congdanso/offline.js",
    "congdanso/icon-192.png",
)


@require_GET
def session_roster_page(request: HttpRequest, campaign_id: int, session_id: int) -> JsonResponse:
    access = access_for(request.user)
    campaign = campaign_for_people(access, campaign_id)
    session = session_get_for(access, campaign, session_id)
    return JsonResponse(
        session_roster(access, campaign, session).as_json(),
        json_dumps_params={"ensure_ascii": False},
    )


@require_GET
def offline_shell(request: HttpRequest) -> HttpResponse:
    """The app shell of offline session mode (no personal data: the script fills it)."""
    return render(request, "field/offline.html", {"nav_active": "sessions"})


@require_GET
def offline_csrf(request: HttpRequest) -> JsonResponse:
    """A fresh CSRF token for the outbox's sync (the shell's copy may be days old)."""
    return JsonResponse({"token": get_token(request)})


@login_not_required
@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    assets = [reverse("offline_shell"), *(static(path) for path in SHELL_ASSETS)]
    version = hashlib.sha256(json.dumps(assets).encode()).hexdigest()[:12]
    response = render(
        request,
        "field/sw.js",
        {"assets": json.dumps(assets), "version": version, "shell": reverse("offline_shell")},
        content_type="application/javascript; charset=utf-8",
    )
    response["Service-Worker-Allowed"] = "/"
    return response


@login_not_required
@require_GET
def web_manifest(request: HttpRequest) -> JsonResponse:
    manifest = {
        "name": _("Digital citizens"),
        "short_name": _("Digital citizens"),
        "lang": "vi",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#0b5394",
        "icons": [
            {"src": static("congdanso/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("congdanso/icon-512.png"), "sizes": "512x512", "type": "image/png"},
        ],
    }
    response = JsonResponse(manifest, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    return response
