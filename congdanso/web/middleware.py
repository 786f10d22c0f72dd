"""Domain errors raised under a page become pages, not tracebacks; answers that may hold
personal data are never stored by a browser or a proxy.

Views call one service or selector and let its `DomainError` rise: a `NotFound` is the 404
page (something outside the user's scope does not exist for them), any other refusal is a
400 page that says what was wrong, in the user's language. Forms that can show the message
next to a field catch the error themselves; this is the net under everything else.
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers

from congdanso.core.errors import DomainError, NotFound
from congdanso.core.ratelimit import Throttled


class DomainErrorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if request.path.startswith("/api/"):
            return None  # the API answers its own errors in JSON
        if isinstance(exception, NotFound):
            return render(request, "404.html", {"message": exception.message}, status=404)
        if isinstance(exception, Throttled):
            return render(request, "refused.html", {"message": exception.message}, status=429)
        if isinstance(exception, DomainError):
            return render(request, "refused.html", {"message": exception.message}, status=400)
        return None


class NoStoreMiddleware:
    """`Cache-Control: no-store` (with `Pragma: no-cache` for old proxies) on every answer to
    a signed-in user and on every API answer: a person card, a list, a revealed number or a
    report kept in a shared computer's browser cache, or by a proxy, would outlive the
    session. Static files are answered before this (whitenoise) and keep their caching."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if request.path.startswith("/api/") or (user is not None and user.is_authenticated):
            add_never_cache_headers(response)
            response["Pragma"] = "no-cache"
        return response
