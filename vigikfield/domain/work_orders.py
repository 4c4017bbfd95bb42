"""The pilot's work orders: the residences to pick from, and the orders issued.

Every figure is counted over ``hall_status`` (the one status definition,
docs/statuses.md): a residence's status is `progress.ResidenceProgress.status`
over those counts, a residence is done by `lateness.DONE_SQL` (over the
per-residence counts `residence_counts` the database keeps: `DONE_COUNTS_SQL`), a
hall is done when its status is ``encoded``. Site levels (priority) are confidential: the
picker sorts and filters by them only for the pilot's profile.

The last bundle received from a work order's technician is read by the sync
package (`vigikfield_sync.orders`), which owns the sync tables.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import date

from typing import TYPE_CHECKING

from ..i18n import TranslatedError
from . import progress, reasons
from .classification import LEVELS
from .lateness import DONE_COUNTS_SQL, LATE_RESIDENCE_SQL
from .profile import PILOT

if TYPE_CHECKING:
    from .store import Store

PRIORITIES = tuple(sorted(LEVELS, reverse=True))  # the site levels, highest first
ORDER_STATES = ("issued", "late", "done", "closed")


class OrdersError(TranslatedError):
    prefix = "orders.error."
    exit_code = 2


@dataclass(frozen=True, slots=True)
class Filters:
    commune: str | None = None    # commune id
    landlord: str | None = None   # landlord id
    status: str | None = None     # one of progress.RESIDENCE_STATUSES
    priority: int | None = None   # a site level (pilot only)


@dataclass(frozen=True, slots=True)
class Candidate:
    """A residence the pilot may put in a work order."""

    id: str
    name: str | None
    commune: str | None
    landlord: str | None
    site_level: int | None        # None unless the profile is the pilot's
    status: str                   # progress.RESIDENCE_STATUSES
    halls: int
    encoded: int
    dwellings: int


def choices(conn: sqlite3.Connection) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(communes, landlords) that have residences, as (name, id) by name: the filters' options."""
    def of(table: str, column: str) -> list[tuple[str, str]]:
        return [tuple(r) for r in conn.execute(
            f"SELECT coalesce(t.name, t.id), t.id FROM {table} t "
            f"WHERE t.id IN (SELECT {column} FROM residences) ORDER BY t.name, t.id")]
    return of("communes", "commune_id"), of("landlords", "landlord_id")


def candidates(conn: sqlite3.Connection, role: str, filters: Filters = Filters()) -> list[Candidate]:
    """The residences matching `filters`, with halls, halls encoded and dwellings.

    The pilot's come highest site level first, then by commune and name;
    anyone else's by commune and name, with no site level, and a priority
    filter is refused.
    """
    pilot = role == PILOT
    if filters.priority is not None and not pilot:
        raise OrdersError("priority_pilot_only")
    if filters.status is not None and filters.status not in progress.RESIDENCE_STATUSES:
        raise OrdersError("bad_status", status=filters.status,
                          statuses=", ".join(progress.RESIDENCE_STATUSES))
    where, params = [], []
    if filters.commune is not None:
        where.append("commune_id = ?")
        params.append(filters.commune)
    if filters.landlord is not None:
        where.append("landlord_id = ?")
        params.append(filters.landlord)
    if filters.priority is not None:
        where.append("site_level = ?")
        params.append(filters.priority)
    sql = "SELECT id FROM residences" + (f" WHERE {' AND '.join(where)}" if where else "")
    wanted = {r for (r,) in conn.execute(sql, params)}
    rows = progress.residences(conn, only=wanted) if where else progress.residences(conn)
    found = [
        Candidate(r.id, r.name, r.commune, r.landlord, r.site_level if pilot else None,
                  r.status, r.halls, r.encoded, r.dwellings)
        for r in rows if filters.status is None or r.status == filters.status
    ]
    if not pilot:  # progress orders by site level first: not for other eyes
        found.sort(key=lambda c: (c.commune or "", c.name or "", c.id))
    return found


@dataclass(frozen=True, slots=True)
class Order:
    """A work order as the pilot's list shows it."""

    id: str
    technician: str | None
    planned_date: str | None
    state: str                    # ORDER_STATES
    residences: tuple[str, ...]   # names, by name
    halls: int                    # halls of its residences (hall_status)
    encoded: int                  # ... whose status is encoded: done

    @property
    def residence_count(self) -> int:
        return len(self.residences)


