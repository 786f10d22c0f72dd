"""Page benchmark: what each page of the site weighs on the wire and how long the server takes
(issue 5, "Budgets"), on the 20,000-resident demo commune, SQLite.

Run from the repository root (``make bench`` does)::

    .venv/bin/python benchmarks/pages.py [--residents 20000] [--seed 2023] [--runs 15]
        [--rebuild] [--screenshots]

What it does
------------
1. Data: the demo commune (``congdanso demo --residents``: xã Ea Yông with its 2023
   campaign and a simulated year of sessions) and one account, a campaign manager of the
   commune (``users add``), in a SQLite database built once and kept as
   ``var/bench/pages/pristine.sqlite3`` (``build.json`` beside it says for which sizes;
   ``--rebuild`` builds it again). Each run works on a copy of it (``congdanso.sqlite3`` in
   the same data directory), migrated, so that the criteria ticked by a run do not pile up;
   then ``collectstatic`` into the data directory (whitenoise: hashed names, gzip).
2. The real server: ``gunicorn congdanso.wsgi`` as ``make run`` starts it (2 workers ×
   4 threads, debug off) on a free loopback port; pages gzipped by Django's GZipMiddleware,
   static files served precompressed by whitenoise. Stopped at the end, on Ctrl-C and on errors.
3. Weight: each page is loaded once in headless Chromium (Debian's ``/usr/bin/chromium``
   through Playwright; a phone's viewport) in a fresh browser context — an empty cache, as a
   volunteer's first visit — signed in with the manager's session. The figure is the sum of
   ``encodedDataLength`` of every request of the page (CDP ``Network.loadingFinished``): the
   bytes on the wire, compressed, headers included — HTML, CSS, JS and anything else it loads
   (the charts are SVG inside the HTML). Budget: 60 KB a page.
4. Server time: ``--runs`` GETs of each page (after one warm-up) over one keep-alive
   connection (``http.client``, ``Accept-Encoding: gzip``, the session cookie), each timed
   from sending the request to the last byte of the answer; median and p95. Ticking a
   criterion is a POST of the person card's "… — xong" button (``campaigns:record``, with the
   CSRF token) for ``--runs`` + 1 residents who lacked the criterion. Targets: dashboard
   ≤ 150 ms, search ≤ 50 ms, ticking ≤ 50 ms. The log-in page, which reads nothing from the
   database, is the floor: what any request costs.

``--screenshots`` writes the README's pictures instead of measuring, from the same data and
server: ``docs/screenshots/dashboard.png`` (desktop, 1280 px wide) and, on a 360×740 phone,
``field-search.png``, ``person-card.png`` and ``session.png``.

The Markdown report goes to stdout and to ``var/bench/pages.md``; progress to stderr. The
script reports and does not assert: it exits 0 when a budget is missed. A run takes about a
minute once the database is built (~30 s); each series of requests stops after ``SERIES_SECONDS``
so that a slow page cannot make it last more than a few minutes.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import http.client
import json
import os
import shutil
import signal
import sqlite3
import statistics
import sys
import time
import urllib.parse
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from webserver import (
    PHONE,
    Server,
    Session,
    Weight,
    browser_cookies,
    chromium,
    congdanso,
    environment,
    log,
    log_in,
    page_weight,
    percentile,
    remove_database,
    serving,
)

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "var" / "bench"
DATA_DIR = BENCH_DIR / "pages"
REPORT = BENCH_DIR / "pages.md"
SCREENSHOTS = ROOT / "docs" / "screenshots"
COMMUNE_CODE = "66-krong-pac-ea-yong"
USERNAME = "bench-thu-ky"
PASSWORD = "pages-bench-Passw0rd-2023"  # noqa: S105 - the account of a throwaway database
#: Bumped whenever what the build makes changes, so that a kept database is rebuilt.
DATA_VERSION = 1
TICK_CRITERION = "cashless_payment"
SEARCH = "hoa nguyen"  # the example; ~380 residents of the demo match it
SERIES_SECONDS = 10.0  # a series of requests to one page stops after this, whatever --runs

BUDGET_KB = 60.0
TARGET_MS = {"dashboard": 150.0, "search": 50.0, "search-partial": 50.0, "tick": 50.0}

# ------------------------------------------------------------------------------- the data


def data_prepare(args: argparse.Namespace, env: dict[str, str]) -> dict[str, Any]:
    """The pristine database (built when missing, stale or asked for), copied for this run,
    migrated, and the static files collected. Returns how the data came about."""
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    pristine, working = DATA_DIR / "pristine.sqlite3", DATA_DIR / "congdanso.sqlite3"
    wanted = {"residents": args.residents, "seed": args.seed, "version": DATA_VERSION}
    build_file = DATA_DIR / "build.json"
    built = json.loads(build_file.read_text()) if build_file.exists() else {}
    reused = pristine.exists() and not args.rebuild and built.get("wanted") == wanted
    if not reused:
        log(f"building the demo commune ({args.residents:,} residents): migrate, demo, users add")
        t0 = time.perf_counter()
        remove_database(working)
        remove_database(pristine)
        build_file.unlink(missing_ok=True)
        congdanso("migrate", "--noinput", "--verbosity", "0", env=env)
        demo = congdanso(
            "demo", "--residents", str(args.residents), "--seed", str(args.seed), env=env
        )
        congdanso(
            "users", "add", USERNAME, "--role", "manager", "--place", COMMUNE_CODE,
            env={**env, "CONGDANSO_PASSWORD": PASSWORD},
        )  # fmt: skip
        with contextlib.closing(sqlite3.connect(working)) as db:
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        shutil.copyfile(working, pristine)
        built = {
            "wanted": wanted,
            "seconds": round(time.perf_counter() - t0, 1),
            "demo": demo.strip().splitlines()[:2],
        }
        build_file.write_text(json.dumps(built, ensure_ascii=False, indent=1))
    log("copying the database for this run; migrate; collectstatic")
    remove_database(working)
    shutil.copyfile(pristine, working)
    congdanso("migrate", "--noinput", "--verbosity", "0", env=env)
    congdanso("collectstatic", "--noinput", "--verbosity", "0", env=env)
    return {"reused": reused, **built}


@dataclass(frozen=True)
class Target:
    key: str
    label: str
    path: str
    signed_in: bool = True


@dataclass
class Site:
    """What the pages are about, read from the database of the run."""

    campaign_id: int
    targets: list[Target]
    tick_residents: list[int]
    facts: dict[str, str] = field(default_factory=dict)


def site_read(runs: int) -> Site:
    """The addresses of the pages (the largest village, a Nguyễn Thị Hoà, the session with the
    most turns…) and the residents to tick, from the ORM of this process."""
    from django.db.models import Count
    from django.urls import reverse

    from congdanso.campaigns.models import Achievement, Campaign
    from congdanso.outreach.models import SessionStatus, SupportSession
    from congdanso.partners.models import Donation, Pledge
    from congdanso.people.models import Resident, ResidentStatus
    from congdanso.places.models import Place
    from congdanso.vn import fold

    commune = Place.objects.get(code=COMMUNE_CODE)
    campaign = Campaign.objects.filter(place=commune).order_by("pk").first()
    if campaign is None:
        raise RuntimeError("the demo made no campaign")
    cid = campaign.pk
    village = _largest_village(commune)
    key = fold("Nguyễn Thị Hoà")
    card = Resident.objects.filter(commune=commune, name_key=key).order_by("pk").first()
    if card is None:
        card = Resident.objects.filter(commune=commune).order_by("pk").first()
    session = (
        SupportSession.objects.filter(campaign=campaign, status=SessionStatus.HELD)
        .annotate(turn_count=Count("turns"))
        .order_by("-turn_count", "-date")
        .first()
    )
    pledge = Pledge.objects.filter(campaign=campaign).order_by("pk").first()
    donation = Donation.objects.filter(campaign=campaign).order_by("pk").first()
    if session is None or pledge is None or donation is None or card is None:
        raise RuntimeError("the demo has no session, pledge, donation or resident")
    has_it = Achievement.objects.filter(
        commune_id=commune.pk, criterion__code=TICK_CRITERION, withdrawn_at__isnull=True
    ).values("resident_id")
    tick = list(
        Resident.objects.filter(
            commune=commune,
            status=ResidentStatus.LIVING,
            birth_date__lt=dt.date(2005, 1, 1),
            village__isnull=False,
        )
        .exclude(pk__in=has_it)
        .order_by("pk")
        .values_list("pk", flat=True)[: runs + 1]
    )
    query = urllib.parse.urlencode({"q": SEARCH})
    targets = [
        Target("login", "Log-in (the floor)", reverse("accounts:login"), signed_in=False),
        Target("dashboard", "Dashboard", reverse("campaigns:dashboard", args=[cid])),
        Target("people", "People list", reverse("campaigns:people", args=[cid])),
        Target(
            "village",
            f"Village page ({village.name})",
            reverse("campaigns:village", args=[cid, village.code]),
        ),
        Target(
            "print",
            f"Print view ({village.name})",
            reverse("campaigns:village_print", args=[cid, village.code]),
        ),
        Target(
            "search",
            f"Search “{SEARCH}”",
            reverse("people:search", args=[cid]) + "?" + query,
        ),
        Target(
            "search-partial",
            "Search as you type (results only)",
            reverse("people:search", args=[cid]) + "?" + query + "&partial=1",
        ),
        Target("card", "Person card", reverse("people:card", args=[cid, card.pk])),
        Target("sessions", "Sessions", reverse("outreach:sessions", args=[cid])),
        Target(
            "session",
            f"Session mode (“{SEARCH}”)",
            reverse("outreach:session", args=[cid, session.pk]) + "?" + query,
        ),
        Target("setup", "Set-up", reverse("campaigns:setup", args=[cid])),
        Target("setup_targets", "Set-up: targets", reverse("campaigns:setup_targets", args=[cid])),
        Target("setup_units", "Set-up: units", reverse("campaigns:setup_units", args=[cid])),
        Target(
            "setup_pledge",
            "Set-up: a pledge",
            reverse("campaigns:setup_pledge", args=[cid, pledge.unit_id]),
        ),
        Target(
            "setup_twinnings", "Set-up: twinnings", reverse("campaigns:setup_twinnings", args=[cid])
        ),
        Target(
            "setup_donations", "Set-up: donations", reverse("campaigns:setup_donations", args=[cid])
        ),
        Target(
            "setup_donation",
            "Set-up: a donation",
            reverse("campaigns:setup_donation", args=[cid, donation.pk]),
        ),
        Target(
            "setup_schedule", "Set-up: schedule", reverse("campaigns:setup_schedule", args=[cid])
        ),
        Target("import", "Import", reverse("people:import")),
        Target("places", "Places", reverse("places:list")),
    ]
    residents = Resident.objects.filter(commune=commune).count()
    facts = {
        "residents": f"{residents:,}",
        "largest village": f"{village.name} ({Resident.objects.filter(village=village).count():,} residents)",  # noqa: E501
        "session": f"{session.place.name}, {session.date:%d/%m/%Y}",
    }
    return Site(cid, targets, tick, facts)


def _largest_village(commune: Any) -> Any:
    from django.db.models import Count

    from congdanso.people.models import Resident
    from congdanso.places.models import Place, PlaceKind

    counts = dict(
        Resident.objects.filter(commune=commune)
        .values_list("village_id")
        .annotate(n=Count("pk"))
        .values_list("village_id", "n")
    )
    villages = Place.objects.filter(
        parent=commune, kind__in=[PlaceKind.VILLAGE, PlaceKind.EDE_VILLAGE]
    )
    return max(villages, key=lambda v: (counts.get(v.pk, 0), -v.pk))


# ----------------------------------------------------------------------------- the server


@dataclass
# ------------------------------------------------------------------------------ HTTP side


@dataclass
class Timing:
    runs: list[float]
    status: int
    location: str = ""  # of the last answer, for a redirect
    sent: int = 0  # requests sent, the warm-up included

    @property
    def median(self) -> float:
        return statistics.median(self.runs)

    @property
    def p95(self) -> float:
        return percentile(self.runs, 0.95)


def time_requests(
    server: Server, session: Session | None, requests: Sequence[tuple[str, str, str]]
) -> Timing:
    """Sends the requests (method, path, body) in turn over one keep-alive connection; the
    first one is a warm-up. A series stops after SERIES_SECONDS."""
    connection = http.client.HTTPConnection(server.host, server.port, timeout=60)
    headers = {"Accept-Encoding": "gzip", "Accept": "text/html"}
    if session is not None:
        headers["Cookie"] = session.header()
    times: list[float] = []
    status, location, sent = 0, "", 0
    started = time.perf_counter()
    for number, (method, path, body) in enumerate(requests):
        extra = {"Content-Type": "application/x-www-form-urlencoded"} if method == "POST" else {}
        t0 = time.perf_counter()
        connection.request(method, path, body=body or None, headers={**headers, **extra})
        response = connection.getresponse()
        response.read()
        elapsed = (time.perf_counter() - t0) * 1000
        status, location, sent = response.status, response.getheader("Location", ""), sent + 1
        if number:
            times.append(elapsed)
        if response.getheader("Connection", "").lower() == "close":
            connection.close()
            connection = http.client.HTTPConnection(server.host, server.port, timeout=60)
        if number and time.perf_counter() - started > SERIES_SECONDS:
            break
    connection.close()
    return Timing(times, status, location, sent)


def tick_requests(site: Site, session: Session) -> list[tuple[str, str, str]]:
    """The card's one-tap button for each resident to tick: the criterion and the token."""
    body = urllib.parse.urlencode(
        {"criterion": TICK_CRITERION, "csrfmiddlewaretoken": session.cookies["csrftoken"]}
    )
    return [
        ("POST", f"/chien-dich/{site.campaign_id}/nguoi/{resident}/ghi-nhan/", body)
        for resident in site.tick_residents
    ]


