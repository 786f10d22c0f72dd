"""Token authentication: `Authorization: Bearer cds_…` (a key from `congdanso tokens create`)."""

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja.security import HttpBearer

from congdanso.accounts.services import token_user
from congdanso.core.errors import DomainError


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        _refuse_nul(request)
        user = token_user(token.strip())
        if user is None:
            return None
        request.user = user
        return user


def _refuse_nul(request: HttpRequest) -> None:
    """No stored text may hold the NUL character (PostgreSQL cannot), so a request carrying one
    in its query or its JSON is refused before anything reads it."""
    query = request.META.get("QUERY_STRING", "")
    if "%00" in query or "\x00" in query or b"\\u0000" in request.body or b"\x00" in request.body:
        raise DomainError(
            _("Text may not contain the NUL character (\\u0000)."), code="nul_character"
        )
