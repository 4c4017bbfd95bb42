"""Schema migrations, the sqlite-utils way: one function per step, applied in order."""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from .model import ENTITIES, FOREIGN_KEYS

SCHEMA_VERSION = 2  # of the replicated model (ops); local tables don't count
migrations = Migrations("vigikfield")

# Fields that later migrations add with ALTER TABLE: the first migration builds
# the tables from `ENTITIES` without them, so that every database, new or old,
# goes through the same steps.
ADDED_LATER: dict[str, set[str]] = {"encodings": {"step", "card_override"}}


def _create_entity_table(db: Database, table: str) -> None:
    columns = ["id TEXT PRIMARY KEY NOT NULL"]
    later = ADDED_LATER.get(table, set())
    columns += [f"{name} {kind}" for name, kind in ENTITIES[table].items() if name not in later]
    columns += [
        f"FOREIGN KEY ({col}) REFERENCES {parent}(id) DEFERRABLE INITIALLY DEFERRED"
        for col, parent in FOREIGN_KEYS.get(table, [])
    ]
    db.execute(f"CREATE TABLE {table} (\n  " + ",\n  ".join(columns) + "\n)")
    for col, _parent in FOREIGN_KEYS.get(table, []):
        db.execute(f"CREATE INDEX idx_{table}_{col} ON {table}({col})")


@migrations()
def m001_territory(db: Database) -> None:
    for table in ENTITIES:
        _create_entity_table(db, table)
    db.execute("CREATE UNIQUE INDEX idx_halls_code ON halls(code)")
    db.execute("CREATE INDEX idx_communes_insee ON communes(insee)")
    db.execute("CREATE INDEX idx_service_cards_fingerprint ON service_cards(fingerprint)")
    # The op log: the audit journal, the sync payload and the merge input.
    db.execute(
        """CREATE TABLE ops (
          op_id TEXT PRIMARY KEY NOT NULL,
          device_id TEXT NOT NULL,
          seq INTEGER NOT NULL,
          hlc TEXT NOT NULL,
          entity TEXT NOT NULL,
          entity_id TEXT NOT NULL,
          field TEXT NOT NULL,
          value TEXT,
          base TEXT,
          actor TEXT,
          reason TEXT,
          prev_hash TEXT NOT NULL,
          hash TEXT NOT NULL,
          UNIQUE (device_id, seq)
        )"""
    )
    db.execute("CREATE INDEX idx_ops_target ON ops(entity, entity_id, field, hlc)")
    # This database's own identity and clock (one row).
    db.execute(
        """CREATE TABLE device (
          id TEXT PRIMARY KEY NOT NULL,
          name TEXT,
          project_id TEXT,
          hlc TEXT
        )"""
    )
    # Search index over halls, kept by triggers so that every path that
    # writes halls (services, merge, repair) keeps it true. Every query word is
    # a prefix term: the prefix indexes answer the short ones ("d", "de", "la"
    # are typed first and match most halls) without merging huge token lists.
    db.execute(
        """CREATE VIRTUAL TABLE halls_fts USING fts5(
          code, label, address, residence, commune, landlord,
          tokenize = "unicode61 remove_diacritics 2",
          prefix = '1 2 3'
        )"""
    )
    row = """SELECT h.rowid, h.code, h.label, coalesce(h.address, r.address),
               r.name, c.name || ' ' || coalesce(c.insee, ''), l.name
        FROM halls h
        LEFT JOIN residences r ON r.id = h.residence_id
        LEFT JOIN communes c ON c.id = r.commune_id
        LEFT JOIN landlords l ON l.id = r.landlord_id"""
    cols = "rowid, code, label, address, residence, commune, landlord"
    db.executescript(
        f"""
        CREATE TRIGGER halls_fts_ai AFTER INSERT ON halls BEGIN
          INSERT INTO halls_fts({cols}) {row} WHERE h.rowid = new.rowid;
        END;
        CREATE TRIGGER halls_fts_au AFTER UPDATE ON halls BEGIN
          DELETE FROM halls_fts WHERE rowid = old.rowid;
          INSERT INTO halls_fts({cols}) {row} WHERE h.rowid = new.rowid;
        END;
        CREATE TRIGGER halls_fts_ad AFTER DELETE ON halls BEGIN
          DELETE FROM halls_fts WHERE rowid = old.rowid;
        END;
        CREATE TRIGGER residences_fts_au AFTER UPDATE OF name, address, commune_id, landlord_id
        ON residences BEGIN
          DELETE FROM halls_fts WHERE rowid IN
            (SELECT rowid FROM halls WHERE residence_id = new.id);
          INSERT INTO halls_fts({cols}) {row} WHERE h.residence_id = new.id;
        END;
        CREATE TRIGGER communes_fts_au AFTER UPDATE OF name, insee ON communes BEGIN
          DELETE FROM halls_fts WHERE rowid IN (SELECT h.rowid FROM halls h
            JOIN residences r ON r.id = h.residence_id WHERE r.commune_id = new.id);
          INSERT INTO halls_fts({cols}) {row} WHERE r.commune_id = new.id;
        END;
        CREATE TRIGGER landlords_fts_au AFTER UPDATE OF name ON landlords BEGIN
          DELETE FROM halls_fts WHERE rowid IN (SELECT h.rowid FROM halls h
            JOIN residences r ON r.id = h.residence_id WHERE r.landlord_id = new.id);
          INSERT INTO halls_fts({cols}) {row} WHERE r.landlord_id = new.id;
        END;
        """
    )


@migrations()
def m002_wizard_steps(db: Database) -> None:
    """The hall wizard saves the step reached; the card override reason is kept."""
    db.execute("ALTER TABLE encodings ADD COLUMN step TEXT")
    db.execute("ALTER TABLE encodings ADD COLUMN card_override TEXT")


@migrations()
def m003_profile(db: Database) -> None:
    """Who uses this database: a person's name, a role, a landlord for maintenance;
    and the device ids it had before a renewal.

    Local to this database (never an op, never in a bundle): one row at most.
    """
    db.execute(
        """CREATE TABLE profile (
          id INTEGER PRIMARY KEY CHECK (id = 1),
          name TEXT,
          role TEXT,
          landlord_id TEXT
        )"""
    )
    # The device ids this database used before `device renew` (JSON list).
    db.execute("ALTER TABLE device ADD COLUMN predecessors TEXT")


def migrate(db: Database) -> None:
    migrations.apply(db)
