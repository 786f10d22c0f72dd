"""Commands run as real processes against a SQLite file of their own, for the tests that kill
them half-way (SIGKILL) and look at what they left. The test database cannot serve: its rows
live in a transaction no other process sees."""

import hashlib
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from congdanso.core import crypto

COMMUNE = "66-krong-pac-ea-yong"
#: The console script itself, as installed (`congdanso …` on the command line).
CONGDANSO = Path(sys.executable).with_name("congdanso")


@dataclass(frozen=True)
class Site:
    """A data directory with its own SQLite database and keyring."""

    data_dir: Path

    @property
    def database(self) -> Path:
        return self.data_dir / "congdanso.sqlite3"

    def env(self, **extra: str) -> dict[str, str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in {crypto.KEYS_ENV, crypto.KEYS_FILE_ENV, "DATABASE_URL"}
        }
        env.update(
            CONGDANSO_DATA_DIR=str(self.data_dir),
            DATABASE_URL=f"sqlite:///{self.database}",
            CONGDANSO_LANGUAGE="en",
            PYTHONDONTWRITEBYTECODE="1",
        )
        env.update(extra)
        return env

    def run(self, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(  # noqa: S603 - our own command line
            [sys.executable, "-m", "congdanso", *args],
            env=self.env(**env),
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return done

    def command(
        self, *args: str, returncode: int = 0, **env: str
    ) -> subprocess.CompletedProcess[str]:
        """The installed console script, which exits with `returncode`."""
        done = subprocess.run(  # noqa: S603 - our own command line
            [str(CONGDANSO), *args],
            env=self.env(**env),
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert done.returncode == returncode, (done.returncode, done.stderr[-3000:])
        return done

    def run_until_paused_then_kill(
        self,
        *args: str,
        timeout: float = 120,
        when_paused: Callable[[int], None] | None = None,
        **env: str,
    ) -> str:
        """Start the command with the test pause hook, wait until it pauses after its first
        batch (then call `when_paused(pid)`), SIGKILL it; returns what the hook wrote (rows
        done)."""
        marker = self.data_dir / "paused"
        marker.unlink(missing_ok=True)
        process = subprocess.Popen(  # noqa: S603 - our own command line
            [sys.executable, "-m", "congdanso", *args],
            env=self.env(
                CONGDANSO_TEST_PAUSE_FILE=str(marker), CONGDANSO_TEST_PAUSE_SECONDS="600", **env
            ),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            deadline = time.monotonic() + timeout
            while not marker.exists():
                if process.poll() is not None:
                    raise AssertionError(process.stderr.read().decode()[-3000:])  # type: ignore[union-attr]
                if time.monotonic() > deadline:
                    raise AssertionError("the command never reached its pause")
                time.sleep(0.05)
            time.sleep(0.2)  # the marker is written just before the sleep
            if when_paused is not None:
                when_paused(process.pid)
            process.send_signal(signal.SIGKILL)
            assert process.wait(timeout=30) == -signal.SIGKILL
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
            if process.stderr:
                process.stderr.close()
        return marker.read_text()

    def keyring(self) -> crypto.Keyring:
        path = self.data_dir / crypto.KEYS_FILE_NAME
        return crypto.Keyring.from_json(path.read_text(), source=str(path))

    def rows(self, sql: str) -> list[tuple[object, ...]]:
        connection = sqlite3.connect(self.database)
        try:
            return connection.execute(sql).fetchall()
        finally:
            connection.close()

    def checksum(self, *tables: str) -> dict[str, tuple[int, str]]:
        """(rows, SHA-256 of every row in id order) for each table."""
        sums = {}
        for table in tables:
            rows = self.rows(f"SELECT * FROM {table} ORDER BY id")  # noqa: S608 - test tables
            sums[table] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
        return sums


def site_template(directory: Path) -> Site:
    """Migrated, with xã Ea Yông and its villages (`congdanso demo --residents 0`)."""
    site = Site(directory)
    site.run("migrate", "--noinput", "-v0")
    site.run("demo", "--residents", "0")
    return site


def site_copy(template: Site, directory: Path) -> Site:
    """The template's database and keyring in a directory of their own."""
    directory.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(template.database) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    shutil.copyfile(template.database, directory / template.database.name)
    keys = template.data_dir / crypto.KEYS_FILE_NAME
    shutil.copy2(keys, directory / keys.name)
    os.chmod(directory / keys.name, 0o600)
    return Site(directory)


def children_of(pid: int) -> list[int]:
    """The processes whose parent is `pid`, from /proc (Linux)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue  # ended meanwhile
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def is_running(pid: int) -> bool:
    """Alive and not a zombie (a zombie's parent has not collected it yet: it is dead)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return False
    return state not in {"Z", "X"}
