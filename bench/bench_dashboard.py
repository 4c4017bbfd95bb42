"""The pilot's dashboard at 130,000 halls (the idf demo territory).

Aggregates, in this process on one connection, median of 5 (3 with BENCH_QUICK=1,
on the demo territory), each measure interleaved with its floor:

- `report progress --by landlord`'s figures (`dashboard.progress`): one grouping.
  Floor: the raw SQL ``GROUP BY`` of the same figures, written the plain way —
  the ``hall_status`` view joined to residences, grouped by landlord.
- `--by residence`: the largest grouping (20,000 rows), which the screen reads
  when its tab is chosen. Floor: the plain GROUP BY by residence.
- the aggregates the screen opens with (`dashboard.load(late=False,
  groupings=("landlord",))`: the territory, the landlords, the QPV for the
  coverage, the weeks, the halls to verify). Floor: the plain GROUP BY of each
  over the view. Goals: ratio <= 2 and value < 200 ms.
- then, in the same worker, the Vigik Plus line (`dashboard.vigik_plus`) and the
  authorisations' line (`authorisations.counts`). Floor: the view joined to the
  halls for Vigik Plus, and for the authorisations each residence's latest
  decision ranked from scratch (kept.DECISION_ALL). Goals: ratio <= 2 and
  value < 200 ms.
- every grouping at once (`dashboard.load(late=False)`, what the committee's PDF
  reads): information, against the plain GROUP BY of each.
- the late residences (`lateness.late_residences`, another module's query, read by
  the screen after its table is filled): information, against the same floor as
  one grouping.

Screen ready: a fresh Python process (bench/dashboard_start.py) starts vigikfield
headless with the dashboard as first screen and stops on the first frame drawn
once its worker is done (figures, groups table filled, Vigik Plus and
authorisations lines, late residences listed); timed from before the parent
spawns it. Floor: a bare Textual app (Header, DataTable, Footer) started the same
way, filling as many rows of ten cells as the dashboard's table shows. Median of
5 (3 with BENCH_QUICK=1). Goal: ratio <= 2.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import bench
from bench.bench_demo import territory
from vigikfield.domain import authorisations, dashboard, kept, lateness, upkeep
from vigikfield.domain.store import connect

CHILD = Path(__file__).resolve().parent / "dashboard_start.py"
TODAY = date(2026, 12, 1)

_SUMS = """count(*), sum(hs.status = 'encoded'), sum(hs.status = 'failed'),
  sum(hs.status = 'incompatible'), sum(hs.status = 'no_access'), sum(hs.door_not_tested),
  sum(hs.status IN ('to_check', 'compatible')), sum(hs.dwellings),
  sum(CASE WHEN hs.status = 'encoded' THEN hs.dwellings END)"""
_PLAIN = "SELECT {key}, " + _SUMS + """ FROM hall_status hs
  LEFT JOIN residences r ON r.id = hs.residence_id{join} GROUP BY {key}"""
_ASSIGNED = f" LEFT JOIN ({dashboard.ASSIGNED}) a ON a.residence_id = hs.residence_id"
FLOOR_BY = {
    "landlord": _PLAIN.format(key="r.landlord_id", join=""),
    "commune": _PLAIN.format(key="r.commune_id", join=""),
    "qpv": _PLAIN.format(key="r.qpv_id", join=""),
    "residence": _PLAIN.format(key="hs.residence_id", join=""),
    "technician": _PLAIN.format(key="a.technician", join=_ASSIGNED),
}
FLOOR_TERRITORY = "SELECT " + _SUMS + " FROM hall_status hs"
FLOOR_WEEKS = """SELECT date(substr(hs.decided_at, 1, 10), 'weekday 0', '-6 days') AS m, count(*)
  FROM hall_status hs WHERE hs.status = 'encoded' GROUP BY m"""
FLOOR_VIGIK_PLUS = f"""SELECT {upkeep.READY.format(f='h.vigik_plus')},
  {upkeep.STATE.format(d='h.last_maintenance')}, count(*), sum(coalesce(h.dwellings, 0))
  FROM hall_status hs JOIN halls h ON h.id = hs.hall_id GROUP BY 1, 2"""
FLOOR_AUTHORISATIONS = f"""SELECT CASE WHEN a.decision IS NULL AND r.authorized_by IS NULL
    THEN 'pending' WHEN a.decision = 'refused' THEN 'refused'
    WHEN a.until < :today THEN 'expired' ELSE 'granted' END AS state, count(*)
  FROM residences r LEFT JOIN ({kept.DECISION_ALL}) a ON a.residence_id = r.id
  GROUP BY state"""




def aggregates(db: Path, repeats: int) -> dict[str, tuple[float, float]]:
    conn = connect(db)
    try:
        one = bench.median_pair(lambda: dashboard.progress(conn, "landlord"),
                           lambda: conn.execute(FLOOR_BY["landlord"]).fetchall(), repeats)

        def plain_all() -> None:
            conn.execute(FLOOR_TERRITORY).fetchall()
            for sql in FLOOR_BY.values():
                conn.execute(sql).fetchall()
            conn.execute(FLOOR_WEEKS).fetchall()

        residence = bench.median_pair(lambda: dashboard.progress(conn, "residence"),
                                 lambda: conn.execute(FLOOR_BY["residence"]).fetchall(), repeats)
        every = bench.median_pair(lambda: dashboard.load(conn, TODAY, late=False), plain_all, repeats)

        def plain_opening() -> None:
            conn.execute(FLOOR_TERRITORY).fetchall()
            conn.execute(FLOOR_BY["landlord"]).fetchall()
            conn.execute(FLOOR_BY["qpv"]).fetchall()
            conn.execute(FLOOR_WEEKS).fetchall()

        opens = bench.median_pair(lambda: dashboard.load(conn, TODAY, late=False,
                                                    groupings=("landlord",)),
                             plain_opening, repeats)

        def lines() -> None:
            dashboard.vigik_plus(conn, TODAY)
            authorisations.counts(conn, TODAY)

        def plain_lines() -> None:
            conn.execute(FLOOR_VIGIK_PLUS, {"today": TODAY.isoformat()}).fetchall()
            conn.execute(FLOOR_AUTHORISATIONS, {"today": TODAY.isoformat()}).fetchall()

        other = bench.median_pair(lines, plain_lines, repeats)
        late = bench.median_pair(lambda: lateness.late_residences(conn, TODAY),
                            lambda: conn.execute(FLOOR_BY["landlord"]).fetchall(), repeats)
        # the figures are those of the floor (same sums, another query)
        plain = {k: (n, e) for k, n, e, *_ in conn.execute(FLOOR_BY["landlord"])}
        ours = {g.id: (g.halls, g.encoded) for g in dashboard.progress(conn, "landlord")}
        if plain != ours:
            raise RuntimeError("dashboard.progress and the raw GROUP BY disagree")
        states = dict(conn.execute(FLOOR_AUTHORISATIONS, {"today": TODAY.isoformat()}).fetchall())
        if {k: v for k, v in authorisations.counts(conn, TODAY).items() if v} != states:
            raise RuntimeError("authorisations.counts and the plain ranking disagree")
    finally:
        conn.close()
    return {"one": one, "residence": residence, "opening": opens, "lines": other,
            "every": every, "late": late}


def start(kind: str, argument: str) -> tuple[float, int, float]:
    """(seconds to the ready frame, rows shown, peak RSS in MB) of one child."""
    began = time.time()
    child = subprocess.Popen([sys.executable, str(CHILD), kind, argument],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=CHILD.parent)
    out, err = child.communicate(timeout=600)
    if child.returncode:
        raise RuntimeError(f"dashboard_start {kind} failed: {err.decode(errors='replace')[-2000:]}")
    report = json.loads(out.decode().strip().splitlines()[-1])
    return report["ready"] - began, report["rows"], report["rss_mb"]


def screen(db: Path, repeats: int) -> dict[str, float]:
    rows = start("app", str(db))[1]  # warm the page cache and the bytecode
    start("bare", str(rows))
    app, bare = [], []
    for _ in range(repeats):
        app.append(start("app", str(db)))
        bare.append(start("bare", str(rows)))
    return {"app": statistics.median(a[0] for a in app), "bare": statistics.median(b[0] for b in bare),
            "rows": rows, "app_rss": max(a[2] for a in app)}


def _row(name: str, value: float, floor: float, goal: str) -> dict:
    return {"name": name, "value": round(value * 1000, 1), "unit": "ms",
            "floor": round(floor * 1000, 1), "ratio": round(value / floor, 2), "goal": goal}


def run(workdir: Path) -> list[dict]:
    quick = bench.quick()
    scale, repeats = ("demo", 3) if quick else ("idf", 5)
    db = territory(scale)
    (halls,) = connect(db).execute("SELECT count(*) FROM halls").fetchone()
    where = f"{scale} territory ({halls:,} halls)"
    figures = aggregates(db, repeats)
    ready = screen(db, repeats)
    print(f"dashboard: {where}, {ready['rows']} rows in the table, "
          f"peak {ready['app_rss']:.0f} MB", file=sys.stderr)
    return [
        _row(f"dashboard, one grouping (report progress --by landlord), {where}, median of "
             f"{repeats} [floor: the raw GROUP BY of the same figures over hall_status]",
             *figures["one"], "ratio <= 2; value < 200"),
        _row(f"dashboard, the residences' grouping (report progress --by residence, read when its "
             f"tab is chosen), {where}, median of {repeats} [floor: the raw GROUP BY by residence]",
             *figures["residence"], "ratio <= 2; value < 200"),
        _row(f"dashboard, the aggregates the screen opens with (dashboard.load: territory, "
             f"landlords, coverage, weeks, to verify), {where}, median of {repeats} "
             f"[floor: the raw GROUP BY of each, one statement each]",
             *figures["opening"], "ratio <= 2; value < 200"),
        _row(f"dashboard, its Vigik Plus and authorisations lines (read next, shown together), "
             f"{where}, median of {repeats} [floor: the plain GROUP BY of each, the "
             f"decisions ranked from scratch]", *figures["lines"], "ratio <= 2; value < 200"),
        _row(f"dashboard, every grouping at once (5 groupings, territory, coverage, weeks: the "
             f"committee's PDF), {where}, median of {repeats} "
             f"[floor: the raw GROUP BY of each, one statement each]",
             *figures["every"], "information"),
        _row(f"dashboard, late residences (lateness.late_residences), {where} "
             f"[floor: the raw GROUP BY of one grouping]", *figures["late"], "information"),
        _row(f"dashboard screen ready (worker done, table of {ready['rows']} rows filled, late "
             f"residences listed), {where}, a process of its own, median of {repeats} "
             f"[floor: a bare Textual app filling a DataTable of the same rows]",
             ready["app"], ready["bare"], "<= 2"),
    ]
