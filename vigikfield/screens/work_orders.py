"""The pilot's work orders: the list of orders issued, and the picker that issues one.

The list shows each order's technician, planned date, residences, halls
encoded / total (over ``hall_status``), state and the last bundle received
from that technician (`vigikfield_sync.orders`). The picker filters the
residences (commune, landlord, status; priority for the pilot), selects them
with space, takes a technician, a planned date and a folder, and writes the
signed bundle in a worker with a progress bar. Only the pilot issues orders:
anyone else gets the store's own refusal, in plain words.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.suggester import SuggestFromList
from textual.widgets import DataTable, Footer, Header, Input, Label, ProgressBar, Select, Static

from ..domain import authorisations, folders, progress, rights
from ..domain import work_orders as orders
from ..domain.profile import PILOT
from ..domain.store import Store
from ..domain.values import BadValue, check
from ..i18n import TranslatedError, format_date, format_datetime, t
from ..widgets.fitted import FittedTable
from ..widgets.translated import TranslatedScreen
from .dialogs import ChoiceDialog

ORDER_COLUMNS = ("technician", "date", "residences", "halls", "state", "last_bundle")
PICK_COLUMNS = ("mark", "residence", "commune", "landlord", "priority", "status", "halls",
                "dwellings")
MARK = "✓"
# Columns that give way at 80 columns, in that order, with the width they keep.
ORDER_GIVE_WAY = {"residences": 14, "last_bundle": 12, "technician": 10}
PICK_GIVE_WAY = {"landlord": 8, "commune": 8, "residence": 14}


def fill(table: FittedTable, columns: list[str], rows: list[tuple[str, list[str]]]) -> None:
    """Measure, fill and fit a table: (key, texts) rows, in `columns` order."""
    table.clear()
    table.measure({c: [texts[i] for _, texts in rows] for i, c in enumerate(columns)})
    for key, texts in rows:
        table.add_row(*table.cells(columns, texts), key=key)
    table.fit()


def refusal(role: str) -> str:
    """Why this profile may not issue a work order: the store's own refusal."""
    return str(rights.refuse_field(role, "work_orders", "technician"))


def order_cells(order: orders.Order, last) -> list[str]:
    names = ", ".join(n for n in order.residences if n)
    return [
        order.technician or "—",
        format_date(order.planned_date) or "—",
        t("orders.residences_cell", count=order.residence_count, names=names),
        t("orders.halls_cell", done=order.encoded, total=order.halls),
        t(f"orders.state.{order.state}"),
        t("orders.last_bundle_cell", when=format_datetime(last.received_at), new=last.new_ops)
        if last is not None else t("orders.no_bundle"),
    ]


