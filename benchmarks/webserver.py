"""What the benchmarks that drive the real site share: the ``congdanso`` command, gunicorn
started as ``make run`` starts it, a signed-in session over plain HTTP, headless Chromium
(Debian's ``/usr/bin/chromium``, never a downloaded one) and the bytes a page costs on the wire.

Used by ``benchmarks/pages.py`` and ``benchmarks/offline.py``; a module of the benchmarks, not
of the package (it is run from the repository root, as ``make bench`` does).
"""

from __future__ import annotations

import contextlib
import http.client
import math
import os
import platform
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")

PHONE: dict[str, Any] = {
    "viewport": {"width": 360, "height": 740},
    "is_mobile": True,
    "has_touch": True,
    "locale": "vi-VN",
}

_T0 = time.perf_counter()


def log(message: str) -> None:
    print(f"[{time.perf_counter() - _T0:6.1f}s] {message}", file=sys.stderr, flush=True)


def congdanso(*args: str, env: dict[str, str]) -> str:
    """Runs ``congdanso`` from this virtualenv; its output, or RuntimeError with it."""
    command = [str(Path(sys.executable).parent / "congdanso"), *args]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if done.returncode:
        raise RuntimeError(f"congdanso {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def remove_database(path: Path) -> None:
    """A SQLite database and its WAL files."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(share * len(ordered)) - 1)]


# ----------------------------------------------------------------------------- the server


class Server:
    process: subprocess.Popen[bytes]
    host: str
    port: int
    log_path: Path

    def __init__(
        self, process: subprocess.Popen[bytes], host: str, port: int, log_path: Path
    ) -> None:
        self.process, self.host, self.port, self.log_path = process, host, port, log_path

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_start(env: dict[str, str], log_path: Path) -> Server:
    """gunicorn as ``make run`` starts it (2 workers × 4 threads) on a free loopback port."""
    port = _free_port()
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "congdanso.wsgi",
        "--bind", f"127.0.0.1:{port}",
        "--workers", "2",
        "--threads", "4",
        "--timeout", "120",
    ]  # fmt: skip
    with log_path.open("wb") as out:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    server = Server(process, "127.0.0.1", port, log_path)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}; see {log_path}")
        with contextlib.suppress(OSError):
            connection = http.client.HTTPConnection(server.host, port, timeout=5)
            connection.request("GET", "/dang-nhap/")
            if connection.getresponse().status == 200:
                connection.close()
                return server
        time.sleep(0.2)
    server_stop(server)
    raise RuntimeError(f"gunicorn did not answer within 60 s; see {log_path}")


def server_stop(server: Server) -> None:
    """SIGTERM to gunicorn (its workers follow), then SIGKILL to its process group."""
    if server.process.poll() is None:
        server.process.send_signal(signal.SIGTERM)
        try:
            server.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(server.process.pid, signal.SIGKILL)
            server.process.wait(timeout=10)


@contextlib.contextmanager
def serving(env: dict[str, str], log_path: Path) -> Iterator[Server]:
    server = server_start(env, log_path)
    try:
        yield server
    finally:
        log("stopping the server")
        server_stop(server)


# ------------------------------------------------------------------------------ HTTP side


@dataclass
class Session:
    """A user signed in: the cookies a browser would hold."""

    cookies: dict[str, str]

    def header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())


def _cookies(response: http.client.HTTPResponse) -> dict[str, str]:
    found = {}
    for value in response.headers.get_all("Set-Cookie") or []:
        name, _, rest = value.partition("=")
        found[name.strip()] = rest.split(";", 1)[0]
    return found


def log_in(server: Server, username: str, password: str) -> Session:
    """Through the log-in form, as a browser does (CSRF cookie and token, then the POST)."""
    connection = http.client.HTTPConnection(server.host, server.port, timeout=30)
    connection.request("GET", "/dang-nhap/")
    response = connection.getresponse()
    html = response.read().decode()
    cookies = _cookies(response)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    if token is None:
        raise RuntimeError("no CSRF token on the log-in page")
    body = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token.group(1), "username": username, "password": password}
    )
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": Session(cookies).header(),
    }
    connection.request("POST", "/dang-nhap/", body=body, headers=headers)
    response = connection.getresponse()
    response.read()
    cookies.update(_cookies(response))
    connection.close()
    if response.status != 302 or "sessionid" not in cookies:
        raise RuntimeError(f"log-in failed: {response.status}")
    return Session(cookies)


# --------------------------------------------------------------------------- browser side


@contextlib.contextmanager
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        raise RuntimeError(
            f"Chromium not found at {CHROMIUM}: install the Debian packages chromium and "
            "chromium-driver"
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            yield browser
        finally:
            browser.close()


def browser_cookies(server: Server, session: Session) -> list[dict[str, Any]]:
    return [{"name": k, "value": v, "url": server.url} for k, v in session.cookies.items()]


@dataclass
class Weight:
    total: int = 0
    by_type: dict[str, int] = field(default_factory=dict)
    requests: int = 0
    status: int = 0
    urls: list[str] = field(default_factory=list)


def page_weight(browser: Any, server: Server, session: Session | None, path: str) -> Weight:
    """Bytes on the wire for one cold load of the page (fresh context: nothing cached), on a
    phone; ``urls`` are what it loaded."""
    context = browser.new_context(**PHONE)
    if session is not None:
        context.add_cookies(browser_cookies(server, session))
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    kinds: dict[str, str] = {}
    sizes: dict[str, int] = {}
    urls: dict[str, str] = {}
    cdp.on(
        "Network.requestWillBeSent",
        lambda e: urls.__setitem__(e["requestId"], e["request"]["url"]),
    )
    cdp.on("Network.responseReceived", lambda e: kinds.__setitem__(e["requestId"], e["type"]))
    cdp.on(
        "Network.loadingFinished",
        lambda e: sizes.__setitem__(e["requestId"], int(e["encodedDataLength"])),
    )
    response = page.goto(server.url + path, wait_until="networkidle")
    weight = Weight(status=response.status if response else 0)
    for request_id, size in sizes.items():
        kind = kinds.get(request_id, "Other")
        weight.by_type[kind] = weight.by_type.get(kind, 0) + size
        weight.total += size
        weight.requests += 1
    weight.urls = sorted(urls.values())
    context.close()
    return weight


# ------------------------------------------------------------------------------ reporting


def environment(load: float, chromium_version: str, databases: str = "") -> list[str]:
    """The report's "Environment" lines."""
    cpu = "?"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    versions = ", ".join(
        f"{name} {metadata.version(name)}"
        for name in ("django", "gunicorn", "whitenoise", "playwright")
    )
    return [
        f"- CPU: {os.cpu_count()} × {cpu}; load average (1 min) at the start {load:.2f}",
        f"- OS: {platform.platform()}; SQLite {sqlite3.sqlite_version}{databases}",
        f"- Python {platform.python_version()}; {versions}; Chromium {chromium_version}",
    ]
