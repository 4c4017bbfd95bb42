"""What is late: the residences of a work order whose planned date has passed and
that are not done yet. One definition for the dashboard, the calendars and the
work-order list.

"Done" is `progress.ResidenceProgress.status == "done"`: every encodable hall
(not incompatible) encoded, at least one. `DONE_SQL` says the same over a
residence's `hall_status` rows, `DONE_COUNTS_SQL` over its kept counts
(`residence_counts`, the sums over those rows), both from one template
(tests/test_lateness.py checks they agree).

The same rule — planned date before today, not done — for the two other
calendars (docs/calendar.md): a hall's replacement (`late_replacements`) and a
police office's charging stations (`late_stations`). Each rule is an SQL
condition here, so the calendars' weekly counts use the very same one. How late
an item is is counted in working days of its place (`days_late`, workdays.py).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from . import workdays

# A residence is done: at least one hall encoded, and every hall not incompatible.
_DONE = "({encoded} > 0 AND {encoded} = {halls} - {incompatible})"
# Over the hall_status rows `hs` of one residence (grouped): is it done?
DONE_SQL = _DONE.format(encoded="sum(hs.status = 'encoded')", halls="count(*)",
                        incompatible="sum(hs.status = 'incompatible')")
# The same over a residence's kept counts `k` (residence_counts, the sums over hall_status).
DONE_COUNTS_SQL = _DONE.format(encoded="k.encoded", halls="k.halls", incompatible="k.incompatible")


@dataclass(frozen=True, slots=True)
class LateResidence:
    residence_id: str
    name: str | None
    landlord: str | None
    commune: str | None
    technician: str | None
    planned_date: str           # the earliest planned date of its open work orders
    halls: int
    encoded: int
    insee: str | None = None    # its commune's (the place whose working days count)


# Each residence of an issued (not closed) work order with its earliest planned
# date (and that order's technician): what the encoding calendar plans.
PLANNED_SQL = """
  SELECT j.value AS residence_id, min(w.planned_date) AS planned_date,
         nullif(substr(min(w.planned_date || char(31) || coalesce(w.technician, '')), 12), '')
           AS technician
  FROM work_orders w, json_each(w.residence_ids) j
  WHERE coalesce(w.status, 'issued') != 'closed' AND w.planned_date IS NOT NULL
  GROUP BY j.value"""

# A planned residence `p` is late when its date is before today and it is not done
# (`k.done`: DONE_SQL over its halls).
LATE_RESIDENCE_SQL = "(p.planned_date < :today AND NOT coalesce(k.done, 0))"
_LATE = f"""
WITH planned AS ({PLANNED_SQL}
), counts AS (
  SELECT k.residence_id, k.halls, k.encoded, {DONE_COUNTS_SQL} AS done
  FROM residence_counts k
  WHERE k.residence_id IN (SELECT residence_id FROM planned)
)
SELECT p.residence_id, r.name AS name, l.name AS landlord, c.name AS commune,
       p.technician, p.planned_date,
       coalesce(k.halls, 0) AS halls, coalesce(k.encoded, 0) AS encoded, c.insee