class WorkOrdersScreen(TranslatedScreen):
    """Every work order; N opens the picker (the pilot's)."""

    HELP = "orders.help_list"
    AUTO_FOCUS = "#orders"
    BINDINGS = [
        Binding("n", "new_order", "orders.key_new", id="orders.new"),
        Binding("c", "close_order", "desk.orders.key_close", id="orders.close"),
        Binding("escape", "app.pop_screen", "orders.key_back", id="orders.back"),
    ]
    DEFAULT_CSS = """
    #orders-title { padding: 0 1; }
    #orders-note { padding: 0 1; color: $text-muted; }
    """

    class Loaded(Message):
        def __init__(self, rows: list[orders.Order], last: dict) -> None:
            super().__init__()
            self.rows, self.last = rows, last

    def __init__(self, *, today: date | None = None) -> None:
        super().__init__()
        self.today = today  # the day orders are late after (the app gives the local date)
        self.rows: list[orders.Order] = []
        self.highlight: str | None = None  # the order to put the cursor on, once listed
        self.loading = False  # a load is running
        self.stale = False  # what it reads may predate a change: load again after it

    def compose(self) -> ComposeResult:
        yield Header()
        yield Label(t("orders.title", count="…"), id="orders-title")
        yield FittedTable(ORDER_GIVE_WAY, id="orders", cursor_type="row", zebra_stripes=True)
        yield Static("", id="orders-note")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#orders", FittedTable).add_keyed_columns(
            {c: t(f"orders.col_{c}") for c in ORDER_COLUMNS})
        role = self.app.store.role
        self.query_one("#orders-note", Static).update(
            t("orders.note_pilot") if role == PILOT else refusal(role))
        self.reload()

    def on_screen_resume(self) -> None:
        self.reload()

    def on_screen_suspend(self) -> None:
        # orders change on other screens (the picker): a load still running may miss it
        self.stale = self.stale or self.loading

    def reload(self, changed: bool = False) -> None:
        """Read the list in a worker, one load at a time: the first showing brings both a
        mount and a resume, and at 130,000 halls a load is half a second of SQL on the
        app's connection. `changed`: something was written since a running load began
        (read again after it)."""
        import vigikfield_sync as sync

        if self.loading:
            self.stale = self.stale or changed
            return
        self.loading, self.stale = True, False
        sync.prepare(self.app.store)  # the sync tables (a write: on this thread)
        self.load()

    def worker_failed(self, worker) -> None:
        if worker.group == "orders-load":
            self.loading = False

    @work(thread=True, exclusive=True, group="orders-load", exit_on_error=False)
    def load(self) -> None:
        from vigikfield_sync import orders as sync_orders

        store = self.app.store
        today = self.today or date.today()
        self.post_message(self.Loaded(orders.orders(store.conn, today),
                                      sync_orders.last_bundles(store)))

    def on_work_orders_screen_loaded(self, message: Loaded) -> None:
        from vigikfield_sync.orders import received_from

        self.loading, again = False, self.stale
        if again:  # written to while it read: this list is already old
            self.reload()
        self.rows = message.rows
        table = self.query_one("#orders", FittedTable)
        fill(table, list(ORDER_COLUMNS), [
            (row.id, order_cells(row, received_from(message.last, row.technician)))
            for row in self.rows])
        self.query_one("#orders-title", Label).update(t("orders.title", count=len(self.rows)))
        if self.highlight is not None and not again:
            keys = [r.id for r in self.rows]
            if self.highlight in keys:
                table.move_cursor(row=keys.index(self.highlight))
            self.highlight = None

    def action_new_order(self) -> None:
        role = self.app.store.role
        if role != PILOT:
            self.notify(refusal(role), severity="error")
            return

        def issued(order_id: str | None) -> None:
            if order_id:
                self.highlight = order_id
                self.reload(changed=True)

        self.app.push_screen(PickerScreen(), issued)


    def action_close_order(self) -> None:
        """Close the highlighted order, once confirmed: an op, as `workorder close` does."""
        from .dialogs import ChoiceDialog

        store = self.app.store
        if store.role != PILOT:
            self.notify(refusal(store.role), severity="error")
            return
        table = self.query_one("#orders", FittedTable)
        if not self.rows or table.cursor_row < 0:
            self.notify(t("desk.orders.none_selected"), severity="warning")
            return
        row = self.rows[min(table.cursor_row, len(self.rows) - 1)]
        shown = dict(id=row.id[:8], technician=row.technician or "—",
                     date=format_date(row.planned_date) or "—")
        if row.state == "closed":
            self.notify(t("desk.workorder.already_closed", **shown))
            return

        def answered(choice: str | None) -> None:
            if choice != "yes":
                return
            try:
                orders.close(store, row.id)
            except TranslatedError as exc:
                self.notify(str(exc), severity="error")
                return
            self.notify(t("desk.orders.closed", **shown))
            self.highlight = row.id
            self.reload(changed=True)

        question = t("desk.orders.close_question", technician=shown["technician"],
                     date=shown["date"], residences=row.residence_count, done=row.encoded,
                     total=row.halls)
        self.app.push_screen(ChoiceDialog(question, [("yes", t("desk.orders.close_yes")),
                                                     ("no", t("desk.orders.close_no"))]),
                             answered)


