"""Writing the files the application hands out — exports, reports, rejects, calendars — so that
only their owner can read them, and whole or not at all.

Why one helper: these files hold personal numbers in clear (an export of the registry, a
data-subject export, the rows an import rejected), and another user of the machine must not
read them. The process umask (`congdanso.core.startup`) already makes every new file 0600; this
does not rely on it — a test, a shell or a library may run with another one. The file is made
by `mkstemp` beside the target (mode 0600 whatever the umask, set again explicitly), written,
and renamed over the target only when complete: a failure half-way leaves no partial file, and
the previous file of that name, if any, as it was. A writer that opens the path itself
(xlsxwriter, python-docx) opens the existing 0600 file and keeps its mode.
"""

import contextlib
import os
import stat
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any, TypeVar

from django.utils.translation import gettext_lazy as _

from congdanso.core.errors import DomainError, Message

FILE_MODE = 0o600
FOLDER_MODE = 0o700

T = TypeVar("T")


def _cannot_write(path: Path, error: OSError) -> DomainError:
    return DomainError(
        Message(
            _("Cannot write %(path)s: %(error)s."),
            path=path,
            error=error.strerror or error.__class__.__name__,
        ),
        code="path_invalid",
    )


def target_check(path: Path) -> None:
    """Refuse, before anything is done, a target that cannot be written as a private file."""
    if not path.parent.is_dir():
        raise DomainError(
            Message(_("The folder %(folder)s does not exist."), folder=str(path.parent)),
            code="path_invalid",
        )
    if path.is_dir():
        raise DomainError(
            Message(_("%(path)s is a folder: give a file name."), path=str(path)),
            code="path_invalid",
        )
    if path.exists() and not stat.S_ISREG(path.stat().st_mode):
        # A device or a pipe (/dev/stdout…) cannot be replaced by a renamed file.
        raise DomainError(
            Message(
                _("%(path)s is not a regular file: give the name of a file to write."),
                path=str(path),
            ),
            code="path_invalid",
        )


@contextlib.contextmanager
def private_path(path: Path) -> Iterator[Path]:
    """A new empty file beside `path`, mode 0600, for the block to write into; renamed onto
    `path` when the block ends without an error, removed when it raises."""
    path = Path(path)
    target_check(path)
    try:
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    except OSError as error:
        raise _cannot_write(path, error) from error
    temporary = Path(name)
    try:
        try:
            os.fchmod(fd, FILE_MODE)
        finally:
            os.close(fd)
        try:
            yield temporary
            temporary.replace(path)
        except OSError as error:  # disk full, folder not writable: one clear line
            raise _cannot_write(path, error) from error
    finally:
        temporary.unlink(missing_ok=True)


def write_private(path: Path, write: Callable[[Path], T]) -> T:
    """`write(temporary_path)` in a 0600 file beside `path`, then the file renamed to `path`;
    returns what `write` returned."""
    with private_path(path) as temporary:
        return write(temporary)


@contextlib.contextmanager
def open_private(path: Path, mode: str = "w", **options: Any) -> Iterator[IO[Any]]:
    """`open(path, mode, **options)` for writing, with the guarantees of `private_path`."""
    with private_path(path) as temporary, temporary.open(mode, **options) as handle:
        yield handle
