"""Reading user accounts."""

from typing import Any

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from congdanso.core.errors import Message, NotFound


def user_named(username: str | None) -> Any:
    """The account with this user name (None when no name is given), for a command that
    acts on someone's behalf; an unknown name is refused."""
    if not username:
        return None
    user = get_user_model().objects.filter(username=username.strip()).first()
    if user is None:
        raise NotFound(
            Message(_("No user is named %(name)s."), name=username.strip()), code="user_unknown"
        )
    return user
