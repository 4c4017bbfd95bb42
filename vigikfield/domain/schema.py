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


# The attempt that decides a hall (docs/statuses.md), for the hall whose id is
# `{hall}`: among its attempts that count and have a result, ordered by
# (started, encoding_id), the latest conclusive one (encoded, failed,
# incompatible) when it is a success or nothing came after it, else the latest
# (a visit without access). The key `started || encoding_id` sorts like the pair
# (`started` has a fixed width of 23 characters). This is the rule of
# m005_hall_status, unchanged, written once: the triggers below keep, per hall,
# that attempt and what the status takes from it in `hall_decided`, and
# `journal verify` recomputes it for every hall (DECIDED_ALL).
DECIDED = """(SELECT substr(CASE WHEN c IS NOT NULL AND (c = e OR c = l) THEN c ELSE l END, 24)
  FROM (
    SELECT max(CASE WHEN a.result != 'no_access' THEN a.started || a.encoding_id END) AS c,
           max(CASE WHEN a.result = 'encoded' THEN a.started || a.encoding_id END) AS e,
           max(a.started || a.encoding_id) AS l
    FROM hall_attempts a
    WHERE a.hall_id = {hall} AND a.counts AND a.result IS NOT NULL))"""

# What the status takes from the deciding attempt (hall_attempts' columns).
DECIDED_COLUMNS = ("encoding_id", "result", "reason", "door", "encoded_at")
_DECIDED_ROW = """SELECT {hall}, d.encoding_id, d.result, d.reason, d.door, d.encoded_at
    FROM hall_attempts d WHERE d.encoding_id = """ + DECIDED


# What the rule and the status read: an attempt's hall, centrale, outcome, door
# test, failure reason, date and settlement (encodings); its clock
# (attempt_clock); whether its centrale was replaced (centrales.active). A
# trigger on each only notes the hall as changed (`hall_dirty`, one insert):
# recomputing there, op by op, would cost a hall's every attempt per op (a
# bundle of many attempts on few halls would cost their square). The writers
# (journal.append, journal.materialise) then run FLUSH once, inside the same
# transaction: the noted halls' deciding attempts, then the noted residences'
# counts, and the notes are cleared.
_ENCODING_FIELDS = "hall_id, centrale_id, outcome, failure_reason, door_opened, encoded_at, set_aside"


# (No OR IGNORE in a trigger: the outer statement's conflict policy would override it.)
def _note_hall(hall: str) -> str:
    return (f"INSERT INTO hall_dirty (hall_id) SELECT {hall} WHERE {hall} IS NOT NULL "
            f"AND NOT EXISTS (SELECT 1 FROM hall_dirty z WHERE z.hall_id = {hall});")


def _note_residence(residence: str) -> str:
    return (f"INSERT INTO residence_dirty (residence_id) SELECT coalesce({residence}, '') "
            f"WHERE NOT EXISTS (SELECT 1 FROM residence_dirty z "
            f"WHERE z.residence_id = coalesce({residence}, ''));")


def _residence_of(hall: str) -> str:
    return f"(SELECT y.residence_id FROM halls y WHERE y.id = {hall})"


