"""Demo territory generation time, at the demo and the Île-de-France scales.

Floor: the same state rows (every entity table, read back from the generated
database) written with raw `executemany` into a fresh database of the same
schema (FTS triggers included), in one transaction with the same cache size.
The generator also writes one hash-chained op per field, so the ratio says
what the op log and the generator cost on top of a bare table load
(information). The goal is on the value: the idf territory in under 2 minutes.

BENCH_QUICK=1: demo scale only. The idf database is kept in bench/.cache/ for
bench_search.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

import bench
from vigikfield.domain import demo, demo_data, hallcode, journal, kept, model, schema, store
from vigikfield.domain.model import ENTITIES, ORDER
from vigikfield.domain.store import Store, connect

SOURCES = (demo, demo_data, hallcode, journal, kept, model, schema, store)


def key() -> str:
    """Cache key of a generated territory: the code that builds it."""
    return bench.source_key(*SOURCES)


def territory(scale: str) -> Path:
    """The generated territory of `scale`, built once and cached until its code changes
    (shared by every bench that reads it)."""
    return bench.cached_db(f"territory-{scale}", key(), lambda p: generate(p, scale))


def generate(path: Path, scale: str) -> float:
    """Seconds to create the territory in a new database at `path` (left closed)."""
    territory = Store(path)
    started = time.perf_counter()
    demo.ensure(territory, scale)
    elapsed = time.perf_counter() - started
    territory.close()
    return elapsed


def floor(source: Path, target: Path) -> float:
    """Seconds to insert the same state rows with raw executemany."""
    read = connect(source)
    rows = {t: read.execute(f"SELECT id, {', '.join(ENTITIES[t])} FROM {t}").fetchall()
            for t in ORDER}
    read.close()
    Store(target).close()  # the same schema, migrations applied
    conn = connect(target)
    conn.execute("PRAGMA cache_size = -524288")  # as demo.ensure does
    started = time.perf_counter()
    conn.execute("BEGIN IMMEDIATE")
    for table in ORDER:
        marks = ", ".join("?" * (len(ENTITIES[table]) + 1))
        conn.executemany(f"INSERT INTO {table} VALUES ({marks})", rows[table])
    conn.execute("COMMIT")
    elapsed = time.perf_counter() - started
    conn.close()
    return elapsed


def _row(scale: str, halls: int, seconds: float, floor_s: float, goal: str) -> dict:
    return {"name": f"demo generation, {scale} scale ({halls:,} halls) "
                    "[floor: raw executemany of the same state rows]",
            "value": round(seconds, 2), "unit": "s", "floor": round(floor_s, 2),
            "ratio": round(seconds / floor_s, 1), "goal": goal}


def run(workdir: Path) -> list[dict]:
    times = [generate(workdir / f"demo-{n}.db", "demo") for n in range(3)]
    rows = [_row("demo", demo.SCALES["demo"].halls, statistics.median(times),
                 floor(workdir / "demo-0.db", workdir / "demo-floor.db"), "information")]
    if bench.quick():
        return rows
    idf = workdir / "idf.db"
    seconds = generate(idf, "idf")
    floor_s = floor(idf, workdir / "idf-floor.db")
    (workdir / "idf-floor.db").unlink()
    bench.keep("territory-idf", key(), idf)
    rows.append(_row("idf", demo.SCALES["idf"].halls, seconds, floor_s, "value < 120"))
    return rows
