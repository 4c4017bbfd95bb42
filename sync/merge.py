"""Merging bundles into a database: verify against it, then one transaction per bundle.

Merge is a set union of ops (INSERT OR IGNORE), followed by re-materialising
the entities the new ops touch and re-detecting conflicts on the fields they
touch: idempotent and order-free. A refused bundle changes nothing in the
database; every accepted one leaves a raw copy and a receipt.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from vigikfield.domain import hlc as hlc_clock
from vigikfield.domain import journal, private
from vigikfield.domain.model import ORDER
from vigikfield.domain.profile import TECHNICIAN
from vigikfield.domain.schema import SCHEMA_VERSION
from vigikfield.domain.store import Store

from . import bundle, conflicts, local
from .admission import Admission
from .bundle import Bundle
from .errors import SyncError


@dataclass(frozen=True, slots=True)
class Receipt:
    """What one accepted bundle brought (also a row of `sync_receipts`)."""

    id: int
    bundle_sha256: str
    kind: str
    device_id: str
    signer: str
    ops: int
    new_ops: int
    duplicate_ops: int
    conflicts: int
    received_at: str
    path: str | None


@dataclass(frozen=True, slots=True)
class Outcome:
    """One file's fate in a multi-file merge: a receipt, or the refusal."""

    path: Path
    receipt: Receipt | None = None
    error: SyncError | None = None


def received_dir(store: Store) -> Path:
    return store.path.with_name(store.path.name + ".bundles")


def receipts(store: Store) -> list[Receipt]:
    """Every bundle received, newest first (for the pilot's screen)."""
    local.prepare(store)
    return [Receipt(*row) for row in store.conn.execute(
        f"SELECT {', '.join(Receipt.__slots__)} FROM sync_receipts ORDER BY id DESC"
    )]


def _check_against(store: Store, b: Bundle, kind: str) -> Admission:
    m = b.manifest
    if m["kind"] != kind:
        raise SyncError("use_import" if m["kind"] == "workorder" else "use_merge", path=b.path)
    admission = Admission.of(store, m, kind, b.path)
    project = store.project_id
    if project is None and kind == "export":
        raise SyncError("no_project")
    if project is not None and m["project_id"] != project:
        raise SyncError("foreign_project", path=b.path, theirs=m["project_id"], ours=project)
    if m["schema_version"] > SCHEMA_VERSION:
        raise SyncError("newer_schema", path=b.path, theirs=m["schema_version"], ours=SCHEMA_VERSION)
    check = admission.op_check(b.path)
    for row in b.rows:
        check(row)
    return admission


def _chain_head(store: Store, device_id: str) -> int:
    (head,) = store.conn.execute(
        "SELECT coalesce(max(seq), 0) FROM ops WHERE device_id = ?", (device_id,)
    ).fetchone()
    return head


def _check_continuity(store: Store, b: Bundle) -> int:
    """The device's chain here must be extended, never skipped nor forked; returns its head."""
    device = b.manifest["device_id"]
    head = _chain_head(store, device)
    first, last = b.rows[0], b.rows[-1]
    if first[2] > head + 1:
        raise SyncError("chain_skip", path=b.path, have=head, first=first[2])
    if first[2] > 1:
        row = store.conn.execute(
            "SELECT hash FROM ops WHERE device_id = ? AND seq = ?", (device, first[2] - 1)
        ).fetchone()
        if row is None or row[0] != first[11]:
            raise SyncError("chain_break", path=b.path, seq=first[2])
    if first[2] <= head:
        known = dict(store.conn.execute(
            "SELECT seq, hash FROM ops WHERE device_id = ? AND seq BETWEEN ? AND ?",
            (device, first[2], min(last[2], head)),
        ))
        for row in b.rows:
            if row[2] <= head and known.get(row[2]) != row[12]:
                raise SyncError("chain_break", path=b.path, seq=row[2])
    return head


def _keep_copy(store: Store, b: Bundle) -> tuple[Path, bool]:
    """Copy the raw file into the received folder; returns (copy, whether it is new)."""
    folder = received_dir(store)
    private.make_dir(folder, tighten=True)
    target = folder / f"{b.sha256}.vfb"
    if target.exists():
        return target, False
    tmp = folder / f".{b.sha256}.{os.getpid()}.tmp"
    private.copy(b.path, tmp)
    if bundle.file_sha256(tmp) != b.sha256:  # the file changed since it was checked
        tmp.unlink()
        raise SyncError("digest_mismatch", path=b.path)
    os.replace(tmp, target)
    return target, True


def _already_accepted(store: Store, sha: str) -> bool:
    return store.conn.execute(
        "SELECT 1 FROM sync_receipts WHERE bundle_sha256 = ? LIMIT 1", (sha,)
    ).fetchone() is not None


