"""Child process of bench_tui: start one TUI headless, stop once its table has its rows.

`python bench/tui_start.py app DB` starts vigikfield on DB (the route screen);
`python bench/tui_start.py bare ROWS` starts a bare Textual app (Header, DataTable,
Footer) that fills ROWS rows of six cells. Both print one JSON line
{"ready": wall clock when the first frame with the rows was drawn, "rows": n,
"rss_mb": this process's peak resident memory}, so that the parent can time
from before it spawned this process. Nothing is
imported before it is needed: the import time is part of what is measured.
"""

from __future__ import annotations

import json
import sys
import time

from peak import peak_rss_mb  # bench/ is this script's folder

SIZE = (100, 40)
COLUMNS = ("residence", "halls", "dwellings", "status", "commune", "landlord")


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
                table.add_row(f"Résidence {n}", f"{n % 7}/7", f"{n % 40}/40", "à faire",
                              "Commune", "Bailleur", key=str(n))
            self.call_after_refresh(lambda: (ready.append(time.time()), self.exit()))

    Bare().run(headless=True, size=SIZE)
    return ready[0], rows


def app(db: str) -> tuple[float, int]:
    from textual.widgets import DataTable

    from vigikfield.domain.store import Store
    from vigikfield.hardware import factory
    from vigikfield.screens.route import RouteScreen
    from vigikfield.tui import make_app

    ready: list[float] = []
    shown: list[int] = []
    fill = RouteScreen.fill

    def filled(screen: RouteScreen, *args) -> None:
        fill(screen, *args)
        count = screen.query_one("#residences", DataTable).row_count
        if count and not shown:
            shown.append(count)
            screen.app.call_after_refresh(lambda: (ready.append(time.time()), screen.app.exit()))

    RouteScreen.fill = filled  # the one hook: the moment the route table receives its rows
    store = Store(db)
    hardware = factory.build(factory.HardwareConfig(reader="sim", centrale="manual"))
    try:
        make_app(store, hardware=hardware, labels_dir=None).run(headless=True, size=SIZE)
    finally:
        hardware.close()
        store.close()
    return ready[0], shown[0]


if __name__ == "__main__":
    kind, argument = sys.argv[1], sys.argv[2]
    when, count = bare(int(argument)) if kind == "bare" else app(argument)
    peak = peak_rss_mb()
    print(json.dumps({"ready": when, "rows": count, "rss_mb": peak}))
