"""Where the campaign stands: each hall's status, each residence's progress.

A hall's status comes from its latest encoding (by date) and its Vigik
compatibility:

- ``encoded``       latest outcome encoded or already present
- ``failed``        latest outcome failed (memory full, card refused, ...)
- ``no_access``     latest outcome: the technician could not reach the centrale
- ``incompatible``  not Vigik: the access system must be replaced first
- ``compatible``    Vigik, not encoded yet
- ``to_check``      compatibility unknown
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

HALL_STATUSES = ("to_check", "compatible", "encoded", "failed", "incompatible", "no_access")
RESIDENCE_STATUSES = ("pending", "in_progress", "done", "attention")

LATEST_ENCODING = """SELECT hall_id, outcome FROM (
    SELECT hall_id, outcome, row_number() OVER (
        PARTITION BY hall_id ORDER BY encoded_at DESC, id DESC) AS rn
    FROM encodings WHERE outcome IS NOT NULL) WHERE rn = 1"""

HALL_STATUS = """CASE
    WHEN le.outcome IN ('encoded', 'already_present') THEN 'encoded'
    WHEN le.outcome = 'failed' THEN 'failed'
    WHEN le.outcome = 'no_access' THEN 'no_access'
    WHEN h.vigik = 'incompatible' THEN 'incompatible'
    WHEN h.vigik = 'compatible' THEN 'compatible'
    ELSE 'to_check' END"""


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
    sql = f"""
    WITH le AS ({LATEST_ENCODING}),
    hs AS (SELECT h.residence_id, coalesce(h.dwellings, 0) AS dwellings,
                  {HALL_STATUS} AS status
           FROM halls h LEFT JOIN le ON le.hall_id = h.id)
    SELECT r.id, r.name, r.address, c.name, l.name, r.site_level,
           count(hs.status),
           sum(hs.status = 'encoded'), sum(hs.status = 'failed'),
           sum(hs.status = 'no_access'), sum(hs.status = 'incompatible'),
           coalesce(sum(hs.dwellings), 0),
           coalesce(sum(CASE WHEN hs.status = 'encoded' THEN hs.dwellings END), 0)
    FROM residences r
    LEFT JOIN hs ON hs.residence_id = r.id
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
    step: str | None  # wizard step of an attempt in progress, if any


def hall_rows(conn: sqlite3.Connection, residence_id: str) -> list[HallRow]:
    """The halls of a residence with their status, ordered by label."""
    # the latest encodings of this residence's halls only: the whole table is 27,000
    # encodings at 130,000 halls, a tenth of a second to rank on every visit
    latest = LATEST_ENCODING.replace(
        "WHERE outcome IS NOT NULL",
        "WHERE outcome IS NOT NULL AND hall_id IN (SELECT id FROM halls WHERE residence_id = :r)")
    sql = f"""
    WITH le AS ({latest})
    SELECT h.id, h.code, h.label, h.address, h.dwellings, h.brand, h.model,
           h.centrale_location, {HALL_STATUS},
           (SELECT e.step FROM encodings e WHERE e.hall_id = h.id
              AND coalesce(e.step, 'done') != 'done' ORDER BY e.rowid DESC LIMIT 1)
    FROM halls h LEFT JOIN le ON le.hall_id = h.id
    WHERE h.residence_id = :r
    ORDER BY length(h.label), h.label, h.code
    """
    return [HallRow(*row) for row in conn.execute(sql, {"r": residence_id})]


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
