"""The pilot's work-order list at 130,000 halls (the idf demo territory).

`work_orders.orders` (what the list's worker reads: every order with its
residences' names, halls encoded / total and its state, each residence's counts
read from `residence_counts`, the aggregate of hall_status the database keeps),
in this process on one connection, median of 5 (3 with BENCH_QUICK=1, on the
demo territory), each measure interleaved with its floor:

- the territory's own orders (at idf: 24 orders naming 8,446 of its 20,569
  residences, 53,707 halls);
- one order of 50 residences, the rest set aside (a TEMP table named
  ``work_orders`` hides the territory's own: nothing is written to the database).

Floor: the raw SQL of the same figures, written the plain way — halls and halls
encoded per order, counted over ``hall_status`` through the residences' index,
with no state, no names. Goals: ratio <= 2 and value < 200 ms (issue 12's goal for
the dashboard's aggregates). The figures are checked equal to the floor's before
timing.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

import bench
from bench.bench_demo import territory
from vigikfield.domain import work_orders
from vigikfield.domain.store import connect

TODAY = date(2026, 12, 1)
FLOOR = """
WITH o AS (
  SELECT w.id AS order_id, j.value AS residence_id FROM work_orders w, json_each(w.residence_ids) j
), k AS (
  SELECT hs.residence_id, count(*) AS halls, sum(hs.status = 'encoded') AS encoded
  FROM hall_status hs WHERE hs.residence_id IN (SELECT residence_id FROM o)
  GROUP BY hs.residence_id
)
SELECT o.order_id, coalesce(sum(k.halls), 0), coalesce(sum(k.encoded), 0)
FROM o LEFT JOIN k ON k.residence_id = o.residence_id GROUP BY o.order_id
"""
ONE_ORDER = 50  # residences




def _check(conn) -> tuple[int, int, int]:
    """The list's figures are the floor's; (orders, residences named, halls counted)."""
    plain = {oid: (halls, encoded) for oid, halls, encoded in conn.execute(FLOOR)}
    ours = {o.id: (o.halls, o.encoded) for o in work_orders.orders(conn, TODAY)
            if o.residence_count}
    if plain != ours:
        raise RuntimeError("work_orders.orders and the raw SQL disagree")
    named = sum(o.residence_count for o in work_orders.orders(conn, TODAY))
    return len(ours), named, sum(h for h, _ in plain.values())


def measure(db: Path, repeats: int) -> dict[str, tuple]:
    conn = connect(db)
    try:
        floor = lambda: conn.execute(FLOOR).fetchall()  # noqa: E731
        listed = lambda: work_orders.orders(conn, TODAY)  # noqa: E731
        own = _check(conn)
        figures = {"own": (*bench.median_pair(listed, floor, repeats), own)}
        # one order of 50 residences: a TEMP table hides the territory's orders
        conn.execute("CREATE TEMP TABLE work_orders AS SELECT * FROM main.work_orders WHERE 0")
        ids = [r for (r,) in conn.execute("SELECT id FROM residences ORDER BY id LIMIT ?",
                                          (ONE_ORDER,))]
        conn.execute("INSERT INTO temp.work_orders (id, technician, residence_ids, planned_date, "
                     "status) VALUES ('bench', 'Bench', json(?), '2026-12-15', 'issued')",
                     (json.dumps(ids),))
        one = _check(conn)
        figures["one"] = (*bench.median_pair(listed, floor, repeats), one)
        conn.execute("DROP TABLE temp.work_orders")
    finally:
        conn.close()
    return figures


def _row(name: str, value: float, floor: float, goal: str) -> dict:
    return {"name": name, "value": round(value * 1000, 1), "unit": "ms",
            "floor": round(floor * 1000, 1), "ratio": round(value / floor, 2), "goal": goal}


def run(workdir: Path) -> list[dict]:
    quick = bench.quick()
    scale, repeats = ("demo", 3) if quick else ("idf", 5)
    db = territory(scale)
    (halls,) = connect(db).execute("SELECT count(*) FROM halls").fetchone()
    where = f"{scale} territory ({halls:,} halls)"
    f = measure(db, repeats)
    value, floor, (orders, named, counted) = f["own"]
    one_value, one_floor, (_, one_named, one_counted) = f["one"]
    print(f"work orders: {where}, {orders} orders naming {named:,} residences "
          f"({counted:,} halls); one order of {one_named} residences ({one_counted:,} halls)",
          file=sys.stderr)
    plain = ("[floor: the raw SQL of the same figures, halls and encoded per order counted "
             "over hall_status]")
    return [
        _row(f"work-order list (work_orders.orders), {where}, its {orders} orders naming "
             f"{named:,} residences ({counted:,} halls), median of {repeats} {plain}",
             value, floor, "ratio <= 2; value < 200"),
        _row(f"work-order list, {where}, one order of {one_named} residences "
             f"({one_counted:,} halls), median of {repeats} {plain}",
             one_value, one_floor, "ratio <= 2; value < 200"),
    ]
