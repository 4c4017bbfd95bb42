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
SQLITE_MAGIC = b"SQLite format 3\x00"
OPS_DDL = (
    "CREATE TABLE ops (op_id TEXT PRIMARY KEY NOT NULL, device_id TEXT NOT NULL, "
    "seq INTEGER NOT NULL, hlc TEXT NOT NULL, entity TEXT NOT NULL, entity_id TEXT NOT NULL, "
    "field TEXT NOT NULL, value TEXT, base TEXT, actor TEXT, reason TEXT, "
    "prev_hash TEXT NOT NULL, hash TEXT NOT NULL)"
)
INTEGER_KEYS = ("op_count", "schema_version", "include_confidential")


def ops_digest(rows: list[tuple]) -> str:
    """SHA-256 over the ops' own hashes in (device_id, seq) order.

    Each op's hash is recomputed from its content on verification, so this
    binds every column of every op to the signed manifest.
    """
    ordered = sorted(rows, key=itemgetter(1, 2))
    return hashlib.sha256("".join([row[12] + "\n" for row in ordered]).encode("ascii")).hexdigest()


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
    mem.executemany(f"INSERT INTO ops VALUES ({', '.join('?' * len(OP_COLUMNS))})", rows)
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


@dataclass(slots=True)
class Bundle:
    """A bundle read and checked on its own (signature, hashes); not yet against a database."""

    path: Path
    sha256: str
    manifest: dict[str, Any]
    rows: list[tuple]


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _check_sqlite_file(path: Path) -> None:
    try:
        size = path.stat().st_size
        with open(path, "rb") as fh:
            header = fh.read(100)
    except OSError as exc:
        raise SyncError("unreadable", path=path, error=exc.strerror or exc) from exc
    if not header.startswith(SQLITE_MAGIC):
        raise SyncError("not_sqlite", path=path)
    if len(header) < 100:
        raise SyncError("truncated", path=path)
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    if size < page_size * pages or size % page_size:
        raise SyncError("truncated", path=path)


def read(path: Path) -> Bundle:
    """Open a bundle file and check everything that needs no database: refuses with a reason."""
    path = Path(path)
    _check_sqlite_file(path)
    sha = file_sha256(path)
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
        try:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if "manifest" not in tables or "ops" not in tables:
                raise SyncError("no_manifest", path=path)
            manifest = dict(conn.execute("SELECT key, value FROM manifest"))
            rows = conn.execute(
                f"SELECT {', '.join(OP_COLUMNS)} FROM ops ORDER BY device_id, seq"
            ).fetchall()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise SyncError("damaged", path=path, error=exc) from exc
    _check_signature(path, manifest)
    for name in INTEGER_KEYS:
        if manifest.get(name) is not None:
            try:
                manifest[name] = int(manifest[name])
            except ValueError as exc:
                raise SyncError("bad_manifest", path=path, key=name) from exc
    _check_ops(path, manifest, rows)
    return Bundle(path, sha, manifest, rows)


def _check_signature(path: Path, manifest: dict[str, Any]) -> None:
    for name in ("format", "kind", "project_id", "device_id", "key_id", "public_key",
                 "op_count", "schema_version", "ops_sha256", "signature"):
        if manifest.get(name) in (None, ""):
            raise SyncError("bad_manifest", path=path, key=name)
    if manifest["format"] != FORMAT or manifest["kind"] not in KINDS:
        raise SyncError("bad_manifest", path=path, key="format")
    if keys.key_id(manifest["public_key"]) != manifest["key_id"]:
        raise SyncError("bad_signature", path=path)
    if not keys.verify(manifest["public_key"], canonical(manifest), manifest["signature"]):
        raise SyncError("bad_signature", path=path)


def _check_ops(path: Path, manifest: dict[str, Any], rows: list[tuple]) -> None:
    """Counts, digest, every op's own hash, known fields; chains for export bundles."""
    if not rows or manifest["op_count"] == 0:
        raise SyncError("empty", path=path)
    if len(rows) != manifest["op_count"]:
        raise SyncError("count_mismatch", path=path, said=manifest["op_count"], found=len(rows))
    for row in rows:
        if row[4] not in ENTITIES or row[6] not in ENTITIES[row[4]]:
            raise SyncError("unknown_field", path=path, field=f"{row[4]}.{row[6]}", op=row[0])
        if op_hash(row[11], row[:11]) != row[12]:
            raise SyncError("op_altered", path=path, op=row[0], field=f"{row[4]}.{row[6]}")
    if ops_digest(rows) != manifest["ops_sha256"]:
        raise SyncError("digest_mismatch", path=path)
    if manifest["kind"] == "export":
        _check_chain(path, manifest, rows)


def _check_chain(path: Path, manifest: dict[str, Any], rows: list[tuple]) -> None:
    """An export bundle is one contiguous piece of its device's chain."""
    device = manifest["device_id"]
    previous: tuple | None = None
    for row in rows:
        if row[1] != device:
            raise SyncError("foreign_device_op", path=path, op=row[0])
        if previous is not None and (row[2] != previous[2] + 1 or row[11] != previous[12]):
            raise SyncError("chain_gap_inside", path=path, seq=row[2])
        previous = row
    if rows[0][2] == 1 and rows[0][11] != GENESIS:
        raise SyncError("chain_gap_inside", path=path, seq=1)
