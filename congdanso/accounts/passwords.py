"""Password rules beyond Django's own validators (the list is AUTH_PASSWORD_VALIDATORS)."""

from django.contrib.auth import password_validation
from django.utils.translation import gettext, gettext_noop

TOO_SHORT_MESSAGE = gettext_noop(
    "This password is too short: it must have at least %(min_length)d characters."
)


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's, with a message that has a Vietnamese translation: Django 5.2 changed the
    msgid of its own to "%d" and its Vietnamese catalog still only has the older one."""

    def get_error_message(self) -> str:
        return gettext(TOO_SHORT_MESSAGE) % {"min_length": self.min_length}
