"""The PostgreSQL side of a backup and a restore: pg_dump, pg_restore piped into psql.

Backing up, `pg_dump --format=custom` reads a snapshot exported by our own read-only
transaction, which also counts the rows, so the manifest describes exactly what the dump
holds. Restoring pipes `pg_restore --clean --if-exists --no-owner` into `psql` as one
transaction that first empties the schema (tables, views, sequences, functions and types
that no extension owns), so that nothing of a newer schema is left for `migrate` to trip on
when an older backup is brought forward; a failure changes nothing. The tools are found on
PATH and get the connection through libpq's environment. A module of its own because the
client tools, their environment and their errors are PostgreSQL's alone.
"""

import contextlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import IO, Any, cast

from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils.translation import gettext_lazy as _

from congdanso.core.backup.database import contents, database_error
from congdanso.core.errors import DomainError, Message

# The restore replaces the whole schema: whatever the backup does not have must go too.
_EMPTY_SCHEMA_SQL = """
DO $$
DECLARE
  statement text;
BEGIN
  FOR statement IN
    SELECT format('DROP %s IF EXISTS %I.%I CASCADE',
                  CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
                                 WHEN 'S' THEN 'SEQUENCE' WHEN 'f' THEN 'FOREIGN TABLE'
                                 WHEN 'c' THEN 'TYPE' ELSE 'TABLE' END,
                  n.nspname, c.relname)
    FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f', 'c')
      AND NOT EXISTS (SELECT FROM pg_catalog.pg_depend d
                      WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                        AND d.deptype IN ('e', 'i', 'a'))  -- an extension's, a column's
    UNION ALL
    SELECT format('DROP ROUTINE IF EXISTS %I.%I(%s) CASCADE', n.nspname, p.proname,
                  pg_catalog.pg_get_function_identity_arguments(p.oid))
    FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
    WHERE n.nspname = current_schema() AND p.prokind IN ('f', 'p')
      AND NOT EXISTS (SELECT FROM pg_catalog.pg_depend d
                      WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid
                        AND d.deptype = 'e')
    UNION ALL
    SELECT format('DROP TYPE IF EXISTS %I.%I CASCADE', n.nspname, t.typname)
    FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
    WHERE n.nspname = current_schema() AND t.typtype IN ('e', 'd', 'r', 'm')
      AND NOT EXISTS (SELECT FROM pg_catalog.pg_depend d
                      WHERE d.classid = 'pg_type'::regclass AND d.objid = t.oid
                        AND d.deptype = 'e')
  LOOP
    EXECUTE statement;
  END LOOP;
END
$$
"""


def pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise DomainError(
            Message(
                _(
                    "%(tool)s was not found: install the PostgreSQL client tools (package "
                    "postgresql-client), of the server's major version or newer."
                ),
                tool=name,
            ),
            code="pg_tool_missing",
        )
    return found


def postgres_backup(
    connection: BaseDatabaseWrapper, temp: Path
) -> tuple[dict[str, int], dict[str, list[str]]]:
    """Dump the database to `temp` from a snapshot; its (rows per table, migrations)."""
    pg_dump = pg_tool("pg_dump")
    database = cast(Any, connection).Database  # the driver module (psycopg)
    try:
        raw = database.connect(**connection.get_connection_params())
    except database.Error as error:
        raise database_error(connection, error) from error
    try:
        with raw.cursor() as cursor:
            # pg_dump reads the snapshot this transaction exports, so the counts taken here
            # describe exactly the rows of the dump, whatever the app writes meanwhile.
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_catalog.pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            counted = contents(cursor, "postgresql", connection.ops.quote_name)
            _run_tool(
                [
                    pg_dump,
                    "--format=custom",
                    "--no-password",
                    f"--snapshot={snapshot}",
                    f"--file={temp}",
                ],
                connection,
            )
    except database.Error as error:
        raise database_error(connection, error) from error
    finally:
        raw.close()
    return counted


def postgres_restore(connection: BaseDatabaseWrapper, path: Path) -> None:
    pg_restore, psql = pg_tool("pg_restore"), pg_tool("psql")
    connection.close()
    with tempfile.TemporaryFile() as restore_errors, tempfile.TemporaryFile() as load_errors:
        restore = subprocess.Popen(  # noqa: S603 - a tool found on PATH, arguments are ours
            [pg_restore, "--clean", "--if-exists", "--no-owner", "--file=-", str(path)],
            stdout=subprocess.PIPE,
            stderr=restore_errors,
        )
        load = subprocess.Popen(  # noqa: S603 - a tool found on PATH, arguments are ours
            [
                psql,
                "--no-psqlrc",
                "--quiet",
                "--no-password",
                "--set=ON_ERROR_STOP=1",
                "--single-transaction",
                f"--command={_EMPTY_SCHEMA_SQL}",
                "--file=-",
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=load_errors,
            env=_pg_environment(connection),
        )
        source, sink = cast(IO[bytes], restore.stdout), cast(IO[bytes], load.stdin)
        # psql commits when its input ends: it must end only once pg_restore has succeeded.
        try:
            for chunk in iter(lambda: source.read(1 << 16), b""):
                sink.write(chunk)
        except BrokenPipeError:  # psql stopped on an error: its message tells why
            restore.kill()
            restore.wait()
            load.wait()
            raise _tool_error("psql", load_errors) from None
        if restore.wait() != 0:
            load.kill()  # before its input ended: the transaction is rolled back
            load.wait()
            raise _tool_error("pg_restore", restore_errors)
        with contextlib.suppress(BrokenPipeError):
            sink.close()
        if load.wait() != 0:
            raise _tool_error("psql", load_errors)


def _pg_environment(connection: BaseDatabaseWrapper) -> dict[str, str]:
    """libpq's environment for the tools: the password never appears on a command line."""
    params = connection.settings_dict
    options = params.get("OPTIONS") or {}
    values = {
        "PGHOST": params.get("HOST"),
        "PGPORT": params.get("PORT"),
        "PGUSER": params.get("USER"),
        "PGPASSWORD": params.get("PASSWORD"),
        "PGDATABASE": params.get("NAME"),
        "PGSERVICE": options.get("service"),
        "PGPASSFILE": options.get("passfile"),
        "PGSSLMODE": options.get("sslmode"),
        "PGSSLROOTCERT": options.get("sslrootcert"),
        "PGSSLCERT": options.get("sslcert"),
        "PGSSLKEY": options.get("sslkey"),
    }
    environment = dict(os.environ)
    environment.update({key: str(value) for key, value in values.items() if value})
    return environment


def _run_tool(command: list[str], connection: BaseDatabaseWrapper) -> None:
    with tempfile.TemporaryFile() as errors:
        finished = subprocess.run(  # noqa: S603 - a tool found on PATH, arguments are ours
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=errors,
            env=_pg_environment(connection),
            check=False,
        )
        if finished.returncode != 0:
            raise _tool_error(Path(command[0]).name, errors)


def _tool_error(tool: str, errors: IO[bytes]) -> DomainError:
    errors.seek(0)
    lines = [line.strip() for line in errors.read().decode(errors="replace").splitlines()]
    # The first error line says what went wrong; CONTEXT and DETAIL lines follow it.
    marked = [line for line in lines if any(m in line for m in ("ERROR:", "FATAL:", "error:"))]
    message = (marked or [line for line in reversed(lines) if line] or ["?"])[0]
    return DomainError(
        Message(_("%(tool)s failed: %(error)s"), tool=tool, error=message), code="pg_tool_failed"
    )
