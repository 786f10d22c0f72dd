"""Every management command of congdanso stands on the shared base command
(`core.commands.Command`): output in the user's language, and bad input — a refused action
or unreadable arguments — as one line in Vietnamese then English with exit code 2."""

import subprocess
import sys
from importlib import import_module
from pathlib import Path

import pytest
from django.core.management import get_commands

from congdanso.core.commands import Command as BaseCommand

OURS = sorted(name for name, app in get_commands().items() if app.startswith("congdanso."))


def test_the_commands_are_ours() -> None:
    assert {"import-residents", "export-residents", "report", "serve", "migrate"} <= set(OURS)


@pytest.mark.parametrize("name", OURS)
def test_every_command_stands_on_the_base_command(name: str) -> None:
    command = import_module(f"{get_commands()[name]}.management.commands.{name}").Command
    assert issubclass(command, BaseCommand), name


def _run(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own console script
        [sys.executable, "-m", "congdanso", *args],
        capture_output=True,
        text=True,
        env={"CONGDANSO_DATA_DIR": str(data_dir), "PATH": "/usr/bin:/bin"},
        check=False,
    )


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder with a database `migrate` has set up (SQLite)."""
    folder = tmp_path_factory.mktemp("migrated")
    assert _run(folder, "migrate", "-v", "0").returncode == 0
    return folder


@pytest.mark.parametrize(
    ("args", "set_up"),
    [
        (["import-residents"], False),  # arguments missing
        (["keys", "frobnicate"], False),  # a sub-command that does not exist
        (["places", "list", "--commune", "không-có"], False),  # no tables: migrate first
        (["places", "list", "--commune", "không-có"], True),  # a commune that does not exist
        (["export-residents", "--commune", "không-có", "--format", "xlsx"], True),
        (["report", "docx", "--campaign", "9999"], True),
    ],
)
def test_bad_input_is_one_bilingual_line_and_exit_code_2(
    args: list[str], set_up: bool, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    folder = request.getfixturevalue("migrated") if set_up else tmp_path
    done = _run(folder, *args)
    assert done.returncode == 2
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, done.stderr
    assert " / " in lines[0]  # Vietnamese, then English
    assert "Traceback" not in done.stderr and "usage:" not in done.stderr
