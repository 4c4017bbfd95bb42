"""Merging bundles into a database: verify against it, then one transaction per bundle.

Merge is a set union of ops (INSERT OR IGNORE), followed by re-materialising
the entities the new ops touch and re-detecting conflicts on the fields they
touch: idempotent and order-free. A refused bundle changes nothing in the
database; every accepted one leaves a raw copy and a receipt.

The ops inserted are exactly the ops verified: each incoming file is copied
to a fresh private file in the received folder, that copy is verified and
attached, and only once committed is it renamed `<sha256>.vfb` (over
whatever file had that name). Nothing holds a bundle's ops in memory: the
touched entities are found with SQL over the attached copy and are
re-materialised and checked for conflicts a chunk at a time.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from vigikfield.domain import hlc as hlc_clock
from vigikfield.domain import journal, private
from vigikfield.domain.model import ORDER
from vigikfield.domain.profile import MAINTENANCE, TECHNICIAN
from vigikfield.domain.schema import SCHEMA_VERSION
from vigikfield.domain.store import Store

from . import bundle, conflicts, local
from .admission import Admission
from .bundle import Bundle
from .errors import SyncError
from .export import MAINTENANCE_KEY


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


def _check_against(store: Store, manifest: dict, kind: str, path: Path) -> Admission:
    """Kind, signer and device (`Admission`), project and schema: all but the ops themselves."""
    m = manifest
    if m["kind"] != kind:
        raise SyncError("use_import" if m["kind"] == "workorder" else "use_merge", path=path)
    admission = Admission.of(store, m, kind, path)
    project = store.project_id
    if project is None and kind == "export":
        raise SyncError("no_project")
    if project is not None and m["project_id"] != project:
        raise SyncError("foreign_project", path=path, theirs=m["project_id"], ours=project)
    if m["schema_version"] > SCHEMA_VERSION:
        raise SyncError("newer_schema", path=path, theirs=m["schema_version"], ours=SCHEMA_VERSION)
    return admission


def _chain_head(store: Store, device_id: str) -> int:
    (head,) = store.conn.execute(
        "SELECT coalesce(max(seq), 0) FROM ops WHERE device_id = ?", (device_id,)
    ).fetchone()
    return head


def _hash_at(store: Store, device_id: str, seq: int) -> str | None:
    row = store.conn.execute(
        "SELECT hash FROM ops WHERE device_id = ? AND seq = ?", (device_id, seq)
    ).fetchone()
    return row[0] if row else None


def _check_continuity(store: Store, b: Bundle) -> int:
    """The device's chain here must be extended, never skipped nor forked; returns its head.

    The bundle is one contiguous, linked piece of the chain (`bundle.read`)
    and so is what we hold of it: an overlap is the very same ops exactly
    when we hold every op of it and its last op is the same (each hash
    covers the one before). Only seeks: the bundle's first and last ops come
    from its summary. When the bundle goes past our head, its op after our
    head is checked once inserted (`_check_joined`).
    """
    device = b.manifest["device_id"]
    head = _chain_head(store, device)
    first, last = b.first, b.last
    if first[2] > head + 1:
        raise SyncError("chain_skip", path=b.path, have=head, first=first[2])
    if first[2] > 1 and _hash_at(store, device, first[2] - 1) != first[11]:
        raise SyncError("chain_break", path=b.path, seq=first[2])
    if first[2] <= head:
        end = min(last[2], head)
        (held,) = store.conn.execute(
            "SELECT count(*) FROM ops WHERE device_id = ? AND seq BETWEEN ? AND ?",
            (device, first[2], end),
        ).fetchone()
        if held != end - first[2] + 1 or (end == last[2] and _hash_at(store, device, end) != last[12]):
            raise SyncError("chain_break", path=b.path, seq=end)
    return head


def _check_joined(store: Store, b: Bundle, head: int) -> None:
    """Inside the merge: the bundle's op after our old head must follow our op at that head."""
    if b.first[2] <= head < b.last[2]:
        device = b.manifest["device_id"]
        row = store.conn.execute(
            "SELECT prev_hash FROM ops WHERE device_id = ? AND seq = ?", (device, head + 1)
        ).fetchone()
        if row is None or row[0] != _hash_at(store, device, head):
            raise SyncError("chain_break", path=b.path, seq=head + 1)


INCOMING = ".incoming-"  # private copies of bundles being received: .incoming-<pid>-<random>.tmp


