"""What a backup vouches for: its manifest, and the keys its data needs.

Every backup `X` has a manifest `X.json` beside it: when, which backend, the migrations
applied per app, the rows per table, size and SHA-256 of `X`, the congdanso version and a
SHA-256 of each key file. A restore checks it before touching anything, and compares the row
counts after.

The keys in the data dir (`secret_key`, `keys.json`) are not in the database, and a database
restored without the keys its fields were encrypted with cannot be read: the manifest keeps
the SHA-256 of each key file and the fingerprints of the keys the data needs
(`core.keycheck`; never the keys), and this module says where the key files are and whether
the keys at hand are those. A module of its own because the manifest is the contract
between a backup and any later restore, whatever the backend: both sides read it here.
"""

import hashlib
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from congdanso.core import crypto, keycheck
from congdanso.core.errors import DomainError, Message

MANIFEST_FORMAT = 1
# Secrets outside the database, as settings.py and core/crypto.py find them.
KEY_ENVIRONMENT = ("CONGDANSO_SECRET_KEY", "CONGDANSO_KEYS")


@dataclass(frozen=True)
class Manifest:
    backend: str
    file: str
    size: int
    sha256: str
    created_at: str
    version: str
    migrations: dict[str, list[str]]
    tables: dict[str, int]
    key_files: dict[str, str]  # "secret_key"/"keyring" -> SHA-256 when the backup was made
    keys_archive: str | None = None
    format: int = MANIFEST_FORMAT
    #: "data:1"/"index:1" -> fingerprint of each key the data needs ({}: none; None: unknown,
    #: a manifest older than the fingerprints).
    key_fingerprints: dict[str, str] | None = None

    @property
    def rows(self) -> int:
        return sum(self.tables.values())

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=2, sort_keys=True) + "\n"

    @classmethod
    def read(cls, path: Path) -> "Manifest":
        if not path.is_file():
            raise DomainError(
                Message(
                    _("The manifest %(path)s is missing: it must be beside the backup."), path=path
                ),
                code="manifest_missing",
            )
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("format") != MANIFEST_FORMAT:
                raise ValueError(f"format {data.get('format')!r}")
            manifest = cls(**data)
            if not (
                isinstance(manifest.tables, dict)
                and isinstance(manifest.migrations, dict)
                and isinstance(manifest.key_files, dict)
                and isinstance(manifest.key_fingerprints, dict | None)
            ):
                raise ValueError("tables, migrations, key_files or key_fingerprints")
            if manifest.key_fingerprints:
                keycheck.fingerprints_from_json(manifest.key_fingerprints)
        except (ValueError, TypeError, AttributeError) as error:
            raise DomainError(
                Message(
                    _("%(path)s is not a congdanso backup manifest (%(error)s)."),
                    path=path,
                    error=error,
                ),
                code="manifest_invalid",
            ) from error
        return manifest


def manifest_path_for(backup: Path) -> Path:
    return backup.with_name(backup.name + ".json")


def keys_archive_path_for(backup: Path) -> Path:
    return backup.with_name(backup.name + ".keys.tar")


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def key_locations() -> dict[str, Path]:
    """Where the Django secret key and the keyring of `core/crypto.py` are read from."""
    return {"secret_key": Path(settings.DATA_DIR) / "secret_key", "keyring": crypto.keys_path()}


def key_files() -> dict[str, Path]:
    """The key files that exist: they are not in the database."""
    return {name: path for name, path in key_locations().items() if path.is_file()}


def key_files_differing(manifest: Manifest) -> tuple[list[Path], list[Path]]:
    """The key files of the backup that are (another file, missing) here, by their digests."""
    locations = key_locations()
    changed, missing = [], []
    for name, digest in sorted(manifest.key_files.items()):
        key = locations.get(name, Path(settings.DATA_DIR) / name)
        if not key.is_file():
            missing.append(key)
        elif file_sha256(key) != digest:
            changed.append(key)
    return changed, missing


def keys_not_in_place(manifest: Manifest) -> Message | None:
    """Why the keys the backup's data needs are not those at hand, or None. Read without
    ever making a keyring."""
    if manifest.key_fingerprints is None:  # an older manifest: the keyring file, at least
        keyring_file = key_locations()["keyring"]
        if "keyring" in manifest.key_files and not (
            os.environ.get(crypto.KEYS_ENV) or keyring_file.is_file()
        ):
            return Message(_("the keyring file %(path)s is missing."), path=keyring_file)
        return None
    needed = keycheck.fingerprints_from_json(manifest.key_fingerprints)
    if not needed:
        return None
    ring, trouble = keycheck.keyring_at_hand()
    if ring is None:
        if trouble is not None and trouble.code == "keyring_missing":
            return Message(_("the keyring file %(path)s is missing."), path=crypto.keys_path())
        return trouble.message if trouble is not None else None
    held = keycheck.keyring_fingerprints(ring)
    for key, value in sorted(needed.items()):
        if key not in held:
            return Message(
                _("the keyring at hand (%(source)s) lacks %(key)s."),
                source=ring.source,
                key=keycheck.key_label(key),
            )
        if held[key] != value:
            return Message(
                _("%(key)s of the keyring at hand (%(source)s) is another key."),
                key=keycheck.key_label(key),
                source=ring.source,
            )
    return None
