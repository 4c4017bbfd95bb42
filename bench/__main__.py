"""`python -m bench [NAME...]`: run the benchmarks, print a table, write bench/results.json.

NAME is `search` or `bench_search` (default: every bench/bench_*.py). Each
bench's `run(workdir)` returns rows {name, value, unit, floor, ratio, goal};
results.json keeps the last rows of benches not named this time;
ratio is value/floor, lower is better, unless the row's name says otherwise.
A goal such as "<= 3" applies to the ratio; "ratio <= 2; value < 20" checks
both; "information" is not checked. A bench that raises becomes an error row
and the others still run. Exit 1 when a bench raised, else 0 (an unmet goal is
a finding to read, not a crash). BENCH_QUICK=1 runs small sizes.
"""

from __future__ import annotations

import importlib
import json
import math
import operator
import os
import platform
import re
import shutil
import sqlite3
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any

from . import quick

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results.json"
_CLAUSE = re.compile(r"^\s*(ratio|value)?\s*(<=|>=|<|>|==)\s*([-+0-9.eE]+)\s*\S*\s*$")
_OPS = {"<=": operator.le, ">=": operator.ge, "<": operator.lt, ">": operator.gt,
        "==": operator.eq}


def discover(names: list[str]) -> list[str]:
    """Module names of the benches to run, in file-name order."""
    found = sorted(p.stem for p in HERE.glob("bench_*.py"))
    if not names:
        return found
    wanted = [n if n.startswith("bench_") else f"bench_{n}" for n in names]
    unknown = [n for n in wanted if n not in found]
    if unknown:
        raise SystemExit(f"unknown bench: {', '.join(unknown)} (have: {', '.join(found)})")
    return wanted


def met(row: dict[str, Any]) -> bool | None:
    """Whether the row meets its goal; None when there is nothing to check."""
    goal = row.get("goal")
    if not isinstance(goal, str) or not goal.strip():
        return None
    verdicts = []
    for clause in re.split(r";|\band\b", goal):
        match = _CLAUSE.match(clause)
        if not match:
            return None  # "information" or prose: not checked
        subject, op, number = match.groups()
        value = row.get(subject or ("ratio" if row.get("ratio") is not None else "value"))
        if not isinstance(value, (int, float)) or math.isnan(value):
            return None
        verdicts.append(_OPS[op](value, float(number)))
    return all(verdicts)


def normalise(bench: str, row: dict[str, Any]) -> dict[str, Any]:
    row = {"bench": bench, **row}
    value, floor = row.get("value"), row.get("floor")
    if row.get("ratio") is None and isinstance(value, (int, float)) \
            and isinstance(floor, (int, float)) and floor:
        row["ratio"] = round(value / floor, 3)
    row["met"] = met(row)
    return row


def run_one(bench: str, workdir: Path) -> list[dict[str, Any]]:
    started = time.perf_counter()
    try:
        module = importlib.import_module(f"bench.{bench}")
        folder = workdir / bench
        folder.mkdir()
        rows = [normalise(bench, r) for r in module.run(folder)]
    except Exception as exc:  # one broken bench must not hide the others
        traceback.print_exc()
        rows = [{"bench": bench, "name": f"{bench}: error", "error":
                 f"{type(exc).__name__}: {exc}", "value": None, "unit": None,
                 "floor": None, "ratio": None, "goal": None, "met": False}]
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    for row in rows:
        row.update(seconds=round(time.perf_counter() - started, 1), when=stamp, quick=quick())
    return rows


def previous(benches: list[str]) -> list[dict[str, Any]]:
    """Rows of benches not run this time, kept from the last results.json."""
    try:
        rows = json.loads(RESULTS.read_text(encoding="utf-8")).get("results", [])
    except (OSError, ValueError, AttributeError):
        return []
    return [r for r in rows if isinstance(r, dict) and r.get("bench") not in benches]


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "NO"
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 1000 else f"{value:,.0f}"
    return str(value)


def table(rows: list[dict[str, Any]]) -> str:
    columns = ("name", "value", "unit", "floor", "ratio", "goal", "met")
    lines = [[c for c in columns]]
    for row in rows:
        cells = [_cell(row.get(c)) for c in columns]
        if row.get("error"):
            cells[1] = row["error"][:60]
        lines.append(cells)
    widths = [max(len(line[i]) for line in lines) for i in range(len(columns))]
    widths[0] = min(widths[0], 90)
    return "\n".join("  ".join(cell[:w].ljust(w) for cell, w in zip(line, widths)).rstrip()
                     for line in lines)


def main(argv: list[str]) -> int:
    benches = discover(argv)
    workdir = Path(tempfile.mkdtemp(prefix="vigikfield-bench-"))
    rows: list[dict[str, Any]] = []
    try:
        for bench in benches:
            print(f"… {bench}", file=sys.stderr, flush=True)
            rows += run_one(bench, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(table(rows))
    RESULTS.write_text(json.dumps({
        "machine": {"python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
                    "cpus": os.cpu_count(), "platform": platform.platform()},
        "results": previous(benches) + rows,
    }, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"\n{RESULTS}", file=sys.stderr)
    return 1 if any(r.get("error") for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
