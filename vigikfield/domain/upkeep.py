"""Vigik Plus readiness and the readers' yearly maintenance (issue 15, part 3;
docs/vigik-plus.md). No Textual here.

One definition of "yearly maintenance overdue", in SQL (`DUE`, `STATE`), with
`today` a parameter (``:today``, an ISO date; never ``date('now')``):

- a hall's maintenance is **due** one year after its last maintenance, on the
  same day and month; a maintenance on **29 February** is due on **28 February**
  of the next year (the last day of the same month: a yearly visit stays in its
  month, and the reminder never comes a day late);
- it is **overdue** when its due date is before today (on the due day itself it
  is still in time), **due soon** when due within `SOON_DAYS` days (today
  included), **up to date** otherwise;
- a hall whose last maintenance was **never recorded** is in its own group
  (`never`), neither overdue nor up to date: the tool does not know, and a
  landlord would not accept being told a reader is overdue on the strength of
  a missing record. The pilot sees how many there are and asks for the dates.

Readiness (`halls.vigik_plus`): 1 ready, 0 not ready, null unknown.

Every figure is an SQL aggregate over the halls that count (``kept.COUNTED``,
the condition of the one status view ``hall_status``: retired halls are out of
every count), read from the hall's own row: the two fields are the hall's.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from ..i18n import TranslatedError
from .kept import COUNTED

SOON_DAYS = 30  # "due within 30 days"
STATES = ("overdue", "due_soon", "up_to_date", "never")  # maintenance, stable names
READINESS = ("ready", "not_ready", "unknown")            # Vigik Plus, stable names
# what `hall edit --vigik-plus` takes -> the flag stored
VIGIK_PLUS_WORDS = {"yes": 1, "no": 0, "unknown": None}

# The due date of a last maintenance `{d}` (a column or expression, ISO text).
DUE = ("(CASE WHEN substr({d}, 6) = '02-29' THEN date({d}, '+1 year', '-1 day') "
       "ELSE date({d}, '+1 year') END)")
# A hall's maintenance state as of :today, from its last maintenance `{d}`.
STATE = ("(CASE WHEN {d} IS NULL THEN 'never' "
         "WHEN " + DUE + " < :today THEN 'overdue' "
         f"WHEN {DUE} <= date(:today, '+{SOON_DAYS} days') THEN 'due_soon' "
         "ELSE 'up_to_date' END)")
# Readiness from the flag `{f}`.
READY = "(CASE {f} WHEN 1 THEN 'ready' WHEN 0 THEN 'not_ready' ELSE 'unknown' END)"
# The flag `{f}` as `hall edit --vigik-plus` takes it (hall show, hall list --json).
WORD = "(CASE {f} WHEN 1 THEN 'yes' WHEN 0 THEN 'no' ELSE 'unknown' END)"
# Days past the due date as of :today (positive when overdue).
DAYS_LATE = "CAST(julianday(:today) - julianday(" + DUE + ") AS INTEGER)"


def state_sql(column: str) -> str:
    """The maintenance state of the last maintenance `column`, with ``:today``."""
    return STATE.format(d=column)


def due_sql(column: str) -> str:
    return DUE.format(d=column)


# The halls that count (kept.COUNTED: the status view's own condition) grouped by
# (key, readiness flag, last maintenance), then each group's two CASEs computed once:
# the territory's groups are read from an index alone (idx_halls_upkeep: at 130,000
# halls, 40 ms rather than 800), a landlord's keyed by residence first and the
# residences looked up once each, not once per hall.
def _raw(key: str) -> str:
    return (f"SELECT {key}h.vigik_plus, h.last_maintenance, count(*) AS n, "
            f"sum(coalesce(h.dwellings, 0)) AS d FROM halls h WHERE {COUNTED.format(h='h.')} "
            f"GROUP BY {key}h.vigik_plus, h.last_maintenance")


_STATES = (f"{READY.format(f='k.vigik_plus')} AS ready, "
           f"{STATE.format(d='k.last_maintenance')} AS upkeep, k.n, k.d")
_CELLS = f"""SELECT r.landlord_id, {_STATES}
  FROM ({_raw("h.residence_id, ")}) k
  LEFT JOIN residences r ON r.id = k.residence_id
  WHERE (:landlord IS NULL OR r.landlord_id = :landlord)"""
_TERRITORY_CELLS = f"SELECT NULL AS landlord_id, {_STATES} FROM ({_raw('')}) k"


def _sum(column: str, where: str | None = None) -> str:
    return (f"coalesce(sum(c.{column}), 0)" if where is None
            else f"coalesce(sum(CASE WHEN {where} THEN c.{column} END), 0)")


_COUNTS = {
    "halls": _sum("n"),
    **{r: _sum("n", f"c.ready = '{r}'") for r in READINESS},
    "dwellings": _sum("d"),
    **{f"dwellings_{r}": _sum("d", f"c.ready = '{r}'") for r in READINESS},
    **{s: _sum("n", f"c.upkeep = '{s}'") for s in STATES},
}


@dataclass(frozen=True, slots=True)
class Figures:
    """A landlord's (or the territory's) halls and dwellings by Vigik Plus readiness,
    and its halls by maintenance state. `id` None: the territory's row, or the halls
    of residences without a landlord."""

    id: str | None
    name: str | None
    halls: int
    ready: int
    not_ready: int
    unknown: int
    dwellings: int
    dwellings_ready: int
    dwellings_not_ready: int
    dwellings_unknown: int
    overdue: int
    due_soon: int
    up_to_date: int
    never: int


FIGURES = tuple(f.name for f in fields(Figures))[2:]
assert FIGURES == tuple(_COUNTS)
_SELECT = ", ".join(_COUNTS.values())


def _params(today: date, landlord_id: str | None) -> dict[str, str | None]:
    return {"today": today.isoformat(), "landlord": landlord_id}


def by_landlord(conn: sqlite3.Connection, today: date,
                landlord_id: str | None = None) -> list[Figures]:
    """Each landlord with at least one hall, by name; the halls of residences without a
    landlord last (`id` None)."""
    sql = (f"SELECT g.landlord_id, (SELECT l.name FROM landlords l WHERE l.id = g.landlord_id) "
           f"AS name, g.* FROM (SELECT c.landlord_id, {_SELECT} FROM ({_CELLS}) c "
           f"GROUP BY c.landlord_id) g ORDER BY g.landlord_id IS NULL, name, g.landlord_id")
    return [Figures(row[0], row[1], *row[3:]) for row in
            conn.execute(sql, _params(today, landlord_id))]


def territory(conn: sqlite3.Connection, today: date,
              landlord_id: str | None = None) -> Figures:
    """The whole territory's figures (one landlord's with `landlord_id`)."""
    cells = _CELLS if landlord_id is not None else _TERRITORY_CELLS
    row = conn.execute(f"SELECT {_SELECT} FROM ({cells}) c",
                       _params(today, landlord_id)).fetchone()
    return Figures(None, None, *row)


def summary(conn: sqlite3.Connection, today: date,
            landlord_id: str | None = None) -> tuple[list[Figures], Figures]:
    """`by_landlord` and `territory` in one statement: the halls are read once (the
    report's two passes at 130,000 halls become one)."""
    sql = (f"WITH cells AS MATERIALIZED ({_CELLS})\n"
           f"SELECT 0, g.landlord_id IS NULL, (SELECT l.name FROM landlords l "
           f"WHERE l.id = g.landlord_id), g.* FROM (SELECT c.landlord_id, {_SELECT} FROM cells c "
           f"GROUP BY c.landlord_id) g\n"
           f"UNION ALL SELECT 1, 1, NULL, NULL, {_SELECT} FROM cells c\n"
           f"ORDER BY 1, 2, 3, 4")
    groups, total = [], None
    for row in conn.execute(sql, _params(today, landlord_id)):
        if row[0]:
            total = Figures(None, None, *row[4:])
        else:
            groups.append(Figures(row[3], row[2], *row[4:]))
    assert total is not None
    return groups, total


@dataclass(frozen=True, slots=True)
class OverdueHall:
    code: str
    label: str | None
    residence: str | None
    address: str | None
    commune: str | None
    landlord: str | None
    last_maintenance: str
    due: str
    days_overdue: int


# The overdue halls first (one pass over the view), then their residences looked up.
_OVERDUE = f"""WITH late AS MATERIALIZED (
  SELECT x.code, x.label, x.address, x.last_maintenance, s.residence_id
  FROM hall_status s JOIN halls x ON x.id = s.hall_id
  WHERE {STATE.format(d='x.last_maintenance')} = 'overdue')
SELECT o.code, o.label, r.name, coalesce(o.address, r.address), c.name, l.name,
    o.last_maintenance, {DUE.format(d='o.last_maintenance')}, {DAYS_LATE.format(d='o.last_maintenance')}
  FROM late o
  LEFT JOIN residences r ON r.id = o.residence_id
  LEFT JOIN landlords l ON l.id = r.landlord_id
  LEFT JOIN communes c ON c.id = r.commune_id
  WHERE (:landlord IS NULL OR r.landlord_id = :landlord)
  ORDER BY 9 DESC, l.name, r.name, length(o.label), o.label, o.code"""


def overdue(conn: sqlite3.Connection, today: date,
            landlord_id: str | None = None) -> list[OverdueHall]:
    """The halls whose yearly maintenance is overdue, the longest overdue first."""
    return [OverdueHall(*row) for row in conn.execute(_OVERDUE, _params(today, landlord_id))]


@dataclass(frozen=True, slots=True)
class HallUpkeep:
    ready: str                 # one of READINESS
    last_maintenance: str | None
    due: str | None
    state: str                 # one of STATES
    days_overdue: int | None   # when overdue


def of_hall(conn: sqlite3.Connection, hall_id: str, today: date) -> HallUpkeep | None:
    """One hall's readiness and maintenance state (a retired hall's too: it is about the
    reader, not the count)."""
    row = conn.execute("SELECT vigik_plus, last_maintenance FROM halls WHERE id = ?",
                       (hall_id,)).fetchone()
    return None if row is None else of_values(conn, row[0], row[1], today)


def of_values(conn: sqlite3.Connection, flag: int | None, last: str | None,
              today: date) -> HallUpkeep:
    """The readiness and maintenance state of a flag and a last maintenance (the SQL
    definition, evaluated on these values)."""
    ready, due, state, late = conn.execute(
        f"SELECT {READY.format(f=':flag')}, {DUE.format(d=':last')}, {STATE.format(d=':last')}, "
        f"{DAYS_LATE.format(d=':last')}",
        {"today": today.isoformat(), "flag": flag, "last": last}).fetchone()
    return HallUpkeep(ready, last, due, state, late if state == "overdue" else None)


class UpkeepError(TranslatedError):
    """A readiness or maintenance date that does not fit: exit 2, nothing written."""

    prefix = "upkeep.error."
    exit_code = 2


def flag_of(word: Any) -> int | None:
    """`--vigik-plus yes|no|unknown` -> the flag stored (1, 0, None)."""
    if word not in VIGIK_PLUS_WORDS:
        raise UpkeepError("bad_vigik_plus", value=word, known=", ".join(VIGIK_PLUS_WORDS))
    return VIGIK_PLUS_WORDS[word]


def maintenance_date(text: Any, today: date) -> str | None:
    """A last maintenance as typed (``YYYY-MM-DD``; empty: cleared) -> the date stored.
    A date after `today` is refused: a maintenance not done yet is not a last one."""
    from .values import parse_text

    if isinstance(text, date):
        text = text.isoformat()
    day = parse_text("halls", "last_maintenance", str(text))
    if day is not None and day > today.isoformat():
        raise UpkeepError("maintenance_in_future", value=day, today=today.isoformat())
    return day


def word_of(flag: int | None) -> str:
    """The stored flag -> yes, no, unknown (what `hall show --json` says)."""
    return {1: "yes", 0: "no"}.get(flag, "unknown")  # type: ignore[arg-type]