# One row per work order `p`: its residences' halls counted over hall_status — read
# from `residence_counts` (`k`), the per-residence aggregate of hall_status the
# database keeps (schema m011), one look-up per residence instead of a pass over
# its halls. A residence named in two orders counts in each. State: closed as
# recorded; done when every residence is (`lateness.DONE_COUNTS_SQL`, DONE_SQL over
# the counts); late when one of them is late by this order's date
# (`lateness.LATE_RESIDENCE_SQL`, the calendars' rule); else issued.
_ORDERS = f"""
WITH o AS (
  SELECT w.id AS order_id, j.value AS residence_id
  FROM work_orders w, json_each(w.residence_ids) j
), k AS (
  SELECT k.residence_id, k.halls, k.encoded, {DONE_COUNTS_SQL} AS done
  FROM residence_counts k
  WHERE k.residence_id IN (SELECT residence_id FROM o)
)
SELECT p.id, p.technician, p.planned_date,
  CASE
    WHEN coalesce(p.status, 'issued') = 'closed' THEN 'closed'
    WHEN count(o.residence_id) > 0 AND sum(coalesce(k.done, 0)) = count(o.residence_id)
      THEN 'done'
    WHEN max({LATE_RESIDENCE_SQL}) THEN 'late'
    ELSE 'issued'
  END,
  json_group_array(coalesce(res.name, o.residence_id)) FILTER (WHERE o.residence_id IS NOT NULL),
  coalesce(sum(k.halls), 0), coalesce(sum(k.encoded), 0)
FROM work_orders p
LEFT JOIN o ON o.order_id = p.id
LEFT JOIN residences res ON res.id = o.residence_id
LEFT JOIN k ON k.residence_id = o.residence_id
GROUP BY p.id
ORDER BY p.planned_date IS NULL, p.planned_date, p.technician, p.id
"""


def orders(conn: sqlite3.Connection, today: date) -> list[Order]:
    """Every work order, by planned date (undated last), then technician."""
    return [
        Order(oid, tech, planned, state, tuple(sorted(json.loads(names or "[]"), key=str)),
              int(halls), int(encoded))
        for oid, tech, planned, state, names, halls, encoded in conn.execute(
            _ORDERS, {"today": today.isoformat()})
    ]


# --- closing an order ------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Header:
    """A work order's own fields, as recorded."""

    id: str
    technician: str | None
    planned_date: str | None
    status: str | None
    residence_count: int


def find(conn: sqlite3.Connection, wanted: str) -> Header:
    """The work order whose id is `wanted`, or the only one whose id begins with it
    (as `workorder list` shows the first 8 characters). `OrdersError` otherwise."""
    text = wanted.strip().lower()
    sql = ("SELECT id, technician, planned_date, status, json_array_length(residence_ids) "
           "FROM work_orders WHERE {} ORDER BY id")
    rows = conn.execute(sql.format("id = ?"), (text,)).fetchall() if text else []
    if not rows and text:
        pattern = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        rows = conn.execute(sql.format("id LIKE ? ESCAPE '\\'"), (pattern + "%",)).fetchall()
    if not rows:
        raise OrdersError("unknown_order", id=wanted)
    if len(rows) > 1:  # named by their shortest beginnings that tell them apart
        width = next((n for n in range(8, 37) if len({r[0][:n] for r in rows}) == len(rows)), 36)
        raise OrdersError("ambiguous_order", id=wanted, ids=", ".join(
            r[0][:width] for r in rows[:5]) + ("…" if len(rows) > 5 else ""))
    oid, technician, planned, status, count = rows[0]
    return Header(oid, technician, planned, status, int(count or 0))


def close(store: Store, order_id: str, reason: str | None = None) -> bool:
    """Close the work order `order_id`: an op of the journal (status ``closed``), so that
    it no longer assigns its residences (lateness, the dashboard's technician). Pilot
    only: the store's rights refuse anyone else (`RightsError`, nothing written).
    False when it was closed already (nothing written)."""
    changed = store.update("work_orders", order_id, {"status": "closed"},
                           reason or reasons.code("reason.work_order_closed"))
    return bool(changed)