def apply(store: Store, b: Bundle, kind: str = "export") -> Receipt:
    """Verify `b` against this database and merge it in one transaction, or refuse it."""
    local.prepare(store)
    admission = _check_against(store, b, kind)
    signer = admission.signer.name
    if _already_accepted(store, b.sha256):
        with store.transaction():
            return _receipt(store, b, signer, 0, 0, None)
    head = _check_continuity(store, b) if kind == "export" else 0
    copy, fresh = _keep_copy(store, b)
    conn = store.conn
    conn.execute("ATTACH DATABASE ? AS bundle", (str(copy),))
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            guard = admission.before_insert(path=b.path)
            receipt = _merge_rows(store, b, kind, head, signer, copy)
            admission.after_apply(guard, path=b.path)
            conn.execute("COMMIT")
        except BaseException as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            if fresh:
                copy.unlink(missing_ok=True)
            if isinstance(exc, sqlite3.IntegrityError) and "FOREIGN KEY" in str(exc):
                raise SyncError("dangling", path=b.path) from exc
            if isinstance(exc, sqlite3.DatabaseError):
                raise SyncError("merge_failed", path=b.path, error=exc) from exc
            raise
    finally:
        conn.execute("DETACH DATABASE bundle")
    return receipt


def _merge_rows(store: Store, b: Bundle, kind: str, head: int, signer: str,
                copy: Path) -> Receipt:
    conn = store.conn
    cols = ", ".join(journal.OP_COLUMNS)
    if kind == "export":
        new_rows = [r for r in b.rows if r[2] > head]
        conn.execute(
            f"INSERT OR IGNORE INTO ops ({cols}) SELECT {cols} FROM bundle.ops WHERE seq > ?",
            (head,),
        )
        inserted = conn.execute("SELECT changes()").fetchone()[0]
        if inserted != len(new_rows):  # an op id already used by another op
            raise SyncError("op_id_clash", path=b.path)
    else:
        conn.execute(f"INSERT OR IGNORE INTO ops ({cols}) SELECT {cols} FROM bundle.ops")
        inserted = conn.execute("SELECT changes()").fetchone()[0]
        new_rows = b.rows if inserted else []
        conn.executemany(
            "INSERT OR IGNORE INTO sync_partial_chains (device_id) VALUES (?)",
            [(d,) for d in {r[1] for r in b.rows} if d != store.device_id],
        )
        if store.project_id is None:
            conn.execute("UPDATE device SET project_id = ?", (b.manifest["project_id"],))
        _first_work_order(store, b.manifest)
    found = None
    if new_rows:
        touched: dict[str, set[str]] = {}
        for row in new_rows:
            touched.setdefault(row[4], set()).add(row[5])
        for entity in ORDER:
            if entity in touched:
                journal.materialise(conn, entity, touched[entity])
        (clock,) = conn.execute("SELECT hlc FROM device").fetchone()
        conn.execute("UPDATE device SET hlc = ?",
                     (hlc_clock.observe(clock, max(r[3] for r in new_rows)),))
        if kind == "export":
            found = conflicts.detect(conn, touched)
    return _receipt(store, b, signer, inserted, found or 0, copy)


def _first_work_order(store: Store, manifest: dict) -> None:
    """A fresh database becomes the technician's named in its first work order."""
    p = store.profile
    if p.role is None:
        store.set_profile(role=TECHNICIAN, name=None if p.name else manifest.get("technician"))
    elif p.name is None and p.role == TECHNICIAN and manifest.get("technician"):
        store.set_profile(name=manifest["technician"])


def _receipt(store: Store, b: Bundle, signer: str, new: int, found: int | None,
             copy: Path | None) -> Receipt:
    m = b.manifest
    if copy is None:
        copy = received_dir(store) / f"{b.sha256}.vfb"
    cursor = store.conn.execute(
        "INSERT INTO sync_receipts (bundle_sha256, kind, device_id, signer, ops, new_ops, "
        "duplicate_ops, conflicts, received_at, path) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (b.sha256, m["kind"], m["device_id"], signer, len(b.rows), new, len(b.rows) - new,
         found or 0, local.now(), str(copy)),
    )
    row = store.conn.execute(
        f"SELECT {', '.join(Receipt.__slots__)} FROM sync_receipts WHERE id = ?",
        (cursor.lastrowid,),
    ).fetchone()
    return Receipt(*row)


def _order(b: Bundle) -> tuple:
    return (b.manifest["device_id"], b.rows[0][2] if b.rows else 0)


def merge_files(store: Store, paths: Iterable[Path], kind: str = "export",
                progress: Callable[[Path], None] | None = None) -> list[Outcome]:
    """Merge several files, each on its own; chains in order so any file order works."""
    read: list[tuple[Path, Bundle]] = []
    outcomes: list[Outcome] = []
    for path in paths:
        try:
            read.append((Path(path), bundle.read(Path(path))))
        except SyncError as exc:
            outcomes.append(Outcome(Path(path), error=exc))
            if progress:
                progress(Path(path))
    for path, b in sorted(read, key=lambda item: _order(item[1])):
        try:
            outcomes.append(Outcome(path, receipt=apply(store, b, kind)))
        except SyncError as exc:
            outcomes.append(Outcome(path, error=exc))
        if progress:
            progress(path)
    return outcomes
