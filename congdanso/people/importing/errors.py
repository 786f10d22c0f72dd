from collections.abc import Iterator
from contextlib import contextmanager

from django.db import DatabaseError
from django.utils.translation import gettext_lazy as _

from congdanso.core.errors import DomainError, Message


class ImportFailed(DomainError):
    """A fatal import error: nothing was written."""

    code = "import_failed"


@contextmanager
def nothing_written_on_database_error() -> Iterator[None]:
    """Around an import's transaction (its COMMIT included): a database error becomes an
    ImportFailed that says nothing was imported."""
    try:
        yield
    except DatabaseError as error:
        raise ImportFailed(
            Message(_("Database error, nothing was imported: %(error)s"), error=error),
            code="database_error",
        ) from error
