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

from vigikfield.domain import private, values
from vigikfield.domain.profile import MAINTENANCE, PILOT, ROLES, TECHNICIAN
from vigikfield.domain.store import Store
from vigikfield.i18n import t

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


def key_text(store: Store) -> str:
    """What `device show --public-key` prints: ``ed25519:<hex>@<device id>``.

    The device id after ``@`` binds the key to this device at `trust add`,
    so that the key can never speak for another device.
    """
    return f"{PREFIX}{public_hex(store)}@{store.device_id}"


def parse_key_text(text: str) -> tuple[str, str | None]:
    """(public key hex, device id or None) from ``[ed25519:]<hex>[@<device id>]``,
    or from a file holding that text."""
    text = text.strip()
    candidate = Path(text)
    if not text.lower().startswith(PREFIX) and len(text) != 64 and "@" not in text \
            and candidate.is_file():
        text = candidate.read_text(encoding="utf-8").strip().split()[-1]
    text, _, device = text.partition("@")
    if text.lower().startswith(PREFIX):
        text = text[len(PREFIX):]
    try:
        raw = bytes.fromhex(text)
    except ValueError:
        raw = b""
    if len(raw) != 32:
        raise SyncError("bad_public_key", key=text[:80])
    return raw.hex(), device.strip().lower() or None


def parse_public(text: str) -> str:
    """The public key of a key text (see `parse_key_text`)."""
    return parse_key_text(text)[0]


def verify(public: str, message: bytes, signature_hex: str) -> bool:
    try:
        VerifyKey(bytes.fromhex(public)).verify(message, bytes.fromhex(signature_hex))
    except (BadSignatureError, ValueError):
        return False
    return True


@dataclass(frozen=True, slots=True)
class Trusted:
    """A key this database accepts bundles from, the role it is trusted with, and its device."""

    name: str
    key_id: str
    public_key: str
    added_at: str
    revoked_at: str | None
    role: str
    landlord_id: str | None
    device_id: str | None     # bound at `trust add --device` or at the first bundle accepted


_COLUMNS = "name, key_id, public_key, added_at, revoked_at, role, landlord_id, device_id"


def trust_add(store: Store, text: str, name: str, role: str = TECHNICIAN, *,
              landlord_id: str | None = None, device_id: str | None = None) -> Trusted:
    """Trust a key under a name, with a role (and a landlord for maintenance).

    The role is what every op signed with this key is checked against at
    merge; a bundle's own claim of a role counts for nothing. `device_id`
    binds the key to its device now rather than at its first bundle.
    """
    public, device_in_text = parse_key_text(text)
    if device_id is not None and device_in_text is not None and \
            device_id.strip().lower() != device_in_text:
        raise SyncError("device_conflict", given=device_id[:8], text=device_in_text[:8])
    device_id = device_id or device_in_text
    kid = key_id(public)
    if role not in ROLES:
        raise SyncError("bad_role", role=role, roles=", ".join(ROLES))
    if (role == MAINTENANCE) != (landlord_id is not None):
        raise SyncError("trust_landlord")
    if store.role != PILOT and role != PILOT:
        raise SyncError("trust_only_pilot_key", role=t(f"rights.role.{store.role}"))
    clash = store.conn.execute(
        "SELECT name, key_id FROM sync_trust WHERE name = ? OR key_id = ?", (name, kid)
    ).fetchone()
    if clash:
        raise SyncError("trust_exists", name=clash[0], key_id=clash[1])
    if device_id is not None:
        device_id = device_id.strip().lower()
        if not values.is_uuid(device_id):
            raise SyncError("bad_device_id", device=device_id[:40])
        holder = device_holder(store, device_id)
        if holder is not None or device_id == store.device_id:
            raise SyncError("device_taken", device=device_id[:8],
                            name=holder.name if holder else t("sync.this_device"))
    store.conn.execute(
        f"INSERT INTO sync_trust ({_COLUMNS}) VALUES (?, ?, ?, ?, NULL, ?, ?, ?)",
        (name, kid, public, local.now(), role, landlord_id, device_id),
    )
    return trusted_by_name(store, name)


def trusted_by_name(store: Store, name: str) -> Trusted:
    row = store.conn.execute(
        f"SELECT {_COLUMNS} FROM sync_trust WHERE name = ?", (name,)
    ).fetchone()
    if row is None:
        raise SyncError("trust_unknown", name=name)
    return Trusted(*row)


def trust_list(store: Store) -> list[Trusted]:
    return [Trusted(*row) for row in store.conn.execute(
        f"SELECT {_COLUMNS} FROM sync_trust ORDER BY name"
    )]


def trust_revoke(store: Store, name: str) -> Trusted:
    """Stop a key, and with it its device: no other key may sign that device's chain."""
    trusted_by_name(store, name)
    store.conn.execute(
        "UPDATE sync_trust SET revoked_at = coalesce(revoked_at, ?) WHERE name = ?",
        (local.now(), name),
    )
    return trusted_by_name(store, name)


def device_holder(store: Store, device_id: str) -> Trusted | None:
    """The trusted entry (revoked or not) bound to this device, if any."""
    row = store.conn.execute(
        f"SELECT {_COLUMNS} FROM sync_trust WHERE device_id = ?", (device_id,)
    ).fetchone()
    return Trusted(*row) if row else None


def bind_device(store: Store, entry: Trusted, device_id: str) -> None:
    """Bind a key to the device of its first accepted bundle (inside the merge's transaction)."""
    if entry.device_id is None:
        store.conn.execute("UPDATE sync_trust SET device_id = ? WHERE key_id = ?",
                           (device_id, entry.key_id))


def signer_for(store: Store, kid: str, public: str) -> Trusted:
    """The trusted, unrevoked entry for a bundle's key, or a refusal saying why."""
    row = store.conn.execute(
        f"SELECT {_COLUMNS} FROM sync_trust WHERE key_id = ?", (kid,)
    ).fetchone()
    if row is None:
        raise SyncError("untrusted_key", key_id=kid)
    entry = Trusted(*row)
    if entry.revoked_at:
        raise SyncError("revoked_key", name=entry.name, key_id=kid, when=entry.revoked_at)
    if entry.public_key != public:
        raise SyncError("key_mismatch", key_id=kid)
    return entry
