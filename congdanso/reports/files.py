"""Writing a report file whole or not at all: into a temporary file beside the target, renamed
over it only once complete (an error half-way leaves no partial file)."""

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from congdanso.core.errors import DomainError, Message


def write_atomically(path: Path, write: Callable[[Path], object]) -> Path:
    """Call `write(temporary_path)`, then move the file to `path`."""
    path = Path(path)
    if not path.parent.is_dir():
        raise DomainError(
            Message(_("The folder %(folder)s does not exist."), folder=str(path.parent)),
            code="path_invalid",
        )
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    os.close(fd)
    temporary = Path(name)
    try:
        write(temporary)
        temporary.replace(path)
    finally:
        temporary.unlink(missing_ok=True)
    return path
