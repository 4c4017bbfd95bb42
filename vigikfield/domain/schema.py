"""Schema migrations, the sqlite-utils way: one fixed function per step, applied in order.

Every step is frozen: it says in literal SQL what it did the day it shipped,
never reading the live model (`model.ENTITIES`), so that a database made by
any release goes through exactly the steps a new one does. A change of the
model is a new step; `tests/test_schema_upgrade.py` upgrades a database made
by an older release and checks it ends with the schema of a new one.

Steps are of two kinds (`step(replicated=...)`):

- **replicated**: it changes what ops may carry (a table or field, a value an
  enumeration accepts). `SCHEMA_VERSION`, written in every bundle and
  compared by the merge, is the number of these steps: a bundle from a newer
  model is refused as such rather than as bad values.
- **local**: it changes only what this database keeps for itself (its
  profile, indexes, views derived from the ops).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlite_utils import Database

from .kept import (  # the kept tables' definitions, which m011 and m012 create
    COUNTED,
    DECIDED_ALL,
    DECIDED_COLUMNS,
    DECISION_ALL,
    DECISION_COLUMNS,
    M011_COUNTS_ALL,
    M011_TRIGGERS,
    M012_TRIGGERS,
    NOT_COUNTED,
    REPLACEMENT_COUNTS,
    RESIDENCE_COUNT_COLUMNS,
    RESIDENCE_COUNTS_ALL,
    RESIDENCE_FIELDS,
    _INTO_COUNTS,
)

# sqlite-utils takes a tenth of a second to import: a database already up to
# date (every start but the first after an upgrade) is checked without it.
MIGRATION_SET = "vigikfield"
STEPS: list[Callable[[Database], None]] = []  # in order
REPLICATED: list[str] = []  # names of the steps that changed the replicated model
_migrations: Any = None


def step(*, replicated: bool) -> Callable[[Callable[[Database], None]], Callable[[Database], None]]:
    """Register a migration step; `replicated` says whether it changed what ops may carry."""

    def register(fn: Callable[[Database], None]) -> Callable[[Database], None]:
        STEPS.append(fn)
        if replicated:
            REPLICATED.append(fn.__name__)
        return fn

    return register


def _run(db: Database, statements: tuple[str, ...]) -> None:
    # One statement at a time: executescript would commit the step's transaction.
    for sql in statements:
        db.execute(sql)


def _table(name: str, *columns: str) -> str:
    return f"CREATE TABLE {name} (\n  " + ",\n  ".join(columns) + "\n)"


def _fk(column: str, parent: str) -> str:
    return f"FOREIGN KEY ({column}) REFERENCES {parent}(id) DEFERRABLE INITIALLY DEFERRED"


_ID = "id TEXT PRIMARY KEY NOT NULL"

# What the first release created, as it created it (sqlite_master holds this text).
M001 = (
    _table("projects", _ID, "name TEXT", "territory TEXT"),
    _table("landlords", _ID, "project_id TEXT", "name TEXT", "phone TEXT",
           _fk("project_id", "projects")),
    "CREATE INDEX idx_landlords_project_id ON landlords(project_id)",
    _table("communes", _ID, "insee TEXT", "name TEXT"),
    _table("qpvs", _ID, "commune_id TEXT", "code TEXT", "name TEXT", _fk("commune_id", "communes")),
    "CREATE INDEX idx_qpvs_commune_id ON qpvs(commune_id)",
    _table("police_offices", _ID, "commune_id TEXT", "name TEXT", "kind TEXT", "address TEXT",
           _fk("commune_id", "communes")),
    "CREATE INDEX idx_police_offices_commune_id ON police_offices(commune_id)",
    _table("residences", _ID, "landlord_id TEXT", "commune_id TEXT", "qpv_id TEXT", "name TEXT",
           "address TEXT", "dwellings INTEGER", "lat REAL", "lon REAL", "site_level INTEGER",
           "authorized_by TEXT", "authorized_at TEXT", "windows TEXT",
           _fk("landlord_id", "landlords"), _fk("commune_id", "communes"), _fk("qpv_id", "qpvs")),
    "CREATE INDEX idx_residences_landlord_id ON residences(landlord_id)",
    "CREATE INDEX idx_residences_commune_id ON residences(commune_id)",
    "CREATE INDEX idx_residences_qpv_id ON residences(qpv_id)",
    _table("halls", _ID, "residence_id TEXT", "code TEXT", "label TEXT", "address TEXT",
           "dwellings INTEGER", "brand TEXT", "model TEXT", "vigik TEXT",
           "centrale_location TEXT", "notes TEXT", _fk("residence_id", "residences")),
    "CREATE INDEX idx_halls_residence_id ON halls(residence_id)",
    _table("centrales", _ID, "hall_id TEXT", "brand TEXT", "model TEXT", "serial TEXT",
           "capacity INTEGER", "active INTEGER", _fk("hall_id", "halls")),
    "CREATE INDEX idx_centrales_hall_id ON centrales(hall_id)",
    _table("service_cards", _ID, "landlord_id TEXT", "fingerprint TEXT", "service TEXT",
           "status TEXT", "revoked_reason TEXT", "enrolled_at TEXT", _fk("landlord_id", "landlords")),
    "CREATE INDEX idx_service_cards_landlord_id ON service_cards(landlord_id)",
    _table("encodings", _ID, "centrale_id TEXT", "hall_id TEXT", "outcome TEXT",
           "failure_reason TEXT", "days TEXT", "windows TEXT", "card_fingerprint TEXT",
           "technician TEXT", "encoded_at TEXT", "door_opened INTEGER", "label_attached INTEGER",
           "notes TEXT", _fk("centrale_id", "centrales"), _fk("hall_id", "halls")),
    "CREATE INDEX idx_encodings_centrale_id ON encodings(centrale_id)",
    "CREATE INDEX idx_encodings_hall_id ON encodings(hall_id)",
    _table("work_orders", _ID, "project_id TEXT", "technician TEXT", "residence_ids TEXT",
           "planned_date TEXT", "status TEXT", _fk("project_id", "projects")),
    "CREATE INDEX idx_work_orders_project_id ON work_orders(project_id)",
    "CREATE UNIQUE INDEX idx_halls_code ON halls(code)",
    "CREATE INDEX idx_communes_insee ON communes(insee)",
    "CREATE INDEX idx_service_cards_fingerprint ON service_cards(fingerprint)",
    # The op log: the audit journal, the sync payload and the merge input.
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
        )""",
    "CREATE INDEX idx_ops_target ON ops(entity, entity_id, field, hlc)",
    # This database's own identity and clock (one row).
    """CREATE TABLE device (
          id TEXT PRIMARY KEY NOT NULL,
          name TEXT,
          project_id TEXT,
          hlc TEXT
        )""",
    # Search index over halls, kept by triggers so that every path that
    # writes halls (services, merge, repair) keeps it true. Every query word is
    # a prefix term: the prefix indexes answer the short ones ("d", "de", "la"
    # are typed first and match most halls) without merging huge token lists.
    """CREATE VIRTUAL TABLE halls_fts USING fts5(
          code, label, address, residence, commune, landlord,
          tokenize = "unicode61 remove_diacritics 2",
          prefix = '1 2 3'
        )""",
)

