"""The atheris fuzzers in fuzz/, run briefly on every test run (longer by hand: see their
docstrings). A crash makes libFuzzer exit non-zero with the input that caused it."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize(
    ("harness", "arguments"),
    [
        ("fuzz_vn.py", ["-runs=50000", "-max_len=200"]),
        ("fuzz_table.py", ["-runs=3000", "-max_len=4096"]),
    ],
)
def test_the_fuzzer_finds_no_crash(harness: str, arguments: list[str], tmp_path: Path) -> None:
    environment = {**os.environ, "CONGDANSO_DATA_DIR": str(tmp_path), "PYTHONPATH": str(ROOT)}
    environment.pop("DATABASE_URL", None)  # the readers need no database
    result = subprocess.run(  # noqa: S603 - our own script, fixed arguments
        [sys.executable, str(ROOT / "fuzz" / harness), "-seed=1", *arguments],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Done" in result.stderr
