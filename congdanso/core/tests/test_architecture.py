"""The layers hold: domain apps import only the apps below them, in one declared order, and
never the interfaces (docs/ARCHITECTURE.md).

Every import statement counts — at the top of a module, inside a function, under
`TYPE_CHECKING` — in every module of an app except its tests and migrations. A lower app that
must trigger a higher one calls a hook (`core.hooks`), which the higher app registers in its
`AppConfig.ready()`.

`python -m congdanso.core.tests.test_architecture` prints the app-level import arrows (how
many import statements run from each app to each other one); CI prints them.
"""

import ast
import sys
from collections import Counter
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2]

#: The domain apps, lowest first: each may import only the apps before it.
ORDER = (
    "vn",  # pure Python: Vietnamese text, CCCD, phones, dates (no Django)
    "core",  # errors, audit log, encryption, hooks, uploads, backup, the base command
    "places",  # the place tree
    "partners",  # units, pledges, twinnings, donations (campaigns named by CampaignRef)
    "accounts",  # users and their roles over places (a role may name a unit)
    "people",  # the resident registry, its import and export
    "campaigns",  # criteria, campaigns and their rules, achievements, the achievement import
    "outreach",  # support sessions, turns, the schedule
    "progress",  # the tallies and the indicators (they count all of the above)
    "privacy",  # data-subject requests
    "scope",  # who sees what (the choke point) and the read models that depend on it
    "reports",  # the .docx, the workbook, the lists of people behind each figure
    "demo",  # the demo commune, built through every app's services
)
#: Interfaces: they may import any domain app; no domain app imports them.
INTERFACES = ("web", "api")
#: Arrows allowed against the order, each with its reason. Aim: none.
EXCEPTIONS: dict[tuple[str, str], str] = {}


def _sources(app: str) -> list[Path]:
    return sorted(
        path
        for path in (PACKAGE / app).rglob("*.py")
        if "tests" not in path.parts and "migrations" not in path.parts
    )


def _imported_apps(path: Path) -> list[tuple[str, int]]:
    """(app, line) of every `congdanso.<app>` the module imports, wherever the statement is."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
            if node.module == "congdanso":  # `from congdanso import people`
                names = [f"congdanso.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[0] == "congdanso" and len(parts) > 1:
                found.append((parts[1], node.lineno))
    return found


def arrows() -> Counter[tuple[str, str]]:
    """(from app, to app) → import statements, over the domain apps and the interfaces."""
    counted: Counter[tuple[str, str]] = Counter()
    for app in (*ORDER, *INTERFACES):
        for path in _sources(app):
            for target, _line in _imported_apps(path):
                if target != app and (PACKAGE / target).is_dir():
                    counted[(app, target)] += 1
    return counted


def test_every_app_of_the_package_has_its_place() -> None:
    apps = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}
    assert apps == set(ORDER) | set(INTERFACES)


def test_the_declared_order_is_the_order_of_installed_apps() -> None:
    from django.conf import settings

    installed = [
        app.split(".")[1]
        for app in settings.INSTALLED_APPS
        if app.startswith("congdanso.") and app.split(".")[1] in ORDER
    ]
    assert installed == [app for app in ORDER if app != "vn"]


@pytest.mark.parametrize("app", ORDER)
def test_a_domain_app_imports_only_apps_below_it_and_no_interface(app: str) -> None:
    below = set(ORDER[: ORDER.index(app)])
    wrong = [
        f"{path.relative_to(PACKAGE)}:{line} imports congdanso.{target}"
        for path in _sources(app)
        for target, line in _imported_apps(path)
        if target != app and target not in below and (app, target) not in EXCEPTIONS
    ]
    assert wrong == []


def test_no_two_apps_import_each_other() -> None:
    counted = arrows()
    circles = sorted({tuple(sorted(pair)) for pair in counted if pair[::-1] in counted})
    assert circles == []


def test_the_exceptions_are_still_needed() -> None:
    counted = arrows()
    assert [pair for pair in EXCEPTIONS if pair not in counted] == []


def main() -> None:
    counted = arrows()
    rank = {app: i for i, app in enumerate((*ORDER, *INTERFACES))}
    print("App-level import arrows (import statements; lazy ones included):")  # noqa: T201
    for (source, target), count in sorted(
        counted.items(), key=lambda i: (rank[i[0][0]], rank[i[0][1]])
    ):
        mark = "" if rank[target] < rank[source] or source in INTERFACES else "  <- UP"
        print(f"  {source:>9} -> {target:<9} {count:4}{mark}")  # noqa: T201
    sys.exit(0)


if __name__ == "__main__":
    main()