_FTS_ROW = """SELECT h.rowid, h.code, h.label, coalesce(h.address, r.address),
               r.name, c.name || ' ' || coalesce(c.insee, ''), l.name
        FROM halls h
        LEFT JOIN residences r ON r.id = h.residence_id
        LEFT JOIN communes c ON c.id = r.commune_id
        LEFT JOIN landlords l ON l.id = r.landlord_id"""
_FTS_INSERT = "INSERT INTO halls_fts(rowid, code, label, address, residence, commune, landlord) "
M001_TRIGGERS = (
    f"""CREATE TRIGGER halls_fts_ai AFTER INSERT ON halls BEGIN
          {_FTS_INSERT}{_FTS_ROW} WHERE h.rowid = new.rowid;
        END""",
    f"""CREATE TRIGGER halls_fts_au AFTER UPDATE ON halls BEGIN
          DELETE FROM halls_fts WHERE rowid = old.rowid;
          {_FTS_INSERT}{_FTS_ROW} WHERE h.rowid = new.rowid;
        END""",
    """CREATE TRIGGER halls_fts_ad AFTER DELETE ON halls BEGIN
          DELETE FROM halls_fts WHERE rowid = old.rowid;
        END""",
    f"""CREATE TRIGGER residences_fts_au AFTER UPDATE OF name, address, commune_id, landlord_id
        ON residences BEGIN
          DELETE FROM halls_fts WHERE rowid IN
            (SELECT rowid FROM halls WHERE residence_id = new.id);
          {_FTS_INSERT}{_FTS_ROW} WHERE h.residence_id = new.id;
        END""",
    f"""CREATE TRIGGER communes_fts_au AFTER UPDATE OF name, insee ON communes BEGIN
          DELETE FROM halls_fts WHERE rowid IN (SELECT h.rowid FROM halls h
            JOIN residences r ON r.id = h.residence_id WHERE r.commune_id = new.id);
          {_FTS_INSERT}{_FTS_ROW} WHERE r.commune_id = new.id;
        END""",
    f"""CREATE TRIGGER landlords_fts_au AFTER UPDATE OF name ON landlords BEGIN
          DELETE FROM halls_fts WHERE rowid IN (SELECT h.rowid FROM halls h
            JOIN residences r ON r.id = h.residence_id WHERE r.landlord_id = new.id);
          {_FTS_INSERT}{_FTS_ROW} WHERE r.landlord_id = new.id;
        END""",
)


