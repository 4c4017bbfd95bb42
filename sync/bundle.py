"""The bundle file: a small SQLite database (``ops`` + ``manifest``) written with VACUUM INTO.

See docs/bundle-format.md. The manifest is a key/value table; its
``signature`` row is an Ed25519 signature over the canonical JSON of every
other row, so nothing in the manifest can change without the signature
failing, and ``ops_sha256`` binds the ops to the manifest.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path
from typing import Any

from nacl.signing import SigningKey

from vigikfield.domain import private
from vigikfield.domain.journal import GENESIS, OP_COLUMNS, op_hash
from vigikfield.domain.model import ENTITIES

from . import keys
from .errors import SyncError

FORMAT = "vigikfield-bundle/1"
KINDS = ("export", "workorder")
SUFFIX = ".vfb"  # the name bundles are given (by habit: any name is read)
SQLITE_MAGIC = b"SQLite format 3\x00"
OPS_DDL = (
    "CREATE TABLE ops (op_id TEXT PRIMARY KEY NOT NULL, device_id TEXT NOT NULL, "
    "seq INTEGER NOT NULL, hlc TEXT NOT NULL, entity TEXT NOT NULL, entity_id TEXT NOT NULL, "
    "field TEXT NOT NULL, value TEXT, base TEXT, actor TEXT, reason TEXT, "
    "prev_hash TEXT NOT NULL, hash TEXT NOT NULL)"
)
INTEGER_KEYS = ("op_count", "schema_version", "include_confidential", "first_seq", "last_seq")


def _digest_text(ordered: list[tuple]) -> bytes:
    """The digested text of these op rows: each op's hash followed by a newline."""
    return "".join([row[12] + "\n" for row in ordered]).encode("ascii")


def ops_digest(rows: list[tuple]) -> str:
    """SHA-256 over the ops' own hashes in (device_id, seq) order.

    Each op's hash is recomputed from its content on verification, so this
    binds every column of every op to the signed manifest. `read` computes
    the same digest batch by batch (`_digest_text` of consecutive rows).
    """
    ordered = sorted(rows, key=itemgetter(1, 2))
    return hashlib.sha256(_digest_text(ordered)).hexdigest()


def canonical(manifest: dict[str, Any]) -> bytes:
    body = {k: v for k, v in manifest.items() if k != "signature"}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def write(path: Path, rows: list[tuple], manifest: dict[str, Any], key: SigningKey) -> dict:
    """Sign `manifest` (completed from `rows`) and write the bundle atomically with VACUUM INTO."""
    hlcs = [r[3] for r in rows]
    manifest = {
        **manifest,
        "format": FORMAT,
        "op_count": len(rows),
        "hlc_min": min(hlcs) if hlcs else None,
        "hlc_max": max(hlcs) if hlcs else None,
        "ops_sha256": ops_digest(rows),
        "public_key": key.verify_key.encode().hex(),
        "key_id": keys.key_id(key.verify_key.encode().hex()),
    }
    # Signed exactly as stored and read back: every value as text (or NULL).
    manifest = {k: None if v is None else str(v) for k, v in manifest.items()}
    manifest["signature"] = key.sign(canonical(manifest)).signature.hex()
    mem = sqlite3.connect(":memory:")
    mem.execute(OPS_DDL)
    mem.executemany(f"INSERT INTO ops VALUES ({', '.join('?' * len(OP_COLUMNS))})",
                    sorted(rows, key=itemgetter(1, 2)))  # stored in digest order: read streams it
    mem.execute("CREATE TABLE manifest (key TEXT PRIMARY KEY NOT NULL, value TEXT)")
    mem.executemany(
        "INSERT INTO manifest VALUES (?, ?)",
        [(k, None if v is None else str(v)) for k, v in manifest.items()],
    )
    mem.commit()
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    private.touch(tmp)  # owner-only: VACUUM INTO fills an empty file, keeping its mode
    mem.execute("VACUUM INTO ?", (str(tmp),))
    mem.close()
    os.replace(tmp, path)
    return manifest


Checker = Callable[[dict[str, Any]], Callable[[tuple], None] | None]
"""Extra checks of a reader: given the verified manifest, a check called on every op (or None)."""


