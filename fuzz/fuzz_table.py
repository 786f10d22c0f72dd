"""Coverage-guided fuzzing (atheris) of the file readers the importers share: any bytes, saved
as .csv or .xlsx, must either be read (rows and a header found or refused) or refused with our
error (`DomainError` / `ImportFailed`) — never another exception.

    .venv/bin/python fuzz/fuzz_table.py -runs=5000
"""

import contextlib
import itertools
import os
import sys
import tempfile
from pathlib import Path

import atheris

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "congdanso.settings")
os.environ.setdefault("CONGDANSO_DATA_DIR", tempfile.mkdtemp(prefix="congdanso-fuzz-"))

import django  # noqa: E402

django.setup()

with atheris.instrument_imports():
    from congdanso.core.errors import DomainError
    from congdanso.people.importing.header import find_header
    from congdanso.people.importing.reading import open_table

FOLDER = Path(tempfile.mkdtemp(prefix="congdanso-fuzz-files-"))


def test_one_input(data: bytes) -> None:
    provider = atheris.FuzzedDataProvider(data)
    suffix = provider.PickValueInList([".csv", ".xlsx", ".ods", ".xls"])
    path = FOLDER / f"input{suffix}"
    path.write_bytes(provider.ConsumeBytes(provider.remaining_bytes()))
    with contextlib.suppress(DomainError):  # our refusal, with its message
        table = open_table(path)
        find_header(list(itertools.islice(table.rows, 40)))


def main() -> None:
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
