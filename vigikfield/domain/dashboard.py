"""The pilot's dashboard: progress by grouping, coverage against the goal, halls encoded
per week, late residences (docs/dashboard.md).

Every figure is an SQL aggregate over the ``hall_status`` view, the one status
definition (docs/statuses.md): halls are counted once per residence (one pass
over the view, grouped by residence), and each grouping sums those residence
counts in SQL. Sums of exact counts are exact, so every grouping adds up to
the territory's totals. Late residences come from `lateness`, the one
definition of "late". No Textual here.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date, timedelta
from typing import NamedTuple

from . import lateness, upkeep
from .kept import NOT_COUNTED

# How the figures may be grouped (None: the territory as a whole).
GROUPINGS = ("landlord", "commune", "qpv", "residence", "technician")

# Each residence's counts from its halls' statuses: the aggregate over the view,
# kept per residence by the database with the residence's landlord, commune, QPV, name
# (`residence_counts`, schema m011 and m012: the same sums over `hall_status`,
# recounted by triggers and checked by `journal verify`). Halls of no residence
# are kept under the residence ''.

# The technician of a residence: that of the open (not closed) work order covering
# it with the earliest planned date (undated last; a tie: the first name in order).
# Residences without an open work order are "not assigned" (technician NULL).
ASSIGNED = """SELECT j.value AS residence_id,
    nullif(substr(min(coalesce(w.planned_date, '9999-12-31') || char(31)
                      || coalesce(w.technician, '')), 12), '') AS technician
  FROM work_orders w, json_each(w.residence_ids) j
  WHERE coalesce(w.status, 'issued') != 'closed'
  GROUP BY j.value"""

_COUNTS = ("halls", "encoded", "failed", "incompatible", "no_access", "door_not_tested",
           "pending", "dwellings", "dwellings_covered")
_SUMS = ", ".join(f"coalesce(sum(k.{c}), 0) AS {c}" for c in _COUNTS)

# Per grouping: the key of a residence row `k` (keyed below), and the group's name.
_TERRITORY_NAME = ("(SELECT coalesce(p.territory, p.name) FROM projects p "
                   "ORDER BY p.id = (SELECT project_id FROM device) DESC, p.id LIMIT 1)")
_KEY = {
    None: ("NULL", _TERRITORY_NAME),
    "landlord": ("k.landlord_id", "(SELECT x.name FROM landlords x WHERE x.id = g.key)"),
    "commune": ("k.commune_id", "(SELECT x.name FROM communes x WHERE x.id = g.key)"),
    "qpv": ("k.qpv_id", "(SELECT x.name FROM qpvs x WHERE x.id = g.key)"),
    "residence": ("k.residence_id", "k.name"),  # the kept rows themselves (_branch)
    "technician": ("k.technician", "g.key"),
}

# The Monday (ISO week, UTC day) of each encoded hall's deciding attempt: the halls
# of the view whose status is "encoded" are those whose kept deciding attempt
# (`hall_decided`, which the view reads) is a success, but for the halls that do not
# count (kept.COUNTED: retired, a few); every decided hall is a hall (a foreign
# key). Read from the kept table: at 130,000 halls, 25 ms rather than the view's 100.
# A hall encoded without a date (an older release) is not in any week.
# Counted per day, then per week (the date function once a day, not once a hall); the
# halls that do not count are read from their own index (idx_halls_retired).
_ENCODED_WEEKS = f"""SELECT e.monday, sum(e.n) AS encoded FROM (
    SELECT date(x.day, 'weekday 0', '-6 days') AS monday, x.n FROM (
      SELECT substr(d.encoded_at, 1, 10) AS day, count(*) AS n
      FROM hall_decided d
      WHERE d.result = 'encoded'
        AND d.hall_id NOT IN (SELECT h.id FROM halls h WHERE {NOT_COUNTED.format(h='h.')})
      GROUP BY day) x) e
  WHERE e.monday IS NOT NULL GROUP BY e.monday"""

# The halls encoded per week, as rows of the one statement.
_WEEKS = f"""SELECT 9, 'week', 0, w.monday, NULL, w.encoded, 0, 0, 0, 0, 0, 0, 0, 0
  FROM ({_ENCODED_WEEKS}) w"""
# A grouping reads the kept counts alone; by technician, joined to the assignments.
_WITH = f"""WITH assigned AS MATERIALIZED ({ASSIGNED}),
by_technician AS (
  SELECT c.*, a.technician FROM residence_counts c
  LEFT JOIN assigned a ON a.residence_id = c.residence_id)
