"""Where the campaign stands: each residence's progress, each hall's row.

A hall's status is read from the ``hall_status`` view, the one definition
(`status`, docs/statuses.md); a residence counts the statuses of its halls.
"""

from __future__ import annotations

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

    @property
    def status(self) -> str:
        """pending, in_progress, done (every encodable hall encoded) or attention."""
        if self.halls and self.encoded == self.halls - self.incompatible and self.encoded:
            return "done"
        if self.failed or self.no_access:
            return "attention"
        return "in_progress" if self.encoded else "pending"


def residences(conn: sqlite3.Connection) -> list[ResidenceProgress]:
    """Every residence with its progress, highest site level first, then by commune and name.

    (Site levels are confidential: only the pilot's database holds them, so on
    a technician's laptop this is simply by commune and name.)
    """
    sql = """
    SELECT r.id, r.name, r.address, c.name, l.name, r.site_level,
           count(hs.status),
           sum(hs.status = 'encoded'), sum(hs.status = 'failed'),
           sum(hs.status = 'no_access'), sum(hs.status = 'incompatible'),
           coalesce(sum(hs.dwellings), 0),
           coalesce(sum(CASE WHEN hs.status = 'encoded' THEN hs.dwellings END), 0)
    FROM residences r
    LEFT JOIN hall_status hs ON hs.residence_id = r.id
    LEFT JOIN communes c ON c.id = r.commune_id
    LEFT JOIN landlords l ON l.id = r.landlord_id
    GROUP BY r.id
    ORDER BY coalesce(r.site_level, 0) DESC, c.name, r.name
    """
    return [
        ResidenceProgress(*row[:6], *(int(v or 0) for v in row[6:]))
        for row in conn.execute(sql)
    ]


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


def hall_rows(conn: sqlite3.Connection, residence_id: str,
              devices: Iterable[str] | None = None) -> list[HallRow]:
    """The halls of a residence with their status, ordered by label.

    `step` is that of the attempt the wizard would continue (`status.RESUMABLE`)
    for these devices (this database's own, `Store.own_devices`; None: any).
    """
    resumable = statuses.RESUMABLE.format(column="r.step", hall="h.id")
    sql = f"""
    SELECT h.id, h.code, h.label, h.address, h.dwellings, h.brand, h.model,
           h.centrale_location, s.status, s.door_not_tested, ({resumable})
    FROM halls h JOIN hall_status s ON s.hall_id = h.id
    WHERE h.residence_id = :r
    ORDER BY length(h.label), h.label, h.code
    """
    params = {"r": residence_id, "devices": statuses.devices_param(devices)}
    return [HallRow(*row[:9], bool(row[9]), row[10]) for row in conn.execute(sql, params)]


def route(conn: sqlite3.Connection, technician: str | None) -> list[ResidenceProgress]:
    """The technician's work orders, by planned date; every residence when there is none."""
    import json

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
