"""Child process of bench_dashboard: start one TUI headless, stop once its table is filled.

`python bench/dashboard_start.py app DB` starts vigikfield on DB with the dashboard
as its first screen and stops on the first frame drawn after the worker is done
(figures, groups table filled, late residences listed);
`python bench/dashboard_start.py bare ROWS` starts a bare Textual app (Header,
DataTable, Footer) that fills ROWS rows of ten cells. Both print one JSON line
{"ready": wall clock of that frame, "rows": rows in the table, "rss_mb": peak
resident memory}, so that the parent times from before it spawned this process.
Nothing is imported before it is needed: the imports are part of what is measured.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from peak import peak_rss_mb  # bench/ is this script's folder

SIZE = (120, 40)
COLUMNS = ("name", "bar", "encoded", "percent", "failed", "no_access", "incompatible",
           "door_not_tested", "pending", "dwellings_covered")


def bare(rows: int) -> tuple[float, int]:
    from textual.app import App, ComposeResult
    from textual.widgets import DataTable, Footer, Header

    ready: list[float] = []

    class Bare(App):
        def compose(self) -> ComposeResult:
            yield Header()
            yield DataTable(cursor_type="row", zebra_stripes=True)
            yield Footer()

        def on_mount(self) -> None:
            table = self.query_one(DataTable)
            table.add_columns(*COLUMNS)
            for n in range(rows):
                table.add_row(f"Bailleur {n}", "█" * 4 + "░" * 8, f"{n}/100", "1,0 %", "1", "2",
                              "3", "0", "90", f"{n}/1 000", key=str(n))
            self.call_after_refresh(lambda: (ready.append(time.time()), self.exit()))

    Bare().run(headless=True, size=SIZE)
    return ready[0], rows


def app(db: str) -> tuple[float, int]:
    from vigikfield.app import VigikApp
    from vigikfield.domain.store import Store
    from vigikfield.hardware import factory
    from vigikfield.screens.dashboard import DashboardScreen

    ready: list[float] = []
    shown: list[int] = []
    show_late = DashboardScreen.show_late

    def late_shown(screen: DashboardScreen) -> None:  # the worker's last message, handled
        show_late(screen)
        shown.append(screen.query_one("#groups").row_count)
        screen.app.call_after_refresh(lambda: (ready.append(time.time()), screen.app.exit()))

    DashboardScreen.show_late = late_shown

    class Dashboard(VigikApp):
        CSS_PATH = str(Path(sys.modules[VigikApp.__module__].__file__).parent / VigikApp.CSS_PATH)

        def get_default_screen(self):
            return DashboardScreen()

        def on_mount(self) -> None:  # no hall to resume: the dashboard alone
            pass

    store = Store(db)
    hardware = factory.build(factory.HardwareConfig(reader="sim", centrale="manual"))
    try:
        Dashboard(store, hardware=hardware).run(headless=True, size=SIZE)
    finally:
        hardware.close()
        store.close()
    return ready[0], shown[0]


if __name__ == "__main__":
    kind, argument = sys.argv[1], sys.argv[2]
    when, count = bare(int(argument)) if kind == "bare" else app(argument)
    print(json.dumps({"ready": when, "rows": count, "rss_mb": peak_rss_mb()}))
