"""`congdanso keys status | rotate [--batch N] [--retire-old] | generate [--add-key]`.

The keyring of the encryption at rest (see `congdanso.core.crypto`):

- `status`: where the keyring is, its active key, how many rows each key encrypts, and whether
  the keyring at hand is the one the data needs (each key against its fingerprint in the
  database and a sample of the values: see `congdanso.core.keycheck`). It never makes a
  keyring and works when the keys are wrong — to say which one;
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

from congdanso.core import crypto, keycheck, rotation
from congdanso.core.commands import Command as BaseCommand


def pause_for_tests(done: int) -> None:
    marker = os.environ.get("CONGDANSO_TEST_PAUSE_FILE")
    if marker:
        Path(marker).write_text(str(done), encoding="ascii")
        time.sleep(float(os.environ.get("CONGDANSO_TEST_PAUSE_SECONDS", "60")))


def _key_line(report: keycheck.KeyReport) -> str:
    """One key: does the keyring at hand hold the key the database recorded, and does it open
    the sample of stored values?"""
    if report.kind == "index":
        label = _("Look-up key")
    else:
        label = _("Key %(version)d") % {"version": report.version}
    if report.stored is None:
        fingerprint = _("not recorded in this database yet")
    elif report.held is None:
        fingerprint = _("MISSING from the keyring at hand")
    elif report.fingerprint_matches:
        fingerprint = _("the keyring's fingerprint matches the database's")
    else:
        fingerprint = _("the keyring's fingerprint DIFFERS from the database's")
    if not report.tried:
        sample = _("no stored value tried")
    elif report.kind == "index":
        sample = _("%(opened)d of %(tried)d stored look-up keys recomputed") % {
            "opened": report.opened,
            "tried": report.tried,
        }
    else:
        sample = _("%(opened)d of %(tried)d stored values decrypt") % {
            "opened": report.opened,
            "tried": report.tried,
        }
    return f"{label}: {fingerprint}; {sample}."


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
        # Never makes a keyring, and works when the keys do not open the data: it says why.
        check = keycheck.keys_check(thorough=True)
        rows = rotation.keys_rows()
        ring = check.keyring
        if ring is not None:
            self._describe_keyring(ring)
        elif not check.sealed:
            self.stdout.write(
                _("No keyring yet (%(source)s): one is made when a first value is encrypted.")
                % {"source": check.source}
            )
        self._describe_rows(rows)
        for report in check.keys:
            self.stdout.write(_key_line(report))
        if not check.ok:
            self.stdout.write(str(check.refusal()))
        elif check.sealed:
            self.stdout.write(_("The keyring at hand opens this database's encrypted data."))
        pending = sum(n for by in rows.values() for v, n in by.items() if ring and v != ring.active)
        if pending:
            self.stdout.write(
                _(
                    "Rows still under an old key: %(rows)d. Run `congdanso keys rotate` to finish "
                    "the rotation."
                )
                % {"rows": pending}
            )

    def _describe(self, status: rotation.KeysStatus) -> None:
        self._describe_keyring(crypto.keyring())
        self._describe_rows(status.rows)

    def _describe_keyring(self, ring: crypto.Keyring) -> None:
        where = crypto.KEYS_ENV if ring.from_environment else ring.source
        self.stdout.write(
            _("Keyring: %(source)s; active key: %(active)d; keys held: %(versions)s.")
            % {
                "source": where,
                "active": ring.active,
                "versions": ", ".join(map(str, sorted(ring.keys))),
            }
        )

    def _describe_rows(self, rows: dict[str, dict[int, int]]) -> None:
        for table, by_version in rows.items():
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

        result = rotation.keys_rotate(
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
        self._describe(rotation.keys_status())

    def _generate(self, options: dict[str, Any]) -> None:
        if options["add_key"]:
            ring = crypto.keyring().with_new_active_key()
        else:
            ring = crypto.Keyring.generate()
        self.stdout.write(ring.to_json())
