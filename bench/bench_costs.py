"""The costs at 130,000 halls (the idf demo territory): `domain.costs.report`, every
payer's lines, against the raw SQL `GROUP BY` of the same counts.

Value: `costs.report(conn)` on a fresh connection (the halls' counts per landlord,
read from the counts kept per residence, the police offices, the kit's needs, the
lines priced and rounded). Floor: the same counts written the plain way — the
``hall_status`` view joined to the halls and residences, grouped by landlord —
and the police offices' sums, fetched as tuples on a fresh connection (until the
counts were kept, that was `costs._HALLS` itself, and the goal was "<= 1.5":
pricing a few hundred lines next to that aggregate). Median of 5 (3 with
BENCH_QUICK=1, on the demo territory). Goal: ratio <= 1.5 and under 200 ms.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import bench
from bench.bench_demo import territory
from vigikfield.domain import costs
from vigikfield.domain.store import connect



def _timed(db: Path, work) -> tuple[float, object]:
    began = time.perf_counter()
    conn = connect(db)
    try:
        result = work(conn)
    finally:
        conn.close()
    return time.perf_counter() - began, result


# The halls' counts the plain way, over the one status view (what residence_counts keeps).
PLAIN_HALLS = """SELECT r.landlord_id, count(*),
  coalesce(sum(hs.status = 'encoded'), 0),
  coalesce(sum(hs.status = 'incompatible' OR h.replaced_on IS NOT NULL), 0),
  coalesce(sum(h.replaced_on IS NOT NULL), 0)
FROM hall_status hs
JOIN halls h ON h.id = hs.hall_id
LEFT JOIN residences r ON r.id = hs.residence_id
GROUP BY r.landlord_id"""


def _raw(conn) -> int:
    rows = conn.execute(PLAIN_HALLS).fetchall()
    if sorted(rows, key=str) != sorted(conn.execute(costs._HALLS).fetchall(), key=str):
        raise RuntimeError("the kept counts and the plain GROUP BY disagree")
    conn.execute(costs._POLICE).fetchall()
    return sum(r[1] for r in rows)


def run(workdir: Path) -> list[dict]:
    quick = bench.quick()
    scale, repeats = ("demo", 3) if quick else ("idf", 5)
    db = territory(scale)
    _timed(db, costs.report), _timed(db, _raw)  # warm the page cache
    values, floors = [], []
    for _ in range(repeats):  # interleaved: a busy machine weighs on both alike
        seconds, found = _timed(db, costs.report)
        values.append(seconds)
        seconds, halls = _timed(db, _raw)
        floors.append(seconds)
    planned = sum(line.planned_count or 0 for line in found.lines if line.item == "encoding")
    if planned != halls:
        raise RuntimeError(f"the costs count {planned} halls to encode, the SQL {halls}")
    value, floor = statistics.median(values), statistics.median(floors)
    print(f"costs: {len(found.lines)} lines over {halls:,} halls", file=sys.stderr)
    return [{"name": f"costs report, {scale} territory ({halls:,} halls, {len(found.lines)} lines), "
                     f"median of {repeats} [floor: the raw SQL GROUP BY of the same counts]",
             "value": round(value * 1000, 1), "unit": "ms", "floor": round(floor * 1000, 1),
             "ratio": round(value / floor, 2), "goal": "ratio <= 1.5; value < 200"}]
