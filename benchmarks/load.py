"""API load benchmark: phones recording achievements and turns at once (issue 4, "Reliability").

Run from the repository root::

    .venv/bin/python benchmarks/load.py [--db sqlite|postgresql|both] [--clients N]
        [--seconds 60] [--residents 3000] [--workers W] [--threads T] [--seed 2023]
        [--pg postgresql://postgres@127.0.0.1:5432] [--pg-db loadbench]

What it does
------------
For each database (``both``, the default: SQLite then PostgreSQL, each in a subprocess):

1. A fresh database: ``var/bench/load-sqlite/congdanso.sqlite3`` (data dir
   ``var/bench/load-sqlite/``), or the PostgreSQL database ``--pg-db`` dropped and created
   again (data dir ``var/bench/load-postgresql/``); ``migrate``, then ``demo --residents``
   (xã Ea Yông with its 2023 campaign and simulated year, scaled to that many residents).
2. Accounts through the commands: ``users add`` a campaign manager of the commune (client 0)
   and a unit member for every other client — of a unit with a pledge in the campaign, over one
   village (units and villages taken in turn, so several clients share a village) — and
   ``tokens create`` one key per client (the API allows 600 requests a minute per key).
3. The real server, ``gunicorn congdanso.wsgi --bind 127.0.0.1:<free port> --workers W
   --threads T`` (its output in ``server.log`` of the data dir), stopped at the end, on
   Ctrl-C and on errors.
4. ``--clients`` clients (asyncio + httpx, loopback only; default 10 on SQLite, 50 on
   PostgreSQL) send writes without pause for ``--seconds``: each picks a resident of its
   villages (born before the campaign) and posts, with a fresh ``client_uuid``,
   ``POST /api/v1/achievements`` (45 %), ``POST /api/v1/sessions/{id}/turns`` (45 %; a
   criterion or a service, in a session of the resident's village) or
   ``POST /api/v1/sessions/{id}/anonymous-turns`` (+1, 10 %). Instead, with probability
   ``P_RETRY`` it sends an earlier write again with the SAME ``client_uuid`` and body (a phone
   that lost the answer), with ``P_RACE`` a new write twice at once (the retry arrives while the
   first is still being applied), and with ``P_BATCH`` a ``POST /api/v1/batch`` of 20 queued
   writes: 18 new, one earlier queued write again and one earlier single write queued again. A
   request that gets no answer is sent again (same UUID), a 429 after the wait it asks for.
   Every request and answer is in the client's log, ``clients/client-NN.jsonl``.
5. Checks, against the database once the server has stopped: no 5xx, no "database is locked"
   (answers and server log), no traceback in the server log, every write answered; every
   ``client_uuid`` answered 2xx has exactly one ``client_writes`` row holding the answer given
   (none lost) and exactly one answer that applied it (none doubled), every other answer to it
   a replay of that answer, and no row the clients were not told of; the achievements and turns
   the answers name exist and match; one achievement in force per resident × criterion and one
   turn per session × resident × action; each session's anonymous turns grew by exactly the +1s
   applied; one audit "create" event per achievement and turn created.
6. Throughput (requests/s, writes applied/s) and p50/p95/p99 latency per endpoint, and the
   checks, as Markdown on stdout and in ``var/bench/load.md``. The exit status is 0 even when a
   check fails: the report says so in capitals.

The machine is shared: the clients run on the same cores as the server, and a load average
well above the core count before a run means slower numbers.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import datetime as dt
import io
import json
import os
import platform
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "var" / "bench"
REPORT = BENCH_DIR / "load.md"
PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432"
PG_DB_DEFAULT = "loadbench"
COMMUNE_CODE = "66-krong-pac-ea-yong"
PASSWORD = "load-bench-Passw0rd-2023"  # noqa: S105 - throwaway accounts of a fresh database

#: Clients and gunicorn processes × threads per database, unless given.
DEFAULTS = {"sqlite": (10, 4, 2), "postgresql": (50, 4, 4)}

P_BATCH = 0.02  # a POST /batch of BATCH_SIZE queued writes
P_RETRY = 0.10  # an earlier single write sent again with the same client_uuid
P_RACE = 0.03  # a new write sent twice at once
BATCH_SIZE = 20
SERVICES = ("guidance", "data_update", "account_recovery", "other")
TIMEOUT = 60.0  # seconds before a request counts as unanswered (and is sent again)
RESENDS = 5  # attempts per request: unanswered or throttled requests are sent again
GRACE = 120.0  # seconds the clients may take after --seconds to finish what they started

ENDPOINTS = {
    "achievement.record": "POST /achievements",
    "turn.record": "POST /sessions/{id}/turns",
    "session.anonymous_turns": "POST /sessions/{id}/anonymous-turns",
}

_T0 = time.perf_counter()


def log(message: str) -> None:
    print(f"[{time.perf_counter() - _T0:7.1f}s] {message}", file=sys.stderr, flush=True)


# ------------------------------------------------------------------------------- the plan


@dataclass
class ClientPlan:
    """One phone: its account, key and the residents and sessions it works with."""

    number: int
    username: str
    user_id: int
    key: str
    residents: list[tuple[int, int]]  # (resident id, village id)
    sessions: dict[int, list[int]]  # village id → session ids there


@dataclass
class Plan:
    db: str
    campaign_id: int
    criteria: list[str]
    first_day: dt.date
    last_day: dt.date
    clients: list[ClientPlan]
    anonymous_before: dict[int, int]  # session id → anonymous turns before the load


def setup_database(db: str, pg: str, pg_db: str, data_dir: Path) -> str:
    """A fresh, empty database; returns its DATABASE_URL ("" for SQLite in the data dir)."""
    if db == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            (data_dir / f"congdanso.sqlite3{suffix}").unlink(missing_ok=True)
        return ""
    import psycopg
    from psycopg import sql

    with psycopg.connect(f"{pg}/postgres", autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(pg_db))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(pg_db)))
    return f"{pg}/{pg_db}"


def _command(*args: str) -> str:
    """A `congdanso` command, in this process; returns what it printed."""
    from django.core.management import call_command

    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def make_plan(db: str, clients: int, residents: int, seed: int) -> Plan:
    """Migrate, load the demo, create the accounts and keys, and read what the clients need."""
    from django.db.models import Q

    from congdanso.accounts.models import User
    from congdanso.campaigns.models import Campaign
    from congdanso.campaigns.selectors import campaign_rules
    from congdanso.outreach.models import SessionStatus, SupportSession
    from congdanso.partners.models import Pledge
    from congdanso.people.models import Resident
    from congdanso.places.models import Place, PlaceKind
    from congdanso.vn.today import vietnam_today

    log(f"{db}: migrate")
    _command("migrate", "--noinput", "--verbosity", "0")
    log(f"{db}: demo --residents {residents}")
    _command("demo", "--residents", str(residents), "--seed", str(seed))
    commune = Place.objects.get(code=COMMUNE_CODE)
    campaign = Campaign.objects.filter(place=commune).order_by("id").first()
    if campaign is None:
        raise RuntimeError("the demo made no campaign")
    villages = list(
        Place.objects.filter(
            parent=commune, kind__in=[PlaceKind.VILLAGE, PlaceKind.EDE_VILLAGE]
        ).order_by("path")
    )
    units = [p.unit for p in Pledge.objects.filter(campaign=campaign).select_related("unit")]
    units.sort(key=lambda unit: unit.pk)
    born_before = campaign.start_date
    people: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for pk, village_id in (
        Resident.objects.filter(commune=commune, village__in=villages)
        .filter(Q(birth_date__isnull=True) | Q(birth_date__lt=born_before))
        .values_list("id", "village_id")
        .order_by("id")
    ):
        people[village_id].append((pk, village_id))
    sessions: dict[int, list[int]] = defaultdict(list)
    anonymous_before = {}
    for pk, place_id, anonymous in (
        SupportSession.objects.filter(campaign=campaign, place__in=villages)
        .exclude(status=SessionStatus.CANCELLED)
        .values_list("id", "place_id", "anonymous_turns")
        .order_by("id")
    ):
        sessions[place_id].append(pk)
        anonymous_before[pk] = anonymous

    log(f"{db}: users add / tokens create for {clients} clients")
    os.environ["CONGDANSO_PASSWORD"] = PASSWORD
    plans = []
    for number in range(clients):
        username = f"load-{number:02d}"
        if number == 0:
            _command("users", "add", username, "--role", "manager", "--place", commune.code)
            mine = villages
        else:
            village = villages[(number - 1) % len(villages)]
            unit = units[(number - 1) % len(units)]
            _command(
                "users", "add", username, "--role", "unit_member", "--place", village.code,
                "--unit", unit.name,
            )  # fmt: skip
            mine = [village]
        key = _command("tokens", "create", username, "--name", f"load {number}").strip()
        plans.append(
            ClientPlan(
                number=number,
                username=username,
                user_id=User.objects.get(username=username).pk,
                key=key,
                residents=[r for v in mine for r in people[v.pk]],
                sessions={v.pk: sessions[v.pk] for v in mine if sessions[v.pk]},
            )
        )
    rules = campaign_rules(campaign)
    return Plan(
        db=db,
        campaign_id=campaign.pk,
        criteria=[c.code for c in rules.criteria],
        first_day=campaign.start_date,
        last_day=min(campaign.end_date, vietnam_today()),
        clients=plans,
        anonymous_before=anonymous_before,
    )


# ----------------------------------------------------------------------------- the server


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    url: str
    log_path: Path
    command: list[str]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_start(env: dict[str, str], data_dir: Path, workers: int, threads: int) -> Server:
    port = _free_port()
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "congdanso.wsgi",
        "--bind", f"127.0.0.1:{port}",
        "--workers", str(workers),
        "--threads", str(threads),
        "--timeout", "120",
        "--graceful-timeout", "10",
    ]  # fmt: skip
    log_path = data_dir / "server.log"
    with log_path.open("wb") as out:
        # Its own session: Ctrl-C reaches this script, which stops the server itself.
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    server = Server(process, f"http://127.0.0.1:{port}", log_path, command)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}; see {log_path}")
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(f"{server.url}/api/v1/campaigns", timeout=2).status_code == 401:
                return server
        time.sleep(0.2)
    server_stop(server)
    raise RuntimeError(f"gunicorn did not answer within 60 s; see {log_path}")


def _descendants(pid: int) -> list[int]:
    """`pid` and every process below it (from /proc/*/stat)."""
    children: dict[int, list[int]] = defaultdict(list)
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                stat = Path(f"/proc/{entry}/stat").read_bytes()
                children[int(stat.rsplit(b")", 1)[1].split()[1])].append(int(entry))
    found = [pid]
    for parent in found:
        found.extend(children.get(parent, ()))
    return found


def tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by the living processes of a tree."""
    ticks = 0
    for each in _descendants(pid):
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = Path(f"/proc/{each}/stat").read_bytes().rsplit(b")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def machine_cpu() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, every process included."""
    ticks = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    idle = ticks[3] + ticks[4]  # idle and iowait
    per_second = os.sysconf("SC_CLK_TCK")
    return (sum(ticks) - idle) / per_second, sum(ticks) / per_second


def server_stop(server: Server) -> None:
    """SIGTERM (gunicorn finishes the requests in progress), then SIGKILL to its process group
    if it is still there after 30 s. A second Ctrl-C does not interrupt this."""
    previous = {sig: signal.signal(sig, signal.SIG_IGN) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        if server.process.poll() is None:
            server.process.send_signal(signal.SIGTERM)
            try:
                server.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(server.process.pid, signal.SIGKILL)
                server.process.wait(timeout=10)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


# ---------------------------------------------------------------------------- the clients


@dataclass
class Write:
    """One write as a client sent it, and its answer: a line of the client's log."""

    client: int
    user_id: int
    client_uuid: str
    operation: str
    data: dict[str, Any]  # as a queued write carries it (session_id included)
    via: str  # "single" or "batch"
    kind: str  # "new", "retry", "race", "batch retry", "single→batch retry"
    sent: float = 0.0
    status: int | None = None  # HTTP status, or the item's in a batch; None: never answered
    replayed: bool | None = None
    result: Any = None
    unanswered: int = 0  # requests of this write that got no answer before this one


@dataclass
class Attempt:
    """One HTTP request and its answer."""

    client: int
    endpoint: str
    repeat: bool  # the request sends again a write sent before
    sent: float
    seconds: float
    status: int | None  # None: no answer (timeout, connection error)
    answer: str
    locked: bool  # the answer mentions "database is locked"


@dataclass
class Phone:
    plan: ClientPlan
    shared: Plan
    rng: random.Random
    started: float
    writes: list[Write] = field(default_factory=list)
    attempts: list[Attempt] = field(default_factory=list)
    http: httpx.AsyncClient | None = None

    def _uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def new_write(self, via: str = "single") -> Write:
        rng, shared = self.rng, self.shared
        resident_id, village_id = rng.choice(self.plan.residents)
        session_ids = self.plan.sessions.get(village_id) or [
            s for ids in self.plan.sessions.values() for s in ids
        ]
        draw = rng.random()
        if draw < 0.45:
            span = (shared.last_day - shared.first_day).days
            day = shared.first_day + dt.timedelta(days=rng.randint(0, span))
            operation = "achievement.record"
            data: dict[str, Any] = {
                "resident_id": resident_id,
                "criterion": rng.choice(shared.criteria),
                "achieved_on": day.isoformat(),
                "campaign_id": shared.campaign_id,
            }
        elif draw < 0.90:
            operation = "turn.record"
            data = {"session_id": rng.choice(session_ids), "resident_id": resident_id}
            if rng.random() < 0.5:
                data["criterion"] = rng.choice(shared.criteria)
            else:
                data["service"] = rng.choice(SERVICES)
        else:
            operation = "session.anonymous_turns"
            data = {"session_id": rng.choice(session_ids), "count": 1}
        return Write(
            client=self.plan.number,
            user_id=self.plan.user_id,
            client_uuid=self._uuid(),
            operation=operation,
            data=data,
            via=via,
            kind="new",
        )

    async def _post(
        self, endpoint: str, path: str, body: Any, repeat: bool
    ) -> tuple[int | None, Any, int]:
        """Status and answer, and how many requests got no answer (each was sent again)."""
        http = self.http
        if http is None:
            raise RuntimeError("the client is not running")
        unanswered = 0
        for _attempt in range(RESENDS):
            sent = time.perf_counter()
            try:
                response = await http.post(path, json=body)
            except httpx.TransportError as error:
                seconds = time.perf_counter() - sent
                self.attempts.append(
                    Attempt(self.plan.number, endpoint, repeat, sent - self.started, seconds,
                            None, repr(error), False)
                )  # fmt: skip
                repeat, unanswered = True, unanswered + 1  # then the same write again
                await asyncio.sleep(0.5)
                continue
            seconds = time.perf_counter() - sent
            text = response.text
            self.attempts.append(
                Attempt(self.plan.number, endpoint, repeat, sent - self.started, seconds,
                        response.status_code, text, "database is locked" in text.lower())
            )  # fmt: skip
            if response.status_code == 429:
                repeat = True
                await asyncio.sleep(float(response.headers.get("Retry-After") or 1))
                continue
            try:
                return response.status_code, response.json(), unanswered
            except ValueError:
                return response.status_code, text, unanswered
        return None, None, unanswered

    async def single(self, write: Write, *, repeat: bool) -> None:
        body = {"client_uuid": write.client_uuid} | {
            k: v for k, v in write.data.items() if k != "session_id"
        }
        if write.operation == "achievement.record":
            path = "/api/v1/achievements"
        elif write.operation == "turn.record":
            path = f"/api/v1/sessions/{write.data['session_id']}/turns"
        else:
            path = f"/api/v1/sessions/{write.data['session_id']}/anonymous-turns"
        write.sent = time.perf_counter() - self.started
        status, answer, write.unanswered = await self._post(
            ENDPOINTS[write.operation], path, body, repeat
        )
        _answered(write, status, answer)
        self.writes.append(write)

    async def batch(self) -> None:
        earlier_single = [w for w in self.writes if w.via == "single" and w.kind == "new"]
        earlier_queued = [w for w in self.writes if w.via == "batch" and w.kind == "new"]
        writes = [self.new_write("batch") for _ in range(BATCH_SIZE - 2)]
        if earlier_queued:
            writes.append(_again(self.rng.choice(earlier_queued), "batch", "batch retry"))
        if earlier_single:
            writes.append(_again(self.rng.choice(earlier_single), "batch", "single→batch retry"))
        writes += [self.new_write("batch") for _ in range(BATCH_SIZE - len(writes))]
        self.rng.shuffle(writes)
        items = [
            {"client_uuid": w.client_uuid, "operation": w.operation, "data": w.data} for w in writes
        ]
        sent = time.perf_counter() - self.started
        status, answer, unanswered = await self._post(
            "POST /batch", "/api/v1/batch", {"writes": items}, False
        )
        results = answer.get("results") if status == 200 and isinstance(answer, dict) else None
        for index, write in enumerate(writes):
            write.sent, write.unanswered = sent, unanswered
            if results is not None and index < len(results):
                item = results[index]
                write.status, write.replayed = item.get("status"), item.get("replayed")
                write.result = item.get("result")
            else:
                write.status, write.result = status, answer
            self.writes.append(write)

    async def run(self, base_url: str, until: float) -> None:
        headers = {"Authorization": f"Bearer {self.plan.key}"}
        limits = httpx.Limits(max_connections=4, max_keepalive_connections=4)
        async with httpx.AsyncClient(
            base_url=base_url, headers=headers, timeout=TIMEOUT, limits=limits, trust_env=False
        ) as self.http:
            while time.perf_counter() < until:
                draw = self.rng.random()
                earlier = [w for w in self.writes[-200:] if w.via == "single" and w.kind == "new"]
                if draw < P_BATCH:
                    await self.batch()
                elif draw < P_BATCH + P_RETRY and earlier:
                    await self.single(
                        _again(self.rng.choice(earlier), "single", "retry"), repeat=True
                    )
                elif draw < P_BATCH + P_RETRY + P_RACE:
                    first = self.new_write()
                    second = _again(first, "single", "race")
                    await asyncio.gather(
                        self.single(first, repeat=False), self.single(second, repeat=True)
                    )
                else:
                    await self.single(self.new_write(), repeat=False)


def _again(write: Write, via: str, kind: str) -> Write:
    """The same write (same client_uuid, same data) sent again."""
    return dataclasses.replace(write, via=via, kind=kind, status=None, replayed=None, result=None)


def _answered(write: Write, status: int | None, answer: Any) -> None:
    write.status = status
    if status is not None and 200 <= status < 300 and isinstance(answer, dict):
        write.replayed, write.result = answer.get("replayed"), answer.get("result")
    else:
        write.result = answer


async def load(plan: Plan, base_url: str, seconds: float, seed: int) -> tuple[list[Phone], float]:
    started = time.perf_counter()
    phones = [
        Phone(client, plan, random.Random(seed * 1000 + client.number), started)
        for client in plan.clients
    ]
    tasks = [asyncio.create_task(phone.run(base_url, started + seconds)) for phone in phones]
    done, pending = await asyncio.wait(tasks, timeout=seconds + GRACE)
    for task in pending:
        task.cancel()
    if pending:
        log(f"warning: {len(pending)} clients still busy {GRACE:.0f} s after the end: cancelled")
        await asyncio.gather(*pending, return_exceptions=True)
    for task in done:
        if task.exception() is not None:
            raise task.exception()  # type: ignore[misc]
    return phones, time.perf_counter() - started


def write_client_logs(phones: Sequence[Phone], folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("client-*.jsonl"):
        old.unlink()
    for phone in phones:
        path = folder / f"client-{phone.plan.number:02d}.jsonl"
        with path.open("w", encoding="utf-8") as out:
            for attempt in phone.attempts:
                record = dataclasses.asdict(attempt) | {"answer": attempt.answer[:2000]}
                out.write(json.dumps({"request": record}, ensure_ascii=False) + "\n")
            for write in phone.writes:
                out.write(
                    json.dumps({"write": dataclasses.asdict(write)}, ensure_ascii=False) + "\n"
                )


# ----------------------------------------------------------------------------- the checks


@dataclass
class Check:
    name: str
    ok: bool
    detail: str


def _ok(status: int | None) -> bool:
    return status is not None and 200 <= status < 300


def _chunks(values: Sequence[Any], size: int = 500) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _sample(items: Sequence[Any], count: int = 3) -> str:
    return "; ".join(str(item) for item in items[:count]) + (" …" if len(items) > count else "")


def _check(name: str, problems: Sequence[Any], detail: str) -> Check:
    """Passes when there is no problem; the detail names the first few."""
    return Check(name, not problems, detail + (f": {_sample(problems)}" if problems else ""))


def _key(write: Write) -> tuple[int, str]:
    return write.user_id, write.client_uuid


def _action(write: Write) -> tuple[int, int, str | None, str | None]:
    data = write.data
    return data["session_id"], data["resident_id"], data.get("criterion"), data.get("service")


def check_answers(writes: Sequence[Write], attempts: Sequence[Attempt], log: str) -> list[Check]:
    """What the clients saw, and the server's log."""
    queued = [w for w in writes if w.via == "batch"]
    errors = [(a.endpoint, a.status) for a in attempts if a.status and a.status >= 500]
    errors += [("queued " + w.operation, w.status) for w in queued if w.status and w.status >= 500]
    locked = [a.endpoint for a in attempts if a.locked]
    locked += [line for line in log.splitlines() if "database is locked" in line.lower()]
    logged = [
        line
        for line in log.splitlines()
        if any(m in line for m in ("Traceback", "Internal Server Error", "WORKER TIMEOUT"))
    ]
    unanswered = [(w.client_uuid, w.operation) for w in writes if w.status is None]
    no_answer = sum(a.status is None for a in attempts)
    throttled = sum(a.status == 429 for a in attempts)
    return [
        _check("no 5xx", errors, f"{len(errors)} in {len(attempts):,} requests and "
               f"{len(queued):,} queued writes"),
        _check('no "database is locked"', locked, f"{len(locked)} answers or log lines"),
        _check("no error in the server log", logged, f"{len(logged)} lines"),
        _check("every write answered", unanswered, f"{len(unanswered)} never answered "
               f"({no_answer} requests unanswered and {throttled} answered 429 were sent again)"),
    ]  # fmt: skip


def check_client_writes(plan: Plan, writes: Sequence[Write]) -> list[Check]:
    """Each client_uuid against its `client_writes` row: stored once, with the answer given."""
    from django.db.models import Count

    from congdanso.core.models import ClientWrite

    by_key: dict[tuple[int, str], list[Write]] = defaultdict(list)
    for write in sorted(writes, key=lambda w: w.sent):
        by_key[_key(write)].append(write)
    answered = {key for key, ws in by_key.items() if any(_ok(w.status) for w in ws)}
    users = sorted({client.user_id for client in plan.clients})
    stored = ClientWrite.objects.filter(user_id__in=users)
    rows = {(row.user_id, str(row.client_uuid)): row for row in stored}
    several = list(
        stored.values_list("user_id", "client_uuid").annotate(n=Count("id")).filter(n__gt=1)
    )
    lost = sorted(answered - set(rows))
    unknown = sorted(set(rows) - answered)
    differs = [
        (w.client_uuid, w.status, rows[key].status)
        for key in sorted(answered & set(rows))
        for w in by_key[key]
        if _ok(w.status) and (w.status, w.result) != (rows[key].status, rows[key].response)
    ]
    applied = Counter(_key(w) for w in writes if _ok(w.status) and w.replayed is False)
    doubled = sorted(key for key, n in applied.items() if n > 1)
    # Only replays are right when the answer that applied it was lost on the way.
    lost_answer = {_key(w) for w in writes if w.unanswered}
    never = sorted(key for key in answered - lost_answer if not applied[key])
    checks = [
        _check("every client_uuid answered 2xx has one client_writes row (none lost)",
               lost + several, f"{len(answered):,} answered 2xx: {len(lost)} without a row, "
               f"{len(several)} with several"),
        _check("no row its client was not told of", unknown,
               f"{len(unknown)} rows whose client_uuid got no 2xx answer"),
        _check("every 2xx answer is the stored answer", differs,
               f"{len(differs)} answers differ from their row"),
        _check("each client_uuid applied once (one 2xx answer not a replay)", doubled + never,
               f"{len(doubled)} applied more than once, {len(never)} only replayed (and no "
               "answer lost)"),
    ]  # fmt: skip
    for kind, name in (
        ("retry", "a write sent again is answered as the first time"),
        ("race", "a write sent twice at once is answered the same twice"),
        ("batch retry", "a queued write queued again is answered as the first time"),
        ("single→batch retry", "a single write queued again is answered as the first time"),
    ):
        repeats, wrong = 0, []
        for ws in by_key.values():
            first = next((w for w in ws if _ok(w.status) and w.replayed is False), None)
            if first is None:
                continue
            for w in ws:
                # A refusal before the write was applied is no answer to compare; the first
                # copy of a race may be the one that lost it.
                early_refusal = w.sent < first.sent and not _ok(w.status)
                if (
                    w is first
                    or early_refusal
                    or (w.kind, kind) not in {(kind, kind), ("new", "race")}
                ):
                    continue
                repeats += 1
                if (w.status, w.result, w.replayed) != (first.status, first.result, True):
                    code = w.result.get("code") if isinstance(w.result, dict) else w.result
                    wrong.append((w.client_uuid[:8], w.status, code))
        checks.append(_check(name, wrong, f"{len(wrong)} of {repeats:,} answered otherwise"))
    return checks


def check_rows(plan: Plan, writes: Sequence[Write]) -> list[Check]:
    """The achievements, turns, anonymous turns and audit events the answers speak of."""
    from django.db.models import Count

    from congdanso.campaigns.models import Achievement
    from congdanso.core.models import AuditEvent
    from congdanso.outreach.models import SupportSession, Turn

    done = [w for w in writes if _ok(w.status) and isinstance(w.result, dict)]
    checks = []

    named = {w.result["achievement_id"]: w for w in done if w.result.get("achievement_id")}
    found: dict[int, tuple[Any, ...]] = {}
    for chunk in _chunks(sorted(named)):
        achievements = Achievement.objects.filter(pk__in=chunk)
        pairs_of = achievements.values_list("id", "resident_id", "criterion__code")
        found.update({pk: (r, c) for pk, r, c in pairs_of})
    different = [pk for pk, w in named.items()
                 if found.get(pk) != (w.data["resident_id"], w.data.get("criterion"))]  # fmt: skip
    pairs = {(w.data["resident_id"], w.data["criterion"]) for w in done if w.data.get("criterion")}
    in_force = Counter(
        Achievement.objects.filter(withdrawn_at__isnull=True)
        .filter(resident_id__in={resident for resident, _ in pairs})
        .values_list("resident_id", "criterion__code")
    )
    not_one: list[Any] = [pair for pair in sorted(pairs) if in_force[pair] != 1]
    several = list(
        Achievement.objects.filter(withdrawn_at__isnull=True)
        .values_list("resident_id", "criterion_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    checks.append(
        _check("achievements named exist; one in force per resident × criterion",
               different + not_one + several,
               f"{len(named):,} named: {len(different)} missing or different; {len(pairs):,} "
               f"resident × criterion written: {len(not_one)} without exactly one in force; "
               f"{len(several)} pairs in the database with several")
    )  # fmt: skip

    turn_writes = [w for w in done if w.operation == "turn.record"]
    named = {w.result["turn_id"]: w for w in turn_writes if w.result.get("turn_id")}
    columns = ("session_id", "resident_id", "criterion__code", "service")
    found = {}
    for chunk in _chunks(sorted(named)):
        turns = Turn.objects.filter(pk__in=chunk).values_list("id", *columns)
        found.update({pk: (s, r, c, v or None) for pk, s, r, c, v in turns})
    different = [pk for pk, w in named.items() if found.get(pk) != _action(w)]
    actions = {_action(w) for w in turn_writes}
    per_action = Counter(
        (s, r, c, v or None)
        for s, r, c, v in Turn.objects.filter(
            resident_id__in={action[1] for action in actions}
        ).values_list(*columns)
    )
    not_one = [action for action in sorted(actions, key=str) if per_action[action] != 1]
    checks.append(
        _check("turns named exist; one per session × resident × action", different + not_one,
               f"{len(named):,} named: {len(different)} missing or different; {len(actions):,} "
               f"session × resident × action written: {len(not_one)} without exactly one turn")
    )  # fmt: skip

    plus = Counter(  # every client_uuid answered 2xx was applied once
        data["session_id"]
        for operation, data in {_key(w): (w.operation, w.data) for w in done}.values()
        if operation == "session.anonymous_turns"
    )
    after = dict(
        SupportSession.objects.filter(pk__in=list(plan.anonymous_before)).values_list(
            "id", "anonymous_turns"
        )
    )
    off = [
        (pk, after[pk] - before, plus[pk])
        for pk, before in sorted(plan.anonymous_before.items())
        if after[pk] - before != plus[pk]
    ]
    checks.append(
        _check("anonymous turns: each session grew by the +1s applied", off,
               f"{sum(plus.values()):,} +1s applied in {len(plus)} sessions; {len(off)} "
               "sessions (id, growth, +1s) off")
    )  # fmt: skip

    created = {
        "outreach.turn": {w.result["turn_id"] for w in turn_writes if w.result.get("created")},
        "campaigns.achievement": {
            w.result["achievement_id"]
            for w in done
            if "created" in (w.result.get("outcome"), w.result.get("achievement_outcome"))
        },
    }
    events: Counter[tuple[str, str]] = Counter()
    for object_type, ids in created.items():
        for chunk in _chunks(sorted(str(pk) for pk in ids)):
            events.update(
                AuditEvent.objects.filter(object_type=object_type, action="create")
                .filter(object_id__in=chunk)
                .values_list("object_type", "object_id")
            )
    wrong = [
        (t, pk) for t, ids in created.items() for pk in sorted(ids) if events[(t, str(pk))] != 1
    ]
    checks.append(
        _check("audit: one create event per achievement and turn created", wrong,
               f"{len(created['outreach.turn']):,} turns and "
               f"{len(created['campaigns.achievement']):,} achievements created: {len(wrong)} "
               "without exactly one event")
    )  # fmt: skip

    # The running totals the indicators read, against a fresh computation after the storm.
    from congdanso.campaigns.models import Campaign
    from congdanso.progress.tallies import tally_check

    differences = [(c.pk, d) for c in Campaign.objects.all() for d in tally_check(c)]
    checks.append(
        _check("tallies: every campaign's running totals equal a fresh computation",
               differences, f"{len(differences)} tally rows differ")
    )  # fmt: skip
    return checks


def verify(plan: Plan, phones: Sequence[Phone], server_log: str) -> list[Check]:
    writes = [w for phone in phones for w in phone.writes]
    attempts = [a for phone in phones for a in phone.attempts]
    return [
        *check_answers(writes, attempts, server_log),
        *check_client_writes(plan, writes),
        *check_rows(plan, writes),
    ]


# ----------------------------------------------------------------------------- the report


def _percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile of sorted values."""
    if not values:
        return float("nan")
    rank = max(1, min(len(values), round(share * len(values) + 0.5)))
    return values[rank - 1]


def _latency_rows(attempts: Sequence[Attempt], seconds: float) -> list[str]:
    groups: dict[str, list[float]] = defaultdict(list)
    for a in attempts:
        if a.status is None:
            continue
        if a.endpoint == "POST /batch":
            label = f"POST /batch ({BATCH_SIZE} writes)"
        elif a.repeat:
            label = "same client_uuid again (replays)"
        else:
            label = a.endpoint
        groups[label].append(a.seconds)
        groups["all requests"].append(a.seconds)
    order = [
        *ENDPOINTS.values(),
        "same client_uuid again (replays)",
        f"POST /batch ({BATCH_SIZE} writes)",
        "all requests",
    ]
    rows = [
        "| endpoint | answered | per s | p50 ms | p95 ms | p99 ms | max ms |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for label in order:
        values = sorted(groups.get(label, []))
        if not values:
            continue
        cells = [f"{1000 * _percentile(values, q):,.0f}" for q in (0.50, 0.95, 0.99)]
        rows.append(
            f"| {label} | {len(values):,} | {len(values) / seconds:,.1f} | "
            + " | ".join(cells)
            + f" | {1000 * values[-1]:,.0f} |"
        )
    return rows


@dataclass
class Outcome:
    db: str
    clients: int
    seconds: float
    wall: float
    workers: int
    threads: int
    residents: int
    load_before: float
    load_after: float
    phones: list[Phone]
    checks: list[Check]
    server_command: list[str]
    cpu: tuple[float, ...]  # seconds during the load: gunicorn, clients, machine busy, total


def report(out: Outcome) -> str:
    attempts = [a for p in out.phones for a in p.attempts]
    writes = [w for p in out.phones for w in p.writes]
    applied = {(w.user_id, w.client_uuid) for w in writes if _ok(w.status) and w.replayed is False}
    failed = [c for c in out.checks if not c.ok]
    name = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}[out.db]
    kinds = ", ".join(f"{n:,} {kind}" for kind, n in Counter(w.kind for w in writes).most_common())
    lines = [
        f"## {name}: {out.clients} clients for {out.seconds:.0f} s",
        "",
        f"`{' '.join([Path(out.server_command[0]).name, *out.server_command[1:]])}`"
        f", demo commune with {out.residents:,} residents; load measured over {out.wall:.1f} s; "
        f"load average {out.load_before:.2f} before, {out.load_after:.2f} after. CPU during the "
        f"load: gunicorn {out.cpu[0]:.0f} s, the clients {out.cpu[1]:.0f} s, the whole machine "
        f"{out.cpu[2] / out.cpu[3]:.0%} busy (every process, other users' included).",
        "",
        f"**Throughput: {len(attempts) / out.wall:,.1f} requests/s, "
        f"{len(applied) / out.wall:,.1f} writes applied/s** ({len(attempts):,} requests; "
        f"{len(writes):,} writes sent — {kinds} — of which {len(applied):,} applied, the others "
        "replays or refused).",
        "",
        *_latency_rows(attempts, out.wall),
        "",
    ]
    statuses = Counter(a.status for a in attempts)
    item_statuses = Counter(w.status for w in writes if w.via == "batch")
    codes = Counter(
        w.result.get("code")
        for w in writes
        if w.status is not None and w.status >= 400 and isinstance(w.result, dict)
    )
    lines += [
        "HTTP statuses: "
        + ", ".join(
            f"{s if s is not None else 'no answer'}: {n:,}"
            for s, n in sorted(statuses.items(), key=lambda i: str(i[0]))
        )
        + "; queued writes: "
        + ", ".join(
            f"{s}: {n:,}" for s, n in sorted(item_statuses.items(), key=lambda i: str(i[0]))
        )
        + (
            "; refusals by code: " + ", ".join(f"{c}: {n:,}" for c, n in codes.most_common())
            if codes
            else ""
        ),
        "",
        "| check | result | detail |",
        "|---|---|---|",
    ]
    for check in out.checks:
        result = "ok" if check.ok else "**FAILED**"
        lines.append(f"| {check.name} | {result} | {check.detail} |")
    lines.append("")
    if failed:
        lines.append(
            f"**{len(failed)} CHECK(S) FAILED** — see the table above and the client logs."
        )
    else:
        lines.append("All checks passed.")
    lines.append("")
    return "\n".join(lines)


def environment() -> str:
    cpu = "?"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break

    def version(dist: str) -> str:
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            return "not installed"

    versions = " / ".join(
        version(d) for d in ("django", "django-ninja", "gunicorn", "psycopg", "httpx")
    )
    return (
        f"- date: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC\n"
        f"- CPU: {os.cpu_count()} × {cpu}\n"
        f"- OS: {platform.platform()}; Python {platform.python_version()}; SQLite "
        f"{sqlite3.sqlite_version}\n"
        f"- Django / django-ninja / gunicorn / psycopg / httpx: {versions}\n"
        f"- mix: {P_BATCH:.0%} batches of {BATCH_SIZE}, {P_RETRY:.0%} retries, {P_RACE:.0%} "
        "writes sent twice at once, the rest new writes (45 % achievements, 45 % turns, 10 % "
        "anonymous +1)\n"
    )


# ---------------------------------------------------------------------------------- the run


def run_one(args: argparse.Namespace) -> str:
    """One database: set up, serve, load, check; returns the report section."""
    db = args.db
    default_clients, default_workers, default_threads = DEFAULTS[db]
    clients = args.clients or default_clients
    workers = args.workers or default_workers
    threads = args.threads or default_threads
    data_dir = BENCH_DIR / f"load-{db}"
    data_dir.mkdir(parents=True, exist_ok=True)
    url = setup_database(db, args.pg, args.pg_db, data_dir)
    os.environ.update(
        CONGDANSO_DATA_DIR=str(data_dir),
        CONGDANSO_DEBUG="",  # debug mode would keep every query in memory
        DJANGO_SETTINGS_MODULE="congdanso.settings",
    )
    os.environ.pop("DATABASE_URL", None)
    if url:
        os.environ["DATABASE_URL"] = url
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connections

    plan = make_plan(db, clients, args.residents, args.seed)
    connections.close_all()
    server = server_start(dict(os.environ), data_dir, workers, threads)
    try:
        load_before = os.getloadavg()[0]
        log(f"{db}: {clients} clients for {args.seconds:.0f} s against {server.url}")
        cpu_before = (tree_cpu(server.process.pid), time.process_time(), *machine_cpu())
        phones, wall = asyncio.run(load(plan, server.url, args.seconds, args.seed))
        cpu_after = (tree_cpu(server.process.pid), time.process_time(), *machine_cpu())
        load_after = os.getloadavg()[0]
    finally:
        log(f"{db}: stopping the server")
        server_stop(server)
    write_client_logs(phones, data_dir / "clients")
    log(f"{db}: checking against the database")
    checks = verify(plan, phones, server.log_path.read_text(errors="replace"))
    connections.close_all()
    return report(
        Outcome(
            db=db,
            clients=clients,
            seconds=args.seconds,
            wall=wall,
            workers=workers,
            threads=threads,
            residents=args.residents,
            load_before=load_before,
            load_after=load_after,
            phones=phones,
            checks=checks,
            server_command=server.command,
            cpu=tuple(after - before for before, after in zip(cpu_before, cpu_after, strict=True)),
        )
    )


def _stop_on_sigterm(signum: int, frame: Any) -> None:
    """SIGTERM stops the run as Ctrl-C does (asyncio turns SIGINT into a clean cancel)."""
    signal.raise_signal(signal.SIGINT)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--clients", type=int, help="default 10 on SQLite, 50 on PostgreSQL")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--residents", type=int, default=3000, help="demo commune size")
    parser.add_argument("--workers", type=int, help="gunicorn workers (default 4)")
    parser.add_argument("--threads", type=int, help="threads per worker (default 2 on SQLite, 4)")
    parser.add_argument("--seed", type=int, default=2023)
    parser.add_argument("--pg", default=PG_DEFAULT, help="PostgreSQL server URL (no database)")
    parser.add_argument("--pg-db", default=PG_DB_DEFAULT, help="database dropped and created")
    parser.add_argument("--section-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even when started in background
    signal.signal(signal.SIGTERM, _stop_on_sigterm)

    if args.db == "both":
        sections = []
        passed = [f"--seconds={args.seconds}", f"--residents={args.residents}"]
        passed += [f"--seed={args.seed}", f"--pg={args.pg}", f"--pg-db={args.pg_db}"]
        passed += [
            f"--{name}={getattr(args, name)}"
            for name in ("clients", "workers", "threads")
            if getattr(args, name)
        ]
        for db in ("sqlite", "postgresql"):
            command = [sys.executable, __file__, f"--db={db}", "--section-only", *passed]
            child = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
            try:
                out, _ = child.communicate()
            except KeyboardInterrupt:
                if child.poll() is None:
                    child.send_signal(signal.SIGTERM)  # it stops its server, then exits
                child.wait(timeout=120)
                log("interrupted")
                return 130
            failed = f"## {db}: the run failed (exit status {child.returncode}); see its messages\n"
            sections.append(out if child.returncode == 0 else failed)
    else:
        try:
            sections = [run_one(args)]
        except KeyboardInterrupt:
            log("interrupted (the server is stopped)")
            return 130
    if args.section_only:
        print(sections[0])
        return 0
    text = (
        "# API load benchmark (benchmarks/load.py)\n\n" + environment() + "\n" + "\n".join(sections)
    )
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(text, encoding="utf-8")
    print(text)
    log(f"report written to {REPORT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
