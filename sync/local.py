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


migrations = Migrations("vigikfield_sync")


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


@migrations()
def m003_role_in_profile(db: Database) -> None:
    # The role moved to the database's profile (vigikfield.domain.profile).
    db.execute("INSERT INTO profile (id, role) SELECT 1, value FROM sync_settings "
               "WHERE key = 'role' ON CONFLICT(id) DO UPDATE SET role = excluded.role")
    db.execute("DELETE FROM sync_settings WHERE key = 'role'")


@migrations()
def m004_trust_roles(db: Database) -> None:
    # Each trusted key carries the role it is trusted with (and a landlord for
    # maintenance) and is bound to one device. Keys that already sent work
    # orders were the pilot's; the others, technicians'.
    db.executescript(
        """
        ALTER TABLE sync_trust ADD COLUMN role TEXT NOT NULL DEFAULT 'technician';
        ALTER TABLE sync_trust ADD COLUMN landlord_id TEXT;
        ALTER TABLE sync_trust ADD COLUMN device_id TEXT;
        CREATE UNIQUE INDEX idx_sync_trust_device ON sync_trust(device_id);
        UPDATE sync_trust SET role = 'pilot'
          WHERE name IN (SELECT signer FROM sync_receipts WHERE kind = 'workorder');
        CREATE TEMP TABLE single AS SELECT signer, min(device_id) AS device_id
          FROM sync_receipts GROUP BY signer HAVING count(DISTINCT device_id) = 1;
        DELETE FROM single WHERE device_id IN
          (SELECT device_id FROM single GROUP BY device_id HAVING count(*) > 1);
        UPDATE sync_trust SET device_id =
          (SELECT device_id FROM single WHERE single.signer = sync_trust.name);
        DROP TABLE single;
        """
    )


@migrations()
def m005_successions(db: Database) -> None:
    # Devices that took over from another (`device renew`, checked at merge).
    db.execute("CREATE TABLE sync_successions (device_id TEXT PRIMARY KEY NOT NULL, "
               "predecessor TEXT NOT NULL)")


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
    """The profile's role (vigikfield.domain.profile): pilot until set."""
    return store.role


def set_role(store: Store, name: str) -> None:
    store.set_profile(role=name)
