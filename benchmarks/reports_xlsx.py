"""Workbook benchmark (issue 6, "Speed"): the Excel workbook of a 20,000-resident commune in
≤ 2 s, and the province's workbook of 3,000,000 residents with a peak memory ≤ 500 MB.

Run from the repository root::

    .venv/bin/python benchmarks/reports_xlsx.py [--runs 3] [--pg URL] [--skip-commune]
        [--skip-province]

1. Commune time: the 20,000-resident demo commune that ``benchmarks/pages.py`` builds and
   keeps (``var/bench/pages/pristine.sqlite3``, with its keyring), copied into a temporary data
   directory and migrated; ``report_xlsx`` of its campaign (the residents' sheet included, the
   numbers decrypted and masked as on the command line), median of ``--runs`` after one
   warm-up, in a subprocess. Target ≤ 2 s.
2. Province memory: ``congdanso report xlsx`` of the province-wide campaign in the PostgreSQL
   database ``congdanso_bench_indicators`` (3,000,000 residents, kept by
   ``benchmarks/indicators.py --keep``), as a subprocess whose peak resident set size is read
   from the kernel (``wait4``'s ``ru_maxrss``). Target ≤ 500 MB. Its wall time is printed too.

Either part is skipped, with the reason printed, when its database is missing. The report
goes to stdout and to ``var/bench/reports_xlsx.md``; progress to stderr. It reports and does
not assert (exit 0 when a target is missed).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PAGES_DIR = ROOT / "var" / "bench" / "pages"
PROVINCE_DIR = ROOT / "var" / "bench" / "indicators-postgresql"
PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432"
PG_DB = "congdanso_bench_indicators"
COMMUNE_TARGET_S = 2.0
PROVINCE_TARGET_MB = 500.0
STARTED = time.monotonic()


def log(message: str) -> None:
    print(f"[{time.monotonic() - STARTED:7.1f}s] {message}", file=sys.stderr, flush=True)


def _env(data_dir: Path, database_url: str | None = None) -> dict[str, str]:
    env = {
        **os.environ,
        "CONGDANSO_DATA_DIR": str(data_dir),
        "DJANGO_SETTINGS_MODULE": "congdanso.settings",
        "CONGDANSO_LANGUAGE": "vi",
    }
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


# --- 1. The commune's workbook, timed ---------------------------------------------------------


def commune_time(runs: int) -> dict[str, Any]:
    pristine = PAGES_DIR / "pristine.sqlite3"
    if not pristine.exists():
        return {"skipped": f"{pristine.relative_to(ROOT)} is missing: run benchmarks/pages.py"}
    with tempfile.TemporaryDirectory(prefix="bench-xlsx-") as tmp:
        work = Path(tmp)
        shutil.copyfile(pristine, work / "congdanso.sqlite3")
        for name in ("keys.json", "secret_key"):
            shutil.copyfile(PAGES_DIR / name, work / name)
            (work / name).chmod(0o600)
        log("commune: migrating a copy of the pages benchmark's database")
        done = subprocess.run(
            [sys.executable, __file__, "--worker", "commune", "--runs", str(runs)],
            cwd=ROOT,
            env=_env(work),
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            return {"skipped": f"the worker failed: {done.stderr.strip()[-2000:]}"}
        return json.loads(done.stdout.strip().splitlines()[-1])


def commune_worker(runs: int) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    from congdanso.campaigns.models import Campaign
    from congdanso.people.models import Resident
    from congdanso.reports.selectors import report_request
    from congdanso.reports.xlsx import report_xlsx

    call_command("migrate", verbosity=0)
    campaign = Campaign.objects.filter(place__kind="commune").order_by("pk").first()
    if campaign is None:
        raise SystemExit("the pages benchmark's database has no commune campaign")
    request = report_request(campaign_id=campaign.pk)
    out = Path(os.environ["CONGDANSO_DATA_DIR"]) / "book.xlsx"
    times = []
    for run in range(runs + 1):  # the first is a warm-up
        started = time.perf_counter()
        report_xlsx(request, out)
        elapsed = time.perf_counter() - started
        if run:
            times.append(elapsed)
    result = {
        "campaign": campaign.name,
        "place": request.place.name,
        "date": request.on.isoformat(),
        "residents": Resident.objects.filter(commune=request.place, status="living").count(),
        "seconds": statistics.median(times),
        "runs": [round(t, 3) for t in times],
        "bytes": out.stat().st_size,
    }
    print(json.dumps(result))


# --- 2. The province's workbook, peak memory ----------------------------------------------------


def _province_campaign(pg: str) -> tuple[int, int] | str:
    """(campaign id, residents) of the province-wide campaign, or why there is none."""
    import psycopg

    try:
        with psycopg.connect(f"{pg}/{PG_DB}", autocommit=True) as conn:
            row = conn.execute(
                """SELECT c.id, p.path FROM campaigns_campaign c
                   JOIN places_place p ON p.id = c.place_id
                   WHERE p.kind = 'province' ORDER BY c.id LIMIT 1"""
            ).fetchone()
            if row is None:
                return f"{PG_DB} has no province-wide campaign"
            (residents,) = conn.execute(
                "SELECT count(*) FROM people_resident WHERE status = 'living'"
            ).fetchone() or (0,)
            return int(row[0]), int(residents)
    except psycopg.OperationalError as error:
        return f"no database {PG_DB} on {pg} ({str(error).strip().splitlines()[0]}): run " + (
            "benchmarks/indicators.py --skip-sqlite --keep"
        )


def province_memory(pg: str) -> dict[str, Any]:
    found = _province_campaign(pg)
    if isinstance(found, str):
        return {"skipped": found}
    campaign_id, residents = found
    if not (PROVINCE_DIR / "keys.json").exists():
        return {"skipped": f"{PROVINCE_DIR.relative_to(ROOT)}/keys.json is missing"}
    with tempfile.TemporaryDirectory(prefix="bench-xlsx-") as tmp:
        out = Path(tmp) / "province.xlsx"
        command = [
            str(ROOT / ".venv" / "bin" / "congdanso"),
            "report",
            "xlsx",
            "--campaign",
            str(campaign_id),
            "--out",
            str(out),
        ]
        log(f"province: congdanso report xlsx --campaign {campaign_id} ({residents:,} residents)")
        started = time.perf_counter()
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=_env(PROVINCE_DIR, f"{pg}/{PG_DB}"),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        # wait4 gives this child's own peak RSS (KiB on Linux) — not the largest of all children.
        _pid, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - started
        stderr = process.stderr.read().decode() if process.stderr else ""
        if os.waitstatus_to_exitcode(status) != 0:
            return {"skipped": f"the command failed: {stderr.strip()[-2000:]}"}
        size = out.stat().st_size
        rows = _rows_in(out)
    return {
        "campaign": campaign_id,
        "residents": residents,
        "resident_rows": rows,
        "peak_mb": usage.ru_maxrss / 1024,
        "seconds": elapsed,
        "bytes": size,
    }


def _rows_in(path: Path) -> int | None:
    """The residents' rows, from the dimensions of the residents' sheets — the 8th sheet and
    those after it, which continue it past Excel's row limit (reading 3 M rows back is slow)."""
    import re
    import zipfile

    total = 0
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            number = re.fullmatch(r"xl/worksheets/sheet(\d+)\.xml", name)
            if number is None or int(number.group(1)) < 8:
                continue
            with archive.open(name) as sheet:
                head = sheet.read(4096).decode("utf-8", "replace")
            match = re.search(r'<dimension ref="[A-Z]+\d+:[A-Z]+(\d+)"', head)
            if match is None:
                return None
            total += int(match.group(1)) - 1
    return total


