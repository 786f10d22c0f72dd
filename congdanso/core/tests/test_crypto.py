"""The cipher, the blind index and the keyring (the database only where a keyring file may be
created: that asks it whether it holds sealed values)."""

import base64
import hashlib
import hmac
import json
import os
import stat
import threading
from pathlib import Path

import pytest

from congdanso.core import crypto
from congdanso.core.crypto import DecryptionError, Keyring, KeyringError


@pytest.fixture
def ring() -> Keyring:
    return Keyring.generate()


@pytest.fixture
def data_dir(settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, db: None) -> Path:  # type: ignore[no-untyped-def]
    """A data directory of its own, with no keyring in the environment, beside a database that
    holds no sealed value (the test database)."""
    monkeypatch.delenv(crypto.KEYS_ENV, raising=False)
    monkeypatch.delenv(crypto.KEYS_FILE_ENV, raising=False)
    settings.DATA_DIR = tmp_path
    return tmp_path


@pytest.mark.parametrize("value", ["066190012345", "0912345678", "", "Nguyễn Thị Hoà ✓"])
def test_a_value_decrypts_to_itself(ring: Keyring, value: str) -> None:
    token = ring.encrypt(value, "people.resident.cccd")
    assert ring.decrypt(token, "people.resident.cccd") == value
    assert value not in token or not value


def test_the_same_value_encrypts_differently_each_time(ring: Keyring) -> None:
    tokens = {ring.encrypt("066190012345", "c") for _ in range(50)}
    assert len(tokens) == 50


def test_a_token_names_its_key_version(ring: Keyring) -> None:
    rotated = ring.with_new_active_key()
    old, new = ring.encrypt("x", "c"), rotated.encrypt("x", "c")
    assert (crypto.token_version(old), crypto.token_version(new)) == (1, 2)
    assert rotated.decrypt(old, "c") == rotated.decrypt(new, "c") == "x"


def _flip(token: str, position: int) -> str:
    version, body = token.split(":")
    raw = bytearray(base64.b64decode(body))
    raw[position] ^= 0x01
    return f"{version}:{base64.b64encode(bytes(raw)).decode()}"


@pytest.mark.parametrize("position", [0, 12, -1])  # the nonce, the ciphertext, the tag
def test_a_modified_token_is_refused_with_a_clear_error(ring: Keyring, position: int) -> None:
    token = ring.encrypt("066190012345", "people.resident.cccd")
    with pytest.raises(DecryptionError) as error:
        ring.decrypt(_flip(token, position), "people.resident.cccd")
    assert "people.resident.cccd" in error.value.message.render("en")
    assert "modified" in error.value.message.render("en")
    assert "people.resident.cccd" in error.value.message.render("vi")


def test_a_token_moved_to_another_column_does_not_decrypt(ring: Keyring) -> None:
    token = ring.encrypt("0912345678", "people.resident.phone")
    with pytest.raises(DecryptionError) as error:
        ring.decrypt(token, "people.resident.cccd")
    assert "moved from another column" in error.value.message.render("en")


@pytest.mark.parametrize("token", ["", "garbage", "1:not base64!", "x:AAAA", "1:AAAA"])
def test_garbage_is_refused(ring: Keyring, token: str) -> None:
    with pytest.raises(DecryptionError):
        ring.decrypt(token, "c")


def test_a_token_under_a_key_the_keyring_lacks_says_so(ring: Keyring) -> None:
    token = ring.with_new_active_key().encrypt("x", "c")
    with pytest.raises(DecryptionError) as error:
        ring.decrypt(token, "c")
    assert error.value.code == "key_missing"
    assert "key 2" in error.value.message.render("en")


def test_another_keyring_cannot_read_a_token(ring: Keyring) -> None:
    with pytest.raises(DecryptionError):
        Keyring.generate().decrypt(ring.encrypt("x", "c"), "c")


def test_the_blind_index_is_stable_keyed_and_bound_to_its_context(ring: Keyring) -> None:
    index = ring.index("066190012345", "people.resident.cccd")
    assert index == ring.index("066190012345", "people.resident.cccd")
    assert len(index) == 2 * crypto.INDEX_BYTES
    assert index != ring.index("066190012346", "people.resident.cccd")
    assert index != ring.index("066190012345", "people.resident.phone")
    assert index != Keyring.generate().index("066190012345", "people.resident.cccd")
    # Rotating the data keys keeps the index key: look-ups keep working.
    assert ring.with_new_active_key().index("066190012345", "people.resident.cccd") == index


@pytest.mark.parametrize("key_bytes", [crypto.KEY_BYTES, 64, 100])
def test_the_blind_index_is_hmac_sha256_of_context_and_value(key_bytes: int) -> None:
    # The index is computed from a copied, pre-keyed HMAC: it must stay HMAC's exactly, or
    # every stored index (and the unique CCCD constraint) would stop matching.
    ring = Keyring(1, {1: bytes(32)}, bytes(range(key_bytes)))
    for context, value in [("people.resident.cccd", "066190012345"), ("c", ""), ("p", "Hoà ✓")]:
        message = context.encode() + b"\x00" + value.encode()
        expected = hmac.new(ring.index_key, message, hashlib.sha256).digest()[:16].hex()
        assert ring.index(value, context) == expected
        assert ring.index_remembered(value, context) == expected
        assert ring.index_remembered(value, context) == expected  # remembered