@step(replicated=True)
def m001_territory(db: Database) -> None:
    """The territory's tables, the op log, the device, the hall search index."""
    _run(db, M001 + M001_TRIGGERS)


@step(replicated=True)
def m002_wizard_steps(db: Database) -> None:
    """The hall wizard saves the step reached; the card override reason is kept."""
    db.execute("ALTER TABLE encodings ADD COLUMN step TEXT")
    db.execute("ALTER TABLE encodings ADD COLUMN card_override TEXT")


@step(replicated=False)
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


@step(replicated=True)
def m004_door_test(db: Database) -> None:
    """The door test counts: ``encodings.failure_reason`` may be ``door_does_not_open``.

    No table changes: the field is free text in SQLite and its kind is checked
    by `values`. The step exists so that bundles carrying the new value say a
    newer schema, and an older release refuses them as such.
    """


# The clock of each encoding attempt, from the op log: the stamp and device of
# its first op (`started`, `device_id`: when and where it began, which orders
# attempts) and the stamp of its last op (`touched`). Derived from the ops only,
# kept by a trigger so that every path that appends ops (services, merge)
# keeps it true; `journal verify` checks it.
M005_ATTEMPT_CLOCK = (
    """CREATE TABLE attempt_clock (
          encoding_id TEXT PRIMARY KEY NOT NULL,
          started TEXT NOT NULL,
          device_id TEXT NOT NULL,
          touched TEXT NOT NULL
        ) WITHOUT ROWID""",
    """INSERT INTO attempt_clock (encoding_id, started, device_id, touched)
        SELECT entity_id, substr(min(hlc || ' ' || device_id), 1, 23),
               substr(min(hlc || ' ' || device_id), 25), max(hlc)
        FROM ops WHERE entity = 'encodings' GROUP BY entity_id""",
    """CREATE TRIGGER attempt_clock_ai AFTER INSERT ON ops WHEN new.entity = 'encodings' BEGIN
          INSERT INTO attempt_clock (encoding_id, started, device_id, touched)
          VALUES (new.entity_id, new.hlc, new.device_id, new.hlc)
          ON CONFLICT (encoding_id) DO UPDATE SET
            started = min(started, excluded.started),
            device_id = CASE WHEN (excluded.started, excluded.device_id) < (started, device_id)
                             THEN excluded.device_id ELSE device_id END,
            touched = max(touched, excluded.touched);
        END""",
    # Replaced centrales are few: their attempts are set aside through this index.
    "CREATE INDEX idx_centrales_retired ON centrales(id) WHERE active = 0",
    # Attempts in progress are few: the wizard's resume and the lists find them here.
    "CREATE INDEX idx_encodings_unfinished ON encodings(hall_id) "
    "WHERE step IS NOT NULL AND step != 'done'",
)

