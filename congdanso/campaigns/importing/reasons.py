"""Pieces of a rejection reason that stay translatable until the reason is shown.

`Message` renders Promise parameters when it is shown, in the language then active: a parser
error (Vietnamese and English texts of its own) and a reason made of several sentences are
such parameters here.
"""

from django.utils.functional import Promise

from congdanso.core.errors import Message, ParserError

__all__ = ["ParserError", "Sentences", "reason"]


class Sentences(Promise):
    """Several messages read as one reason."""

    def __init__(self, *parts: Message) -> None:
        self.parts = parts

    def __str__(self) -> str:
        return " ".join(str(part) for part in self.parts)


def reason(main: Message, *details: Message) -> Message:
    """One message: the main sentence, then the details (a bad CCCD, a phone's owner…)."""
    if not details:
        return main
    return Message("%(sentences)s", sentences=Sentences(main, *details))
