"""`make mutate`: mutation testing of the critical modules with mutmut, one module at a time,
each against its own tests only (not the whole suite: too slow, and a test elsewhere that
happens to run the code is not the test that guards it).

Each module runs in its own scratch directory under var/mutate/ (mutmut keeps its state in
`mutants/` beside the configuration it reads, so one configuration per directory), with its
own test database. Prints, per module, the surviving mutants and the score
(killed / all mutants), and ends with a table; `mutmut show NAME` in the module's directory
shows a mutant's diff. Equivalent survivors are listed, each with its reason, in
docs/mutants.md.

    python mutation/run.py                      # every module of MODULES
    python mutation/run.py core/idempotency.py  # some of them (paths under congdanso/)
    python mutation/run.py --again core/idempotency.py  # its survivors, after new tests
    DATABASE_URL=postgres://… python mutation/run.py --sqlite-survivors MODULE  # their
        # PostgreSQL branches: the SQLite run's survivors, on PostgreSQL
    python mutation/run.py --again --only '*add_residents*' MODULE  # some of them
"""

import argparse
import fnmatch
import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRATCH = ROOT / "var" / "mutate"
#: Read by the conftest files: each test process takes a test database of its own
#: (congdanso/conftest.py) and property tests stop at the first failing example (conftest.py).
MUTATION_RUN = "CONGDANSO_MUTATION_RUN"

#: module (under congdanso/) → the tests that guard it (under congdanso/).
MODULES: dict[str, list[str]] = {
    "core/idempotency.py": ["core/tests/test_idempotency.py", "api/tests/test_api.py"],
    "core/uploads.py": ["core/tests/test_uploads.py"],
    "core/crypto.py": [
        "core/tests/test_crypto.py",
        "core/tests/test_keys_command.py",
        "core/tests/test_keycheck.py",
    ],
    "people/personal.py": ["people/tests/test_personal.py"],
    # Its own tests, function by function; the permission matrices of the site and the API
    # check the same rules through every page, too slowly to run for every mutant.
    "scope/access.py": ["scope/tests"],
    "progress/tallies.py": [
        "progress/tests/test_tallies.py",
        "progress/tests/test_indicators_properties.py",
        "progress/tests/test_registered_by.py",  # tallies_registered_before
    ],
    "campaigns/achievements.py": ["campaigns/tests/test_achievements.py"],
    "campaigns/services.py": [
        "campaigns/tests/test_services.py",
        "campaigns/tests/test_services_setup.py",
    ],
    "people/importing/writing.py": [
        "people/tests/test_writing.py",
        "people/tests/test_import.py",
        "people/tests/test_import_triage.py",
    ],
    # Its own tests (each rule alone), and the import's through whole files. Not the triage's
    # property test: it holds two ways of finding the candidates to each other, both of
    # which decide with these rules, so a mutant here changes both sides alike.
    "people/importing/identity.py": [
        "people/tests/test_identity.py",
        "people/tests/test_import.py",
    ],
    # split out of writing.py by issue 18: the keys in memory and the namesakes by year, each
    # held to the plain way by a property test
    "people/importing/recall.py": [
        "people/tests/test_recall.py",
        "people/tests/test_import_triage.py",
    ],
    "people/importing/namesakes.py": ["people/tests/test_import_namesakes.py"],
    "vn/": ["vn/tests"],
}

KILLED = {"killed", "timeout", "caught by type check"}
_RESULT = re.compile(r"^\s+(\S+): (.+)$")


def _slug(module: str) -> str:
    return module.strip("/").replace("/", "-").removesuffix(".py")


def _on_server() -> bool:
    return os.environ.get("DATABASE_URL", "").startswith("postgres")


def _scratch(module: str, *, server: bool) -> Path:
    """The module's directory; a run against PostgreSQL has its own: its results are its own."""
    return SCRATCH / (_slug(module) + ("-postgresql" if server else ""))


def _prepare(module: str, tests: list[str]) -> Path:
    """A directory where `mutmut run` sees the project with this module's configuration."""
    where = _scratch(module, server=_on_server())
    where.mkdir(parents=True, exist_ok=True)
    missing = [t for t in tests if not (ROOT / "congdanso" / t).exists()]
    if missing:  # measuring an older tree, before some tests existed
        print(f"{module}: no {', '.join(missing)} here; without them", file=sys.stderr)
        tests = [t for t in tests if t not in missing]
    for name in ("congdanso", "conftest.py"):
        link = where / name
        if not link.exists():
            link.symlink_to(ROOT / name)
    project = (ROOT / "pyproject.toml").read_text()
    target = f"congdanso/{module}" + ("*" if module.endswith("/") else "")
    config = {
        "source_paths": ["congdanso/"],
        "only_mutate": [target],
        "do_not_mutate": ["*/tests/*", "*/migrations/*"],
        "also_copy": ["conftest.py"],
        "pytest_add_cli_args": ["-p", "no:cacheprovider", "-q", "--reuse-db"],
        "pytest_add_cli_args_test_selection": [f"congdanso/{t}" for t in tests],
    }
    # A mutant that makes the code loop or blow up (matching every row against every
    # resident) is stopped at 4× its tests' usual time plus 3 s for the session's start,
    # not mutmut's 15×: a survivor of the tallies' or the triage's property tests would
    # otherwise hold a core for two minutes.
    numbers = {"timeout_multiplier": 4.0, "timeout_constant": 3.0}
    lines = ["", "[tool.mutmut]"]
    for key, value in config.items():
        lines.append(f"{key} = [{', '.join(repr(v).replace(chr(39), chr(34)) for v in value)}]")
    lines += [f"{key} = {value}" for key, value in numbers.items()]
    text = project + "\n".join(lines) + "\n"
    tomllib.loads(text)  # the configuration must stay valid TOML
    (where / "pyproject.toml").write_text(text)
    return where


