"""`vigikfield hall list --json` at 130,000 halls (the idf demo territory), against raw SQL.

The command runs in this process (`vigikfield.cli.main`, its output written to
a file, as a shell redirection would), from opening the database to the last
line written. Floor: the raw SQL of the same rows — the list's own query
(`halls._LIST`, the ``hall_status`` view joined to residence, landlord and
commune, in the list's order) fetched as tuples on a fresh connection. Median
of 5 (3 with BENCH_QUICK=1, on the demo territory). Goal: ratio <= 2.
"""

from __future__ import annotations

import contextlib
import json
import statistics
import sys
import time
from pathlib import Path

import bench
from bench.bench_demo import generate, key
from vigikfield.domain import halls
from vigikfield.domain.store import connect


def territory(scale: str) -> Path:
    return bench.cached_db(f"territory-{scale}", key(), lambda p: generate(p, scale))


def command(db: Path, out: Path) -> float:
    """Seconds of `vigikfield --db DB hall list --json > out`, in this process."""
    from vigikfield import cli

    began = time.perf_counter()
    with open(out, "w", encoding="utf-8") as sink, contextlib.redirect_stdout(sink):
        try:
            cli.main(["--db", str(db), "hall", "list", "--json"])
        except SystemExit as done:
            if done.code:
                raise RuntimeError(f"hall list --json exited {done.code}") from None
    return time.perf_counter() - began


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
    return [{"name": f"hall list --json, {scale} territory ({count:,} halls), written to a file, "
                     f"median of {repeats} [floor: the raw SQL of the same rows, fetched]",
             "value": round(value * 1000, 1), "unit": "ms", "floor": round(floor * 1000, 1),
             "ratio": round(value / floor, 2), "goal": "<= 2"}]