# The attempts of every hall, one row per encodings row, with what the status
# rule needs (docs/statuses.md). A single table with scalar subqueries (no join),
# so that SQLite flattens it into any query, even as the right side of a LEFT JOIN. Programming done (encoded, already present)
# but the door did not open is a failure, whatever an older release recorded.
M005_HALL_ATTEMPTS = """CREATE VIEW hall_attempts AS
SELECT e.id AS encoding_id, e.hall_id, e.centrale_id,
  (SELECT k.started FROM attempt_clock k WHERE k.encoding_id = e.id) AS started,
  (SELECT k.device_id FROM attempt_clock k WHERE k.encoding_id = e.id) AS device_id,
  (SELECT k.touched FROM attempt_clock k WHERE k.encoding_id = e.id) AS touched,
  coalesce(e.centrale_id NOT IN (SELECT r.id FROM centrales r WHERE r.active = 0), 1) AS counts,
  coalesce(e.step, 'done') AS step,
  e.step IS NOT NULL AND e.step != 'done' AS unfinished,
  e.outcome,
  CASE
    WHEN e.outcome IN ('encoded', 'already_present') AND e.door_opened = 0 THEN 'failed'
    WHEN e.outcome IN ('encoded', 'already_present') THEN 'encoded'
    WHEN e.outcome IN ('failed', 'incompatible', 'no_access') THEN e.outcome
  END AS result,
  CASE
    WHEN e.outcome IN ('encoded', 'already_present') AND e.door_opened = 0
      THEN 'door_does_not_open'
    WHEN e.outcome = 'failed' THEN e.failure_reason
  END AS reason,
  CASE
    WHEN e.door_opened = 1 THEN 'opened'
    WHEN e.door_opened = 0 THEN 'failed'
    WHEN e.outcome IN ('encoded', 'already_present') THEN 'not_tested'
  END AS door,
  e.technician, e.encoded_at, e.days, e.windows, e.notes, e.label_attached
FROM encodings e
WHERE e.hall_id IS NOT NULL"""

# Each hall's status, the attempt that decided it and the rule that gave it.
# Among the attempts that count and have a result, ordered by (started,
# encoding_id): the latest conclusive one (encoded, failed, incompatible)
# decides when it is a success or when nothing came after it; otherwise the
# latest (a visit without access) does. No attempt decides: the hall's Vigik
# compatibility does. The key `started || encoding_id` sorts like the pair
# (`started` has a fixed width of 23 characters). Most halls have no attempt
# yet: the IN test (one look-up in a set built once) skips them cheaply.
M005_HALL_STATUS = """CREATE VIEW hall_status AS
SELECT s.hall_id, s.code, s.label, s.residence_id, s.dwellings,
  CASE
    WHEN d.result IS NOT NULL THEN d.result
    WHEN s.vigik = 'incompatible' THEN 'incompatible'
    WHEN s.vigik = 'compatible' THEN 'compatible'
    ELSE 'to_check'
  END AS status,
  CASE
    WHEN d.result IS NULL THEN 'compatibility'
    WHEN d.reason = 'door_does_not_open' THEN 'door_failed'
    WHEN d.result = 'no_access' THEN 'no_access'
    ELSE 'outcome'
  END AS rule,
  d.encoding_id AS decided_by,
  d.encoded_at AS decided_at,
  coalesce(d.result = 'encoded' AND d.door != 'opened', 0) AS door_not_tested
FROM (
  SELECT h.id AS hall_id, h.code, h.label, h.residence_id, h.dwellings, h.vigik,
    CASE WHEN h.id IN (SELECT x.hall_id FROM encodings x) THEN (
      SELECT substr(CASE WHEN c IS NOT NULL AND (c = e OR c = l) THEN c ELSE l END, 24)
      FROM (
        SELECT max(CASE WHEN a.result != 'no_access' THEN a.started || a.encoding_id END) AS c,
               max(CASE WHEN a.result = 'encoded' THEN a.started || a.encoding_id END) AS e,
               max(a.started || a.encoding_id) AS l
        FROM hall_attempts a
        WHERE a.hall_id = h.id AND a.counts AND a.result IS NOT NULL)
    ) END AS decided
  FROM halls h
) s
LEFT JOIN hall_attempts d ON d.encoding_id = s.decided"""