def _mutmut(where: Path, *args: str, log: Path | None = None) -> str:
    """mutmut's output; with `log`, written there as it comes (follow a long run with
    `tail -f`)."""
    env = os.environ | {"CONGDANSO_DATA_DIR": str(where / "data"), MUTATION_RUN: "1"}
    (where / "data").mkdir(exist_ok=True)
    command = [str(Path(sys.executable).parent / "mutmut"), *args]
    if log is None:
        done = subprocess.run(  # noqa: S603 - our own virtualenv's mutmut, fixed arguments
            command, cwd=where, env=env, text=True, capture_output=True, check=False
        )
        return done.stdout
    with log.open("w") as out:
        subprocess.run(  # noqa: S603 - as above
            command, cwd=where, env=env, stdout=out, stderr=subprocess.STDOUT, check=False
        )
    return log.read_text()


def _results(where: Path) -> dict[str, str]:
    """Each mutant's status, as mutmut recorded it."""
    statuses = {}
    for line in _mutmut(where, "results", "--all", "true").splitlines():
        found = _RESULT.match(line)
        if found is not None:
            statuses[found.group(1)] = found.group(2)
    return statuses


def run_module(
    module: str,
    *,
    jobs: int,
    fresh: bool = False,
    again: bool = False,
    sqlite_survivors: bool = False,
    only: list[str] | None = None,
) -> tuple[Counter[str], list[str], float]:
    """Runs the module's mutants (those without a result; every one with `fresh`; with
    `again`, only the survivors of the last run, against the tests as they are now; with
    `sqlite_survivors`, on PostgreSQL, only those that survived the run on SQLite, and the
    results are both runs': a mutant is killed when either database's run killed it). With
    `only` (patterns of mutant names), those of the chosen mutants that match."""
    where = _prepare(module, MODULES[module])
    if fresh:
        shutil.rmtree(where / "mutants", ignore_errors=True)
    names = []
    if again:
        names = [n for n, status in _results(where).items() if status not in KILLED]
    earlier: dict[str, str] = {}
    if sqlite_survivors:
        earlier = _results(_scratch(module, server=False))
        names = [n for n, status in earlier.items() if status not in KILLED]
    if only:
        if not (again or sqlite_survivors):
            names = list(_results(where))
        names = [n for n in names if any(fnmatch.fnmatchcase(n, p) for p in only)]
    started = time.monotonic()
    if names or not (again or sqlite_survivors or only):
        _mutmut(where, "run", "--max-children", str(jobs), *names, log=where / "run.log")
    took = time.monotonic() - started
    results = _results(where)
    if sqlite_survivors:
        results = earlier | {n: results.get(n, earlier[n]) for n in names}
    statuses = Counter(results.values())
    survivors = [f"{name}: {status}" for name, status in results.items() if status not in KILLED]
    if not statuses:
        print(f"{module}: mutmut gave no results; see {where / 'run.log'}", file=sys.stderr)
    return statuses, survivors, took


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", help="paths under congdanso/ (default: all)")
    parser.add_argument("--jobs", type=int, default=1, help="mutants tested at once")
    parser.add_argument("--fresh", action="store_true", help="forget earlier results")
    parser.add_argument(
        "--again",
        action="store_true",
        help="run the survivors of the last run again (after writing the tests they led to)",
    )
    parser.add_argument(
        "--sqlite-survivors",
        action="store_true",
        help="with DATABASE_URL=postgres://…: only the survivors of the SQLite run, on "
        "PostgreSQL (its own branches), scored with the SQLite run",
    )
    parser.add_argument(
        "--only",
        action="append",
        metavar="PATTERN",
        help="only the mutants whose name matches (a glob: '*add_residents*'; repeatable), "
        "among those the other options choose",
    )
    options = parser.parse_args()
    if options.sqlite_survivors and not _on_server():
        parser.error("--sqlite-survivors runs on PostgreSQL: set DATABASE_URL=postgres://…")
    unknown = [m for m in options.modules if m not in MODULES]
    if unknown:
        parser.error(f"not a critical module: {', '.join(unknown)} (see MODULES)")
    rows = []
    for module in options.modules or list(MODULES):
        statuses, survivors, took = run_module(
            module,
            jobs=options.jobs,
            fresh=options.fresh,
            again=options.again,
            sqlite_survivors=options.sqlite_survivors,
            only=options.only,
        )
        total = sum(statuses.values())
        killed = sum(n for status, n in statuses.items() if status in KILLED)
        score = f"{100 * killed / total:.0f} %" if total else "-"
        print(f"== {module}: {killed}/{total} killed ({score}) in {took:.0f} s")
        for line in survivors:
            print(f"   {line}")
        rows.append((module, killed, total, score, took))
    print("\nmodule                          killed / mutants   score    time")
    for module, killed, total, score, took in rows:
        print(f"{module:<32}{killed:>6} / {total:<9}{score:>7}{took:>7.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
