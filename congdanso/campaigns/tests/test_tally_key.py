"""The tallies' unique key: the same columns on both databases (the upserts rely on it), and
on PostgreSQL its index carries the amount so that a province's sums need no row visits."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def test_the_tally_key_is_unique_and_on_postgresql_covers_the_amount() -> None:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "campaigns_tally")
        key = constraints["tally_key"]
        assert key["unique"]
        assert key["columns"] == ["campaign_id", "scope_id", "measure", "item", "day", "cohort"]
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT indexdef FROM pg_indexes WHERE tablename = 'campaigns_tally' "
                "AND indexname = 'tally_key'"
            )
            (definition,) = cursor.fetchone()
            assert definition.endswith("INCLUDE (amount)"), definition
