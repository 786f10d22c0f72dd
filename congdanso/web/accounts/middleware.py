"""Keeps a signed-in session alive while it is used, without a database write per request.

A session expires SESSION_COOKIE_AGE after it was last saved. Saving it on every request
(SESSION_SAVE_EVERY_REQUEST) would make each page view a write, and on SQLite a write waits
while an import holds the database. Saving it when the last save is SESSION_TOUCH_SECONDS old
gives the same inactivity time-out, give or take those few minutes, for one write per user
every few minutes.
"""

import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

LAST_SEEN_KEY = "_congdanso_seen"


class SessionActivityMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.user.is_authenticated:
            now = int(time.time())
            seen = request.session.get(LAST_SEEN_KEY)
            if not isinstance(seen, int) or now - seen >= settings.SESSION_TOUCH_SECONDS:
                request.session[LAST_SEEN_KEY] = now  # marks the session to be saved
        return self.get_response(request)