_HALL_OF_ATTEMPT = "(SELECT x.hall_id FROM encodings x WHERE x.id = new.encoding_id)"
_HALL_FIELDS = "residence_id, vigik, dwellings, retired"
M011_TRIGGERS = (
    f"""CREATE TRIGGER hall_dirty_encodings_ai AFTER INSERT ON encodings BEGIN
  {_note_hall("new.hall_id")}
END""",
    f"""CREATE TRIGGER hall_dirty_encodings_au AFTER UPDATE OF {_ENCODING_FIELDS} ON encodings
BEGIN
  {_note_hall("old.hall_id")}
  {_note_hall("new.hall_id")}
END""",
    f"""CREATE TRIGGER hall_dirty_encodings_ad AFTER DELETE ON encodings BEGIN
  {_note_hall("old.hall_id")}
END""",
    f"""CREATE TRIGGER hall_dirty_clock_ai AFTER INSERT ON attempt_clock BEGIN
  {_note_hall(_HALL_OF_ATTEMPT)}
END""",
    f"""CREATE TRIGGER hall_dirty_clock_au AFTER UPDATE OF started ON attempt_clock BEGIN
  {_note_hall(_HALL_OF_ATTEMPT)}
END""",
    *(f"""CREATE TRIGGER hall_dirty_centrales_{name} AFTER {event} ON centrales WHEN {when} BEGIN
  INSERT INTO hall_dirty (hall_id)
    SELECT DISTINCT x.hall_id FROM encodings x WHERE x.centrale_id = {row}.id
    AND x.hall_id IS NOT NULL AND x.hall_id NOT IN (SELECT z.hall_id FROM hall_dirty z);
END""" for name, event, when, row in (
        ("au", "UPDATE OF active", "old.active IS NOT new.active", "new"),
        ("ai", "INSERT", "new.active = 0", "new"),
        ("ad", "DELETE", "old.active = 0", "old"),
    )),
    # what the residences' counts read besides the deciding attempts
    f"""CREATE TRIGGER residence_dirty_halls_ai AFTER INSERT ON halls BEGIN
  {_note_residence("new.residence_id")}
END""",
    f"""CREATE TRIGGER residence_dirty_halls_au AFTER UPDATE OF {_HALL_FIELDS} ON halls BEGIN
  {_note_residence("old.residence_id")}
  {_note_residence("new.residence_id")}
END""",
    f"""CREATE TRIGGER residence_dirty_halls_ad AFTER DELETE ON halls BEGIN
  {_note_residence("old.residence_id")}
END""",
    f"""CREATE TRIGGER residence_dirty_reports_ai AFTER INSERT ON failure_reports BEGIN
  {_note_residence(_residence_of("new.hall_id"))}
END""",
    f"""CREATE TRIGGER residence_dirty_reports_au AFTER UPDATE OF hall_id, closure
ON failure_reports BEGIN
  {_note_residence(_residence_of("old.hall_id"))}
  {_note_residence(_residence_of("new.hall_id"))}
END""",
    f"""CREATE TRIGGER residence_dirty_reports_ad AFTER DELETE ON failure_reports BEGIN
  {_note_residence(_residence_of("old.hall_id"))}
END""",
)


# Every hall's `hall_decided` row, from scratch (the migration, `journal verify`).
DECIDED_ALL = f"""SELECT h.hall_id, d.encoding_id, d.result, d.reason, d.door, d.encoded_at
FROM (SELECT DISTINCT hall_id FROM encodings WHERE hall_id IS NOT NULL) h
JOIN hall_attempts d ON d.encoding_id = {DECIDED.format(hall="h.hall_id")}"""

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


# Each residence's counts of its halls' statuses: an aggregate over `hall_status`
# (the one definition), kept per residence in `residence_counts` by the triggers
# below, so that the dashboard's groupings read 20,000 residence rows rather than
# 130,000 halls. `journal verify` recomputes it (RESIDENCE_COUNTS_ALL). Halls of
# no residence are counted under the key ''.
RESIDENCE_COUNT_COLUMNS = ("halls", "encoded", "failed", "incompatible", "no_access",
                           "door_not_tested", "pending", "dwellings", "dwellings_covered",
                           "to_verify")
_COUNTS_SELECT = """SELECT coalesce(hs.residence_id, '') AS residence_id, count(*) AS halls,
    sum(hs.status = 'encoded') AS encoded, sum(hs.status = 'failed') AS failed,
    sum(hs.status = 'incompatible') AS incompatible, sum(hs.status = 'no_access') AS no_access,
    sum(hs.door_not_tested) AS door_not_tested,
    sum(hs.status IN ('to_check', 'compatible')) AS pending,
    coalesce(sum(hs.dwellings), 0) AS dwellings,
    coalesce(sum(CASE WHEN hs.status = 'encoded' THEN hs.dwellings END), 0) AS dwellings_covered,
    coalesce(sum(hs.to_verify), 0) AS to_verify
  FROM hall_status hs"""
