"""The store: one SQLite file (WAL, foreign keys), its migrations, its device
identity, and the services that change state — each one transaction that
writes the state and its ops together.
"""

from __future__ import annotations

import json
import os
import sqlite3
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from . import hallcode, journal, private, values
from . import profile as profiles
from .journal import Change
from .model import CONFIDENTIAL, ENTITIES
from .rights import Guard
from .schema import migrate


class StoreError(Exception):
    """A problem the user can act on; `str()` is the message to show."""


ACTOR_ENV = "VIGIKFIELD_ACTOR"  # the `actor` setting: who signs when the profile has no name


def _settings():
    from ..settings import current

    return current()


def connect(path: str | os.PathLike) -> sqlite3.Connection:
    """A connection with the house settings. Autocommit: we open transactions ourselves."""
    conn = sqlite3.connect(
        str(path), isolation_level=None, check_same_thread=False, timeout=30
    )
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


class Store:
    """A territory database.

    >>> store = Store(":memory:")            # doctest: +SKIP
    >>> with store.transaction():
    ...     landlord = store.create("landlords", {"name": "Habitat 77"})
    """

    def __init__(self, path: str | os.PathLike, *, actor: str | None = None,
                 device_name: str | None = None) -> None:
        self.path = Path(path)
        if str(path) != ":memory:":
            if self.path.is_dir():
                raise StoreError(f"{self.path}: is a folder, not a database file")
            private.prepare_database(self.path)  # owner-only file and folder
        try:
            self.conn = connect(path)
            migrate(self.conn)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: not a vigikfield database ({exc})") from exc
        self._actor = actor
        self.device_id = self._ensure_device(device_name)
        self.profile = profiles.load(self.conn)

    @property
    def db(self):  # -> sqlite_utils.Database, imported when first used (not at start)
        """This store's connection as a sqlite-utils Database (for migrations of its own)."""
        if getattr(self, "_db", None) is None:
            from sqlite_utils import Database

            self._db = Database(self.conn)
        return self._db

    # -- who ------------------------------------------------------------------
    @property
    def actor(self) -> str | None:
        """Who signs the ops written here: the profile's name (never the OS login).

        A name given to the store (the demo, tests) comes first; without a
        profile name, ``VIGIKFIELD_ACTOR`` (for scripts); else nobody (None).
        """
        return self._actor or self.profile.name or _settings().actor or None

    @actor.setter
    def actor(self, name: str | None) -> None:
        self._actor = name

    @property
    def role(self) -> str:
        return self.profile.effective_role

    def set_profile(self, *, name: str | None = None, role: str | None = None,
                    landlord_id: str | None = None) -> profiles.Profile:
        """Change the profile (the rules of `profile.check_change`); returns it."""
        new = profiles.check_change(self.profile, name, role, landlord_id)
        with self.transaction() as conn:
            profiles.save(conn, new)
        self.profile = new
        return new

    def guard(self, conn: sqlite3.Connection) -> Guard:
        """The rights check of a write by this database's own profile."""
        return Guard(conn, self.role, devices=self.own_devices(),
                     landlord_id=self.profile.landlord_id)

    def own_devices(self) -> set[str]:
        """This device's chains (its own, its confidential one) and those of the device
        ids it had before `device renew`."""
        (before,) = self.conn.execute("SELECT predecessors FROM device").fetchone()
        ids = {self.device_id, *json.loads(before or "[]")}
        return ids | {journal.confidential_chain(i) for i in ids}

    # -- identity -----------------------------------------------------------
    def _ensure_device(self, name: str | None) -> str:
        row = self.conn.execute("SELECT id FROM device").fetchone()
        if row:
            return row[0]
        device_id = str(uuid.uuid4())
        self.conn.execute(
            "INSERT INTO device (id, name) VALUES (?, ?)",
            (device_id, name or os.uname().nodename),
        )
        return device_id

    @property
    def project_id(self) -> str | None:
        row = self.conn.execute("SELECT project_id FROM device").fetchone()
        return row[0] if row else None

    def close(self) -> None:
        self.conn.close()

    # -- transactions -------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One user action: everything inside commits together or not at all."""
        if self.conn.in_transaction:
            yield self.conn  # nested: the outer transaction decides
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")

    # -- services -----------------------------------------------------------
    def record(self, changes: Iterable[Change], reason: str | None = None,
               actor: str | None = None) -> list[tuple]:
        """Write changes as ops and state in one transaction, within the profile's rights.

        The one write path: a value the field's kind refuses raises `BadValue`,
        a change outside the profile's rights `RightsError` naming the field;
        either way nothing is written.
        """
        changes = values.check_changes(changes)
        with self.transaction() as conn:
            guard = self.guard(conn)
            if not guard.unrestricted:
                targets: dict[str, set[str]] = {}
                for change in changes:
                    guard.field(change.entity, change.field, change.entity_id)
                    targets.setdefault(change.entity, set()).add(change.entity_id)
                guard.before(targets)
            actor = actor or self.actor
            hidden = [c for c in changes if c.field in CONFIDENTIAL.get(c.entity, ())]
            plain = [c for c in changes if c.field not in CONFIDENTIAL.get(c.entity, ())]
            rows = journal.append(conn, self.device_id, plain, actor=actor, reason=reason)
            if hidden:
                rows += journal.append(conn, self.device_id, hidden, actor=actor, reason=reason,
                                       chain=journal.confidential_chain(self.device_id))
            guard.after()
            return rows

    def get(self, table: str, entity_id: str) -> dict[str, Any] | None:
        cursor = self.conn.execute(f"SELECT * FROM {table} WHERE id = ?", (entity_id,))
        row = cursor.fetchone()
        if row is None:
            return None
        return dict(zip((d[0] for d in cursor.description), row))

    def create(self, table: str, fields: dict[str, Any], *, entity_id: str | None = None,
               reason: str | None = None) -> str:
        """A new entity; fields left out stay empty."""
        entity_id = entity_id or str(uuid.uuid4())
        with self.transaction():
            if table == "halls" and not fields.get("code"):
                fields = {**fields, "code": self.free_hall_code(entity_id)}
            self.record(self.creation_changes(table, entity_id, fields), reason)
        return entity_id

    @staticmethod
    def creation_changes(table: str, entity_id: str, fields: dict[str, Any]) -> list[Change]:
        unknown = set(fields) - set(ENTITIES[table])
        if unknown:
            raise ValueError(f"{table} has no field {', '.join(sorted(unknown))}")
        return [
            Change(table, entity_id, name, value, new=True)
            for name, value in fields.items()
            if value is not None
        ]

    def update(self, table: str, entity_id: str, fields: dict[str, Any],
               reason: str | None = None) -> list[str]:
        """Change the fields that differ; returns their names (no op when nothing changes)."""
        with self.transaction():
            current = self.get(table, entity_id)
            if current is None:
                raise StoreError(f"{table}: no row {entity_id}")
            changed = [
                name for name, value in fields.items()
                if journal.state_value(value) != current.get(name)
            ]
            self.record([Change(table, entity_id, n, fields[n]) for n in changed], reason)
        return changed

    def free_hall_code(self, hall_id: str, taken: set[str] | None = None) -> str:
        """The hall's code, derived from its id, skipping codes already in use."""
        for attempt in range(1000):
            code = hallcode.make(hall_id, attempt)
            if taken is not None and code in taken:
                continue
            if not self.conn.execute("SELECT 1 FROM halls WHERE code = ?", (code,)).fetchone():
                if taken is not None:
                    taken.add(code)
                return code
        raise StoreError("no free hall code")  # 1000 collisions in a row: impossible in practice

    def ensure_project(self, name: str, territory: str | None = None,
                       entity_id: str | None = None) -> str:
        """The project this database belongs to, created on first use.

        `entity_id` fixes its id (the deterministic demo territory needs it).
        """
        project_id = self.project_id
        if project_id:
            return project_id
        with self.transaction():
            project_id = self.create("projects", {"name": name, "territory": territory},
                                     entity_id=entity_id)
            self.conn.execute("UPDATE device SET project_id = ?", (project_id,))
        return project_id
