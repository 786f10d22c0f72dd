"""What every start of the application does first, whichever way it starts: the `congdanso`
console script (every command, `congdanso serve`, and the gunicorn and background worker that
`serve` starts, which inherit from it) and `gunicorn congdanso.wsgi` run directly.

Files readable by their owner only: the database holds the sessions of the signed-in users
(another local user who reads `django_session` takes over the administrator's session) and
every registry file written holds personal data. The process umask is set to 0o077 before
anything is created, so that everything the process and its children write is 0600 and every
folder 0700 — the SQLite database and its -wal/-shm, the data folder, caches, exports. Files
that hold numbers in clear are also written 0600 explicitly (`congdanso.core.files`).

A database made before this rule, or copied in by hand, may still be open to others: each
start says so in one line on stderr (`private_paths_exposed`), and `congdanso migrate`
tightens them (`private_paths_tighten`).

The keys at hand must open the encrypted data (`congdanso.core.keycheck`): otherwise the
command or the server does not start — one bilingual line on stderr, exit code 2 — before
anything is written with the wrong keys. Only the commands that put things right run anyway
(`ALLOWED_WITHOUT_KEYS`: restore the keys or a backup, see what is wrong, build).
"""

import os
import stat
import sys
from pathlib import Path
from typing import TextIO

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils.translation import gettext_lazy as _

from congdanso.core.errors import Message
from congdanso.core.files import FILE_MODE, FOLDER_MODE

UMASK = 0o077
#: Commands that run even when the keys do not open the data: to repair, to look, to build.
ALLOWED_WITHOUT_KEYS = frozenset(
    {
        "help",
        "version",
        "restore",
        "backup",
        "keys",
        "makemigrations",
        "makemessages",
        "compilemessages",
        "collectstatic",
    }
)
#: Exit code of a refused start. A gunicorn worker that exits with another code than its
#: "application failed to load" (4) is started again, for ever: the worker exits with that one,
#: and gunicorn stops.
REFUSED = 2
REFUSED_IN_GUNICORN = 4


def restrict_new_files() -> None:
    """Everything this process (and any process it starts) creates from now on is readable
    by its own user only. Called before the settings create the data folder."""
    os.umask(UMASK)


def private_paths(using: str = DEFAULT_DB_ALIAS) -> list[Path]:
    """The places that must stay private: the data folder, the SQLite database with its -wal
    and -shm, the secret key, the keyring, the uploads folder."""
    from congdanso.core import crypto

    data = Path(settings.DATA_DIR)
    paths = [data, data / "secret_key", crypto.keys_path(), Path(settings.UPLOAD_ROOT)]
    database = connections[using].settings_dict
    name = str(database.get("NAME") or "")
    if database["ENGINE"] == "django.db.backends.sqlite3" and name and ":memory:" not in name:
        sqlite = Path(name).absolute()
        paths += [sqlite, Path(f"{sqlite}-wal"), Path(f"{sqlite}-shm")]
    return paths


def private_paths_exposed(using: str = DEFAULT_DB_ALIAS) -> list[tuple[Path, int]]:
    """(path, mode) of each private path that exists and that group or others may use."""
    exposed = []
    for path in private_paths(using):
        try:
            mode = stat.S_IMODE(path.stat().st_mode)
        except OSError:
            continue  # absent (a -wal between connections, no uploads yet)
        if mode & 0o077:
            exposed.append((path, mode))
    return exposed


def private_paths_tighten(using: str = DEFAULT_DB_ALIAS) -> tuple[list[Path], list[Path]]:
    """chmod 0600 the exposed files and 0700 the exposed folders: (changed, failed)."""
    changed, failed = [], []
    for path, _mode in private_paths_exposed(using):
        try:
            path.chmod(FOLDER_MODE if path.is_dir() else FILE_MODE)
        except OSError:
            failed.append(path)  # another owner's file: the warning keeps naming it
        else:
            changed.append(path)
    return changed, failed


def exposed_warning(exposed: list[tuple[Path, int]]) -> Message:
    return Message(
        _(
            "Warning: other users of this machine may read %(paths)s; run `congdanso migrate` "
            "to make them private (files 0600, folders 0700)."
        ),
        paths=", ".join(f"{path} ({oct(mode)[2:]})" for path, mode in exposed),
    )


def warn_if_exposed(stream: TextIO | None = None) -> None:
    exposed = private_paths_exposed()
    if exposed:
        print(exposed_warning(exposed).bilingual(), file=stream or sys.stderr)  # noqa: T201


def _django_ready() -> bool:
    """Set Django up for the checks; False when the settings are broken (the command then
    reports that itself, as it always did)."""
    import django

    try:
        django.setup()
    except Exception:  # noqa: BLE001 - any settings error is Django's to report, not ours
        return False
    return True


def keys_refusal() -> Message | None:
    """Why this start must not go on with the keys at hand, or None."""
    from congdanso.core.keycheck import keys_start_check

    return keys_start_check()


def command_start(args: list[str]) -> None:
    """Before a `congdanso` command runs (`args` as typed after `congdanso`)."""
    if not _django_ready():
        return
    warn_if_exposed()
    command = args[0] if args else "help"
    if command.startswith("-") or command in ALLOWED_WITHOUT_KEYS or {"-h", "--help"} & set(args):
        return
    refusal = keys_refusal()
    if refusal is not None:
        print(refusal.bilingual(), file=sys.stderr)  # noqa: T201
        sys.exit(REFUSED)


def wsgi_start() -> None:
    """When the WSGI application is loaded (Django is set up)."""
    warn_if_exposed()
    refusal = keys_refusal()
    # Each gunicorn worker loads the application after the fork (or the master once, with
    # --preload): no connection opened here may be shared with another process.
    connections.close_all()
    if refusal is not None:
        print(refusal.bilingual(), file=sys.stderr, flush=True)  # noqa: T201
        sys.exit(REFUSED_IN_GUNICORN if "gunicorn.arbiter" in sys.modules else REFUSED)
