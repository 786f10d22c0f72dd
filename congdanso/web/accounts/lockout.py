"""Lock-out after repeated failed log-ins (django-axes): whose address counts, what is shown.

The policy is in settings (AXES_*): five failed log-ins for one user name from one address lock
that pair for 30 minutes, for this site's log-in page and the admin's alike; a successful log-in
clears the count. An administrator unlocks earlier by deleting the "access attempt" in the admin
or with `congdanso axes_reset_username NAME`.
"""

import ipaddress
import math
from typing import Any

from axes.helpers import get_cool_off
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def client_ip(request: HttpRequest) -> str | None:
    """The client's address behind our reverse proxy (CONGDANSO_BEHIND_PROXY).

    The proxy appends the address it saw to X-Forwarded-For, so the last entry is the one to
    trust; the first ones are whatever the client chose to send.
    """
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    last = forwarded.rsplit(",", 1)[-1].strip()
    try:
        return str(ipaddress.ip_address(last))
    except ValueError:
        return request.META.get("REMOTE_ADDR")


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """The page a locked-out log-in gets instead of the form (AXES_LOCKOUT_CALLABLE)."""
    cool_off = get_cool_off(request)
    minutes = math.ceil(cool_off.total_seconds() / 60) if cool_off else None
    return render(
        request,
        "accounts/lockout.html",
        {"minutes": minutes, "limit": settings.AXES_FAILURE_LIMIT},
        status=429,
    )
