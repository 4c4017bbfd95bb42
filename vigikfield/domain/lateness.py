"""What is late: the residences of a work order whose planned date has passed and
that are not done yet. One definition for the dashboard, the calendars and the
work-order list.

"Done" is `progress.ResidenceProgress.status == "done"`: every encodable hall
(not incompatible) encoded, at least one. `DONE_SQL` says the same over a
residence's `hall_status` rows (tests/test_lateness.py checks they agree).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date

# Over the hall_status rows `hs` of one residence (grouped): is it done?
DONE_SQL = ("(sum(hs.status = 'encoded') > 0 AND "
            "sum(hs.status = 'encoded') = count(*) - sum(hs.status = 'incompatible'))")


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


# Each residence of an issued (not closed) work order with its earliest planned
# date; late when that date is before today and the residence is not done.
_LATE = f"""
WITH planned AS (
  SELECT j.value AS residence_id, min(w.planned_date) AS planned_date,
         min(w.planned_date || char(31) || coalesce(w.technician, '')) AS first
  FROM work_orders w, json_each(w.residence_ids) j
  WHERE coalesce(w.status, 'issued') != 'closed' AND w.planned_date IS NOT NULL
  GROUP BY j.value
), counts AS (
  SELECT hs.residence_id, count(*) AS halls, sum(hs.status = 'encoded') AS encoded,
         {DONE_SQL} AS done
  FROM hall_status hs
  WHERE hs.residence_id IN (SELECT residence_id FROM planned)
  GROUP BY hs.residence_id
)
SELECT p.residence_id, r.name, l.name, c.name,
       nullif(substr(p.first, length(p.planned_date) + 2), ''), p.planned_date,
       coalesce(k.halls, 0), coalesce(k.encoded, 0)
FROM planned p
JOIN residences r ON r.id = p.residence_id
LEFT JOIN landlords l ON l.id = r.landlord_id
LEFT JOIN communes c ON c.id = r.commune_id
LEFT JOIN counts k ON k.residence_id = p.residence_id
WHERE p.planned_date < :today AND NOT coalesce(k.done, 0)
ORDER BY p.planned_date, l.name, r.name
"""


def late_residences(conn: sqlite3.Connection, today: date) -> list[LateResidence]:
    """The late residences, the longest overdue first."""
    return [LateResidence(*row) for row in conn.execute(_LATE, {"today": today.isoformat()})]
