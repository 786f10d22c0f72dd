"""Raw SQL helpers shared by the indicators and the tallies (the grouped reads the ORM would
make slower or unreadable)."""

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import connection


def fetch_all(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def as_date(value: Any) -> dt.date:
    """A date column's value: a date on PostgreSQL, ISO text from SQLite's expressions."""
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def placeholders(values: Sequence[Any]) -> str:
    """ "%s, %s, …" for an IN list (NULL for an empty one, which matches nothing)."""
    return ", ".join(["%s"] * len(values)) or "NULL"
