"""The base of our management commands: output in the user's language, errors as one line.

Django runs commands with translations switched off (English msgids); ours speak Vietnamese
by default like the rest of the product (`CONGDANSO_LANGUAGE=en` for English), and turn a
refused action into exit code 2 with one bilingual line instead of a traceback.
"""

import os
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from congdanso.core.errors import DomainError


def command_language() -> str:
    return os.environ.get("CONGDANSO_LANGUAGE") or settings.LANGUAGE_CODE


class Command(BaseCommand):
    leave_locale_alone = True

    def execute(self, *args: Any, **options: Any) -> str | None:
        with translation.override(command_language()):
            try:
                return super().execute(*args, **options)
            except DomainError as error:
                raise CommandError(error.message.bilingual(), returncode=2) from error


def table_lines(header: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    """A plain-text table, columns padded to their widest cell."""
    cells = [[str(cell) for cell in row] for row in [header, *rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in cells
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return [line.rstrip() for line in lines]