@step(replicated=False)
def m005_hall_status(db: Database) -> None:
    """One definition of a hall's attempts and status (docs/statuses.md), as views
    every reader uses, over the attempts' clocks taken from the op log."""
    _run(db, M005_ATTEMPT_CLOCK + (M005_HALL_ATTEMPTS, M005_HALL_STATUS))


# A pilot's settlement of two technicians' disagreeing attempts sets the one it
# does not keep aside: such an attempt no longer counts. Each new attempt names
# the attempt that decided the hall when it began (`follows`): two attempts
# neither of which follows the other were made concurrently (sync.conflicts).
_COUNTS_M005 = ("coalesce(e.centrale_id NOT IN (SELECT r.id FROM centrales r WHERE r.active = 0),"
                " 1) AS counts")
assert _COUNTS_M005 in M005_HALL_ATTEMPTS
M006_HALL_ATTEMPTS = M005_HALL_ATTEMPTS.replace(
    _COUNTS_M005,
    "(coalesce(e.centrale_id NOT IN (SELECT r.id FROM centrales r WHERE r.active = 0), 1)"
    " AND coalesce(e.set_aside, 0) = 0) AS counts")


@step(replicated=True)
def m006_settlements(db: Database) -> None:
    """Attempts say which attempt they followed; a settlement sets one aside."""
    _run(db, ("ALTER TABLE encodings ADD COLUMN follows TEXT",
              "ALTER TABLE encodings ADD COLUMN set_aside INTEGER",
              "DROP VIEW hall_attempts", M006_HALL_ATTEMPTS))


M007_FIELDS = (
    ("projects", ("goal_dwellings_qpv INTEGER", "goal_dwellings_outside INTEGER",
                  "cost_encoding TEXT", "cost_replacement_per_entrance TEXT", "cost_kit TEXT",
                  "cost_service_card TEXT", "cost_charging_station TEXT", "cost_computer TEXT",
                  "vat TEXT", "kit_payer TEXT")),
    ("police_offices", ("stations INTEGER", "stations_installed INTEGER", "station_planned TEXT",
                        "station_installed TEXT", "computers INTEGER", "agent_badges INTEGER")),
    ("halls", ("replacement_planned TEXT", "replaced_on TEXT")),
)


@step(replicated=True)
def m007_pilot_desk(db: Database) -> None:
    """The pilot's desk: the goal, the costs and who pays the kit (projects); the police
    offices' charging stations, computers and badges; replacements planned and done."""
    _run(db, tuple(f"ALTER TABLE {table} ADD COLUMN {column}"
                   for table, columns in M007_FIELDS for column in columns))


# A retired hall (demolished, entrances merged: `halls.retired = 1`) is out of
# every count and route: it has no row in `hall_status`, so every reader (route,
# residence lists, dashboard, reports, labels, lateness) leaves it out by the
# same one definition. Its history stays; `hall restore` brings it back.
_FROM_HALLS_M005 = """  FROM halls h
) s"""
assert M005_HALL_STATUS.count(_FROM_HALLS_M005) == 1
M008_HALL_STATUS = M005_HALL_STATUS.replace(
    _FROM_HALLS_M005, """  FROM halls h
  WHERE coalesce(h.retired, 0) = 0
) s""")


