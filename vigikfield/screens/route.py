"""Route: the residences to visit, with their progress, and a search box."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import DataTable, Footer, Header, Input, Select, Static
from textual.worker import Worker, WorkerState

from ..domain import progress
from ..domain.search import Hit, code_candidate, search
from ..i18n import t
from ..widgets.translated import TranslatedScreen


class RouteScreen(TranslatedScreen):
    """Every residence, highest priority first, with halls encoded / total and dwellings."""

    HELP = "help.route"
    AUTO_FOCUS = "#residences"

    BINDINGS = [
        Binding("slash", "focus_search", "route.key_search", id="route.search"),
        Binding("escape", "clear_search", "route.key_clear", id="route.clear", show=False),
        Binding("ctrl+s", "app.open_sync_screen", "route.key_sync", id="route.sync"),
    ]

    loading = False  # a load is running
    stale = False  # the running load may predate changes: load again after it
    shown: list[progress.ResidenceProgress] = []  # the rows in the table, in order (never mutated)

    class Loaded(Message):
        def __init__(self, rows: list[progress.ResidenceProgress]) -> None:
            super().__init__()
            self.rows = rows

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="route"):
            with Horizontal(id="route-bar"):
                yield Input(placeholder=t("route.search_placeholder"), id="search", compact=True)
                yield Select([], prompt=t("route.filter_commune"), id="filter-commune", compact=True)
                yield Select([], prompt=t("route.filter_landlord"), id="filter-landlord", compact=True)
                yield Select([(t(f"status.residence.{s}"), s) for s in progress.RESIDENCE_STATUSES],
                             prompt=t("route.filter_status"), id="filter-status", compact=True)
            yield Static(t("route.loading"), id="totals")
            yield DataTable(id="residences", cursor_type="row", zebra_stripes=True)
            yield DataTable(id="hits", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#residences", DataTable)
        self.columns = table.add_columns(*(t(f"route.col_{c}") for c in
                                           ("residence", "halls", "dwellings", "status", "commune",
                                            "landlord")))
        hits = self.query_one("#hits", DataTable)
        hits.add_columns(*(t(f"route.hit_{c}") for c in
                           ("code", "hall", "residence", "address", "commune")))
        hits.display = False
        table.focus()
        self.reload()  # whether a ScreenResume follows the first mount depends on the harness

    def reload(self) -> None:
        """Read the route again, one load at a time: at 130,000 halls a load takes a
        second, and filling thousands of rows twice would block the screen as long again.
        (The first showing brings both a mount and a resume: one load serves both.)"""
        if self.loading:
            return
        self.loading, self.stale = True, False
        self.load()

    def on_screen_suspend(self) -> None:
        # hall changes happen on other screens: a load still running may miss them
        self.stale = self.loading

    @work(thread=True, exclusive=True, group="route-load", exit_on_error=False)
    def load(self) -> None:
        store = self.app.store
        self.post_message(self.Loaded(progress.route(store.conn, store.actor)))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "route-load" and event.state in (
                WorkerState.ERROR, WorkerState.CANCELLED):
            self.loading = False

    def on_route_screen_loaded(self, message: Loaded) -> None:
        self.loading = False
        if self.stale:
            self.reload()
        self.rows = message.rows
        for select_id, attr in (("#filter-commune", "commune"), ("#filter-landlord", "landlord")):
            select = self.query_one(select_id, Select)
            values = sorted({getattr(r, attr) for r in self.rows if getattr(r, attr)})
            current = select.value
            select.set_options([(v, v) for v in values])
            if current in values:
                select.value = current
        self.fill()

    @on(Select.Changed)
    def fill(self) -> None:
        """Show the rows that pass the three filters, and their totals."""
        wanted = {
            "commune": self.query_one("#filter-commune", Select).value,
            "landlord": self.query_one("#filter-landlord", Select).value,
            "status": self.query_one("#filter-status", Select).value,
        }
        rows = [
            r for r in getattr(self, "rows", [])
            if all(v is Select.NULL or getattr(r, k) == v for k, v in wanted.items())
        ]
        table = self.query_one("#residences", DataTable)
        if [r.id for r in rows] == [r.id for r in self.shown]:
            # back from a residence: the same rows, a few changed. Refilling 20,000 rows
            # would freeze the screen for seconds at 130,000 halls; update the changed cells.
            for row, before in zip(rows, self.shown):
                if row != before:
                    for column, value in zip(self.columns, self.cells(row)):
                        table.update_cell(row.id, column, value)
        else:
            table.clear()
            for row in rows:
                table.add_row(*self.cells(row), key=row.id)
        self.shown = rows
        total = progress.totals(rows)
        self.query_one("#totals", Static).update(t(
            "route.totals", residences=total.residences, encoded=total.encoded,
            halls=total.halls, covered=total.dwellings_covered, dwellings=total.dwellings,
        ))

    @staticmethod
    def cells(row: progress.ResidenceProgress) -> tuple[str, ...]:
        return (row.name or row.address or "-", f"{row.encoded}/{row.halls}",
                f"{row.dwellings_covered}/{row.dwellings}", t(f"status.residence.{row.status}"),
                row.commune or "-", row.landlord or "-")

    def action_focus_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_clear_search(self) -> None:
        search_box = self.query_one("#search", Input)
        search_box.value = ""
        self.query_one("#hits", DataTable).display = False
        self.query_one("#residences", DataTable).display = True
        self.query_one("#residences", DataTable).focus()

    @on(Input.Submitted, "#search")
    def run_search(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if self.scan_pending is not None:  # the rest of a scanned label: swallow it
            self.absorb_scan()
            return
        if not text:
            self.action_clear_search()
            return
        hits = search(self.app.store.conn, text, limit=200)
        if hits and code_candidate(text) == hits[0].code:
            # A typed or scanned code opens its hall. A keyboard-wedge scanner
            # types the label's other lines right after the code, each ended by
            # Enter: they are absorbed here until the keys stop, so that none of
            # them lands on the hall screen as a command.
            self.scan_pending = hits[0].hall_id
            self.absorb_scan()
            return
        self.show_hits(hits, text)

    scan_pending: str | None = None
    SCAN_QUIET = 0.25  # seconds without a key that end a scan

    def absorb_scan(self) -> None:
        self.query_one("#search", Input).value = ""
        if getattr(self, "_scan_timer", None) is not None:
            self._scan_timer.stop()
        self._scan_timer = self.set_timer(self.SCAN_QUIET, self.open_scanned)

    @on(Input.Changed, "#search")
    def scan_continues(self, event: Input.Changed) -> None:
        if self.scan_pending is not None and event.value:
            self.absorb_scan()

    def open_scanned(self) -> None:
        hall_id, self.scan_pending = self.scan_pending, None
        self._scan_timer = None
        if hall_id is not None:
            self.action_clear_search()
            self.app.open_hall(hall_id)

    @on(DataTable.RowSelected, "#residences")
    def open_residence(self, event: DataTable.RowSelected) -> None:
        self.app.open_residence(str(event.row_key.value))

    @on(DataTable.RowSelected, "#hits")
    def open_hit(self, event: DataTable.RowSelected) -> None:
        self.app.open_hall(str(event.row_key.value))

    def on_screen_resume(self) -> None:
        self.reload()

    def show_hits(self, hits: list[Hit], text: str) -> None:
        table = self.query_one("#hits", DataTable)
        table.clear()
        for hit in hits:
            table.add_row(hit.code, hit.label or "-", hit.residence or "-",
                          hit.address or "-", hit.commune or "-", key=hit.hall_id)
        if not hits:
            self.notify(t("route.no_hit", text=text), severity="warning")
            return
        self.query_one("#residences", DataTable).display = False
        table.display = True
        table.focus()
