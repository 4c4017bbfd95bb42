"""Route: the residences to visit, with their progress, and a search box.

Back from a hall, the route reads again only the rows of the residences the op
log says were touched since it last read (`progress.changed_since`), and
updates those cells. Search results follow the typing (debounced, read in a
worker). At 80 columns the columns give way by priority: the residence's name
and its progress keep their width, the landlord and then the commune are cut
(with an ellipsis, never to one letter).
"""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import DataTable, Footer, Header, Input, Select, Static
from textual.worker import Worker, WorkerState

from ..domain import labels, progress
from ..domain.search import Hit, code_candidate, search, statuses_of
from ..i18n import t
from ..widgets.fitted import FittedTable
from ..widgets.translated import TranslatedScreen

# Columns of each table; those that give way, in the order they give way, with
# the width they keep at the least. The others keep their natural width.
ROUTE_COLUMNS = ("residence", "halls", "dwellings", "status", "commune", "landlord")
ROUTE_GIVE_WAY = {"commune": 8, "landlord": 10, "residence": 14}
HIT_COLUMNS = ("code", "hall", "status", "residence", "address", "commune")
HIT_GIVE_WAY = {"address": 8, "commune": 8, "residence": 12, "status": 12, "hall": 8}


def _scan_key(line: str) -> str:
    """A label line as a scanner's keyboard may type it: ASCII letters and digits only
    (a keyboard layout drops or changes accents, dashes, punctuation)."""
    return "".join(c for c in line.casefold() if c.isascii() and c.isalnum())


