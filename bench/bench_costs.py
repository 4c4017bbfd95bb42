"""The costs at 130,000 halls (the idf demo territory): `domain.costs.report`, every
payer's lines, against the raw SQL `GROUP BY` of the same counts.

Value: `costs.report(conn)` on a fresh connection (the halls' counts per landlord
over ``hall_status``, the police offices, the kit's needs, the lines priced and
rounded). Floor: the same counts' SQL alone (`costs._HALLS` and `costs._POLICE`),
fetched as tuples on a fresh connection. Median of 5 (3 with BENCH_QUICK=1, on the
demo territory). Goal: ratio <= 1.5 (pricing a few hundred lines is nothing next
to the aggregate).
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import bench
from bench.bench_demo import generate, key
from vigikfield.domain import costs
from vigikfield.domain.store import connect


def territory(scale: str) -> Path:
    return bench.cached_db(f"territory-{scale}", key(), lambda p: generate(p, scale))


def _timed(db: Path, work) -> tuple[float, object]:
    began = time.perf_counter()
    conn = connect(db)
    try:
        result = work(conn)
    finally:
        conn.close()
    return time.perf_counter() - began, result


def _raw(conn) -> int:
    rows = conn.execute(costs._HALLS).fetchall()
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
             "ratio": round(value / floor, 2), "goal": "<= 1.5"}]
