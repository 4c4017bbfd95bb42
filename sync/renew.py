"""A laptop restored from a backup: a new device identity that carries its work over.

A restored laptop's chain forks from what the pilot already received (the
same op numbers with other contents), so its bundles are refused. `renew`
gives the database a new device id and a new key, and re-writes onto the
new chain every op of the old one (or those after `since`), with
their clocks, bases, actors and reasons unchanged: the same edits, signed
anew. Ops the pilot did receive come back as identical values (never a
conflict, never a change). The old key signs a *succession* (old device →
new device and key) that travels in the new chain's bundles, so that the
pilot, once it trusts the new key, knows the attempts started on the old
device are still this technician's; it then revokes the old key.
"""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import dataclass

from nacl.signing import SigningKey

from vigikfield.domain import hlc as hlc_clock
from vigikfield.domain import journal
from vigikfield.domain.journal import GENESIS, OP_COLUMNS
from vigikfield.domain.store import Store

from . import keys, local
from .errors import SyncError

FORMAT = "vigikfield-succession/1"
SUCCEEDS, SIGNATURE = "succeeds", "succession_signature"


def succession_text(old_device: str, new_device: str, new_public: str) -> bytes:
    return "|".join((FORMAT, old_device, new_device, new_public)).encode()


def succession_valid(old_public: str, old_device: str, new_device: str, new_public: str,
                     signature: str) -> bool:
    return keys.verify(old_public, succession_text(old_device, new_device, new_public), signature)


def manifest_entries(store: Store) -> dict[str, str]:
    """What an export's manifest says of this device's succession (nothing if none)."""
    succeeds = local.get_setting(store, SUCCEEDS)
    if not succeeds:
        return {}
    return {SUCCEEDS: succeeds, SIGNATURE: local.get_setting(store, SIGNATURE) or ""}


@dataclass(frozen=True, slots=True)
class Renewed:
    old_device: str
    new_device: str
    carried: int
    key_id: str


def renew(store: Store, *, since: int | None = None) -> Renewed:
    """New device id and key; the old chain's ops after `since` (default: all of
    them — the laptop cannot know which of its bundles the pilot refused)
    re-written on the new chain. One transaction; the key file is replaced
    after it commits."""
    local.prepare(store)
    old = store.device_id
    old_key = keys.signing_key(store)
    since = since or 0
    if since < 0:
        raise SyncError("bad_since", since=since)
    new = str(uuid.uuid4())
    new_key = SigningKey.generate()
    new_public = new_key.verify_key.encode().hex()
    signature = old_key.sign(succession_text(old, new, new_public)).signature.hex()
    path = keys.key_path(store)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.new")
    tmp.unlink(missing_ok=True)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(new_key.encode().hex() + "\n")
    with store.transaction() as conn:
        old_rows = conn.execute(
            f"SELECT {', '.join(OP_COLUMNS)} FROM ops WHERE device_id = ? AND seq > ? "
            "ORDER BY seq", (old, since)).fetchall()
        ids = journal.op_ids([hlc_clock.decode(r[3]) for r in old_rows])
        prev, rows = GENESIS, []
        for seq, (row, op_id) in enumerate(zip(old_rows, ids), 1):
            partial = (op_id, new, seq, *row[3:11])
            digest = journal.op_hash(prev, partial)
            rows.append((*partial, prev, digest))
            prev = digest
        conn.executemany(
            f"INSERT INTO ops ({', '.join(OP_COLUMNS)}) "
            f"VALUES ({', '.join('?' * len(OP_COLUMNS))})", rows)
        (before,) = conn.execute("SELECT predecessors FROM device").fetchone()
        conn.execute("UPDATE device SET id = ?, predecessors = ?",
                     (new, json.dumps([*json.loads(before or "[]"), old])))
        local.set_setting(store, "exported_seq", "0")
        local.set_setting(store, SUCCEEDS, old)
        local.set_setting(store, SIGNATURE, signature)
        # The state is unchanged: same values, same clocks; a tie between the
        # old op and its copy is won by either with the same value.
    os.replace(tmp, path)
    store.device_id = new
    return Renewed(old, new, len(rows), keys.key_id(new_public))