@dataclass(slots=True)
class Bundle:
    """A bundle read and checked on its own (signature, hashes); not yet against a database.

    The ops are not held: `read` checks them in one streaming pass and keeps
    a summary. `file` is the very file those checks ran on (a merge attaches
    that file, a private copy); `path` is the file as the person named it.
    """

    path: Path
    sha256: str
    manifest: dict[str, Any]
    op_count: int
    first: tuple          # the first op in (device_id, seq) order (the 13 OP_COLUMNS)
    last: tuple           # the last one
    devices: frozenset[str]
    hlc_min: str
    hlc_max: str
    file: Path


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _check_sqlite_file(path: Path, shown: Path) -> None:
    try:
        size = path.stat().st_size
        with open(path, "rb") as fh:
            header = fh.read(100)
    except OSError as exc:
        raise SyncError("unreadable", path=shown, error=exc.strerror or exc) from exc
    if not header.startswith(SQLITE_MAGIC):
        raise SyncError("not_sqlite", path=shown)
    if len(header) < 100:
        raise SyncError("truncated", path=shown)
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    if size < page_size * pages or size % page_size:
        raise SyncError("truncated", path=shown)


def uri(path: Path) -> str:
    """A read-only SQLite URI for `path` (the characters URIs give a meaning escaped)."""
    text = str(path).replace("%", "%25").replace("?", "%3f").replace("#", "%23")
    return f"file:{text}?mode=ro&immutable=1"


def read(path: Path, checker: Checker | None = None, *, shown: Path | None = None) -> Bundle:
    """Open a bundle file and check everything that needs no database: refuses with a reason.

    The ops are read once, in (device_id, seq) order, and never all held:
    each op's hash, the ops digest, the counts, an export's chain and the
    clock range are checked as they stream by. `checker(manifest)`, called
    once the signature is verified, may return a check run on every op row
    in the same pass (it raises SyncError to refuse). Messages name `shown`
    (default: `path`), the file as the person knows it. `open_bundle` then
    `scan` are the same in two steps.
    """
    opened = open_bundle(path, shown=shown)
    return scan(opened, checker(opened.manifest) if checker else None)


@dataclass(slots=True)
class Opened:
    """A bundle file whose manifest is read and whose signature is good; its ops not checked yet."""

    file: Path            # the file read
    path: Path            # as the person named it (messages)
    sha256: str
    manifest: dict[str, Any]
    in_order: bool        # the ops are stored in (device_id, seq) order

    @property
    def op_count(self) -> int:
        return self.manifest["op_count"]  # as many as the file holds (`open_bundle` counted)


def open_bundle(path: Path, *, shown: Path | None = None) -> Opened:
    """Header, SHA-256, tables, manifest, signature and op count: the checks before the ops."""
    path = Path(path)
    shown = path if shown is None else Path(shown)
    _check_sqlite_file(path, shown)
    sha = file_sha256(path)
    try:
        conn = sqlite3.connect(uri(path), uri=True)
        try:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if "manifest" not in tables or "ops" not in tables:
                raise SyncError("no_manifest", path=shown)
            manifest = dict(conn.execute("SELECT key, value FROM manifest"))
            _check_signature(shown, manifest)
            _typed(shown, manifest)
            found, in_order = _layout(conn)
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise SyncError("damaged", path=shown, error=exc) from exc
    if not found or manifest["op_count"] == 0:
        raise SyncError("empty", path=shown)
    if found != manifest["op_count"]:
        raise SyncError("count_mismatch", path=shown, said=manifest["op_count"], found=found)
    return Opened(path, shown, sha, manifest, in_order)


def scan(opened: Opened, check: Callable[[tuple], None] | None = None) -> Bundle:
    """The one streaming pass over the ops of an opened bundle: every op checked, then a summary."""
    try:
        conn = sqlite3.connect(uri(opened.file), uri=True)
        try:
            pass_ = _Scan(opened.path, opened.manifest, check)
            order = "NOT INDEXED" if opened.in_order else "ORDER BY device_id, seq"
            cursor = conn.execute(f"SELECT {', '.join(OP_COLUMNS)} FROM ops {order}")
            while batch := cursor.fetchmany(BATCH):
                pass_.feed(batch)
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise SyncError("damaged", path=opened.path, error=exc) from exc
    return pass_.finish(opened.file, opened.sha256)


def _layout(conn: sqlite3.Connection) -> tuple[int, bool]:
    """(number of ops, whether the table already stores them in (device_id, seq) order).

    `write` stores them in that order, so the streaming pass can read the
    table as it lies (NOT INDEXED: a plain scan, the same order every time)
    instead of sorting it, which costs as much again. Two columns only; any
    other file (older work orders, hand-made ones) is read sorted.
    """
    count, last, in_order = 0, None, True
    cursor = conn.execute("SELECT device_id, seq FROM ops NOT INDEXED")
    while batch := cursor.fetchmany(BATCH):
        count += len(batch)
        if in_order:
            try:
                in_order = (last is None or last <= batch[0]) and batch == sorted(batch)
            except TypeError:  # values of mixed types: leave the order to SQLite
                in_order = False
            last = batch[-1]
    return count, in_order


