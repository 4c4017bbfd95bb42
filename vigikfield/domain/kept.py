"""What the database keeps so that every count reads little (migrations m011, m012;
docs/statuses.md): each hall's deciding attempt (`hall_decided`), each residence's
counts of its halls' statuses with the residence's fields (`residence_counts`),
each residence's latest authorisation decision (`residence_decision`).

Each is defined once here, in SQL: the rule or aggregate from scratch (`*_ALL`,
what the migrations fill the tables with and `journal verify` compares them to),
the triggers that only note what changed (`hall_dirty`, `residence_dirty`), and
`FLUSH`, which the writers run once per transaction (`journal.flush`) to bring the
noted rows up to date. Also which halls count at all (`COUNTED`). The migrations
(`schema`) create the tables and triggers from these; no Textual, no Python logic.
"""

from __future__ import annotations

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


# Which halls count (the status view's own condition, written once): a retired hall is
# out of every count. Readers that need only a hall's own fields read `halls`
# through it (with an index that covers them) rather than through the view.
COUNTED = "coalesce({h}retired, 0) = 0"
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


# The noted halls and residences brought up to date (journal.flush), in order: the
# halls' deciding attempts, the residences' counts, their latest decisions.
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
    *FLUSH_DECISIONS,
    "DELETE FROM residence_dirty",  # last: the notes cleared
)