# --- The report -----------------------------------------------------------------------------


def report(commune: dict[str, Any] | None, province: dict[str, Any] | None) -> str:
    lines = [
        "# Excel workbook benchmark",
        "",
        "| case | figure | target | verdict |",
        "|---|---|---|---|",
    ]
    if commune is not None:
        if "skipped" in commune:
            lines.append(f"| commune workbook | skipped: {commune['skipped']} | ≤ 2 s | – |")
        else:
            ok = commune["seconds"] <= COMMUNE_TARGET_S
            lines.append(
                f"| commune workbook, {commune['residents']:,} residents "
                f"({commune['bytes'] / 1e6:.1f} MB) | {commune['seconds']:.2f} s "
                f"(runs {commune['runs']}) | ≤ {COMMUNE_TARGET_S:g} s "
                f"| {'met' if ok else 'MISSED'} |"
            )
    if province is not None:
        if "skipped" in province:
            lines.append(f"| province workbook | skipped: {province['skipped']} | ≤ 500 MB | – |")
        else:
            # Every resident must be in the workbook (over several sheets past Excel's limit).
            complete = province["resident_rows"] == province["residents"]
            ok = province["peak_mb"] <= PROVINCE_TARGET_MB and complete
            lines.append(
                f"| province workbook, {province['residents']:,} residents "
                f"({province['resident_rows']:,} rows, {province['bytes'] / 1e6:.0f} MB, "
                f"{province['seconds']:.0f} s) | peak RSS {province['peak_mb']:.0f} MB "
                f"| ≤ {PROVINCE_TARGET_MB:g} MB, every resident "
                f"| {'met' if ok else 'MISSED' + ('' if complete else ': residents missing')} |"
            )
    lines += ["", f"Machine: {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f} at the end."]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pg", default=PG_DEFAULT, help="PostgreSQL server URL (no database)")
    parser.add_argument("--skip-commune", action="store_true")
    parser.add_argument("--skip-province", action="store_true")
    parser.add_argument("--worker", choices=("commune",), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        commune_worker(args.runs)
        return 0
    commune = None if args.skip_commune else commune_time(args.runs)
    if commune is not None:
        log(f"commune: {commune}")
    province = None if args.skip_province else province_memory(args.pg)
    if province is not None:
        log(f"province: {province}")
    text = report(commune, province)
    print(text)
    out = ROOT / "var" / "bench" / "reports_xlsx.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