"""
_COLUMNS = ", ".join(f"g.{c}" for c in _COUNTS)
# groups in name order, the group without a key ("hors QPV", "non attribué") last
_ORDER = "\nORDER BY 1, 3, 5, 4"


def _branch(by: str | None) -> str:
    key, name = _KEY[by]
    number = 0 if by is None else GROUPINGS.index(by) + 1
    group = f" GROUP BY {key}" if by else ""
    source = "by_technician" if by == "technician" else "residence_counts"
    if by == "residence":  # a row each already, with its name: nothing to group
        return (f"SELECT {number}, 'residence', k.residence_id = '', "
                f"nullif(k.residence_id, ''), k.name, {', '.join(f'k.{c}' for c in _COUNTS)} "
                f"FROM residence_counts k")
    return (f"SELECT {number}, '{by or ''}', g.key IS NULL, g.key, {name}, {_COLUMNS} "
            f"FROM (SELECT {key} AS key, {_SUMS} FROM {source} k{group}) g")


class Group(NamedTuple):
    """One row of the dashboard: a landlord, a commune, a QPV, a residence, a technician,
    or the territory. `id` None: the group of what has none (outside any QPV, not
    assigned to a technician, no landlord...) or, for the territory's row, the whole.
    A named tuple (immutable, and five times quicker to build than a frozen dataclass:
    a territory's residences are 20,000 of them)."""

    id: str | None
    name: str | None
    halls: int
    encoded: int
    failed: int
    incompatible: int
    no_access: int
    door_not_tested: int  # encoded, the door not tested (part of `encoded`)
    pending: int          # to check or compatible: still to encode
    dwellings: int
    dwellings_covered: int  # the dwellings of the encoded halls

    @property
    def encodable(self) -> int:
        """Halls that can be encoded now (not incompatible)."""
        return self.halls - self.incompatible


FIGURES = Group._fields[2:]  # the counts, in Group's order


class BadGrouping(ValueError):
    pass


def _rows(conn: sqlite3.Connection, sql: str) -> list[tuple]:
    return conn.execute(sql).fetchall()


def _group(row: tuple) -> Group:
    # row: grouping's number and name, no key, key, name, counts... (sums of integers)
    return Group._make(row[3:])


def progress(conn: sqlite3.Connection, by: str | None = None) -> list[Group]:
    """The figures of each group of `by` (None: the territory's single row)."""
    if by not in _KEY:
        raise BadGrouping(by)
    return [_group(row) for row in _rows(conn, _WITH + _branch(by) + _ORDER)]


def _every(conn: sqlite3.Connection, groupings: tuple[str, ...] = GROUPINGS
           ) -> tuple[dict[str | None, list[Group]], dict[date, int]]:
    """The territory, these groupings and the halls encoded per week, in one statement
    (what `progress` and `weekly` read, each on its own)."""
    wanted = [by for by in GROUPINGS if by in groupings]
    sql = (_WITH + "\nUNION ALL\n".join(_branch(by) for by in (None, *wanted))
           + "\nUNION ALL\n" + _WEEKS + _ORDER)
    out: dict[str | None, list[Group]] = {None: [], **{by: [] for by in wanted}}
    weeks: dict[date, int] = {}
    for row in _rows(conn, sql):
        if row[1] == "week":
            weeks[date.fromisoformat(row[3])] = row[5]
        else:
            out[row[1] or None].append(_group(row))
    return out, weeks


def every_grouping(conn: sqlite3.Connection) -> dict[str | None, list[Group]]:
    """The territory's row and every grouping, in one statement (one pass over the view)."""
    return _every(conn)[0]


# -- coverage against the goal -------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Coverage:
    """Dwellings reachable with the single pass, against the pilot's goal, in one area
    (the QPV together, or outside them)."""

    covered: int
    dwellings: int            # the dwellings of the area's halls
    goal: int                 # the pilot's goal; the area's dwellings when none is set
    goal_set: bool

    @property
    def percent(self) -> float:
        return 100.0 * self.covered / self.goal if self.goal else 0.0


@dataclass(frozen=True, slots=True)
class Goals:
    qpv: int | None
    outside: int | None


def goals(conn: sqlite3.Connection) -> Goals:
    """The pilot's goal (projects.goal_dwellings_qpv / _outside) of this database's project."""
    row = conn.execute(
        "SELECT p.goal_dwellings_qpv, p.goal_dwellings_outside FROM projects p "
        "ORDER BY p.id = (SELECT project_id FROM device) DESC, p.id LIMIT 1").fetchone()
    return Goals(*(row or (None, None)))


def coverage_of(qpv_groups: list[Group], goal: Goals) -> dict[str, Coverage]:
    """{"qpv": ..., "outside": ...} from the QPV grouping (`progress(conn, "qpv")`):
    the QPV groups together, and the group outside any QPV."""
    inside = [g for g in qpv_groups if g.id is not None]
    outside = [g for g in qpv_groups if g.id is None]
    out = {}
    for area, groups, wanted in (("qpv", inside, goal.qpv), ("outside", outside, goal.outside)):
        dwellings = sum(g.dwellings for g in groups)
        out[area] = Coverage(covered=sum(g.dwellings_covered for g in groups), dwellings=dwellings,
                             goal=dwellings if wanted is None else wanted,
                             goal_set=wanted is not None)
    return out


def coverage(conn: sqlite3.Connection) -> dict[str, Coverage]:
    return coverage_of(progress(conn, "qpv"), goals(conn))


# -- halls encoded per week -----------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Week:
    monday: date
    encoded: int

    @property
    def label(self) -> str:
        """ISO week, ``2026-W41``."""
        year, week, _ = self.monday.isocalendar()
        return f"{year}-W{week:02d}"


_WEEKLY = _ENCODED_WEEKS + " ORDER BY e.monday"
_PLANNED = """SELECT min(planned_date), max(planned_date) FROM work_orders
  WHERE planned_date IS NOT NULL"""


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def weekly(conn: sqlite3.Connection, today: date | None = None) -> list[Week]:
    """Halls encoded per ISO week over the campaign's weeks, weeks without any included:
    from the earliest of the first encoding and the first planned work order to the
    latest of the last encoding, the last planned work order and `today`'s week."""
    counts = {date.fromisoformat(m): n for m, n in conn.execute(_WEEKLY) if m}
    return _campaign_weeks(conn, counts, today)


def _campaign_weeks(conn: sqlite3.Connection, counts: dict[date, int],
                    today: date | None) -> list[Week]:
    first, last = conn.execute(_PLANNED).fetchone()
    bounds = [*counts, *(_monday(date.fromisoformat(d)) for d in (first, last) if d)]
    if today is not None and bounds:
        bounds.append(_monday(today))
    if not bounds:
        return []
    start, end = min(bounds), max(bounds)
    return [Week(start + timedelta(weeks=n), counts.get(start + timedelta(weeks=n), 0))
            for n in range((end - start).days // 7 + 1)]


# -- everything the screen shows ------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Dashboard:
    groups: dict[str | None, list[Group]]   # None: the territory's single row
    coverage: dict[str, Coverage]           # "qpv", "outside"
    weeks: list[Week]
    late: list[lateness.LateResidence]
    to_verify: int = 0                      # halls with an open access-failure report

    @property
    def territory(self) -> Group:
        return self.groups[None][0]


def load(conn: sqlite3.Connection, today: date, *, late: bool = True,
         groupings: tuple[str, ...] = GROUPINGS) -> Dashboard:
    """Every figure of the dashboard (read in a worker): the territory, the groupings
    asked for (and the QPV's, which the coverage reads), the weeks; `late=False` leaves
    the late residences out (`late_residences` reads them: the screen shows the
    figures first). The screen opens with one grouping and reads another when it is
    chosen (`progress`): the same figures, a statement each."""
    groups, weeks = _every(conn, (*groupings, "qpv"))
    return Dashboard(groups=groups, coverage=coverage_of(groups["qpv"], goals(conn)),
                     weeks=_campaign_weeks(conn, weeks, today),
                     late=lateness.late_residences(conn, today) if late else [],
                     to_verify=to_verify(conn))


def to_verify(conn: sqlite3.Connection) -> int:
    """Halls to verify (an open access-failure report): the sum of the residences' kept
    counts over hall_status (residence_counts)."""
    return conn.execute("SELECT coalesce(sum(to_verify), 0) FROM residence_counts").fetchone()[0]


def vigik_plus(conn: sqlite3.Connection, today: date) -> upkeep.Figures:
    """The territory's halls and dwellings Vigik Plus ready and its halls' yearly
    maintenance as of `today` (`upkeep`, docs/vigik-plus.md): one more statement."""
    return upkeep.territory(conn, today)