M011_COUNTS_ALL = _COUNTS_SELECT + " GROUP BY hs.residence_id"  # m011's, as it ran

# From m012 on, each residence's row also keeps the residence's landlord, commune, QPV
# and name (so that a grouping reads this table alone), recounted when they change.
RESIDENCE_FIELDS = ("landlord_id", "commune_id", "qpv_id", "name")
_HEAD = "SELECT coalesce(hs.residence_id, '') AS residence_id,"
assert _COUNTS_SELECT.startswith(_HEAD) and _COUNTS_SELECT.endswith("FROM hall_status hs")
# And the costs' counts (docs/costs.md): the halls whose access system is to replace
# (incompatible, or replaced already) and those replaced, read from the hall's row.
REPLACEMENT_COUNTS = {
    "to_replace": "coalesce(sum(hs.status = 'incompatible' OR x.replaced_on IS NOT NULL), 0)",
    "replaced": "coalesce(sum(x.replaced_on IS NOT NULL), 0)",
}
KEPT_COUNT_COLUMNS = (*RESIDENCE_COUNT_COLUMNS, *REPLACEMENT_COUNTS)
_TAIL = "\n  FROM hall_status hs"
_KEYED_COUNTS_SELECT = (
    _HEAD + "".join(f" r.{k}," for k in RESIDENCE_FIELDS)
    + _COUNTS_SELECT[len(_HEAD):-len(_TAIL)]
    + "".join(f",\n    {sql} AS {name}" for name, sql in REPLACEMENT_COUNTS.items()) + _TAIL
    + "\n  JOIN halls x ON x.id = hs.hall_id"
    + "\n  LEFT JOIN residences r ON r.id = hs.residence_id")
RESIDENCE_COUNTS_ALL = _KEYED_COUNTS_SELECT + " GROUP BY hs.residence_id"
_INTO_COUNTS = ("INSERT INTO residence_counts (residence_id, "
                + ", ".join((*RESIDENCE_FIELDS, *KEPT_COUNT_COLUMNS)) + ") ")


# The noted halls and residences brought up to date (journal.flush), in order.
FLUSH = (
    "DELETE FROM hall_decided WHERE hall_id IN (SELECT hall_id FROM hall_dirty)",
    f"INSERT INTO hall_decided (hall_id, {', '.join(DECIDED_COLUMNS)}) "
    f"SELECT h.hall_id, d.encoding_id, d.result, d.reason, d.door, d.encoded_at "
    f"FROM hall_dirty h JOIN hall_attempts d ON d.encoding_id = "
    f"{DECIDED.format(hall='h.hall_id')}",
    "INSERT OR IGNORE INTO residence_dirty (residence_id) "
    "SELECT coalesce(y.residence_id, '') FROM hall_dirty x JOIN halls y ON y.id = x.hall_id",
    "DELETE FROM hall_dirty",
    "DELETE FROM residence_counts WHERE residence_id IN (SELECT residence_id FROM residence_dirty)",
    _INTO_COUNTS + _KEYED_COUNTS_SELECT
    + " WHERE hs.residence_id IN (SELECT residence_id FROM residence_dirty)"
      " GROUP BY hs.residence_id",
    _INTO_COUNTS + _KEYED_COUNTS_SELECT
    + " WHERE hs.residence_id IS NULL AND '' IN (SELECT residence_id FROM residence_dirty)"
      " HAVING count(*) > 0",
    "DELETE FROM residence_dirty",
)


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


# Which halls count (the status view's own condition, written once): a retired hall is
# out of every count. Readers that need only a hall's own fields read `halls`
# through it (with an index that covers them) rather than through the view.
COUNTED = "coalesce({h}retired, 0) = 0"
assert M011_HALL_STATUS.endswith("WHERE " + COUNTED.format(h="h."))
NOT_COUNTED = f"NOT ({COUNTED})"  # the few halls out of every count

