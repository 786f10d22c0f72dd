"""Report submissions and the decisions on them are append-only, as the audit log is: a
database trigger refuses changing them (a correction is a new submission)."""

from django.db import migrations

TABLES = ("reports_reportsubmission", "reports_submissiondecision")

# SQLite: UPDATE only, as for the audit log (a test database is emptied with DELETE; on
# PostgreSQL with TRUNCATE, which row triggers do not see)
SQLITE = [
    f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
    "BEGIN SELECT RAISE(ABORT, 'reports sent up are append-only'); END"
    for table in TABLES
]
SQLITE_REVERSE = [f"DROP TRIGGER IF EXISTS {table}_no_update" for table in TABLES]
POSTGRES = [
    "CREATE FUNCTION reports_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'reports sent up are append-only'; END $$",
    *(
        f"CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION reports_append_only()"
        for table in TABLES
    ),
]
POSTGRES_REVERSE = [
    *(f"DROP TRIGGER IF EXISTS {table}_no_change ON {table}" for table in TABLES),
    "DROP FUNCTION IF EXISTS reports_append_only()",
]


def _run(statements: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor):  # type: ignore[no-untyped-def]
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_report_submissions")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRES}),
            _run({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRES_REVERSE}),
        )
    ]