# --------------------------------------------------------------------------- browser side


# ------------------------------------------------------------------------------ measuring


@dataclass
class Row:
    target: Target
    weight: Weight | None
    timing: Timing


def measure(server: Server, site: Site, runs: int) -> list[Row]:
    session = log_in(server, USERNAME, PASSWORD)
    rows = []
    with chromium() as browser:
        for target in site.targets:
            who = session if target.signed_in else None
            weight = page_weight(browser, server, who, target.path)
            timing = time_requests(server, who, [("GET", target.path, "")] * (runs + 1))
            log(
                f"{target.label}: {weight.total / 1024:.1f} KB, median {timing.median:.1f} ms "
                f"(status {weight.status}/{timing.status})"
            )
            rows.append(Row(target, weight, timing))
    tick = Target("tick", f"Ticking a criterion (POST, {TICK_CRITERION})", "")
    timing = time_requests(server, session, tick_requests(site, session))
    log(f"{tick.label}: median {timing.median:.1f} ms (status {timing.status})")
    rows.append(Row(tick, None, timing))
    site.facts["ticks recorded"] = ticks_check(site, timing)
    return rows


def ticks_check(site: Site, timing: Timing) -> str:
    """Whether the POSTs recorded what they claim: each answer a redirect to the person's
    card (not to the log-in page), and an achievement in the database for each."""
    from django.db import connections

    from congdanso.campaigns.models import Achievement

    ticked = site.tick_residents[: timing.sent]
    found = Achievement.objects.filter(
        resident_id__in=ticked, criterion__code=TICK_CRITERION, withdrawn_at__isnull=True
    ).count()
    connections.close_all()
    card = f"/chien-dich/{site.campaign_id}/nguoi/{ticked[-1]}/" if ticked else "?"
    ok = found == len(ticked) and timing.location == card
    text = f"{found} of {len(ticked)} in the database, last answer → {timing.location or '—'}"
    return text if ok else f"**WRONG**: {text} (expected → {card})"