def _typed(path: Path, manifest: dict[str, Any]) -> None:
    for name in INTEGER_KEYS:
        if manifest.get(name) is not None:
            try:
                manifest[name] = int(manifest[name])
            except ValueError as exc:
                raise SyncError("bad_manifest", path=path, key=name) from exc


def _check_signature(path: Path, manifest: dict[str, Any]) -> None:
    for name in ("format", "kind", "project_id", "device_id", "key_id", "public_key",
                 "op_count", "schema_version", "ops_sha256", "signature"):
        if manifest.get(name) in (None, ""):
            raise SyncError("bad_manifest", path=path, key=name)
    if manifest["format"] != FORMAT or manifest["kind"] not in KINDS:
        raise SyncError("bad_manifest", path=path, key="format")
    try:
        named = keys.key_id(manifest["public_key"])
    except (TypeError, ValueError) as exc:  # not hex text
        raise SyncError("bad_signature", path=path) from exc
    if named != manifest["key_id"]:
        raise SyncError("bad_signature", path=path)
    if not keys.verify(manifest["public_key"], canonical(manifest), manifest["signature"]):
        raise SyncError("bad_signature", path=path)


BATCH = 4096  # op rows fetched at a time by the streaming pass


class _Scan:
    """The checks of one pass over the ops in (device_id, seq) order, and what it saw.

    Per op: known entity and field, a clock and a sequence number of the
    right type, its own hash, then the reader's check. Over all of them: the
    digest (`ops_digest`, fed batch by batch), and for an export one device
    and one contiguous piece of its chain.
    """

    def __init__(self, path: Path, manifest: dict[str, Any],
                 check: Callable[[tuple], None] | None) -> None:
        self.path = path
        self.manifest = manifest
        self.check = check
        self.export = manifest["kind"] == "export"
        self.device = manifest["device_id"]
        self.digest = hashlib.sha256()
        self.count = 0
        self.first: tuple | None = None
        self.previous: tuple | None = None
        self.devices: set[str] = set()
        self.hlc_min: str | None = None
        self.hlc_max: str | None = None

    def feed(self, rows: list[tuple]) -> None:
        path, check, export, device = self.path, self.check, self.export, self.device
        previous = self.previous
        low, high = self.hlc_min, self.hlc_max
        for row in rows:
            fields = ENTITIES.get(row[4])
            if fields is None or row[6] not in fields:
                raise SyncError("unknown_field", path=path, field=f"{row[4]}.{row[6]}", op=row[0])
            seq, stamp = row[2], row[3]
            if type(seq) is not int:
                raise SyncError("bad_seq", path=path, op=row[0], value=str(seq)[:40])
            if type(stamp) is not str:
                raise SyncError("bad_hlc", path=path, op=row[0], value=str(stamp)[:40])
            if op_hash(row[11], row) != row[12]:
                raise SyncError("op_altered", path=path, op=row[0], field=f"{row[4]}.{row[6]}")
            if check is not None:
                check(row)
            if export:
                if row[1] != device:
                    raise SyncError("foreign_device_op", path=path, op=row[0])
                if previous is None:
                    if seq == 1 and row[11] != GENESIS:
                        raise SyncError("chain_gap_inside", path=path, seq=1)
                elif seq != previous[2] + 1 or row[11] != previous[12]:
                    raise SyncError("chain_gap_inside", path=path, seq=seq)
            if low is None:
                low = high = stamp
                self.first = row
            elif stamp < low:
                low = stamp
            elif stamp > high:
                high = stamp
            previous = row
        self.previous, self.hlc_min, self.hlc_max = previous, low, high
        self.devices.update({row[1] for row in rows})
        self.count += len(rows)
        self.digest.update(_digest_text(rows))

    def finish(self, file: Path, sha: str) -> Bundle:
        m, path = self.manifest, self.path
        if self.first is None or self.previous is None:
            raise SyncError("empty", path=path)
        if self.count != m["op_count"]:
            raise SyncError("count_mismatch", path=path, said=m["op_count"], found=self.count)
        if self.digest.hexdigest() != m["ops_sha256"]:
            raise SyncError("digest_mismatch", path=path)
        expected = {"hlc_min": self.hlc_min, "hlc_max": self.hlc_max}
        if self.export:
            expected.update(first_seq=self.first[2], last_seq=self.previous[2])
        for name, value in expected.items():
            if m.get(name) is not None and m[name] != value:
                raise SyncError("bad_manifest", path=path, key=name)
        return Bundle(path, sha, m, self.count, self.first, self.previous,
                      frozenset(self.devices), self.hlc_min, self.hlc_max, file)