# A residence's latest decision (docs/authorisations.md): among its authorisations
# that grant or refuse, ordered by `decided_on`, then by the clock of the decision's
# first op, then by id, the last one. Written once: kept per residence in
# `residence_decision` (FLUSH, from the residences the triggers below noted),
# read by `authorisations.STATE_SQL`, recomputed by `journal verify`
# (DECISION_ALL). What the state reads of it (decision, until) is kept alongside,
# so that counting states reads the kept table alone. `{only}`: "" or a condition
# on `a.residence_id`.
_LATEST_DECISION = """SELECT x.residence_id, x.id, x.decision, x.until FROM (
  SELECT a.residence_id, a.id, a.decision, a.until, row_number() OVER (
           PARTITION BY a.residence_id
           ORDER BY a.decided_on DESC,
                    (SELECT min(o.hlc) FROM ops o
                     WHERE o.entity = 'authorisations' AND o.entity_id = a.id) DESC,
                    a.id DESC) AS rank
  FROM authorisations a
  WHERE a.residence_id IS NOT NULL AND a.decision IN ('granted', 'refused'){only}) x
WHERE x.rank = 1"""
DECISION_ALL = _LATEST_DECISION.format(only="")


def _note_known(residence: str) -> str:
    return (f"INSERT INTO residence_dirty (residence_id) SELECT {residence} "
            f"WHERE {residence} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM residence_dirty z "
            f"WHERE z.residence_id = {residence});")


# What the latest decision reads: an authorisation's residence, decision and day,
# and the clock of its ops (an older op merged later can change the order).
_DECISION_FIELDS = "residence_id, decision, decided_on, until"
DECISION_COLUMNS = ("authorisation_id", "decision", "until")
M012_TRIGGERS = (
    f"""CREATE TRIGGER residence_dirty_authorisations_ai AFTER INSERT ON authorisations BEGIN
  {_note_known("new.residence_id")}
END""",
    f"""CREATE TRIGGER residence_dirty_authorisations_au AFTER UPDATE OF {_DECISION_FIELDS}
ON authorisations BEGIN
  {_note_known("old.residence_id")}
  {_note_known("new.residence_id")}
END""",
    f"""CREATE TRIGGER residence_dirty_authorisations_ad AFTER DELETE ON authorisations BEGIN
  {_note_known("old.residence_id")}
END""",
    f"""CREATE TRIGGER residence_dirty_authorisation_ops_ai AFTER INSERT ON ops
WHEN new.entity = 'authorisations' BEGIN
  {_note_known("(SELECT y.residence_id FROM authorisations y WHERE y.id = new.entity_id)")}
END""",
    # what the counts read of a hall, now with its replacement
    f"""CREATE TRIGGER residence_dirty_halls_au AFTER UPDATE OF {_HALL_FIELDS}, replaced_on
ON halls BEGIN
  {_note_residence("old.residence_id")}
  {_note_residence("new.residence_id")}
END""",
    # the fields each residence's counts keep
    f"""CREATE TRIGGER residence_dirty_residences_ai AFTER INSERT ON residences BEGIN
  {_note_known("new.id")}
END""",
    f"""CREATE TRIGGER residence_dirty_residences_au AFTER UPDATE OF {', '.join(RESIDENCE_FIELDS)}
ON residences BEGIN
  {_note_known("old.id")}
  {_note_known("new.id")}
END""",
    f"""CREATE TRIGGER residence_dirty_residences_ad AFTER DELETE ON residences BEGIN
  {_note_known("old.id")}
END""",
)
FLUSH_DECISIONS = (
    "DELETE FROM residence_decision WHERE residence_id IN "
    "(SELECT residence_id FROM residence_dirty)",
    f"INSERT INTO residence_decision (residence_id, {', '.join(DECISION_COLUMNS)}) "
    + _LATEST_DECISION.format(
        only=" AND a.residence_id IN (SELECT residence_id FROM residence_dirty)"),
)
# FLUSH's last statement clears the notes: the decisions are brought up to date before.
assert FLUSH[-1] == "DELETE FROM residence_dirty"
FLUSH = FLUSH[:-1] + FLUSH_DECISIONS + FLUSH[-1:]


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