def _verdict(row: Row, recorded: str) -> str:
    missed = []
    if row.weight is not None and row.weight.total / 1024 > BUDGET_KB:
        missed.append("weight")
    target = TARGET_MS.get(row.target.key)
    if target is not None and row.timing.median > target:
        missed.append("time")
    expected = 302 if row.target.key == "tick" else 200
    if row.target.key == "tick" and recorded.startswith("**WRONG**"):
        missed.append("not recorded")
    if row.timing.status != expected or (row.weight and row.weight.status != expected):
        missed.append(f"status {row.timing.status}")
    return "met" if not missed else "**missed** (" + ", ".join(missed) + ")"


def report(rows: list[Row], site: Site, data: dict[str, Any], args: argparse.Namespace) -> str:
    out: list[str] = ["# Page benchmark (benchmarks/pages.py)", ""]
    add = out.append
    add(
        f"Demo commune xã Ea Yông, {site.facts['residents']} residents (seed {args.seed}), "
        "SQLite; gunicorn 2 workers × 4 threads on loopback, gzip on. Weight: one cold load in "
        "headless Chromium on a 360×740 phone (everything the page loads, compressed, headers "
        f"included). Server time: {args.runs} requests after a warm-up, first byte sent to "
        "last byte read."
    )
    add("")
    add("| page | transferred KB | budget | server ms median | p95 | target | met? |")
    add("|---|---:|---:|---:|---:|---:|---|")
    for row in rows:
        weight = "—" if row.weight is None else f"{row.weight.total / 1024:.1f}"
        budget = "—" if row.weight is None else f"≤ {BUDGET_KB:.0f}"
        target = TARGET_MS.get(row.target.key)
        add(
            f"| {row.target.label} | {weight} | {budget} | {row.timing.median:.1f} "
            f"| {row.timing.p95:.1f} | {'—' if target is None else f'≤ {target:.0f}'} "
            f"| {_verdict(row, site.facts.get('ticks recorded', ''))} |"
        )
    add("")
    weights = {row.target.label: row.weight for row in rows if row.weight is not None}
    heaviest_label, heaviest = max(weights.items(), key=lambda item: item[1].total)
    kinds = ", ".join(
        f"{kind} {size / 1024:.1f} KB"
        for kind, size in sorted(heaviest.by_type.items(), key=lambda item: -item[1])
    )
    add(f"- heaviest page: {heaviest_label} — {kinds}")
    first = next(r for r in rows if r.target.key == "dashboard").weight
    static = sum(v for k, v in first.by_type.items() if k != "Document") if first else 0
    add(
        f"- the CSS and JS every page loads (cached after the first page): {static / 1024:.1f} KB "
        "compressed"
    )
    out.extend(f"- {label}: {value}" for label, value in site.facts.items() if label != "residents")
    how = "reused (built earlier)" if data.get("reused") else "built by this run"
    add(f"- database: {how} in {data.get('seconds', 0):.0f} s — " + " ".join(data.get("demo", [])))
    add("")
    add("## Environment")
    add("")
    add(f"- date: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC")
    out.extend(environment(args.load, args.chromium))
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------- screenshots


