"""`congdanso keys status | rotate [--batch N] [--retire-old] | generate [--add-key]`.

The keyring of the encryption at rest (see `congdanso.core.crypto`):

- `status`: where the keyring is, its active key, and how many rows each key encrypts;
- `rotate`: a new active key, and every encrypted value re-encrypted under it, a batch of rows
  per transaction. Killed half-way, it leaves every row readable; run it again and it goes on
  where it stopped (no second key is added while rows are under an old one). `--retire-old`
  then removes the old keys no row uses;
- `generate`: prints a new keyring (`--add-key`: the current one with a new active key) for
  the environment variable CONGDANSO_KEYS, which this command cannot change itself.

Test support: with CONGDANSO_TEST_PAUSE_FILE set, `rotate` writes that file after each
committed batch and sleeps CONGDANSO_TEST_PAUSE_SECONDS (default 60) — so that a test can kill
it half-way at a known point.
"""

import os
import time
from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser
from django.utils.translation import gettext as _

from congdanso.core import crypto
from congdanso.core.commands import Command as BaseCommand


def pause_for_tests(done: int) -> None:
    marker = os.environ.get("CONGDANSO_TEST_PAUSE_FILE")
    if marker:
        Path(marker).write_text(str(done), encoding="ascii")
        time.sleep(float(os.environ.get("CONGDANSO_TEST_PAUSE_SECONDS", "60")))


class Command(BaseCommand):
    help = (
        "The keys that encrypt personal data: status, rotation, a keyring to put in CONGDANSO_KEYS."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("status", help="The active key and how many rows each key encrypts.")
        rotate = sub.add_parser(
            "rotate", help="A new active key; re-encrypt everything (resumable)."
        )
        rotate.add_argument("--batch", type=int, default=1000, help="Rows per transaction.")
        rotate.add_argument(
            "--retire-old", action="store_true", help="Then remove the old keys no row uses."
        )
        generate = sub.add_parser("generate", help="Print a keyring for CONGDANSO_KEYS.")
        generate.add_argument(
            "--add-key", action="store_true", help="The current keyring with a new active key."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, "_" + options["action"])(options)

    def _status(self, options: dict[str, Any]) -> None:
        status = crypto.keys_status()
        self._describe(status)
        if status.pending:
            self.stdout.write(
                _(
                    "Rows still under an old key: %(rows)d. Run `congdanso keys rotate` to finish "
                    "the rotation."
                )
                % {"rows": status.pending}
            )

    def _describe(self, status: crypto.KeysStatus) -> None:
        where = crypto.KEYS_ENV if status.from_environment else status.source
        self.stdout.write(
            _("Keyring: %(source)s; active key: %(active)d; keys held: %(versions)s.")
            % {
                "source": where,
                "active": status.active,
                "versions": ", ".join(map(str, status.versions)),
            }
        )
        for table, by_version in status.rows.items():
            counts = "; ".join(
                _("key %(version)d — rows: %(rows)d") % {"version": v, "rows": n}
                for v, n in by_version.items()
            )
            self.stdout.write(f"  {table}: {counts or '—'}")

    def _rotate(self, options: dict[str, Any]) -> None:
        def progress(table: str, done: int) -> None:
            self.stdout.write(
                _("%(table)s — rows re-encrypted: %(rows)d") % {"table": table, "rows": done}
            )
            self.stdout.flush()
            pause_for_tests(done)

        result = crypto.keys_rotate(
            batch=max(1, options["batch"]),
            retire_old=options["retire_old"],
            after_batch=progress,
        )
        if result.new_key:
            self.stdout.write(
                _("Key %(active)d is now the active key (it was key %(previous)d).")
                % {"active": result.active, "previous": result.previous}
            )
        else:
            self.stdout.write(
                _("An interrupted rotation to key %(active)d was finished.")
                % {"active": result.active}
            )
        self.stdout.write(
            _("Rows re-encrypted: %(rows)d.") % {"rows": sum(result.rewritten.values())}
        )
        if result.retired:
            self.stdout.write(
                _("Old keys removed from the keyring: %(versions)s.")
                % {"versions": ", ".join(map(str, result.retired))}
            )
        if result.removable:
            self.stdout.write(
                _("No row uses the keys %(versions)s any more: remove them from %(variable)s.")
                % {
                    "versions": ", ".join(map(str, result.removable)),
                    "variable": crypto.KEYS_ENV,
                }
            )
        self._describe(crypto.keys_status())

    def _generate(self, options: dict[str, Any]) -> None:
        if options["add_key"]:
            ring = crypto.keyring().with_new_active_key()
        else:
            ring = crypto.Keyring.generate()
        self.stdout.write(ring.to_json())
