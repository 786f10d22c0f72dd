"""The cipher, the blind index and the keyring (the database only where a keyring file may be
created: that asks it whether it holds sealed values)."""

import base64
import hashlib
import hmac
import json
import os
import select
import signal
import stat
import tempfile
import threading
from collections.abc import Callable
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


KEY = "A" * 43 + "="  # 32 bytes in base64


@pytest.mark.parametrize(
    ("text", "what"),
    [
        ("not json", "it is not JSON"),
        ("[]", 'it has no "keys" object'),
        ('{"active": 1, "keys": []}', 'it has no "keys" object'),
        ('{"active": 1, "keys": {}}', "the active version is not one of the keys"),
        (
            '{"active": 2, "keys": {"1": "%(key)s"}, "index_key": "%(key)s"}',
            "the active version is not one of the keys",
        ),
        (
            '{"active": "1", "keys": {"1": "%(key)s"}, "index_key": "%(key)s"}',
            "the active version is not one of the keys",
        ),
        (
            '{"active": 1, "keys": {"1": "c2hvcnQ="}, "index_key": "%(key)s"}',
            "key 1 is not 32 bytes in base64",
        ),
        # a stray character: base64 that skipped it would read 32 bytes
        (
            '{"active": 1, "keys": {"1": "AAAA!%(rest)s"}, "index_key": "%(key)s"}',
            "key 1 is not 32 bytes in base64",
        ),
        (
            '{"active": 1, "keys": {"1": 12}, "index_key": "%(key)s"}',
            "key 1 is not 32 bytes in base64",
        ),
        ('{"active": 1, "keys": {"1": "%(key)s"}}', "index_key is not 32 bytes in base64"),
        (
            '{"active": 1, "keys": {"one": "%(key)s"}, "index_key": "%(key)s"}',
            "a key version is not a positive number",
        ),
        (
            '{"active": 0, "keys": {"0": "%(key)s"}, "index_key": "%(key)s"}',
            "a key version is not a positive number",
        ),
    ],
)
def test_an_invalid_keyring_is_refused_saying_what_is_wrong(text: str, what: str) -> None:
    with pytest.raises(KeyringError) as error:
        Keyring.from_json(text % {"key": KEY, "rest": KEY[4:]}, source="/srv/keys.json")
    assert error.value.code == "keyring_invalid"
    assert error.value.message.render("en") == f"The keyring /srv/keys.json is invalid: {what}."
    assert "/srv/keys.json" in error.value.message.render("vi")


def test_a_keyring_keeps_where_it_came_from_through_its_changes(ring: Keyring) -> None:
    # Its source names it in every message, and decides where a rotation is saved.
    text = ring.to_json()
    from_file = Keyring.from_json(text, source="/srv/keys.json")
    from_environment = Keyring.from_json(text, source=crypto.KEYS_ENV, from_environment=True)
    for original in (from_file, from_environment):
        for changed in (original, original.with_new_active_key(), original.without([1])):
            assert (changed.source, changed.from_environment) == (
                original.source,
                original.from_environment,
            )
    assert (from_file.source, from_file.from_environment) == ("/srv/keys.json", False)
    assert from_environment.from_environment


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