def screenshots(server: Server, site: Site) -> list[Path]:
    """The README's pictures: the dashboard on a desktop, field mode on a phone."""
    session = log_in(server, USERNAME, PASSWORD)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    written = []
    paths = {t.key: t.path.split("?")[0] for t in site.targets}
    desktop = {"viewport": {"width": 1280, "height": 1000}, "locale": "vi-VN"}
    phone = {**PHONE, "device_scale_factor": 2}

    def type_search(page: Any) -> None:
        page.locator("input[type=search]").press_sequentially(SEARCH, delay=40)
        page.wait_for_selector("#search-results .person-list")
        page.wait_for_load_state("networkidle")

    def card_and_criteria(page: Any) -> dict[str, float]:
        """The person's card and their criteria with the one-tap buttons, one picture."""
        top = page.locator(".person-card").bounding_box()
        bottom = page.locator("section.card").nth(1).bounding_box()
        return {
            "x": 0,
            "y": top["y"] - 16,
            "width": 360,
            "height": bottom["y"] + bottom["height"] + 16 - top["y"],
        }

    def session_search(page: Any) -> None:
        type_search(page)
        page.evaluate("document.querySelector('.session-bar').scrollIntoView()")

    shots: list[tuple[str, dict[str, Any], str, Callable[[Any], Any]]] = [
        ("dashboard.png", desktop, paths["dashboard"], lambda page: None),
        ("field-search.png", phone, paths["search"], type_search),
        ("person-card.png", phone, paths["card"], card_and_criteria),
        ("session.png", phone, paths["session"], session_search),
    ]
    with chromium() as browser:
        for name, options, path, then in shots:
            context = browser.new_context(**options)
            context.add_cookies(browser_cookies(server, session))
            page = context.new_page()
            page.goto(server.url + path, wait_until="networkidle")
            clip = then(page)
            target = SCREENSHOTS / name
            page.screenshot(path=str(target), clip=clip, full_page=clip is not None)
            context.close()
            written.append(target)
    return written