FROM planned p
JOIN residences r ON r.id = p.residence_id
LEFT JOIN landlords l ON l.id = r.landlord_id
LEFT JOIN communes c ON c.id = r.commune_id
LEFT JOIN counts k ON k.residence_id = p.residence_id
WHERE {LATE_RESIDENCE_SQL}
ORDER BY p.planned_date, l.name, r.name
"""


def late_residences(conn: sqlite3.Connection, today: date) -> list[LateResidence]:
    """The late residences, the longest overdue first."""
    return [LateResidence(*row) for row in conn.execute(_LATE, {"today": today.isoformat()})]


# The same, counted all and listed only the first `:limit` (the screen: at 130,000 halls
# thousands may be late, and every row fetched from a worker waits its turn for the
# interpreter while the screen draws).
_HEAD = "\nSELECT p.residence_id,"
assert _LATE.count(_HEAD) == 1
_LATE_FIRST = _LATE.replace(_HEAD, "\nSELECT count(*) OVER () AS total, p.residence_id,") + \
    " LIMIT :limit"


def late_first(conn: sqlite3.Connection, today: date,
               limit: int) -> tuple[int, list[LateResidence]]:
    """How many residences are late, and the first `limit` of `late_residences`."""
    rows = conn.execute(_LATE_FIRST, {"today": today.isoformat(), "limit": limit}).fetchall()
    return (rows[0][0] if rows else 0), [LateResidence(*row[1:]) for row in rows]


# --- Replacements and charging stations: the same rule ---------------------------

# Over `halls h`: an incompatible access system's replacement, planned and not done.
REPLACEMENT_LATE_SQL = "(h.replacement_planned < :today AND h.replaced_on IS NULL)"

# Over `police_offices p`: the charging stations expected there (one when a date is
# planned without a count), those installed (all expected once the installation
# date is set without a count), done when all are in and the date is set.
STATIONS_EXPECTED_SQL = "coalesce(p.stations, 1)"
STATIONS_INSTALLED_SQL = (f"coalesce(p.stations_installed, CASE WHEN p.station_installed "
                          f"IS NOT NULL THEN {STATIONS_EXPECTED_SQL} ELSE 0 END)")
STATIONS_DONE_SQL = (f"(p.station_installed IS NOT NULL AND "
                     f"{STATIONS_INSTALLED_SQL} >= {STATIONS_EXPECTED_SQL})")
STATIONS_LATE_SQL = f"(p.station_planned < :today AND NOT {STATIONS_DONE_SQL})"


@dataclass(frozen=True, slots=True)
class LateReplacement:
    hall_id: str
    code: str | None
    label: str | None
    residence: str | None
    landlord: str | None
    planned_date: str
    insee: str | None


@dataclass(frozen=True, slots=True)
class LateStations:
    office_id: str
    name: str | None
    commune: str | None
    payer: str | None           # the agglomeration: the project's territory (seed)
    planned_date: str
    stations: int               # expected
    installed: int
    insee: str | None


_LATE_REPLACEMENTS = f"""
SELECT h.id, h.code, h.label, r.name, l.name, h.replacement_planned, c.insee
FROM halls h
LEFT JOIN residences r ON r.id = h.residence_id
LEFT JOIN landlords l ON l.id = r.landlord_id
LEFT JOIN communes c ON c.id = r.commune_id
WHERE {REPLACEMENT_LATE_SQL}
ORDER BY h.replacement_planned, l.name, r.name, h.code
"""

_LATE_STATIONS = f"""
SELECT p.id, p.name, c.name,
       (SELECT coalesce(j.territory, j.name) FROM projects j ORDER BY j.id LIMIT 1),
       p.station_planned, {STATIONS_EXPECTED_SQL}, {STATIONS_INSTALLED_SQL}, c.insee
FROM police_offices p
LEFT JOIN communes c ON c.id = p.commune_id
WHERE {STATIONS_LATE_SQL}
ORDER BY p.station_planned, p.name
"""


def late_replacements(conn: sqlite3.Connection, today: date) -> list[LateReplacement]:
    """Halls whose replacement was planned before today and is not done, oldest first."""
    return [LateReplacement(*row)
            for row in conn.execute(_LATE_REPLACEMENTS, {"today": today.isoformat()})]


def late_stations(conn: sqlite3.Connection, today: date) -> list[LateStations]:
    """Police offices whose charging stations were planned before today and are not all
    installed, oldest first."""
    return [LateStations(*row) for row in conn.execute(_LATE_STATIONS, {"today": today.isoformat()})]


class _Planned(Protocol):
    @property
    def planned_date(self) -> str: ...
    @property
    def insee(self) -> str | None: ...


def days_late(item: _Planned, today: date) -> int:
    """How late a late item is, in working days of its commune's department
    (`workdays.days_late`)."""
    return workdays.days_late(date.fromisoformat(item.planned_date), today,
                              workdays.department(item.insee))
