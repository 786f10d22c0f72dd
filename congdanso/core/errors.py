"""Errors that services raise for the interfaces to show: a stable code and a user message.

The message stays translatable until it is shown: a view renders it in the user's language, a
command prints it in Vietnamese then English on one line.
"""

from typing import Any

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy


class Message:
    """A translatable message with named placeholders, rendered only when shown."""

    __slots__ = ("params", "template")

    def __init__(self, template: str | Promise, /, **params: Any) -> None:
        self.template = template
        self.params = params

    def __str__(self) -> str:
        text = str(self.template)
        if not self.params:
            return text
        return text % {
            k: str(v) if isinstance(v, Promise | Message) else v for k, v in self.params.items()
        }

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Message):
            return NotImplemented
        return (str(self.template), self.params) == (str(other.template), other.params)

    __hash__ = None  # type: ignore[assignment]  # mutable params: not hashable

    def __repr__(self) -> str:
        return f"Message({str(self.template)!r}, **{self.params!r})"

    def render(self, language: str) -> str:
        with translation.override(language):
            return str(self)

    def to_data(self) -> tuple[str, dict[str, Any]]:
        """(msgid, params) fit for JSON or a pipe; `from_data` makes the message again,
        still translatable. Messages are English msgids, so the English rendering is it."""
        with translation.override("en"):
            msgid = str(self.template)
        params = {
            key: value if value is None or isinstance(value, str | int | float) else str(value)
            for key, value in self.params.items()
        }
        return msgid, params

    @classmethod
    def from_data(cls, msgid: str, params: dict[str, Any]) -> "Message":
        return cls(gettext_lazy(msgid), **params)

    def bilingual(self) -> str:
        """Vietnamese, then English when it differs: for command-line output."""
        vietnamese, english = self.render("vi"), self.render("en")
        return vietnamese if vietnamese == english else f"{vietnamese} / {english}"


class DomainError(Exception):
    """A rule of the domain refused the action; nothing was written."""

    code = "domain_error"

    def __init__(self, message: "Message | str | Promise", *, code: str | None = None) -> None:
        self.message = message if isinstance(message, Message) else Message(message)
        super().__init__(self.message.render("en"))
        if code:
            self.code = code

    def __str__(self) -> str:
        return str(self.message)


class NotFound(DomainError):
    code = "not_found"


class ParserError(Promise):
    """A `congdanso.vn` parser error (it carries a Vietnamese and an English text), shown in
    the language active when it is rendered — as a `Message` parameter."""

    def __init__(self, error: Any) -> None:
        self.error = error  # a congdanso.vn.VnValueError

    def __str__(self) -> str:
        language = translation.get_language() or "vi"
        return self.error.message if language.startswith("vi") else self.error.message_en
