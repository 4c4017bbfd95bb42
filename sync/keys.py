"""The device's Ed25519 key pair and the list of keys this database trusts.

The private key lives in a file next to the database (``<db>.key``, mode
0600, made at first use) so that copying the database alone never copies the
right to sign in its name.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from nacl.exceptions import BadSignatureError
from nacl.signing import SigningKey, VerifyKey

from vigikfield.domain import private
from vigikfield.domain.store import Store

from . import local
from .errors import SyncError

PREFIX = "ed25519:"


def key_path(store: Store) -> Path:
    return store.path.with_name(store.path.name + ".key")


def key_id(public_hex: str) -> str:
    """A short, stable name for a public key: 16 hex chars of its SHA-256."""
    return hashlib.sha256(bytes.fromhex(public_hex)).hexdigest()[:16]


def signing_key(store: Store) -> SigningKey:
    """This device's key, created (owner-only file) on first use."""
    path = key_path(store)
    if path.exists():
        private.restrict(path)  # a key copied with looser rights is made owner-only again
        try:
            return SigningKey(bytes.fromhex(path.read_text().strip()))
        except ValueError as exc:
            raise SyncError("bad_key_file", path=path) from exc
    key = SigningKey.generate()
    with private.open_file(path, "x") as fh:
        fh.write(key.encode().hex() + "\n")
    return key


def public_hex(store: Store) -> str:
    return signing_key(store).verify_key.encode().hex()


def parse_public(text: str) -> str:
    """A public key given as hex, ``ed25519:<hex>``, or a file holding either."""
    text = text.strip()
    candidate = Path(text)
    if not text.lower().startswith(PREFIX) and len(text) != 64 and candidate.is_file():
        text = candidate.read_text(encoding="utf-8").strip().split()[-1]
    if text.lower().startswith(PREFIX):
        text = text[len(PREFIX):]
    try:
        raw = bytes.fromhex(text)
    except ValueError:
        raw = b""
    if len(raw) != 32:
        raise SyncError("bad_public_key", key=text[:80])
    return raw.hex()


def verify(public: str, message: bytes, signature_hex: str) -> bool:
    try:
        VerifyKey(bytes.fromhex(public)).verify(message, bytes.fromhex(signature_hex))
    except (BadSignatureError, ValueError):
        return False
    return True


@dataclass(frozen=True, slots=True)
class Trusted:
    name: str
    key_id: str
    public_key: str
    added_at: str
    revoked_at: str | None


def trust_add(store: Store, key_text: str, name: str) -> Trusted:
    public = parse_public(key_text)
    kid = key_id(public)
    clash = store.conn.execute(
        "SELECT name FROM sync_trust WHERE name = ? OR key_id = ?", (name, kid)
    ).fetchone()
    if clash:
        raise SyncError("trust_exists", name=clash[0], key_id=kid)
    store.conn.execute(
        "INSERT INTO sync_trust (name, key_id, public_key, added_at) VALUES (?, ?, ?, ?)",
        (name, kid, public, local.now()),
    )
    return trusted_by_name(store, name)


def trusted_by_name(store: Store, name: str) -> Trusted:
    row = store.conn.execute(
        "SELECT name, key_id, public_key, added_at, revoked_at FROM sync_trust WHERE name = ?",
        (name,),
    ).fetchone()
    if row is None:
        raise SyncError("trust_unknown", name=name)
    return Trusted(*row)


def trust_list(store: Store) -> list[Trusted]:
    return [Trusted(*row) for row in store.conn.execute(
        "SELECT name, key_id, public_key, added_at, revoked_at FROM sync_trust ORDER BY name"
    )]


def trust_revoke(store: Store, name: str) -> Trusted:
    trusted_by_name(store, name)
    store.conn.execute(
        "UPDATE sync_trust SET revoked_at = coalesce(revoked_at, ?) WHERE name = ?",
        (local.now(), name),
    )
    return trusted_by_name(store, name)


def signer_for(store: Store, kid: str, public: str) -> Trusted:
    """The trusted, unrevoked entry for a bundle's key, or a refusal saying why."""
    row = store.conn.execute(
        "SELECT name, key_id, public_key, added_at, revoked_at FROM sync_trust WHERE key_id = ?",
        (kid,),
    ).fetchone()
    if row is None:
        raise SyncError("untrusted_key", key_id=kid)
    entry = Trusted(*row)
    if entry.revoked_at:
        raise SyncError("revoked_key", name=entry.name, key_id=kid, when=entry.revoked_at)
    if entry.public_key != public:
        raise SyncError("key_mismatch", key_id=kid)
    return entry
