"""Search latency at 130,000 halls (the idf demo territory), against raw FTS5.

200 queries drawn from the territory: hall codes (as typed: some lower case or
with a dash), hall addresses, residence names and commune names, half of the
words stripped of their accents. Each is timed through
`vigikfield.domain.search.search` (code lookup, FTS5, joins, best first) and,
as the floor, as the bare FTS5 query it builds —
`SELECT rowid FROM halls_fts WHERE halls_fts MATCH ? ORDER BY bm25(...) LIMIT ?` —
on the same connection. Goals: ratio <= 2, and p95 < 20 ms.

BENCH_QUICK=1: the demo territory (1,000 halls) and 50 queries.
"""

from __future__ import annotations

import random
import statistics
import time
import unicodedata
from pathlib import Path

import bench
from bench.bench_demo import generate, key
from vigikfield.domain.search import fts_query, search
from vigikfield.domain.store import connect

LIMIT = 20  # what `vigikfield search` shows by default
RAW = ("SELECT rowid FROM halls_fts WHERE halls_fts MATCH ? "
       "ORDER BY bm25(halls_fts, 10.0, 5.0, 2.0, 3.0, 1.0, 1.0) LIMIT ?")


def plain(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text)
                   if not unicodedata.combining(c))


def queries(conn, count: int) -> list[tuple[str, str | None]]:
    """(text, the hall code expected first or None), a quarter of each kind."""
    rng = random.Random(2026)
    halls = conn.execute(
        """SELECT h.code, h.address, r.name, c.name FROM halls h
           JOIN residences r ON r.id = h.residence_id JOIN communes c ON c.id = r.commune_id
           ORDER BY h.id""").fetchall()
    out: list[tuple[str, str | None]] = []
    for n in range(count):
        code, address, residence, commune = rng.choice(halls)
        kind = n % 4
        if kind == 0:
            typed = rng.choice([code, code.lower(), f"{code[:3]}-{code[3:]}"])
            out.append((typed, code))
            continue
        text = (address, residence, commune)[kind - 1]
        out.append((plain(text).lower() if n % 8 >= 4 else text, None))
    return out


def _p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20, method="inclusive")[18]


def run(workdir: Path) -> list[dict]:
    scale, count = ("demo", 50) if bench.quick() else ("idf", 200)
    path = bench.cached_db(f"territory-{scale}", key(), lambda p: generate(p, scale))
    conn = connect(path)
    try:
        halls = conn.execute("SELECT count(*) FROM halls").fetchone()[0]
        asked = queries(conn, count)
        for text, _ in asked:  # warm the page cache for both
            search(conn, text, limit=LIMIT)
        full: list[float] = []
        raw: list[float] = []
        for _round in range(3):
            for text, code in asked:
                started = time.perf_counter()
                hits = search(conn, text, limit=LIMIT)
                full.append(time.perf_counter() - started)
                if code and (not hits or hits[0].code != code):
                    raise RuntimeError(f"search {text!r} did not return hall {code} first")
                started = time.perf_counter()
                conn.execute(RAW, (fts_query(text), LIMIT + 1)).fetchall()
                raw.append(time.perf_counter() - started)
    finally:
        conn.close()
    ms = 1000
    label = f"{halls:,} halls, {count} queries x3 [floor: the bare FTS5 MATCH it runs]"
    median, floor_median = statistics.median(full) * ms, statistics.median(raw) * ms
    p95, floor_p95 = _p95(full) * ms, _p95(raw) * ms
    return [
        {"name": f"search median latency, {label}", "value": round(median, 3), "unit": "ms",
         "floor": round(floor_median, 3), "ratio": round(median / floor_median, 2),
         "goal": "<= 2"},
        {"name": f"search p95 latency, {label}", "value": round(p95, 3), "unit": "ms",
         "floor": round(floor_p95, 3), "ratio": round(p95 / floor_p95, 2),
         "goal": "ratio <= 2; value < 20"},
    ]
