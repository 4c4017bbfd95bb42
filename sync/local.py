"""Local, never-replicated sync tables, in their own migration set.

Trusted keys, settings (role, export watermark), receipts of received
bundles, conflicts and the "resolution supersedes" links belong to one
database, not to the territory: they are not ops and never travel.
"""

from __future__ import annotations

from datetime import datetime, timezone

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from vigikfield.domain.store import Store

from .errors import SyncError

migrations = Migrations("vigikfield_sync")
ROLES = ("pilot", "technician", "maintenance")


@migrations()
def m001_sync_tables(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE sync_settings (key TEXT PRIMARY KEY NOT NULL, value TEXT);
        CREATE TABLE sync_trust (
          name TEXT PRIMARY KEY NOT NULL,
          key_id TEXT NOT NULL UNIQUE,
          public_key TEXT NOT NULL,
          added_at TEXT NOT NULL,
          revoked_at TEXT
        );
        CREATE TABLE sync_receipts (
          id INTEGER PRIMARY KEY,
          bundle_sha256 TEXT NOT NULL,
          kind TEXT NOT NULL,
          device_id TEXT NOT NULL,
          signer TEXT NOT NULL,
          ops INTEGER NOT NULL,
          new_ops INTEGER NOT NULL,
          duplicate_ops INTEGER NOT NULL,
          conflicts INTEGER NOT NULL,
          received_at TEXT NOT NULL,
          path TEXT
        );
        CREATE INDEX idx_sync_receipts_sha ON sync_receipts(bundle_sha256);
        CREATE TABLE sync_conflicts (
          id TEXT PRIMARY KEY NOT NULL,
          entity TEXT NOT NULL,
          entity_id TEXT NOT NULL,
          field TEXT NOT NULL,
          op_a TEXT NOT NULL,
          op_b TEXT NOT NULL,
          detected_at TEXT NOT NULL,
          resolved_op TEXT,
          resolved_at TEXT,
          resolved_by TEXT
        );
        CREATE INDEX idx_sync_conflicts_target ON sync_conflicts(entity, entity_id, field);
        CREATE TABLE sync_supersedes (
          op_id TEXT NOT NULL,
          ancestor TEXT NOT NULL,
          PRIMARY KEY (op_id, ancestor)
        );
        """
    )


@migrations()
def m002_partial_chains(db: Database) -> None:
    # Devices whose chains this database holds only in part (a work order's
    # reference data): `journal.verify_chains` tolerates their gaps.
    db.execute("CREATE TABLE sync_partial_chains (device_id TEXT PRIMARY KEY NOT NULL)")


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def prepare(store: Store) -> Store:
    """Apply the sync migrations to this store (idempotent); returns it."""
    migrations.apply(store.db)
    return store


def get_setting(store: Store, key: str, default: str | None = None) -> str | None:
    row = store.conn.execute("SELECT value FROM sync_settings WHERE key = ?", (key,)).fetchone()
    return row[0] if row else default


def set_setting(store: Store, key: str, value: str) -> None:
    store.conn.execute(
        "INSERT INTO sync_settings (key, value) VALUES (?, ?) "
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (key, value),
    )


def role(store: Store) -> str:
    """pilot (the default: the database where the territory is built), technician or maintenance."""
    return get_setting(store, "role", "pilot") or "pilot"


def set_role(store: Store, name: str) -> None:
    if name not in ROLES:
        raise SyncError("bad_role", role=name, roles=", ".join(ROLES))
    set_setting(store, "role", name)