def _private_copy(folder: Path, source: Path) -> Path:
    """A fresh owner-only file in `folder` holding the bytes of `source` (never an existing file)."""
    private.make_dir(folder, tighten=True)
    fd, name = tempfile.mkstemp(prefix=f"{INCOMING}{os.getpid()}-", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as out, open(source, "rb") as src:
            shutil.copyfileobj(src, out, 1 << 20)
    except BaseException:
        os.unlink(name)
        raise
    return Path(name)


def _sweep(folder: Path) -> None:
    """Remove private copies left by merges that were killed (their process is gone)."""
    if os.name != "posix" or not folder.is_dir():
        return
    for stale in folder.glob(f"{INCOMING}*.tmp"):
        try:
            os.kill(int(stale.name[len(INCOMING):].split("-")[0]), 0)
        except ProcessLookupError:
            stale.unlink(missing_ok=True)
        except (ValueError, OSError):
            continue


def _both(first: Callable[[tuple], None],
          second: Callable[[tuple], None] | None) -> Callable[[tuple], None]:
    if second is None:
        return first

    def both(row: tuple) -> None:
        first(row)
        second(row)

    return both


def _receive(store: Store, path: Path, kind: str, checker: bundle.Checker | None = None
             ) -> tuple[Bundle | bundle.Opened, Admission]:
    """Copy `path` to a fresh private file and verify THAT copy; it is the result's `file`.

    The verification is `bundle.read`'s, with the receiver's own checks of
    the manifest (`_check_against`) and of every op (`Admission.op_check`,
    then `checker`'s) in its one streaming pass. A copy whose SHA-256 is
    that of a bundle accepted before is those very bytes, verified then:
    it is only opened (signature, signer, project), not scanned again. The
    caller merges the copy (`_apply_copy`) or must remove it.
    """
    path = Path(path)
    try:
        with open(path, "rb"):
            pass
    except OSError as exc:
        raise SyncError("unreadable", path=path, error=exc.strerror or exc) from exc
    copy = _private_copy(received_dir(store), path)
    try:
        opened = bundle.open_bundle(copy, shown=path)
        admission = _check_against(store, opened.manifest, kind, path)
        if _already_accepted(store, opened.sha256):
            return opened, admission
        check = _both(admission.op_check(path),
                      checker(opened.manifest) if checker is not None else None)
        return bundle.scan(opened, check), admission
    except BaseException:
        copy.unlink(missing_ok=True)
        raise


def _keep_copy(store: Store, b: Bundle | bundle.Opened) -> Path:
    """After the commit: the verified copy becomes `<sha256>.vfb` (over any file of that name)."""
    target = received_dir(store) / f"{b.sha256}{bundle.SUFFIX}"
    try:
        os.replace(b.file, target)
    except OSError:
        b.file.unlink(missing_ok=True)  # merged all the same: the receipt is what counts
    return target


def _already_accepted(store: Store, sha: str) -> bool:
    return store.conn.execute(
        "SELECT 1 FROM sync_receipts WHERE bundle_sha256 = ? LIMIT 1", (sha,)
    ).fetchone() is not None


def apply(store: Store, b: Bundle, kind: str = "export", *,
          checker: bundle.Checker | None = None) -> Receipt:
    """Verify `b` against this database and merge it in one transaction, or refuse it.

    What is merged is a fresh copy of `b.path`, verified again (with the
    receiver's checks and `checker`): it must be the file `b` was read from.
    """
    local.prepare(store)
    copy, admission = _receive(store, b.path, kind, checker)
    if copy.sha256 != b.sha256:  # the file changed since it was checked
        copy.file.unlink(missing_ok=True)
        raise SyncError("digest_mismatch", path=b.path)
    return _apply_copy(store, copy, kind, admission)


def _apply_copy(store: Store, b: Bundle | bundle.Opened, kind: str,
                admission: Admission) -> Receipt:
    """Merge a bundle whose `file` is its verified private copy; the copy is kept or removed."""
    try:
        signer = admission.signer.name
        if isinstance(b, bundle.Opened) or _already_accepted(store, b.sha256):
            with store.transaction():
                receipt = _receipt(store, b, signer, 0, 0)
        else:
            head = _check_continuity(store, b) if kind == "export" else 0
            receipt = _merge_copy(store, b, kind, head, admission)
    except BaseException:
        b.file.unlink(missing_ok=True)
        raise
    _keep_copy(store, b)
    return receipt


def _merge_copy(store: Store, b: Bundle, kind: str, head: int, admission: Admission) -> Receipt:
    """ATTACH the verified copy and merge it in one transaction (any failure: nothing changed)."""
    conn = store.conn
    try:
        conn.execute("ATTACH DATABASE ? AS bundle", (str(b.file),))
    except sqlite3.Error as exc:
        raise SyncError("merge_failed", path=b.path, error=exc) from exc
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            guard = admission.before_insert(path=b.path)
            receipt = _merge_rows(store, b, kind, head, admission.signer.name)
            admission.after_apply(guard, path=b.path)
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    except sqlite3.IntegrityError as exc:
        if "FOREIGN KEY" in str(exc):
            raise SyncError("dangling", path=b.path) from exc
        raise SyncError("merge_failed", path=b.path, error=exc) from exc
    except sqlite3.Error as exc:
        raise SyncError("merge_failed", path=b.path, error=exc) from exc
    finally:
        conn.execute("DETACH DATABASE bundle")
    return receipt


CHUNK = 2_000  # touched entities re-materialised and checked for conflicts at a time


def _merge_rows(store: Store, b: Bundle, kind: str, head: int, signer: str) -> Receipt:
    conn = store.conn
    cols = ", ".join(journal.OP_COLUMNS)
    if kind == "export":
        # The bundle is seq first..last without a gap: the new ops are those past our head.
        expected = max(b.last[2] - max(head, b.first[2] - 1), 0)
        conn.execute(
            f"INSERT OR IGNORE INTO ops ({cols}) SELECT {cols} FROM bundle.ops WHERE seq > ?",
            (head,),
        )
        inserted = conn.execute("SELECT changes()").fetchone()[0]
        if inserted != expected:  # an op id already used by another op
            raise SyncError("op_id_clash", path=b.path)
        _check_joined(store, b, head)
        where, params = "WHERE seq > ?", (head,)
        all_new = head < b.first[2]
    else:
        conn.execute(f"INSERT OR IGNORE INTO ops ({cols}) SELECT {cols} FROM bundle.ops")
        inserted = conn.execute("SELECT changes()").fetchone()[0]
        where, params, all_new = "", (), True
        conn.executemany(
            "INSERT OR IGNORE INTO sync_partial_chains (device_id) VALUES (?)",
            [(d,) for d in sorted(b.devices) if d != store.device_id],
        )
        if store.project_id is None:
            conn.execute("UPDATE device SET project_id = ?", (b.manifest["project_id"],))
        if not b.manifest.get(MAINTENANCE_KEY):
            _first_work_order(store, b.manifest)
    found = 0
    if inserted:
        if all_new:
            newest = b.hlc_max
        else:
            (newest,) = conn.execute(f"SELECT max(hlc) FROM bundle.ops {where}", params).fetchone()
        (clock,) = conn.execute("SELECT hlc FROM device").fetchone()
        conn.execute("UPDATE device SET hlc = ?", (hlc_clock.observe(clock, newest),))
        found = _refresh(conn, where, params, detect=kind == "export")
    if kind == "workorder":
        _maintenance_profile(store, b.manifest)
    return _receipt(store, b, signer, inserted, found)


def _first_work_order(store: Store, manifest: dict) -> None:
    """A fresh database becomes the technician's named in its first work order."""
    p = store.profile
    if p.role is None:
        store.set_profile(role=TECHNICIAN, name=None if p.name else manifest.get("technician"))
    elif p.name is None and p.role == TECHNICIAN and manifest.get("technician"):
        store.set_profile(name=manifest["technician"])


def _maintenance_profile(store: Store, manifest: dict) -> None:
    """A fresh database becomes the maintenance laptop of the landlord its bundle is for
    (once the landlord is in its state tables; a bound profile is never moved)."""
    landlord = manifest.get(MAINTENANCE_KEY)
    if landlord and store.profile.role is None:
        store.set_profile(role=MAINTENANCE, landlord_id=landlord)


def _refresh(conn: sqlite3.Connection, where: str, params: tuple, *, detect: bool) -> int:
    """Re-materialise the entities the new ops touch, parents first, and detect their conflicts.

    The touched (entity, entity_id) pairs are collected by SQL from the
    attached bundle into a TEMP table, then taken CHUNK at a time: memory
    follows the chunk, not the bundle.
    """
    conn.execute("DROP TABLE IF EXISTS temp.sync_touched")
    conn.execute("CREATE TEMP TABLE sync_touched (entity TEXT NOT NULL, entity_id TEXT NOT NULL, "
                 "PRIMARY KEY (entity, entity_id)) WITHOUT ROWID")
    try:
        conn.execute("INSERT OR IGNORE INTO temp.sync_touched "
                     f"SELECT entity, entity_id FROM bundle.ops {where}", params)
        for entity in ORDER:
            for ids in _touched(conn, entity):
                journal.materialise(conn, entity, ids)
        if not detect:
            return 0
        return conflicts.detect_chunks(
            conn, ((entity, ids) for entity in sorted(ORDER) for ids in _touched(conn, entity)))
    finally:
        conn.execute("DROP TABLE temp.sync_touched")


def _touched(conn: sqlite3.Connection, entity: str) -> Iterator[list[str]]:
    """The touched ids of `entity`, CHUNK at a time, in id order (keyset paging)."""
    query = ("SELECT entity_id FROM temp.sync_touched WHERE entity = ?{after} "
             "ORDER BY entity_id LIMIT ?")
    ids = [r[0] for r in conn.execute(query.format(after=""), (entity, CHUNK))]
    while ids:
        yield ids
        if len(ids) < CHUNK:
            return
        ids = [r[0] for r in conn.execute(query.format(after=" AND entity_id > ?"),
                                           (entity, ids[-1], CHUNK))]


def _receipt(store: Store, b: Bundle | bundle.Opened, signer: str, new: int,
             found: int) -> Receipt:
    m = b.manifest
    copy = received_dir(store) / f"{b.sha256}{bundle.SUFFIX}"
    cursor = store.conn.execute(
        "INSERT INTO sync_receipts (bundle_sha256, kind, device_id, signer, ops, new_ops, "
        "duplicate_ops, conflicts, received_at, path) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (b.sha256, m["kind"], m["device_id"], signer, b.op_count, new, b.op_count - new,
         found, local.now(), str(copy)),
    )
    row = store.conn.execute(
        f"SELECT {', '.join(Receipt.__slots__)} FROM sync_receipts WHERE id = ?",
        (cursor.lastrowid,),
    ).fetchone()
    return Receipt(*row)


