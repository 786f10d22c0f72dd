"""Report benchmark: how long the report files of a 20,000-resident commune take (issue 6,
"Speed": the .docx and the .xlsx in ≤ 2 s each; issue 16: the progress card in ≤ 0.5 s and
≤ 200 KB; issue 19: the PDF conversion in ≤ 10 s), SQLite.

Run from the repository root (``make bench`` does)::

    .venv/bin/python benchmarks/reports.py [--residents 20000] [--seed 2023] [--runs 5]
        [--rebuild]

Data: the demo commune that ``benchmarks/pages.py`` builds and keeps as
``var/bench/pages/pristine.sqlite3`` (built here the same way when it is missing or was built
for other sizes; ``--rebuild`` builds it again), copied to ``var/bench/reports/`` and migrated,
so that the two benchmarks share one build and never write to each other's files.

Each measurement is one entry of ``MEASUREMENTS``: a label, a target in seconds and a function
making the file once for the request (the commune's campaign, its whole place, as of the
campaign's end). It is timed ``--runs`` times after one warm-up, in this process; the median
and the slowest run are reported with the CPU time (the machine is shared). To add a report,
add an entry.

The Markdown report goes to stdout and to ``var/bench/reports.md``; progress to stderr. The
script reports and does not assert: it exits 0 when a target is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "var" / "bench"
PAGES_DIR = BENCH_DIR / "pages"
DATA_DIR = BENCH_DIR / "reports"
REPORT = BENCH_DIR / "reports.md"
COMMUNE_CODE = "66-krong-pac-ea-yong"
#: Files of the pages benchmark's data directory that the copy needs beside the database
#: (the secret key and the keys that seal personal data).
DATA_FILES = ("secret_key", "keys.json")

_T0 = time.perf_counter()


def log(message: str) -> None:
    print(f"[{time.perf_counter() - _T0:6.1f}s] {message}", file=sys.stderr, flush=True)


@dataclass(frozen=True)
class Measurement:
    """One file to time: `make(request, work_dir)` writes or returns it once."""

    key: str
    label: str
    target_seconds: float
    make: Callable[[Any, Path], object]


def _docx(request: Any, work_dir: Path) -> object:
    from congdanso.reports.docx import report_docx

    return report_docx(request)


def _pdf(request: Any, work_dir: Path) -> object:
    """The .docx converted by LibreOffice (issue 19: ≤ 10 s); the .docx made once, before,
    so this is the conversion alone: a new LibreOffice process and profile each time."""
    from congdanso.reports.docx import report_docx
    from congdanso.reports.pdf import docx_to_pdf

    docx = _DOCX.get(id(request))
    if docx is None:
        docx = _DOCX[id(request)] = report_docx(request)
    return docx_to_pdf(docx)


_DOCX: dict[int, bytes] = {}


def _card(request: Any, work_dir: Path) -> object:
    from congdanso.reports.card import report_card

    return report_card(request)


def _card_listed(request: Any, work_dir: Path) -> object:
    """The card with the dashboard's `chot`: only the residents in the list by the date (its
    figures, and the week before's, computed from the data rather than the tallies)."""
    import dataclasses

    from congdanso.reports.card import report_card

    return report_card(dataclasses.replace(request, registered_by=request.on))


#: What is timed, in order.
MEASUREMENTS: list[Measurement] = [
    Measurement("docx", "Official report (.docx)", 2.0, _docx),
    # Issue 19: the same report as a PDF, made by LibreOffice headless (skipped without it).
    Measurement("pdf", "Official report as PDF (LibreOffice conversion)", 10.0, _pdf),
    # Issue 16, item 3: the card to share, ≤ 0.5 s and ≤ 200 KB (the size column).
    Measurement("card", "Progress card (.png)", 0.5, _card),
    Measurement(
        "card-listed", "Progress card (.png), only the list by the date", 2.0, _card_listed
    ),
]


@dataclass
class Result:
    measurement: Measurement
    wall: list[float]
    cpu: list[float]
    size: int | None

    @property
    def median(self) -> float:
        return statistics.median(self.wall)


