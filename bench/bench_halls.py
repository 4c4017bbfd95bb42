"""`vigikfield hall list --json` at 130,000 halls (the idf demo territory), against raw SQL.

The command runs as typed, `vigikfield --db DB hall list --json > FILE`: a new
Python process (its imports included), timed from before it is spawned to its
exit. Floor: the raw SQL of the same rows — the list's own query
(`halls._LIST`, the ``hall_status`` view joined to residence, landlord and
commune, in the list's order) fetched as tuples on a fresh connection. Median
of 5 (3 with BENCH_QUICK=1, on the demo territory). Goal: ratio <= 2.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

import bench
from bench.bench_demo import territory
from vigikfield.domain import halls
from vigikfield.domain.store import connect



def command(db: Path, out: Path) -> float:
    """Seconds of `vigikfield --db DB hall list --json > out`, a process of its own."""
    began = time.perf_counter()
    with open(out, "wb") as sink:
        done = subprocess.run([sys.executable, "-m", "vigikfield", "--db", str(db), "hall", "list",
                               "--json"], stdout=sink, stderr=subprocess.PIPE, timeout=600)
    elapsed = time.perf_counter() - began
    if done.returncode:
        raise RuntimeError(f"hall list --json exited {done.returncode}: "
                           f"{done.stderr.decode(errors='replace')[-1000:]}")
    return elapsed


def raw(db: Path) -> tuple[float, int]:
    """Seconds (and rows) of the list's query alone, fetched as tuples."""
    began = time.perf_counter()
    conn = connect(db)
    try:
        count = len(conn.execute(halls._LIST + halls._LIST_ORDER).fetchall())
    finally:
        conn.close()
    return time.perf_counter() - began, count


def run(workdir: Path) -> list[dict]:
    quick = bench.quick()
    scale, repeats = ("demo", 3) if quick else ("idf", 5)
    db = territory(scale)
    out = workdir / "halls.json"
    command(db, out), raw(db)  # warm the page cache and the imports
    values, floors = [], []
    for _ in range(repeats):  # interleaved: a busy machine weighs on both alike
        values.append(command(db, out))
        seconds, count = raw(db)
        floors.append(seconds)
    listed = json.loads(out.read_text(encoding="utf-8"))
    if len(listed) != count:
        raise RuntimeError(f"hall list --json wrote {len(listed)} halls, the SQL reads {count}")
    value, floor = statistics.median(values), statistics.median(floors)
    print(f"hall list --json: {len(listed):,} halls", file=sys.stderr)
    return [{"name": f"hall list --json, {scale} territory ({count:,} halls), a process written to a file, "
                     f"median of {repeats} [floor: the raw SQL of the same rows, fetched]",
             "value": round(value * 1000, 1), "unit": "ms", "floor": round(floor * 1000, 1),
             "ratio": round(value / floor, 2), "goal": "<= 2"}]