@step(replicated=True)
def m008_checklist(db: Database) -> None:
    """The landlord's checklist: a hall may be retired (out of every count, reversible)."""
    _run(db, ("ALTER TABLE halls ADD COLUMN retired INTEGER",
              "DROP VIEW hall_status", M008_HALL_STATUS))


@step(replicated=True)
def m009_site_facts(db: Database) -> None:
    """The facts observed on a site (seed 002), the grounds of its classification level."""
    _run(db, (
        _table("site_facts", _ID, "residence_id TEXT", "fact TEXT",
               "gravity TEXT", "frequency TEXT", "observed_on TEXT", "source TEXT",
               "withdrawn INTEGER", _fk("residence_id", "residences")),
        "CREATE INDEX idx_site_facts_residence ON site_facts(residence_id)",
    ))


@step(replicated=True)
def m010_around_encoding(db: Database) -> None:
    """Before and after the encoding: the building manager's authorisations, the reports
    of a service that could not open a hall, the reader's Vigik Plus readiness and its
    yearly maintenance."""
    _run(db, (
        _table("authorisations", _ID, "residence_id TEXT", "decision TEXT", "decided_by TEXT",
               "decided_on TEXT", "days TEXT", "windows TEXT", "until TEXT", "note TEXT",
               _fk("residence_id", "residences")),
        "CREATE INDEX idx_authorisations_residence ON authorisations(residence_id)",
        _table("failure_reports", _ID, "hall_id TEXT", "reported_on TEXT", "service TEXT",
               "what TEXT", "details TEXT", "reported_by TEXT", "closure TEXT",
               "closed_on TEXT", "closed_by TEXT", "closure_note TEXT",
               _fk("hall_id", "halls")),
        "CREATE INDEX idx_failure_reports_hall ON failure_reports(hall_id)",
        # open reports are few: the status view's "to verify" looks them up here
        "CREATE INDEX idx_failure_reports_open ON failure_reports(hall_id) WHERE closure IS NULL",
        "ALTER TABLE halls ADD COLUMN vigik_plus INTEGER",
        "ALTER TABLE halls ADD COLUMN last_maintenance TEXT",
    ))


# Each hall's status (docs/statuses.md): what its deciding attempt says (kept in
# `hall_decided`), else its Vigik compatibility; retired halls have no row; a
# hall with an open failure report is to verify (`to_verify`: one look-up in a
# set of the few open reports, built once).
# The status columns are m005's, word for word, read from the hall's own row.
_M005_HEAD = "SELECT s.hall_id, s.code, s.label, s.residence_id, s.dwellings,\n"
_M005_COLUMNS = M005_HALL_STATUS[M005_HALL_STATUS.index(_M005_HEAD) + len(_M005_HEAD):
                                 M005_HALL_STATUS.index("\nFROM (\n")]
assert _M005_COLUMNS.count("s.vigik") == 2 and _M005_COLUMNS.endswith("AS door_not_tested")
M011_HALL_STATUS = ("""CREATE VIEW hall_status AS
SELECT h.id AS hall_id, h.code, h.label, h.residence_id, h.dwellings,
""" + _M005_COLUMNS.replace("s.vigik", "h.vigik") + """,
  h.id IN (SELECT f.hall_id FROM failure_reports f
           WHERE f.closure IS NULL AND f.hall_id IS NOT NULL) AS to_verify
FROM halls h
LEFT JOIN hall_decided d ON d.hall_id = h.id
WHERE coalesce(h.retired, 0) = 0""")


# Which halls count: the view's own condition (kept.COUNTED), written once.
assert M011_HALL_STATUS.endswith("WHERE " + COUNTED.format(h="h."))


