"""The suite's CI rules (the root conftest.py): under CI=true a skip, an xfail that no
`xfail_allowed` mark accepts, and an xfail that passes each fail the run."""

from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parents[3]

CASES = {
    "passes": "def test_it():\n    assert True\n",
    "skips": "import pytest\n\ndef test_it():\n    pytest.skip('no database')\n",
    "xfails": "import pytest\n\ndef test_it():\n    pytest.xfail('not translated yet')\n",
    "marked_xfail": (
        "import pytest\n\n@pytest.mark.xfail(reason='a bug')\ndef test_it():\n    assert False\n"
    ),
    "allowed_xfail": (
        "import pytest\n\n"
        "@pytest.mark.xfail_allowed(reason='upstream bug, see its issue')\n"
        "@pytest.mark.xfail(reason='upstream bug')\n"
        "def test_it():\n    assert False\n"
    ),
    "xpasses": (
        "import pytest\n\n@pytest.mark.xfail(reason='stale')\ndef test_it():\n    assert True\n"
    ),
}


def _run(pytester: pytest.Pytester, case: str) -> pytest.RunResult:
    pytester.makeconftest((ROOT / "conftest.py").read_text())
    pytester.makeini(
        "[pytest]\nxfail_strict = true\naddopts = --strict-markers\nmarkers =\n"
        "    xfail_allowed(reason): an xfail CI accepts\n"
    )
    pytester.makepyfile(**{f"test_{case}": CASES[case]})
    return pytester.runpytest("-p", "no:django", "-p", "no:cacheprovider")


@pytest.mark.parametrize(
    ("case", "in_ci", "locally"),
    [
        ("passes", 0, 0),
        ("skips", 1, 0),
        ("xfails", 1, 0),
        ("marked_xfail", 1, 0),
        ("allowed_xfail", 0, 0),
        ("xpasses", 1, 1),  # xfail_strict: everywhere
    ],
)
def test_ci_fails_on_skips_and_unexpected_xfails(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, case: str, in_ci: int, locally: int
) -> None:
    monkeypatch.setenv("CI", "true")
    assert _run(pytester, case).ret == in_ci

    monkeypatch.setenv("CI", "")
    assert _run(pytester, case).ret == locally