class PickerScreen(TranslatedScreen):
    """Residences to pick (space), a technician, a date, a folder; Ctrl+O writes the order."""

    HELP = "orders.help_picker"
    AUTO_FOCUS = "#candidates"
    BINDINGS = [
        Binding("space", "toggle", "orders.key_toggle", id="orders.toggle"),
        Binding("ctrl+o", "write", "orders.key_write", id="orders.write", priority=True),
        Binding("escape", "back", "orders.key_back", id="orders.picker_back"),
    ]
    DEFAULT_CSS = """
    PickerScreen #pick-bar, PickerScreen .pick-row { height: 1; }
    PickerScreen #pick-bar Select { width: 1fr; margin-right: 1; }
    PickerScreen .pick-row Label { width: 13; padding: 0 1; }
    PickerScreen .pick-row Input { width: 1fr; }
    PickerScreen #pick-message { padding: 0 1; height: auto; }
    PickerScreen #pick-progress { padding: 0 1; }
    """

    class Found(Message):
        def __init__(self, rows: list[orders.Candidate]) -> None:
            super().__init__()
            self.rows = rows

    class Written(Message):
        def __init__(self, path: Path, ops: int, order_id: str | None) -> None:
            super().__init__()
            self.path, self.ops, self.order_id = path, ops, order_id

    def __init__(self) -> None:
        super().__init__()
        self.selected: dict[str, str] = {}  # residence id -> name, kept across filters
        self.rows: list[orders.Candidate] = []
        self.writing = False

    @property
    def pilot(self) -> bool:
        return self.app.store.role == PILOT

    def compose(self) -> ComposeResult:
        import vigikfield_sync as sync
        from vigikfield_sync import orders as sync_orders

        store = self.app.store
        sync.prepare(store)
        communes, landlords = orders.choices(store.conn)
        names = sync_orders.technicians(store)
        yield Header()
        with Horizontal(id="pick-bar"):
            yield Select(communes, prompt=t("orders.filter_commune"), id="pick-commune",
                         compact=True)
            yield Select(landlords, prompt=t("orders.filter_landlord"), id="pick-landlord",
                         compact=True)
            yield Select([(t(f"status.residence.{s}"), s) for s in progress.RESIDENCE_STATUSES],
                         prompt=t("orders.filter_status"), id="pick-status", compact=True)
            if self.pilot:
                yield Select([(t("orders.priority_option", level=p), p) for p in orders.PRIORITIES],
                             prompt=t("orders.filter_priority"), id="pick-priority", compact=True)
        yield FittedTable(PICK_GIVE_WAY, id="candidates", cursor_type="row", zebra_stripes=True)
        with Horizontal(classes="pick-row"):
            yield Label(t("orders.technician"))
            yield Input(placeholder=t("orders.technician_hint", names=", ".join(names) or "—"),
                        suggester=SuggestFromList(names, case_sensitive=False),
                        id="pick-technician", compact=True)
            yield Label(t("orders.date"))
            yield Input(placeholder=t("orders.date_hint"), id="pick-date", compact=True,
                        max_length=10)
        with Horizontal(classes="pick-row"):
            yield Label(t("orders.folder_field"))
            yield Input(folders.shown(folders.outbox(store.path), store.path),
                        id="pick-folder", compact=True)
        yield Static("", id="pick-message")
        yield ProgressBar(id="pick-progress", show_eta=False)
        yield Footer()

    def on_mount(self) -> None:
        self.columns = [c for c in PICK_COLUMNS if c != "priority" or self.pilot]
        self.query_one("#candidates", FittedTable).add_keyed_columns(
            {c: "" if c == "mark" else t(f"orders.pick_{c}") for c in self.columns})
        self.query_one("#pick-progress", ProgressBar).display = False
        self.show_selection()
        self.refilter()

    # -- the residences ---------------------------------------------------------
    def filters(self) -> orders.Filters:
        def value(select_id: str):
            found = self.query(select_id)
            if not found:
                return None
            v = found.first(Select).value
            return None if v is Select.NULL else v

        return orders.Filters(commune=value("#pick-commune"), landlord=value("#pick-landlord"),
                              status=value("#pick-status"), priority=value("#pick-priority"))

    @on(Select.Changed)
    def refilter(self) -> None:
        self.find(self.filters())

    @work(thread=True, exclusive=True, group="orders-pick", exit_on_error=False)
    def find(self, filters: orders.Filters) -> None:
        store = self.app.store
        self.post_message(self.Found(orders.candidates(store.conn, store.role, filters)))

    def cells(self, row: orders.Candidate) -> list[str]:
        cells = [MARK if row.id in self.selected else " ", row.name or "—", row.commune or "—",
                 row.landlord or "—"]
        if self.pilot:
            cells.append(str(row.site_level) if row.site_level else "—")
        cells += [t(f"status.residence.{row.status}"),
                  t("orders.halls_cell", done=row.encoded, total=row.halls), str(row.dwellings)]
        return cells

    def on_picker_screen_found(self, message: Found) -> None:
        self.rows = message.rows
        fill(self.query_one("#candidates", FittedTable), self.columns,
             [(row.id, self.cells(row)) for row in self.rows])

    def action_toggle(self) -> None:
        table = self.query_one("#candidates", DataTable)
        if self.writing or not self.rows or table.cursor_row < 0:
            return
        row = self.rows[min(table.cursor_row, len(self.rows) - 1)]
        if row.id in self.selected:
            del self.selected[row.id]
        else:
            self.selected[row.id] = row.name or row.id
        table.update_cell(row.id, "mark", MARK if row.id in self.selected else " ")
        self.show_selection()

    def show_selection(self, text: str | None = None, error: bool = False) -> None:
        message = self.query_one("#pick-message", Static)
        message.set_class(error, "error")
        message.update(text if text is not None else t(
            "orders.selected", count=len(self.selected),
            names=", ".join(sorted(self.selected.values())[:3])
            + ("…" if len(self.selected) > 3 else "")))

    # -- writing the order -------------------------------------------------------
    def action_back(self) -> None:
        if not self.writing:
            self.dismiss(None)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("write", "toggle", "back"):
            return not self.writing
        return True

    def ask(self) -> tuple[str, str | None, Path]:
        """What the order needs, checked: technician, planned date, folder (TranslatedError)."""
        if not self.selected:
            raise orders.OrdersError("none_selected")
        technician = " ".join(self.query_one("#pick-technician", Input).value.split())
        if not technician:
            raise orders.OrdersError("no_technician")
        planned = self.query_one("#pick-date", Input).value.strip() or None
        if planned is not None:
            planned = check("work_orders", "planned_date", planned)
        store = self.app.store
        folder = folders.resolve(self.query_one("#pick-folder", Input).value, store.path)
        if folder == folders.outbox(store.path):
            folders.make_default(folder)
        return technician, planned, folders.check(folder, write=True)

    def action_write(self) -> None:
        if not self.pilot:
            self.show_selection(refusal(self.app.store.role), error=True)
            return
        try:
            technician, planned, folder = self.ask()
        except (TranslatedError, BadValue) as exc:
            self.show_selection(str(exc), error=True)
            return
        blocked = authorisations.listing(self.app.store.conn, self.app.today(),
                                         states=authorisations.BLOCKING,
                                         residence_ids=list(self.selected))
        if blocked:  # the pilot confirms assigning residences whose halls can't be encoded
            def answered(choice: str | None) -> None:
                if choice == "include":
                    self.start_writing(technician, planned, folder)

            names = ", ".join(f"{a.residence} ({t(f'authorisations.state.{a.state}')})"
                              for a in blocked)
            self.app.push_screen(ChoiceDialog(
                t("authorisations.picker_warning", residences=names),
                [("include", t("authorisations.picker_include")),
                 ("cancel", t("authorisations.picker_cancel"))]), answered)
            return
        self.start_writing(technician, planned, folder)

    def start_writing(self, technician: str, planned: str | None, folder: Path) -> None:
        from vigikfield_sync.bundle import SUFFIX

        stem = folders.slug(f"{t('orders.file_prefix')}-{technician}-{planned or 'nodate'}")
        out = folders.free_name(folder, stem, SUFFIX)
        self.writing = True
        self.refresh_bindings()
        bar = self.query_one("#pick-progress", ProgressBar)
        bar.update(total=None, progress=0)
        bar.display = True
        self.show_selection(t("orders.writing", path=out))
        self.write_order(out, technician, planned, list(self.selected))

    @work(thread=True, exclusive=True, group="orders-write", exit_on_error=False)
    def write_order(self, out: Path, technician: str, planned: str | None,
                    residences: list[str]) -> None:
        """On a connection of its own: the UI's stays free for reading meanwhile."""
        import vigikfield_sync as sync

        bar = self.query_one("#pick-progress", ProgressBar)

        def advance(done: int, total: int) -> None:
            self.app.call_from_thread(bar.update, total=total, progress=done)

        store = Store(self.app.store.path, actor=self.app.store.actor)
        try:
            written = sync.workorder(sync.prepare(store), out, technician=technician,
                                     residences=residences, date=planned, progress=advance)
        finally:
            store.close()
        self.post_message(self.Written(written.path, written.ops, written.work_order_id))

    def worker_failed(self, worker) -> None:
        if worker.group == "orders-write":
            self.writing = False
            self.query_one("#pick-progress", ProgressBar).display = False
            self.show_selection(str(worker.error), error=True)
            self.refresh_bindings()

    def on_picker_screen_written(self, message: Written) -> None:
        self.writing = False
        technician = self.query_one("#pick-technician", Input).value.strip()
        self.notify(t("sync.bundle.workorder_written", path=message.path, ops=message.ops,
                      residences=len(self.selected), technician=technician))
        self.dismiss(message.order_id)
