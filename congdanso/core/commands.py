"""The base of every congdanso management command: output in the user's language, bad input
as one line.

Django runs commands with translations switched off (English msgids); ours speak Vietnamese
by default like the rest of the product (`CONGDANSO_LANGUAGE=en` for English). A refused
action (a `DomainError` from a service) and unreadable arguments both end the command with
exit code 2 and one line in Vietnamese then English, never a traceback or a usage page.
"""

import argparse
import os
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.utils import OperationalError, ProgrammingError
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from congdanso.core.errors import DomainError, Message


def command_language() -> str:
    return os.environ.get("CONGDANSO_LANGUAGE") or settings.LANGUAGE_CODE


class _Parser(CommandParser):
    def error(self, message: str) -> NoReturn:
        if not self.called_from_command_line:
            super().error(message)  # raises CommandError for call_command
        line = Message(_("Invalid arguments: %(error)s (see --help)."), error=message).bilingual()
        print(f"{self.prog}: {line}", file=sys.stderr)  # noqa: T201
        sys.exit(2)


def _one_line_errors(parser: argparse.ArgumentParser) -> None:
    """Make the parser and its sub-commands' parsers report bad arguments in one line (Django
    builds them as its own CommandParser and offers no hook to choose the class)."""
    parser.__class__ = _Parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                _one_line_errors(sub)


class Command(BaseCommand):
    leave_locale_alone = True

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        _one_line_errors(parser)
        return parser

    def execute(self, *args: Any, **options: Any) -> str | None:
        with translation.override(command_language()):
            try:
                return super().execute(*args, **options)
            except DomainError as error:
                raise CommandError(error.message.bilingual(), returncode=2) from error
            except (OperationalError, ProgrammingError) as error:
                if not _missing_table(error):
                    raise
                message = Message(_("The database has no tables yet: run `congdanso migrate`."))
                raise CommandError(message.bilingual(), returncode=2) from error


def _missing_table(error: Exception) -> bool:
    """A database that `migrate` has not set up (SQLite's words, PostgreSQL's SQLSTATE)."""
    return "no such table" in str(error) or getattr(error.__cause__, "sqlstate", "") == "42P01"


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