class RouteScreen(TranslatedScreen):
    """Every residence, highest priority first, with halls encoded / total and dwellings."""

    HELP = "help.route"
    AUTO_FOCUS = "#residences"

    BINDINGS = [
        Binding("slash", "focus_search", "route.key_search", id="route.search"),
        Binding("escape", "clear_search", "route.key_clear", id="route.clear", show=False),
        Binding("ctrl+s", "app.open_sync_screen", "route.key_sync", id="route.sync"),
        # The pilot's desk. Not letters: what is typed right after "/" (a scanner, a fast
        # typist) may reach the route before the search box has the focus
        # (tests/test_tui_terminal.py). Not in the footer (F1 would no longer fit at 80
        # columns): F1 lists them.
        Binding("ctrl+d", "app.open_dashboard", "route.key_dashboard", id="route.dashboard",
                show=False),
        Binding("ctrl+o", "app.open_work_orders", "route.key_orders", id="route.orders",
                show=False),
        Binding("ctrl+e", "app.open_calendar", "route.key_calendar", id="route.calendar",
                show=False),
    ]

    loading = False  # a load is running
    stale = False  # the running load may predate changes: load again after it
    shown: list[progress.ResidenceProgress] = []  # the rows in the table, in order (never mutated)
    mark: int | None = None  # where the op log stood when the rows were read
    SEARCH_QUIET = 0.15  # seconds without a key before the results follow the typing

    class Loaded(Message):
        """The whole route, read by the load worker, and where the op log stood."""

        def __init__(self, rows: list[progress.ResidenceProgress], mark: int) -> None:
            super().__init__()
            self.rows, self.mark = rows, mark

    class Found(Message):
        def __init__(self, text: str, hits: list[Hit], status: dict[str, str],
                     submitted: bool) -> None:
            super().__init__()
            self.text, self.hits, self.status, self.submitted = text, hits, status, submitted

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
            yield FittedTable(ROUTE_GIVE_WAY, id="residences", cursor_type="row", zebra_stripes=True)
            yield FittedTable(HIT_GIVE_WAY, id="hits", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#residences", FittedTable)
        table.add_keyed_columns({c: t(f"route.col_{c}") for c in ROUTE_COLUMNS})
        hits = self.query_one("#hits", FittedTable)
        hits.add_keyed_columns({c: t(f"route.hit_{c}") for c in HIT_COLUMNS})
        hits.display = False
        table.focus()
        self.reload()  # whether a ScreenResume follows the first mount depends on the harness

    # -- the route's rows -------------------------------------------------------
    def reload(self) -> None:
        """Read the route again. Once its rows are there, only those of the residences
        touched since (`progress.changed_since`): a millisecond of SQL, read here (a
        worker would wait on the screen's drawing for the interpreter, tens of ms).
        The whole route (the first time, or after a merge) takes a second at 130,000
        halls: in a worker, one load at a time. (The first showing brings both a
        mount and a resume: one load serves both.)"""
        if self.loading:
            return
        if self.mark is not None:
            conn = self.app.store.conn
            mark = progress.mark(conn)
            changed = progress.changed_since(conn, self.mark)
            if changed is not None:
                self.mark = mark
                if changed:
                    self.refresh_rows(progress.residences(conn, only=changed))
                return
        self.loading, self.stale = True, False
        self.load()

    def on_screen_suspend(self) -> None:
        # hall changes happen on other screens: a load still running may miss them
        self.stale = self.loading

    def on_screen_resume(self) -> None:
        self.reload()

    @work(thread=True, exclusive=True, group="route-load", exit_on_error=False)
    def load(self) -> None:
        store = self.app.store
        mark = progress.mark(store.conn)  # before reading: a later op is read next time
        self.post_message(self.Loaded(progress.route(store.conn, store.actor), mark))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "route-load" and event.state in (
                WorkerState.ERROR, WorkerState.CANCELLED):
            self.loading = False

    def on_route_screen_loaded(self, message: Loaded) -> None:
        self.loading = False
        self.mark = message.mark
        self.rows = message.rows
        texts = [self.cells(r) for r in self.rows]
        self.query_one("#residences", FittedTable).measure(
            {c: [cells[i] for cells in texts] for i, c in enumerate(ROUTE_COLUMNS)})
        self.fill()
        self.call_after_refresh(self.fill_filters)  # the rows first: the lists can wait a frame
        if self.stale:
            self.reload()  # the rows of what changed while it read

    def fill_filters(self) -> None:
        """The commune and landlord lists, from the rows."""
        for select_id, attr in (("#filter-commune", "commune"), ("#filter-landlord", "landlord")):
            select = self.query_one(select_id, Select)
            values = sorted({getattr(r, attr) for r in self.rows if getattr(r, attr)})
            current = select.value
            with select.prevent(Select.Changed):
                select.set_options([(v, v) for v in values])
                if current in values:
                    select.value = current

    def _wanted(self) -> dict[str, object]:
        return {
            "commune": self.query_one("#filter-commune", Select).value,
            "landlord": self.query_one("#filter-landlord", Select).value,
            "status": self.query_one("#filter-status", Select).value,
        }

    @staticmethod
    def _passes(row: progress.ResidenceProgress, wanted: dict[str, object]) -> bool:
        return all(v is Select.NULL or getattr(row, k) == v for k, v in wanted.items())

    def refresh_rows(self, fresh_rows: list[progress.ResidenceProgress]) -> None:
        """The rows of a few touched residences, read again: update their cells in place
        (at 130,000 halls the route shows 20,000 rows: nothing else is walked twice)."""
        fresh = {r.id: r for r in fresh_rows}
        old = {r.id: r for r in self.rows if r.id in fresh}
        if not old:
            return
        wanted = self._wanted()
        self.rows = [fresh.get(r.id, r) for r in self.rows]
        if any(self._passes(old[i], wanted) != self._passes(fresh[i], wanted) for i in old):
            self.fill()  # a row enters or leaves the filtered list
            return
        table = self.query_one("#residences", FittedTable)
        for residence_id, before in old.items():
            row = fresh[residence_id]
            if row == before or not self._passes(row, wanted):
                continue
            for column, value, was in zip(ROUTE_COLUMNS, self.cells(row), self.cells(before)):
                if value != was:
                    table.update_cell(residence_id, column, table.cell(column, value))
        self.shown = [fresh.get(r.id, r) for r in self.shown]
        self.show_totals()

    @on(Select.Changed)
    def fill(self) -> None:
        """Show the rows that pass the three filters, and their totals."""
        wanted = self._wanted()
        rows = [r for r in getattr(self, "rows", []) if self._passes(r, wanted)]
        table = self.query_one("#residences", FittedTable)
        if [r.id for r in rows] == [r.id for r in self.shown]:
            # the same rows, a few changed: refilling 20,000 rows would freeze the
            # screen for seconds at 130,000 halls; update the changed cells.
            for row, before in zip(rows, self.shown):
                if row != before:
                    for column, value, was in zip(ROUTE_COLUMNS, self.cells(row),
                                                  self.cells(before)):
                        if value != was:
                            table.update_cell(row.id, column, table.cell(column, value))
        else:
            table.clear()
            for row in rows:
                table.add_row(*table.cells(ROUTE_COLUMNS, self.cells(row)), key=row.id)
        table.fit()
        self.shown = rows
        self.show_totals()

    def show_totals(self) -> None:
        total = progress.totals(self.shown)
        self.query_one("#totals", Static).update(t(
            "route.totals", residences=total.residences, encoded=total.encoded,
            halls=total.halls, covered=total.dwellings_covered, dwellings=total.dwellings,
        ))

    @staticmethod
    def cells(row: progress.ResidenceProgress) -> tuple[str, ...]:
        """The row's texts, in the order of `ROUTE_COLUMNS`."""
        status = t(f"status.residence.{row.status}")
        if row.to_verify:  # halls with an open access-failure report (docs/failures.md)
            status = t("failures.route_to_verify", status=status, count=row.to_verify)
        return (row.name or row.address or "-", f"{row.encoded}/{row.halls}",
                f"{row.dwellings_covered}/{row.dwellings}", status,
                row.commune or "-", row.landlord or "-")

    @on(DataTable.RowSelected, "#residences")
    def open_residence(self, event: DataTable.RowSelected) -> None:
        self.app.open_residence(str(event.row_key.value))

    # -- search -----------------------------------------------------------------
    def action_focus_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_clear_search(self) -> None:
        self._stop_search_timer()
        self.workers.cancel_group(self, "route-search")
        search_box = self.query_one("#search", Input)
        search_box.value = ""
        self.query_one("#hits", DataTable).display = False
        self.query_one("#residences", DataTable).display = True
        self.query_one("#residences", DataTable).focus()

    def _stop_search_timer(self) -> None:
        if getattr(self, "_search_timer", None) is not None:
            self._search_timer.stop()
            self._search_timer = None

    @on(Input.Changed, "#search")
    def search_follows_typing(self, event: Input.Changed) -> None:
        if self.scan_pending is not None:  # the rest of a scanned label: swallow it
            if event.value:
                self.absorb_scan()
            return
        self._stop_search_timer()
        text = event.value.strip()
        if not text:
            self.workers.cancel_group(self, "route-search")
            self.query_one("#hits", DataTable).display = False
            self.query_one("#residences", DataTable).display = True
            return
        self._search_timer = self.set_timer(self.SEARCH_QUIET,
                                            lambda: self.find(text, submitted=False))

    @on(Input.Submitted, "#search")
    def run_search(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if self.scan_pending is not None:  # the rest of a scanned label: swallow it
            self.absorb_scan(line=text)
            return
        self._stop_search_timer()
        if not text:
            self.action_clear_search()
            return
        code = code_candidate(text)
        if code is not None:
            # A typed or scanned code opens its hall (one look-up by code). A
            # keyboard-wedge scanner types the label's other lines right after
            # the code, each ended by Enter: they are absorbed here until the
            # keys stop, so that none of them lands on the hall screen as a command.
            hits = search(self.app.store.conn, code, limit=1)
            if hits and hits[0].code == code:
                self.scan_pending = hits[0].hall_id
                label, _ = labels.for_hall(self.app.store.conn, code)
                self.scan_expected = [_scan_key(line) for line in label.lines[1:]]
                self.absorb_scan()
                return
        self.find(text, submitted=True)

    @work(thread=True, exclusive=True, group="route-search", exit_on_error=False)
    def find(self, text: str, submitted: bool) -> None:
        """Read the hits of `text` and their statuses, off the UI thread."""
        conn = self.app.store.conn
        hits = search(conn, text, limit=200)
        self.post_message(self.Found(text, hits, statuses_of(conn, [h.hall_id for h in hits]),
                                     submitted))

    def on_route_screen_found(self, message: Found) -> None:
        box = self.query_one("#search", Input)
        if message.text != box.value.strip() or self.scan_pending is not None:
            return  # typed on since, or a scan took over: a newer search follows
        self.show_hits(message.hits, message.status, message.text, focus=message.submitted)

    scan_pending: str | None = None
    scan_expected: list[str] = []  # the label's lines still to come (`_scan_key`)
    SCAN_QUIET = 0.25  # seconds without a key that end a scan
    SCAN_WAIT = 0.8  # ... while lines of the label are still expected (a slow scanner)

    def absorb_scan(self, line: str | None = None) -> None:
        """Swallow what a scanner types after a label's code. The label's own lines are
        known: once they have all come the hall opens at once; the quiet timer ends a
        scan whose lines do not come (a scanner set to send the first line only, a
        person who typed the code)."""
        self.query_one("#search", Input).value = ""
        if line is not None and self.scan_expected and _scan_key(line) == self.scan_expected[0]:
            self.scan_expected = self.scan_expected[1:]
            if not self.scan_expected:
                self.open_scanned()
                return
        if getattr(self, "_scan_timer", None) is not None:
            self._scan_timer.stop()
        quiet = self.SCAN_WAIT if self.scan_expected else self.SCAN_QUIET
        self._scan_timer = self.set_timer(quiet, self.open_scanned)

    def open_scanned(self) -> None:
        hall_id, self.scan_pending, self.scan_expected = self.scan_pending, None, []
        if getattr(self, "_scan_timer", None) is not None:
            self._scan_timer.stop()
        self._scan_timer = None
        if hall_id is not None:
            self.action_clear_search()
            self.app.open_hall(hall_id)

    @on(DataTable.RowSelected, "#hits")
    def open_hit(self, event: DataTable.RowSelected) -> None:
        self.app.open_hall(str(event.row_key.value))

    def show_hits(self, hits: list[Hit], status: dict[str, str], text: str,
                  focus: bool = True) -> None:
        table = self.query_one("#hits", FittedTable)
        rows = [(hit.hall_id, (hit.code, hit.label or "-",
                               t(f"status.hall.{status[hit.hall_id]}") if hit.hall_id in status
                               else "-",
                               hit.residence or "-", hit.address or "-", hit.commune or "-"))
                for hit in hits]
        table.clear()
        table.measure({c: [cells[i] for _, cells in rows] for i, c in enumerate(HIT_COLUMNS)})
        for hall_id, cells in rows:
            table.add_row(*table.cells(HIT_COLUMNS, cells), key=hall_id)
        table.fit()
        if not hits:
            if focus:
                self.notify(t("route.no_hit", text=text), severity="warning")
            table.display = False
            self.query_one("#residences", DataTable).display = True
            return
        self.query_one("#residences", DataTable).display = False
        table.display = True
        if focus:
            table.focus()
