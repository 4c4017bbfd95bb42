"""Where the campaign stands: each residence's progress, each hall's row.

A hall's status is read from the ``hall_status`` view, the one definition
(`status`, docs/statuses.md); a residence counts the statuses of its halls.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass

from . import status as statuses
from .status import HALL_STATUSES as HALL_STATUSES

RESIDENCE_STATUSES = ("pending", "in_progress", "done", "attention")


@dataclass(frozen=True, slots=True)
class ResidenceProgress:
    id: str
    name: str | None
    address: str | None
    commune: str | None
    landlord: str | None
    site_level: int | None
    halls: int
    encoded: int
    failed: int
    no_access: int
    incompatible: int
    dwellings: int
    dwellings_covered: int
    to_verify: int = 0          # halls with an open access-failure report (hall_status)

    @property
    def status(self) -> str:
        """pending, in_progress, done (every encodable hall encoded) or attention."""
        if self.halls and self.encoded == self.halls - self.incompatible and self.encoded:
            return "done"
        if self.failed or self.no_access:
            return "attention"
        return "in_progress" if self.encoded else "pending"


# Each residence's counts, from its halls' statuses. Grouped without the
# residence index (`+`): at 130,000 halls, reading the halls in their own order
# and grouping in a temporary tree is twice as fast as a look-up per hall.
_COUNTS = """SELECT hs.residence_id, count(hs.status),
       sum(hs.status = 'encoded'), sum(hs.status = 'failed'),
       sum(hs.status = 'no_access'), sum(hs.status = 'incompatible'),
       coalesce(sum(hs.dwellings), 0),
       coalesce(sum(CASE WHEN hs.status = 'encoded' THEN hs.dwellings END), 0),
       sum(hs.to_verify)