def data_prepare(args: argparse.Namespace) -> dict[str, Any]:
    """The pages benchmark's pristine database (built by it when missing or stale), copied
    into this benchmark's data directory."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import pages

    pristine = PAGES_DIR / "pristine.sqlite3"
    build_file = PAGES_DIR / "build.json"
    wanted = {"residents": args.residents, "seed": args.seed, "version": pages.DATA_VERSION}
    built = json.loads(build_file.read_text()) if build_file.exists() else {}
    if args.rebuild or not pristine.exists() or built.get("wanted") != wanted:
        pages_env = {**os.environ, "CONGDANSO_DATA_DIR": str(PAGES_DIR)}
        pages_env.pop("DATABASE_URL", None)
        built = pages.data_prepare(args, pages_env)
    log(f"copying {pristine.relative_to(ROOT)} to {DATA_DIR.relative_to(ROOT)}")
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{DATA_DIR / 'congdanso.sqlite3'}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(pristine, DATA_DIR / "congdanso.sqlite3")
    for name in DATA_FILES:
        if (PAGES_DIR / name).exists():
            shutil.copyfile(PAGES_DIR / name, DATA_DIR / name)
    return built


def measure(runs: int) -> tuple[list[Result], dict[str, str]]:
    import django

    django.setup()
    from django.core.management import call_command

    from congdanso.campaigns.models import Campaign
    from congdanso.people.models import Resident
    from congdanso.places.models import Place
    from congdanso.reports.selectors import report_request

    call_command("migrate", "--noinput", verbosity=0)
    commune = Place.objects.get(code=COMMUNE_CODE)
    campaign = Campaign.objects.filter(place=commune).order_by("pk").first()
    if campaign is None:
        raise RuntimeError("the demo made no campaign")
    request = report_request(campaign_id=campaign.pk, on=campaign.end_date)
    facts = {
        "residents": f"{Resident.objects.filter(commune=commune).count():,}",
        "campaign": f"{campaign.name} (id {campaign.pk}), as of {request.on:%d/%m/%Y}",
    }
    work_dir = DATA_DIR / "out"
    work_dir.mkdir(exist_ok=True)
    results = []
    for item in MEASUREMENTS:
        if item.key == "pdf" and shutil.which("soffice") is None:
            log(f"{item.label}: skipped, LibreOffice is not installed")
            continue
        log(f"{item.label}: warm-up and {runs} runs")
        made = item.make(request, work_dir)
        wall, cpu = [], []
        for _ in range(runs):
            t0, c0 = time.perf_counter(), time.process_time()
            made = item.make(request, work_dir)
            wall.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
        size = len(made) if isinstance(made, bytes) else None
        if isinstance(made, Path) and made.exists():
            size = made.stat().st_size
        results.append(Result(item, wall, cpu, size))
    return results, facts


def report(results: Sequence[Result], facts: dict[str, str], args: argparse.Namespace) -> str:
    lines = [
        "# Report files: time to make them",
        "",
        f"- data: the demo commune, {facts['residents']} residents; {facts['campaign']}",
        f"- machine: {platform.machine()}, {os.cpu_count()} CPUs, load {args.load:.2f}; "
        f"Python {platform.python_version()}; SQLite",
        f"- runs: {args.runs} after one warm-up, in one process",
        "",
        "| file | median | slowest | CPU (median) | size | target | |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for result in results:
        item = result.measurement
        ok = "ok" if result.median <= item.target_seconds else "**missed**"
        size = f"{result.size / 1024:,.0f} KB" if result.size is not None else "–"
        lines.append(
            f"| {item.label} | {result.median:.2f} s | {max(result.wall):.2f} s | "
            f"{statistics.median(result.cpu):.2f} s | {size} | ≤ {item.target_seconds:g} s | "
            f"{ok} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--residents", type=int, default=20_000, help="demo commune size")
    parser.add_argument("--seed", type=int, default=2023)
    parser.add_argument("--runs", type=int, default=5, help="timed runs per file")
    parser.add_argument("--rebuild", action="store_true", help="build the database again")
    args = parser.parse_args(argv)
    args.load = os.getloadavg()[0]
    env = {
        **os.environ,
        "CONGDANSO_DATA_DIR": str(DATA_DIR),
        "CONGDANSO_DEBUG": "",  # debug mode would keep every query in memory
        "DJANGO_SETTINGS_MODULE": "congdanso.settings",
    }
    env.pop("DATABASE_URL", None)  # the targets are for SQLite
    data_prepare(args)
    os.environ.clear()
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    results, facts = measure(args.runs)
    text = report(results, facts, args)
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(text, encoding="utf-8")
    print(text)
    log(f"report written to {REPORT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