def _order(path: Path) -> tuple[str, int]:
    """Where a file goes in a multi-file merge: (device, first op), from a glance at it.

    An export's manifest says its first op (`bundle.read` checks it); other
    files are asked their first op. The glance decides only the order: every
    file is verified in full, from its own private copy, when its turn comes.
    A file that cannot be glanced at goes first, to be refused with its reason.
    """
    try:
        conn = sqlite3.connect(bundle.uri(Path(path)), uri=True)
        try:
            manifest = dict(conn.execute("SELECT key, value FROM manifest"))
            first = manifest.get("first_seq")
            if first is None:
                row = conn.execute("SELECT seq FROM ops ORDER BY device_id, seq LIMIT 1").fetchone()
                first = row[0] if row else 0
            return str(manifest.get("device_id") or ""), int(first)
        finally:
            conn.close()
    except (sqlite3.Error, OSError, TypeError, ValueError):
        return "", 0


# Page cache of a merge (KiB, negative as PRAGMA cache_size takes it): the
# conflict and replay queries seek all over the op log.
MERGE_CACHE = -65_536


def _refusal(path: Path, exc: Exception) -> SyncError:
    """Any failure on one file, as the reason that file was refused."""
    if isinstance(exc, SyncError):
        return exc
    if isinstance(exc, sqlite3.Error):
        return SyncError("merge_failed", path=path, error=exc)
    if isinstance(exc, OSError):
        return SyncError("merge_failed", path=path, error=exc.strerror or exc)
    return SyncError("bad_content", path=path, error=f"{type(exc).__name__}: {exc}")


def merge_files(store: Store, paths: Iterable[Path], kind: str = "export",
                progress: Callable[[Path], None] | None = None, *,
                checker: bundle.Checker | None = None) -> list[Outcome]:
    """Merge several files, each on its own; chains in order so any file order works.

    Each file in turn is copied, verified (with `checker`'s per-op checks
    besides the receiver's own) and merged, or refused: one file's failure,
    whatever it is, never stops the others.
    """
    local.prepare(store)
    _sweep(received_dir(store))
    outcomes: list[Outcome] = []
    (cache,) = store.conn.execute("PRAGMA cache_size").fetchone()
    store.conn.execute(f"PRAGMA cache_size = {MERGE_CACHE}")
    try:
        for path in sorted(map(Path, paths), key=_order):
            try:
                b, admission = _receive(store, path, kind, checker)
                outcomes.append(Outcome(path, receipt=_apply_copy(store, b, kind, admission)))
            except Exception as exc:  # noqa: BLE001 - this file is refused, the next is tried
                outcomes.append(Outcome(path, error=_refusal(path, exc)))
            if progress:
                progress(path)
    finally:
        store.conn.execute(f"PRAGMA cache_size = {int(cache)}")
    return outcomes