def test_the_keyring_json_round_trips(ring: Keyring) -> None:
    rotated = ring.with_new_active_key()
    again = Keyring.from_json(rotated.to_json())
    assert (again.active, dict(again.keys), again.index_key) == (
        2,
        dict(rotated.keys),
        rotated.index_key,
    )
    assert again.without([1]).keys.keys() == {2}
    assert again.without([2]).keys.keys() == {1, 2}  # the active key is never dropped


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        "[]",
        '{"active": 1, "keys": {}}',
        '{"active": 2, "keys": {"1": "%(key)s"}, "index_key": "%(key)s"}',
        '{"active": 1, "keys": {"1": "c2hvcnQ="}, "index_key": "%(key)s"}',
        '{"active": 1, "keys": {"1": "%(key)s"}}',
        '{"active": 1, "keys": {"one": "%(key)s"}, "index_key": "%(key)s"}',
    ],
)
def test_an_invalid_keyring_is_refused(text: str) -> None:
    key = "A" * 43 + "="
    with pytest.raises(KeyringError) as error:
        Keyring.from_json(text % {"key": key} if "%(key)s" in text else text, source="test")
    assert "test" in error.value.message.render("en")


def test_the_key_file_is_created_on_first_use_readable_by_its_owner_only(data_dir: Path) -> None:
    first = crypto.keyring()
    path = data_dir / "keys.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    data = json.loads(path.read_text())
    assert data["active"] == 1 and set(data) == {"active", "keys", "index_key"}
    # Read again (another process), the same keys.
    assert crypto.keyring_reload().keys == first.keys
    assert not [p for p in data_dir.iterdir() if p.name.startswith(".keys-")]


def test_a_key_file_others_may_read_is_refused(data_dir: Path) -> None:
    crypto.keyring()
    os.chmod(data_dir / "keys.json", 0o644)
    with pytest.raises(KeyringError) as error:
        crypto.keyring_reload()
    assert "chmod 600" in error.value.message.render("en")


def test_the_keyring_can_come_from_the_environment(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, ring: Keyring
) -> None:
    monkeypatch.setenv(crypto.KEYS_ENV, ring.to_json())
    token = crypto.encrypt("0912345678", "people.resident.phone")
    assert ring.decrypt(token, "people.resident.phone") == "0912345678"
    assert crypto.keyring().from_environment
    assert not (data_dir / "keys.json").exists()
    with pytest.raises(KeyringError):
        crypto.keyring_save(crypto.keyring().with_new_active_key())


def test_the_key_file_can_live_elsewhere(
    data_dir: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = tmp_path_factory.mktemp("secrets") / "congdanso-keys.json"
    monkeypatch.setenv(crypto.KEYS_FILE_ENV, str(elsewhere))
    crypto.keyring()
    assert elsewhere.exists() and not (data_dir / "keys.json").exists()


def test_a_saved_keyring_replaces_the_file_and_is_used_at_once(data_dir: Path) -> None:
    old = crypto.keyring()
    token = crypto.encrypt("x", "c")
    saved = crypto.keyring_save(old.with_new_active_key())
    assert crypto.keyring().active == saved.active == 2
    assert stat.S_IMODE((data_dir / "keys.json").stat().st_mode) == 0o600
    assert crypto.decrypt(token, "c") == "x"
    assert crypto.token_version(crypto.encrypt("x", "c")) == 2


def test_a_process_reads_the_keyring_again_for_a_key_it_does_not_know(data_dir: Path) -> None:
    crypto.keyring()
    rotated = crypto.keyring().with_new_active_key()
    token = rotated.encrypt("x", "c")
    # Another process saved the rotated keyring; this one still holds the old one.
    (data_dir / "keys.json").write_text(rotated.to_json())
    assert crypto.keyring().active == 1
    assert crypto.decrypt(token, "c") == "x"
    assert crypto.keyring().active == 2


def _nonce_of(ring: Keyring, token: str) -> bytes:
    return base64.b64decode(token.split(":", 1)[1])[: crypto.NONCE_BYTES]


def test_nonces_drawn_in_blocks_are_never_handed_out_twice_across_threads(ring: Keyring) -> None:
    # More than two blocks, from eight threads at once: every nonce is another one.
    per_thread = crypto._Nonces.BLOCK // 3
    results: list[list[bytes]] = []

    def draw() -> None:
        results.append(
            [_nonce_of(ring, ring.encrypt("066090001234", "t")) for _ in range(per_thread)]
        )

    threads = [threading.Thread(target=draw) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    nonces = [n for part in results for n in part]
    assert len(nonces) == 8 * per_thread
    assert len(set(nonces)) == len(nonces)
    assert {len(n) for n in nonces} == {crypto.NONCE_BYTES}


def test_a_forked_process_does_not_repeat_the_nonces_its_parent_drew(ring: Keyring) -> None:
    ring.encrypt("x", "t")  # the parent holds a block it has barely used
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its next nonces, to the parent
        try:
            os.write(write, b"".join(_nonce_of(ring, ring.encrypt("x", "t")) for _ in range(50)))
        finally:
            os._exit(0)
    os.close(write)
    child = b""
    while chunk := os.read(read, 4096):
        child += chunk
    os.close(read)
    os.waitpid(pid, 0)
    parent = b"".join(_nonce_of(ring, ring.encrypt("x", "t")) for _ in range(50))
    size = crypto.NONCE_BYTES
    child_nonces = {child[i : i + size] for i in range(0, len(child), size)}
    parent_nonces = {parent[i : i + size] for i in range(0, len(parent), size)}
    assert len(child_nonces) == 50
    assert not child_nonces & parent_nonces