@step(replicated=False)
def m011_status_table(db: Database) -> None:
    """The attempt that decides each hall and what the status takes from it, kept in a
    table by triggers, so that every count over `hall_status` reads it instead of
    recomputing the rule; a hall's open failure reports make it "to verify"; each
    residence's counts of its halls' statuses, kept the same way."""
    _run(db, (
        """CREATE TABLE hall_decided (
          hall_id TEXT PRIMARY KEY NOT NULL,
          encoding_id TEXT NOT NULL,
          result TEXT NOT NULL,
          reason TEXT,
          door TEXT,
          encoded_at TEXT
        ) WITHOUT ROWID""",
        f"INSERT INTO hall_decided (hall_id, {', '.join(DECIDED_COLUMNS)}) " + DECIDED_ALL,
        "DROP VIEW hall_status", M011_HALL_STATUS,
        _table("residence_counts", "residence_id TEXT PRIMARY KEY NOT NULL",
               *(f"{c} INTEGER NOT NULL" for c in RESIDENCE_COUNT_COLUMNS)) + " WITHOUT ROWID",
        "INSERT INTO residence_counts " + M011_COUNTS_ALL,
        "CREATE TABLE hall_dirty (hall_id TEXT PRIMARY KEY NOT NULL) WITHOUT ROWID",
        "CREATE TABLE residence_dirty (residence_id TEXT PRIMARY KEY NOT NULL) WITHOUT ROWID",
        *M011_TRIGGERS,
    ))


@step(replicated=False)
def m012_decisions_and_upkeep(db: Database) -> None:
    """Each residence's latest authorisation decision, kept in a table by triggers (the
    dashboard counts 20,000 residences' states without ranking every decision); each
    residence's counts keep its landlord, commune, QPV and name (a grouping reads them
    alone); the
    halls that count, indexed by their Vigik Plus readiness and last maintenance (the
    territory's yearly maintenance read from the index alone), and those that do not."""
    _run(db, (
        """CREATE TABLE residence_decision (
          residence_id TEXT PRIMARY KEY NOT NULL,
          authorisation_id TEXT NOT NULL,
          decision TEXT NOT NULL,
          until TEXT
        ) WITHOUT ROWID""",
        f"INSERT INTO residence_decision (residence_id, {', '.join(DECISION_COLUMNS)}) "
        + DECISION_ALL,
        *(f"ALTER TABLE residence_counts ADD COLUMN {k} TEXT" for k in RESIDENCE_FIELDS),
        *(f"ALTER TABLE residence_counts ADD COLUMN {k} INTEGER NOT NULL DEFAULT 0"
          for k in REPLACEMENT_COUNTS),
        "DELETE FROM residence_counts",
        _INTO_COUNTS + RESIDENCE_COUNTS_ALL,
        "DROP TRIGGER residence_dirty_halls_au",
        *M012_TRIGGERS,
        # covering (the retired flag last, read from the index): not a partial index,
        # which every scan of the view would take and then read each hall's row from
        "CREATE INDEX idx_halls_upkeep ON halls(vigik_plus, last_maintenance, dwellings, retired)",
        # the few halls that do not count (a partial index no scan of the view can take)
        "CREATE INDEX idx_halls_retired ON halls(id) WHERE " + NOT_COUNTED.format(h=""),
    ))


SCHEMA_VERSION = len(REPLICATED)  # of the replicated model (ops); local steps don't count


def __getattr__(name: str) -> Any:
    """`migrations`: the sqlite-utils set of the steps, built when first asked for."""
    global _migrations
    if name != "migrations":
        raise AttributeError(name)
    if _migrations is None:
        from sqlite_utils.migrations import Migrations

        _migrations = Migrations(MIGRATION_SET)
        for fn in STEPS:
            _migrations()(fn)
    return _migrations


def up_to_date(conn: sqlite3.Connection) -> bool:
    """Whether every step is applied already (read without sqlite-utils)."""
    try:
        applied = {name for (name,) in conn.execute(
            "SELECT name FROM _sqlite_migrations WHERE migration_set = ?", (MIGRATION_SET,))}
    except sqlite3.OperationalError:  # a new database: no table yet
        return False
    return all(fn.__name__ in applied for fn in STEPS)


def migrate(conn: sqlite3.Connection) -> None:
    if up_to_date(conn):
        return
    from sqlite_utils import Database

    __getattr__("migrations").apply(Database(conn))