FROM hall_status hs {where}
GROUP BY +hs.residence_id"""
_RESIDENCES = """SELECT r.id, r.name, r.address, c.name, l.name, r.site_level
FROM residences r
LEFT JOIN communes c ON c.id = r.commune_id
LEFT JOIN landlords l ON l.id = r.landlord_id {where}
ORDER BY coalesce(r.site_level, 0) DESC, c.name, r.name"""
_ONLY = "WHERE {column} IN (SELECT value FROM json_each(:only))"
_NO_HALL = (0,) * 8


def residences(conn: sqlite3.Connection,
               only: Iterable[str] | None = None) -> list[ResidenceProgress]:
    """Every residence with its progress, highest site level first, then by commune and name.

    (Site levels are confidential: only the pilot's database holds them, so on
    a technician's laptop this is simply by commune and name.) `only`: just
    these residences (the rows a change touched, `changed_since`): a look-up
    of their halls, not a reading of all.
    """
    params = {"only": None if only is None else json.dumps(sorted(only))}
    counts_sql = _COUNTS.format(where="" if only is None else _ONLY.format(column="hs.residence_id"))
    counts = {row[0]: row[1:] for row in conn.execute(counts_sql, params)}
    rows_sql = _RESIDENCES.format(where="" if only is None else _ONLY.format(column="r.id"))
    return [
        ResidenceProgress(*row, *(int(v or 0) for v in counts.get(row[0], _NO_HALL)))
        for row in conn.execute(rows_sql, params)
    ]


# What a route row shows, by the op log's entities: a hall's status reads its
# hall, its attempts and its centrales (`status`); an op on one of these touches
# one residence's row. An op on a residence, commune or landlord (names, the
# order of the rows) or a work order (which rows) changes the route as a whole.
_ROW_OF = {
    "halls": "SELECT residence_id FROM halls WHERE id IN (SELECT value FROM json_each(?))",
    "encodings": "SELECT h.residence_id FROM encodings e JOIN halls h ON h.id = e.hall_id "
                 "WHERE e.id IN (SELECT value FROM json_each(?))",
    "centrales": "SELECT h.residence_id FROM centrales c JOIN halls h ON h.id = c.hall_id "
                 "WHERE c.id IN (SELECT value FROM json_each(?))",
    "failure_reports": "SELECT h.residence_id FROM failure_reports f JOIN halls h "
                       "ON h.id = f.hall_id WHERE f.id IN (SELECT value FROM json_each(?))",
}
_WHOLE_ROUTE = ("residences", "communes", "landlords", "work_orders", "projects")
_FEW = 500  # more ops than this since the mark (a merge, an import): read the route again


def mark(conn: sqlite3.Connection) -> int:
    """Where the op log stands (its last rowid): `changed_since` takes it back."""
    return conn.execute("SELECT coalesce(max(rowid), 0) FROM ops").fetchone()[0]


def changed_since(conn: sqlite3.Connection, since: int) -> set[str] | None:
    """The residences whose route row ops appended after `mark` `since` may have
    changed; None when the route as a whole may have (read it all again).

    Ops appended, not HLCs: a merge appends other devices' older ops, with
    stamps before a mark taken by the clock, and they count all the same.
    A hall moved to another residence (or a new hall) counts as the whole route.
    """
    ops = conn.execute("SELECT entity, entity_id, field FROM ops WHERE rowid > ? LIMIT ?",
                       (since, _FEW + 1)).fetchall()
    if len(ops) > _FEW:
        return None
    ids: dict[str, set[str]] = {}
    for entity, entity_id, field in ops:
        if entity in _WHOLE_ROUTE or (entity == "halls" and field == "residence_id"):
            return None
        if entity in _ROW_OF:
            ids.setdefault(entity, set()).add(entity_id)
    touched: set[str] = set()
    for entity, entity_ids in ids.items():
        touched.update(r for (r,) in conn.execute(_ROW_OF[entity], (json.dumps(sorted(entity_ids)),))
                       if r is not None)
    return touched


@dataclass(frozen=True, slots=True)
class Totals:
    residences: int
    halls: int
    encoded: int
    dwellings: int
    dwellings_covered: int


def totals(rows: list[ResidenceProgress]) -> Totals:
    return Totals(
        residences=len(rows),
        halls=sum(r.halls for r in rows),
        encoded=sum(r.encoded for r in rows),
        dwellings=sum(r.dwellings for r in rows),
        dwellings_covered=sum(r.dwellings_covered for r in rows),
    )


@dataclass(frozen=True, slots=True)
class HallRow:
    id: str
    code: str
    label: str | None
    address: str | None
    dwellings: int | None
    brand: str | None
    model: str | None
    centrale_location: str | None
    status: str
    door_not_tested: bool
    step: str | None  # wizard step of the attempt this database would continue, if any
    to_verify: bool = False  # an open access-failure report (hall_status)


def hall_rows(conn: sqlite3.Connection, residence_id: str,
              devices: Iterable[str] | None = None) -> list[HallRow]:
    """The halls of a residence with their status, ordered by label.

    `step` is that of the attempt the wizard would continue (`status.RESUMABLE`)
    for these devices (this database's own, `Store.own_devices`; None: any).
    """
    resumable = statuses.RESUMABLE.format(column="r.step", hall="h.id")
    sql = f"""
    SELECT h.id, h.code, h.label, h.address, h.dwellings, h.brand, h.model,
           h.centrale_location, s.status, s.door_not_tested, ({resumable}), s.to_verify
    FROM halls h JOIN hall_status s ON s.hall_id = h.id
    WHERE h.residence_id = :r
    ORDER BY length(h.label), h.label, h.code
    """
    params = {"r": residence_id, "devices": statuses.devices_param(devices)}
    return [HallRow(*row[:9], bool(row[9]), row[10], bool(row[11]))
            for row in conn.execute(sql, params)]


def route(conn: sqlite3.Connection, technician: str | None) -> list[ResidenceProgress]:
    """The technician's work orders, by planned date; every residence when there is none."""
    orders = conn.execute(
        "SELECT residence_ids, planned_date FROM work_orders WHERE technician = ? "
        "AND coalesce(status, 'open') != 'closed' ORDER BY coalesce(planned_date, '')",
        (technician,),
    ).fetchall() if technician else []
    rows = residences(conn)
    if not orders:
        return rows
    planned: dict[str, str] = {}
    for residence_ids, planned_date in orders:
        for residence_id in json.loads(residence_ids or "[]"):
            planned.setdefault(residence_id, planned_date or "")
    chosen = [r for r in rows if r.id in planned]
    chosen.sort(key=lambda r: (planned[r.id], -(r.site_level or 0)))
    return chosen or rows
