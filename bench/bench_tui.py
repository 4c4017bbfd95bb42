"""The technician's TUI: cold start, memory, screen transitions, keys of the common case.

Cold start: a fresh Python process (bench/tui_start.py) starts vigikfield
headless on a territory and stops on the first frame drawn with the route
table filled; timed from before the parent spawns it. Floor: a bare Textual
app (Header, DataTable, Footer) started the same way, filling as many rows as
the route shows (every residence: nobody has a work order on this machine).
Median of 5 (3 at idf). Goals: <= 1.5 on the demo territory, <= 2 at 130,000 halls.

Peak memory: the largest max RSS of those children at 130,000 halls (floor:
the bare app's). Goal: value <= 250 MB.

Transitions at 130,000 halls, driven with Pilot in this process: Enter on a
residence until its halls are listed, Enter on a hall until the wizard is
mounted. Floor: pushing a bare screen (Header, DataTable of 10 rows, Footer)
in the same app, until it is drawn.

Back to the route at 130,000 halls: on the hall screen the hall is found
incompatible (recorded as the wizard does), then Escape twice until the route
shows the residence's new counts (it reads only the touched residence's row,
`progress.changed_since`). Floor: Escape twice from two bare screens pushed
over the route (the two transitions with nothing to refresh). Goal: value <= 300 ms.

Keys of the common case, on a copy of the demo territory with the simulated
reader holding the landlord's card and manual centrale confirmation: keys
pressed from the opened hall to the next hall (goal: value <= 5).

BENCH_QUICK=1: the demo territory only, fewer repeats.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import bench
from bench.bench_demo import territory

CHILD = Path(__file__).resolve().parent / "tui_start.py"
SIZE = (100, 40)



def start(kind: str, argument: str) -> tuple[float, int, float]:
    """(seconds to the filled first frame, rows shown, peak RSS in MB) of one child."""
    began = time.time()
    child = subprocess.Popen([sys.executable, str(CHILD), kind, argument],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             cwd=CHILD.parent)
    out, err = child.communicate(timeout=300)
    if child.returncode:
        raise RuntimeError(f"tui_start {kind} failed: {err.decode(errors='replace')[-2000:]}")
    report = json.loads(out.decode().strip().splitlines()[-1])
    return report["ready"] - began, report["rows"], report["rss_mb"]


def cold_start(db: Path, repeats: int) -> dict[str, float]:
    start("app", str(db))  # warm the page cache and the bytecode
    app = [start("app", str(db)) for _ in range(repeats)]
    rows = app[0][1]
    start("bare", str(rows))
    bare = [start("bare", str(rows)) for _ in range(repeats)]
    return {"app": statistics.median(a[0] for a in app), "bare": statistics.median(b[0] for b in bare),
            "rows": rows, "app_rss": max(a[2] for a in app), "bare_rss": max(b[2] for b in bare)}


def _key(app, key: str) -> None:
    """Send a key the way the terminal driver does, without Pilot's waits for the
    process to go idle (tens of milliseconds each, more on a busy machine): what
    is timed is the app reaching the state awaited by `_until`."""
    from textual import events

    app._driver.send_message(events.Key(key, None))


async def _drawn(app) -> None:
    """Until the screen has drawn what it holds now (the frame after the state awaited)."""
    done: list[bool] = []
    app.screen.call_after_refresh(done.append, True)
    while not done:
        await asyncio.sleep(0.001)


async def _until(pilot, ready: Callable[[], bool], timeout: float = 120.0) -> None:
    """Yield to the app until `ready()` holds (bounded)."""
    deadline = time.perf_counter() + timeout
    while not ready():
        if time.perf_counter() > deadline:
            raise TimeoutError(f"the TUI did not reach the expected state: {pilot.app.screen_stack}")
        await asyncio.sleep(0.001)


def transitions(db: Path, count: int) -> dict[str, list[float]]:
    """Seconds of each route → residence, residence → hall, and back to the route."""
    from textual.screen import Screen
    from textual.widgets import DataTable, Footer, Header

    from vigikfield.domain import progress, wizard
    from vigikfield.domain.store import Store
    from vigikfield.screens.hall import HallScreen
    from vigikfield.screens.residence import ResidenceScreen
    from vigikfield.screens.route import RouteScreen
    from vigikfield.tui import make_app

    class Bare(Screen):
        BINDINGS = [("escape", "app.pop_screen", "back")]

        def compose(self):
            yield Header()
            yield DataTable()
            yield Footer()

        def on_mount(self) -> None:
            table = self.query_one(DataTable)
            table.add_columns("a", "b", "c", "d", "e", "f")
            for n in range(10):
                table.add_row(*(f"{c}{n}" for c in "abcdef"))
            self.call_after_refresh(setattr, self, "drawn", True)

    times: dict[str, list[float]] = {"residence": [], "hall": [], "back": [], "floor": [],
                                     "back_floor": [], "requery": []}
    store = Store(db)
    app = make_app(store, hardware=None, labels_dir=db.parent / "labels")
    app.action_push_bare = lambda: app.push_screen(Bare())
    app.bind("f12", "push_bare")

    async def drive() -> None:
        async with app.run_test(size=SIZE) as pilot:
            route = app.screen
            table = route.query_one("#residences", DataTable)
            await _until(pilot, lambda: table.row_count > 0 and not route.loading)
            step = max(1, table.row_count // count)
            for n in range(count):
                table.move_cursor(row=n * step)
                table.focus()
                began = time.perf_counter()
                _key(app, "enter")
                await _until(pilot, lambda: isinstance(app.screen, ResidenceScreen)
                             and any(t.row_count for t in app.screen.query("#halls")))
                await _drawn(app)
                times["residence"].append(time.perf_counter() - began)
                began = time.perf_counter()
                _key(app, "enter")
                await _until(pilot, lambda: isinstance(app.screen, HallScreen)
                             and app.screen.state is not None and app.screen.is_mounted)
                await _drawn(app)
                times["hall"].append(time.perf_counter() - began)
                residence_id = store.get("halls", app.screen.hall_id)["residence_id"]
                wizard.record_outcome(store, app.screen.hall_id, "incompatible", note="bench")
                (expected,) = progress.residences(store.conn, only=[residence_id])
                written = progress.mark(store.conn)
                began = time.perf_counter()
                _key(app, "escape")
                await _until(pilot, lambda: isinstance(app.screen, ResidenceScreen))
                _key(app, "escape")
                await _until(pilot, lambda: isinstance(app.screen, RouteScreen) and not route.loading
                             and (route.mark or 0) >= written
                             and next(r for r in route.shown if r.id == residence_id) == expected)
                await _drawn(app)
                times["back"].append(time.perf_counter() - began)
                began = time.perf_counter()
                progress.residences(store.conn, only=[residence_id])
                times["requery"].append(time.perf_counter() - began)
                await pilot.press("f12")
                await _until(pilot, lambda: getattr(app.screen, "drawn", False))
                await pilot.press("f12")
                await _until(pilot, lambda: getattr(app.screen, "drawn", False)
                             and len(app.screen_stack) == 3)
                began = time.perf_counter()
                _key(app, "escape")
                await _until(pilot, lambda: len(app.screen_stack) == 2)
                _key(app, "escape")
                await _until(pilot, lambda: isinstance(app.screen, RouteScreen) and not route.loading)
                await _drawn(app)
                times["back_floor"].append(time.perf_counter() - began)
                began = time.perf_counter()
                _key(app, "f12")
                await _until(pilot, lambda: getattr(app.screen, "drawn", False))
                times["floor"].append(time.perf_counter() - began)
                app.pop_screen()
                await _until(pilot, lambda: isinstance(app.screen, RouteScreen) and not route.loading)
                await pilot.pause()

    try:
        asyncio.run(drive())
    finally:
        store.close()
    return times


def common_case_keys(db: Path) -> int:
    """Keys from the opened hall to the next hall, the common case, on a copy of `db`."""
    from datetime import date

    from vigikfield.domain import authorisations, demo, progress
    from vigikfield.domain.store import Store
    from vigikfield.hardware.kit import Hardware
    from vigikfield.hardware.sim_reader import SimReader
    from vigikfield.screens.hall import HallScreen
    from vigikfield.tui import make_app

    store = Store(db)
    reader = SimReader(demo.DEMO_CARDS)
    residence_id = first_hall = None
    for index, card in enumerate(demo.DEMO_CARDS):
        for (rid,) in store.conn.execute(
                """SELECT r.id FROM residences r JOIN service_cards s ON s.landlord_id = r.landlord_id
                   WHERE s.fingerprint = ? AND s.status = 'active' ORDER BY r.id""",
                (card["fingerprint"],)):
            if authorisations.of_residence(store.conn, rid, date.today()).blocking:
                continue  # the wizard would refuse it (its landlord has not authorised it)
            pending = [h for h in progress.hall_rows(store.conn, rid) if h.status == "compatible"]
            if len(pending) >= 2 and all(h.status in ("compatible", "encoded")
                                         for h in progress.hall_rows(store.conn, rid)):
                residence_id, first_hall = rid, pending[0].id
                reader.insert(index)
                break
        if residence_id:
            break
    if residence_id is None:
        raise RuntimeError("no residence with two compatible halls and an enrolled demo card")
    app = make_app(store, hardware=Hardware(reader=reader), labels_dir=db.parent / "labels",
                   card_timeout=5.0)
    keys = 0

    async def settle(pilot) -> None:
        await app.workers.wait_for_complete()
        await pilot.pause()

    async def drive() -> None:
        nonlocal keys
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            app.open_residence(residence_id)
            await settle(pilot)
            await pilot.press("n")
            await settle(pilot)
            hall = app.screen
            if not isinstance(hall, HallScreen) or hall.hall_id != first_hall:
                raise RuntimeError("'n' did not open the first pending hall")
            while app.screen is hall and keys < 12:
                keys += 1
                await pilot.press("enter")
                await settle(pilot)
            if not (isinstance(app.screen, HallScreen) and app.screen.hall_id != first_hall):
                raise RuntimeError("the common case did not end on the next hall")

    try:
        asyncio.run(drive())
        outcome = store.conn.execute(
            "SELECT outcome FROM encodings WHERE hall_id = ? ORDER BY rowid DESC LIMIT 1",
            (first_hall,)).fetchone()
    finally:
        store.close()
    if not outcome or outcome[0] != "encoded":
        raise RuntimeError(f"the common case did not record an encoding: {outcome}")
    return keys


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def run(workdir: Path) -> list[dict]:
    quick = bench.quick()
    demo_db = territory("demo")
    rows: list[dict] = []
    scales = [("demo", demo_db, 3 if quick else 5, "<= 1.5")]
    if not quick:
        scales.append(("idf", territory("idf"), 3, "<= 2"))
    for scale, db, repeats, goal in scales:
        got = cold_start(db, repeats)
        label = f"{scale} territory, route of {got['rows']:,} residences"
        rows.append({"name": f"TUI cold start to the filled route, {label}, median of {repeats} "
                             "[floor: bare Textual app, Header + DataTable of as many rows + Footer]",
                     "value": _ms(got["app"]), "unit": "ms", "floor": _ms(got["bare"]),
                     "ratio": round(got["app"] / got["bare"], 2), "goal": goal})
        if scale == "idf" or quick:
            rows.append({"name": f"TUI peak memory (max RSS), {label} [floor: the bare app's]",
                         "value": round(got["app_rss"], 1), "unit": "MB",
                         "floor": round(got["bare_rss"], 1),
                         "ratio": round(got["app_rss"] / got["bare_rss"], 2),
                         "goal": "value <= 250"})
    big = workdir / "transitions.db"  # the halls visited are written to: a copy
    shutil.copyfile(demo_db if quick else territory("idf"), big)
    times = transitions(big, 3 if quick else 8)
    floor = statistics.median(times["floor"])
    size = "demo territory" if quick else "130,000 halls"
    for name, text in (("residence", "route -> residence (halls listed)"),
                       ("hall", "residence -> hall (wizard mounted)")):
        value = statistics.median(times[name])
        rows.append({"name": f"TUI transition {text}, {size}, median of {len(times[name])} "
                             "[floor: a key that pushes a bare screen with a 10-row DataTable]",
                     "value": _ms(value), "unit": "ms", "floor": _ms(floor),
                     "ratio": round(value / floor, 1), "goal": "information"})
    back, back_floor = statistics.median(times["back"]), statistics.median(times["back_floor"])
    rows.append({"name": f"TUI back to the route after a hall changed (hall -> residence -> route, "
                         f"the residence's new counts shown), {size}, median of {len(times['back'])} "
                         "[floor: Escape twice from two bare screens over the route; re-reading the "
                         f"touched residence's row alone: {_ms(statistics.median(times['requery']))} ms]",
                 "value": _ms(back), "unit": "ms", "floor": _ms(back_floor),
                 "ratio": round(back / back_floor, 1), "goal": "value <= 300"})
    copy = workdir / "keys.db"
    shutil.copyfile(demo_db, copy)
    keys = common_case_keys(copy)
    rows.append({"name": "TUI keys of the common case, opened hall -> next hall "
                         "(compatible, card recognised, manual centrale, 24 h, door, label)",
                 "value": keys, "unit": "keys", "floor": None, "ratio": None,
                 "goal": "value <= 5"})
    return rows