def _in_a_child(draw: Callable[[], bytes]) -> bytes:
    """What `draw` gives in a forked child, read by the parent."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.write(write, draw())
        finally:
            os._exit(0)
    os.close(write)
    got = b""
    while chunk := os.read(read, 4096):
        got += chunk
    os.close(read)
    os.waitpid(pid, 0)
    return got


def test_a_forked_process_does_not_repeat_the_nonces_its_parent_drew(ring: Keyring) -> None:
    ring.encrypt("x", "t")  # the parent holds a block it has barely used
    child = _in_a_child(
        lambda: b"".join(_nonce_of(ring, ring.encrypt("x", "t")) for _ in range(50))
    )
    parent = b"".join(_nonce_of(ring, ring.encrypt("x", "t")) for _ in range(50))
    size = crypto.NONCE_BYTES
    child_nonces = {child[i : i + size] for i in range(0, len(child), size)}
    parent_nonces = {parent[i : i + size] for i in range(0, len(parent), size)}
    assert len(child_nonces) == 50
    assert not child_nonces & parent_nonces


# -- what each refusal says, and the edges of the token's format ------------------------------
CCCD = "people.resident.cccd"
TAMPERED = (
    "A value of people.resident.cccd cannot be decrypted: it was modified, moved from another "
    "column, or encrypted with another key."
)


def test_a_token_under_a_missing_key_names_its_column_key_and_keyring(ring: Keyring) -> None:
    ring = Keyring.from_json(ring.to_json(), source="/srv/keys.json")
    token = ring.with_new_active_key().encrypt("0912345678", "people.resident.phone")
    with pytest.raises(DecryptionError) as error:
        ring.decrypt(token, "people.resident.phone")
    assert error.value.message.render("en") == (
        "A value of people.resident.phone is encrypted with key 2, which the keyring "
        "/srv/keys.json does not hold."
    )


def _tokens_near(token: str) -> list[str]:
    version, body = token.split(":")
    return [
        f"{version}:{body[:8]}!{body[8:]}",  # a stray character, which lax base64 skips
        f"{version}:AAAA:{body}",  # the body after a second colon
        f"{version}:{body}\n",
        body,  # no version
        f"x{version}:{body}",
    ]


def test_a_token_near_a_good_one_is_refused_naming_its_column(ring: Keyring) -> None:
    token = ring.encrypt("066190012345", CCCD)
    assert ring.decrypt(token, CCCD) == "066190012345"
    for near in _tokens_near(token):
        with pytest.raises(DecryptionError) as error:
            ring.decrypt(near, CCCD)
        assert error.value.message.render("en") == TAMPERED, near


def test_a_token_names_the_version_before_its_first_colon() -> None:
    assert crypto.token_version("3:ab:cd") == 3
    with pytest.raises(DecryptionError) as error:
        crypto.token_version("ab:3", CCCD)
    assert error.value.message.render("en") == TAMPERED
    with pytest.raises(DecryptionError) as error:
        crypto.token_version("ab:3")  # a caller that does not name the column
    assert error.value.message.render("en") == TAMPERED.replace("people.resident.cccd", "?")


def test_the_process_s_keyring_refuses_garbage_naming_its_column(data_dir: Path) -> None:
    ring = crypto.keyring()
    for garbage in ("garbage", "", "x:AAAA"):
        with pytest.raises(DecryptionError) as error:
            crypto.decrypt(garbage, CCCD)
        assert error.value.message.render("en") == TAMPERED
    # A token under a key it holds is read without reading the keyring again.
    assert crypto.decrypt(crypto.encrypt("066190012345", CCCD), CCCD) == "066190012345"
    assert crypto.keyring() is ring


def test_the_remembered_indexes_stay_within_their_bound(
    ring: Keyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(crypto, "REMEMBERED_INDEXES", 3)
    for value in "abcdefg":
        assert ring.index_remembered(value, "c") == ring.index(value, "c")
        assert len(ring._remembered["c"]) <= 3


def test_a_block_of_nonces_is_handed_out_whole_and_once() -> None:
    nonces = crypto._Nonces()
    taken = [nonces.take() for _ in range(2 * crypto._Nonces.BLOCK + 1)]
    assert {len(n) for n in taken} == {crypto.NONCE_BYTES}
    assert len(set(taken)) == len(taken)


def test_a_forked_child_draws_nonces_of_its_own() -> None:
    nonces = crypto._Nonces()  # made here, not at import: its set-up is what is tested
    nonces.take()
    child = _in_a_child(lambda: b"".join(nonces.take() for _ in range(20)))
    parent = b"".join(nonces.take() for _ in range(20))
    assert len(child) == len(parent) == 20 * crypto.NONCE_BYTES
    size = crypto.NONCE_BYTES
    assert not {child[i : i + size] for i in range(0, len(child), size)} & {
        parent[i : i + size] for i in range(0, len(parent), size)
    }


# -- the keyring's file -------------------------------------------------------------------------
def test_a_key_file_others_may_read_is_refused_with_its_mode(data_dir: Path) -> None:
    crypto.keyring()
    path = data_dir / "keys.json"
    os.chmod(path, 0o644)
    with pytest.raises(KeyringError) as error:
        crypto.keyring_reload()
    assert error.value.code == "keyring_permissions"
    assert error.value.message.render("en") == (
        f"The keyring file {path} may be read by other users (mode 0o644): run chmod 600 on it."
    )


def test_a_keyring_knows_its_source(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, ring: Keyring
) -> None:
    crypto._loaded.clear()
    assert crypto.keyring_reload().source == str(data_dir / "keys.json")  # nothing loaded yet
    monkeypatch.setenv(crypto.KEYS_ENV, ring.to_json())
    assert (crypto.keyring().source, crypto.keyring().from_environment) == (crypto.KEYS_ENV, True)
    with pytest.raises(KeyringError) as error:
        crypto.keyring_save(crypto.keyring().with_new_active_key())
    assert error.value.code == "keyring_in_environment"
    assert error.value.message.render("en") == (
        "The keyring comes from the environment variable CONGDANSO_KEYS: it cannot be changed "
        "from here. Put the new keyring into the variable instead."
    )


def test_the_keyring_is_written_beside_its_place_in_folders_made_for_it(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Never through the system's temporary folder (another file system, where a copy of the
    # keys could outlive a crash): with none there, the keyring is still made and saved.
    monkeypatch.setattr(tempfile, "tempdir", str(data_dir / "no-such-folder"))
    path = data_dir / "secrets" / "congdanso" / "keys.json"
    monkeypatch.setenv(crypto.KEYS_FILE_ENV, str(path))
    first = crypto.keyring()
    assert first.source == str(path)
    assert crypto.keyring_save(first.with_new_active_key()).active == 2
    assert Keyring.from_json(path.read_text()).active == 2
    assert sorted(p.name for p in path.parent.iterdir()) == ["keys.json"]


def test_a_keyring_another_process_made_first_is_kept(data_dir: Path, ring: Keyring) -> None:
    path = data_dir / "keys.json"
    path.write_text(ring.to_json())
    crypto._create_file(path)  # lost the race: no error, the other one stays
    assert Keyring.from_json(path.read_text()) == ring
    assert [p.name for p in data_dir.iterdir()] == ["keys.json"]


def test_a_keyring_is_saved_to_where_it_was_read(data_dir: Path, ring: Keyring) -> None:
    elsewhere = data_dir / "elsewhere.json"
    moved = Keyring.from_json(ring.to_json(), source=str(elsewhere))
    crypto.keyring_save(moved.with_new_active_key())
    assert Keyring.from_json(elsewhere.read_text()).active == 2
    assert crypto.keyring().source == str(data_dir / "keys.json")  # its own, made anew
    # A keyring of no file goes to the process's own.
    crypto.keyring_save(ring)
    assert Keyring.from_json((data_dir / "keys.json").read_text()) == ring


def test_a_failed_save_leaves_no_copy_of_the_keys(data_dir: Path, ring: Keyring) -> None:
    target = data_dir / "a-folder"
    target.mkdir()
    with pytest.raises(IsADirectoryError):
        crypto.keyring_save(Keyring.from_json(ring.to_json(), source=str(target)))
    assert sorted(p.name for p in data_dir.iterdir()) == ["a-folder"]


def test_a_child_forked_while_another_thread_takes_a_nonce_still_gets_nonces() -> None:
    # The lock held at the fork by a thread that does not exist in the child: the child must
    # not wait for it for ever (an import forks its reader beside busy threads).
    nonces = crypto._Nonces()
    nonces._lock.acquire()  # as another thread, in the middle of take()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.write(write, nonces.take())
        finally:
            os._exit(0)
    os.close(write)
    try:
        ready, _, _ = select.select([read], [], [], 20)
        got = os.read(read, 64) if ready else b""
    finally:
        if not ready:
            os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(read)
    nonces._lock.release()  # the other thread, done
    assert len(got) == crypto.NONCE_BYTES
    assert len(nonces.take()) == crypto.NONCE_BYTES


def test_a_fork_changes_nothing_in_the_parent() -> None:
    # A thread of the parent may be inside take() at the fork, holding the lock and about to
    # slice the block: swapping either under it would hand out an empty nonce, or let another
    # thread take the same slice.
    nonces = crypto._Nonces()
    nonces.take()
    lock, pool, at = nonces._lock, nonces._pool, nonces._next
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
    assert nonces._lock is lock
    assert (nonces._pool, nonces._next) == (pool, at)
