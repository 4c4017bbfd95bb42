"""`vigikfield report replacements` at 130,000 halls (the idf demo territory): its figures
and its files, in process, each against a floor measured in the same run.

- figures: `report_replacements.sheets(conn)` — the incompatible halls of the
  ``hall_status`` view and each landlord's counts (two SQL passes), the money —
  against the raw SQL of the same hall rows fetched as tuples. Goal <= 3.
- CSV: `csv_fr.to_bytes` of those sheets (typed cells, neutralised, protected)
  against Python's csv module writing the same values untyped with ``;``. Goal <= 3.
- XLSX: `xlsx.to_bytes` (typed cells, formats, widths, filter) against a bare
  openpyxl workbook of the same values appended as they are. Goal <= 2.

Median of 3 (BENCH_QUICK=1: the demo territory).
"""

from __future__ import annotations

import csv
import io
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.bench_halls import territory
from vigikfield.domain import replacements
from vigikfield.domain.store import connect


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    began = time.perf_counter()
    result = fn()
    return time.perf_counter() - began, result


def _raw_rows(db: Path) -> list[tuple]:
    conn = connect(db)
    try:
        return conn.execute(replacements._HALLS, {"landlord": None}).fetchall()
    finally:
        conn.close()


def _sheets(db: Path) -> list:
    from vigikfield.commands.report_replacements import sheets

    conn = connect(db)
    try:
        return sheets(conn)
    finally:
        conn.close()


def _bare_csv(rows: list[tuple]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode()


def _bare_xlsx(rows: list[tuple]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def measure(db: Path, repeats: int) -> dict[str, tuple[float, float, int]]:
    """name -> (median seconds, median floor seconds, rows), interleaved runs."""
    from vigikfield.exports import csv_fr, xlsx

    runs: dict[str, list[tuple[float, float]]] = {"figures": [], "csv": [], "xlsx": []}
    _sheets(db), _raw_rows(db)  # warm the page cache and the imports
    count = 0
    for _ in range(repeats):
        seconds, built = _timed(lambda: _sheets(db))
        floor, rows = _timed(lambda: _raw_rows(db))
        runs["figures"].append((seconds, floor))
        runs["csv"].append((_timed(lambda: csv_fr.to_bytes(built))[0],
                            _timed(lambda: _bare_csv(rows))[0]))
        runs["xlsx"].append((_timed(lambda: xlsx.to_bytes(built))[0],
                             _timed(lambda: _bare_xlsx(rows))[0]))
        count = len(rows)
        if len(built[0].rows) != count:
            raise RuntimeError(f"the report lists {len(built[0].rows)} halls, the SQL {count}")
    return {name: (statistics.median(v for v, _ in pairs), statistics.median(f for _, f in pairs),
                   count) for name, pairs in runs.items()}


FLOORS = {"figures": "the raw SQL of the same hall rows, fetched",
          "csv": "the csv module writing the same rows untyped",
          "xlsx": "a bare openpyxl workbook of the same rows"}
GOALS = {"figures": "<= 3", "csv": "<= 3", "xlsx": "<= 2"}


def run(workdir: Path) -> list[dict]:
    quick_run = __import__("bench").quick()
    scale, repeats = ("demo", 3) if quick_run else ("idf", 3)
    figures = measure(territory(scale), repeats)
    rows = []
    for name, (value, floor, count) in figures.items():
        print(f"report replacements {name}: {count:,} halls", file=sys.stderr)
        rows.append({"name": f"report replacements, {name}, {scale} territory ({count:,} halls to "
                             f"replace), median of {repeats} [floor: {FLOORS[name]}]",
                     "value": round(value * 1000, 1), "unit": "ms",
                     "floor": round(floor * 1000, 1), "ratio": round(value / floor, 2),
                     "goal": GOALS[name]})
    return rows
