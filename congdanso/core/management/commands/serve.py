"""`congdanso serve [--no-worker] [-- GUNICORN OPTIONS…]`: the site and its background worker.

Starts gunicorn (`congdanso.wsgi` with `congdanso.gunicorn_conf` — an access log without
query strings — and the options given after `--`) and the django-tasks
database worker (`congdanso db_worker`, which runs the imports confirmed on the import page)
side by side, so that one command — `make run` — serves everything with no other server.
Ctrl+C (or SIGTERM) stops both; if either stops on its own, the other is stopped too and the
command exits with the code of the one that stopped first.
"""

import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import FrameType
from typing import Any

from django.core.management.base import CommandParser
from django.utils.translation import gettext_lazy as _

from congdanso.core.commands import Command as BaseCommand
from congdanso.core.errors import DomainError

#: How long each process gets to finish cleanly (a running import) before it is killed.
STOP_SECONDS = 30


def _gunicorn() -> str:
    beside = Path(sys.executable).with_name("gunicorn")
    found = str(beside) if beside.exists() else shutil.which("gunicorn")
    if not found:
        raise DomainError(
            _("gunicorn is not installed: run `make run`, or `pip install gunicorn`."),
            code="gunicorn_missing",
        )
    return found


class Command(BaseCommand):
    help = "Serve the site with gunicorn and run the background worker beside it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="Do not start the background worker (another machine or service runs it).",
        )
        parser.add_argument(
            "gunicorn_options",
            nargs="*",
            help="Options passed to gunicorn, after --, e.g. -- --bind 127.0.0.1:8000.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        given = options["gunicorn_options"]
        # Our access-log format (no query strings) unless the caller brings a config file.
        config = (
            []
            if any(o in ("-c", "--config") or o.startswith("--config=") for o in given)
            else [
                "--config",
                "python:congdanso.gunicorn_conf",
            ]
        )
        commands = [[_gunicorn(), *config, "congdanso.wsgi", *given]]
        if not options["no_worker"]:
            commands.append(
                [sys.executable, "-m", "congdanso", "db_worker", "--no-reload", "--interval", "1"]
            )
        # Each in its own session: Ctrl+C reaches this command only, which then stops each
        # child once (db_worker takes a second signal as "kill the running import").
        processes = [
            subprocess.Popen(command, start_new_session=True)  # noqa: S603 - our own programs
            for command in commands
        ]
        stopping = False

        def stop(signum: int, frame: FrameType | None) -> None:
            nonlocal stopping
            stopping = True

        previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            first_code = self._wait_for_one(processes, lambda: stopping)
        finally:
            self._stop_all(processes)
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        if first_code not in (None, 0) and not stopping:
            sys.exit(first_code)

    @staticmethod
    def _wait_for_one(processes: list[subprocess.Popen[bytes]], stopping: Any) -> int | None:
        while not stopping():
            for process in processes:
                code = process.poll()
                if code is not None:
                    return code
            time.sleep(0.2)
        return None

    @staticmethod
    def _stop_all(processes: list[subprocess.Popen[bytes]]) -> None:
        # SIGTERM: gunicorn finishes its requests, the worker its current task (db_worker
        # stops after it; the import is atomic, so a kill after STOP_SECONDS loses nothing).
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_SECONDS
        for process in processes:
            try:
                process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