# -------------------------------------------------------------------------------- driving


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--residents", type=int, default=20_000, help="demo commune size")
    parser.add_argument("--seed", type=int, default=2023)
    parser.add_argument("--runs", type=int, default=15, help="timed requests per page")
    parser.add_argument("--rebuild", action="store_true", help="build the database again")
    parser.add_argument(
        "--screenshots", action="store_true", help="write docs/screenshots/*.png, no measuring"
    )
    args = parser.parse_args(argv)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, lambda signum, frame: signal.raise_signal(signal.SIGINT))
    args.load = os.getloadavg()[0]
    env = {
        **os.environ,
        "CONGDANSO_DATA_DIR": str(DATA_DIR),
        "CONGDANSO_DEBUG": "",  # debug mode would keep every query in memory
        "DJANGO_SETTINGS_MODULE": "congdanso.settings",
    }
    env.pop("DATABASE_URL", None)  # the budgets are for SQLite
    env.pop("CONGDANSO_HTTPS", None)
    os.environ.clear()
    os.environ.update(env)
    try:
        data = data_prepare(args, env)
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        from django.db import connections

        site = site_read(args.runs)
        connections.close_all()
        with serving(env, DATA_DIR / "server.log") as server:
            if args.screenshots:
                for path in screenshots(server, site):
                    log(f"wrote {path.relative_to(ROOT)}")
                return 0
            with chromium() as browser:
                args.chromium = browser.version
            rows = measure(server, site, args.runs)
    except KeyboardInterrupt:
        log("interrupted (the server is stopped)")
        return 130
    text = report(rows, site, data, args)
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(text, encoding="utf-8")
    print(text)
    log(f"report written to {REPORT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
