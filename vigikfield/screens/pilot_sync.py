"""The pilot's sync screen: the bundle files of a folder, merged from here; bundles
received; conflicts side by side, resolved with one key.

The folder is the inbox beside the database (``terrain.inbox/``, made 0700)
unless the pilot types another (a USB key). Space selects files, M merges the
selected ones (or the highlighted one) in a worker, on a connection of its
own, with a progress bar by bytes; each file's receipt or refusal is shown in
the words the CLI prints (`bundle merge`), and one bad file never stops the
others (`vigikfield_sync.merge_files`).
"""

from __future__ import annotations

from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import DataTable, Footer, Header, Input, Label, ProgressBar, Static

from ..domain import folders
from ..domain.store import Store
from ..domain.values import BadValue
from ..i18n import TranslatedError, format_datetime, format_number, t
from ..widgets.translated import TranslatedScreen

FILE_COLUMNS = ("mark", "file", "size", "date", "result")
MARK = "✓"


def outcome_text(outcome) -> str:
    """One file's fate, in the words `bundle merge` prints."""
    if outcome.error is not None:
        return t("sync.bundle.refused", path=outcome.path.name, reason=outcome.error)
    r = outcome.receipt
    return t("sync.bundle.accepted", path=outcome.path.name, signer=r.signer, new=r.new_ops,
             duplicates=r.duplicate_ops, conflicts=r.conflicts)


def size_text(size: int) -> str:
    return t("orders.size_kb", size=format_number(max(size, 1) / 1024, 1))


class PilotSyncScreen(TranslatedScreen):
    """A folder's bundles on top, then receipts, then open conflicts; A keeps the
    current value, B the other."""

    HELP = "help.sync"
    BINDINGS = [
        Binding("a", "keep('A')", "sync_screen.key_keep_a", id="sync.keep_a"),
        Binding("b", "keep('B')", "sync_screen.key_keep_b", id="sync.keep_b"),
        Binding("space", "toggle_file", "orders.key_select_file", id="sync.select_file"),
        Binding("m", "merge", "orders.key_merge", id="sync.merge"),
        Binding("escape", "app.pop_screen", "sync_screen.key_back", id="sync.back"),
    ]
    DEFAULT_CSS = """
    PilotSyncScreen .inbox-row { height: 1; }
    PilotSyncScreen .inbox-row Label { width: auto; padding: 0 1; }
    PilotSyncScreen .inbox-row Input { width: 1fr; }
    PilotSyncScreen #files { height: auto; max-height: 7; }
    PilotSyncScreen #file-detail { padding: 0 1; height: auto; max-height: 3; }
    PilotSyncScreen #merge-progress { padding: 0 1; }
    """

    files: list = []          # the folder's bundle files shown (vigikfield_sync.folder.BundleFile)
    selected: set = frozenset()  # their paths, selected with space
    results: dict = {}        # path -> Outcome of the last merge
    merging = False

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(classes="inbox-row"):
            yield Label(t("orders.inbox_folder"))
            store = self.app.store
            yield Input(folders.shown(folders.inbox(store.path), store.path), id="inbox-folder",
                        compact=True)
        yield DataTable(id="files", cursor_type="row", zebra_stripes=True)
        yield Static("", id="file-detail")
        yield ProgressBar(id="merge-progress", show_eta=False)
        yield Label(t("sync_screen.receipts"), classes="section")
        yield DataTable(id="receipts", cursor_type="row", zebra_stripes=True)
        yield Label("", id="conflicts-title", classes="section")
        yield DataTable(id="conflicts", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.selected, self.results = set(), {}
        files = self.query_one("#files", DataTable)
        for column in FILE_COLUMNS:
            files.add_column("" if column == "mark" else t(f"orders.file_{column}"), key=column)
        self.query_one("#merge-progress", ProgressBar).display = False
        store = self.app.store
        try:
            folders.make_default(folders.inbox(store.path))
        except OSError as exc:  # a read-only disk: the folder is refused below, in words
            self.log.warning(f"inbox not made: {exc}")
        self.list_files()
        self.query_one("#receipts", DataTable).add_columns(
            *(t(f"sync_screen.col_{c}") for c in ("received", "kind", "signer", "new", "dup", "conflicts")))
        self.query_one("#conflicts", DataTable).add_columns(
            *(t(f"sync_screen.col_{c}") for c in ("what", "field", "a", "b")))
        self.reload()
        self.query_one("#conflicts", DataTable).focus()

    class Loaded(Message):
        def __init__(self, receipts: list, conflicts: list) -> None:
            super().__init__()
            self.receipts = receipts
            self.conflicts = conflicts

    def reload(self) -> None:
        import vigikfield_sync as sync

        sync.prepare(self.app.store)  # the sync tables, made once (a write: on this thread)
        self.load()

    @work(thread=True, exclusive=True, group="sync-load", exit_on_error=False)
    def load(self) -> None:
        """Receipts and conflicts read off the UI thread (a big merge lists many)."""
        import vigikfield_sync as sync

        store = self.app.store
        self.post_message(self.Loaded(sync.receipts(store), sync.list_conflicts(store)))

    def on_pilot_sync_screen_loaded(self, message: Loaded) -> None:
        from vigikfield_sync import present

        receipts = self.query_one("#receipts", DataTable)
        receipts.clear()
        for r in message.receipts:
            receipts.add_row(r.received_at[:16].replace("T", " "), r.kind, r.signer,
                             str(r.new_ops), str(r.duplicate_ops), str(r.conflicts))
        table = self.query_one("#conflicts", DataTable)
        table.clear()
        self.conflicts = message.conflicts
        for c in self.conflicts:
            table.add_row(c.description, present.field_text(c.entity, c.field),
                          present.side_text(c, c.a), present.side_text(c, c.b), key=c.id)
        self.query_one("#conflicts-title", Label).update(
            t("sync_screen.conflicts", count=len(self.conflicts)))
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "keep":
            return bool(getattr(self, "conflicts", None))
        if action in ("merge", "toggle_file"):
            return bool(self.files) and not self.merging
        return True

    # -- the folder's bundle files ------------------------------------------------
    def folder(self) -> Path:
        """The folder typed (checked: it exists and can be read), or a TranslatedError."""
        store = self.app.store
        folder = folders.resolve(self.query_one("#inbox-folder", Input).value, store.path)
        return folders.check(folder, write=False)

    @on(Input.Submitted, "#inbox-folder")
    def list_files(self) -> None:
        from vigikfield_sync.folder import bundle_files

        detail = self.query_one("#file-detail", Static)
        table = self.query_one("#files", DataTable)
        table.clear()
        self.files, self.selected, self.results = [], set(), {}
        try:
            self.files = bundle_files(self.folder())
        except (TranslatedError, OSError) as exc:
            detail.set_class(True, "error")
            detail.update(str(exc) if isinstance(exc, TranslatedError) else
                          t("orders.folder.unreadable", folder=exc.filename, error=exc.strerror))
            self.refresh_bindings()
            return
        for f in self.files:
            table.add_row(" ", f.path.name, size_text(f.size), format_datetime(f.modified), "",
                          key=str(f.path))
        detail.set_class(False, "error")
        detail.update(t("orders.files_found", count=len(self.files)) if self.files
                      else t("orders.no_files"))
        self.refresh_bindings()

    def _file_at_cursor(self):
        table = self.query_one("#files", DataTable)
        if not self.files or table.cursor_row < 0:
            return None
        return self.files[min(table.cursor_row, len(self.files) - 1)]

    def action_toggle_file(self) -> None:
        chosen = self._file_at_cursor()
        if chosen is None or self.merging:
            return
        self.selected ^= {chosen.path}
        self.query_one("#files", DataTable).update_cell(
            str(chosen.path), "mark", MARK if chosen.path in self.selected else " ")
        self.query_one("#file-detail", Static).update(
            t("orders.files_selected", count=len(self.selected)))

    @on(DataTable.RowHighlighted, "#files")
    def _show_result(self) -> None:
        chosen = self._file_at_cursor()
        if chosen is not None and chosen.path in self.results:
            outcome = self.results[chosen.path]
            detail = self.query_one("#file-detail", Static)
            detail.set_class(outcome.error is not None, "error")
            detail.update(outcome_text(outcome))

    def action_merge(self) -> None:
        if self.merging:
            return
        chosen = [f for f in self.files if f.path in self.selected]
        if not chosen:
            at_cursor = self._file_at_cursor()
            chosen = [at_cursor] if at_cursor is not None else []
        if not chosen:
            return
        self.merging = True
        self.refresh_bindings()
        bar = self.query_one("#merge-progress", ProgressBar)
        bar.update(total=sum(max(f.size, 1) for f in chosen), progress=0)
        bar.display = True
        self.query_one("#file-detail", Static).update(t("orders.merging", count=len(chosen)))
        self.merge({f.path: max(f.size, 1) for f in chosen})

    class Merged(Message):
        def __init__(self, outcomes: list) -> None:
            super().__init__()
            self.outcomes = outcomes

    @work(thread=True, exclusive=True, group="sync-merge", exit_on_error=False)
    def merge(self, sizes: dict[Path, int]) -> None:
        """On a connection of its own; the bar advances by each file's bytes as it is done."""
        import vigikfield_sync as sync

        bar = self.query_one("#merge-progress", ProgressBar)
        store = Store(self.app.store.path, actor=self.app.store.actor)
        try:
            outcomes = sync.merge_files(
                sync.prepare(store), list(sizes), "export",
                progress=lambda path: self.app.call_from_thread(bar.advance, sizes[path]))
        finally:
            store.close()
        self.post_message(self.Merged(outcomes))

    def worker_failed(self, worker) -> None:
        if worker.group == "sync-merge":
            self.merging = False
            self.query_one("#merge-progress", ProgressBar).display = False
            self.refresh_bindings()

    def on_pilot_sync_screen_merged(self, message: Merged) -> None:
        self.merging = False
        self.query_one("#merge-progress", ProgressBar).display = False
        table = self.query_one("#files", DataTable)
        for outcome in message.outcomes:
            self.results[outcome.path] = outcome
            cell = (t("orders.result_refused") if outcome.error is not None else
                    t("orders.result_merged", new=outcome.receipt.new_ops,
                      conflicts=outcome.receipt.conflicts))
            self.selected.discard(outcome.path)
            if str(outcome.path) in table.rows:
                table.update_cell(str(outcome.path), "result", cell)
                table.update_cell(str(outcome.path), "mark", " ")
        refused = sum(o.error is not None for o in message.outcomes)
        detail = self.query_one("#file-detail", Static)
        detail.set_class(bool(refused), "error")
        order = {f.path: i for i, f in enumerate(self.files)}
        detail.update("\n".join(outcome_text(o) for o in sorted(
            message.outcomes, key=lambda o: order.get(o.path, len(order)))))
        self.notify(t("orders.merge_summary", merged=len(message.outcomes) - refused,
                      refused=refused), severity="warning" if refused else "information")
        self.reload()

    def action_keep(self, side: str) -> None:
        import vigikfield_sync as sync

        table = self.query_one("#conflicts", DataTable)
        if not self.conflicts or table.cursor_row < 0:
            return
        conflict = self.conflicts[min(table.cursor_row, len(self.conflicts) - 1)]
        try:
            sync.resolve(self.app.store, conflict.id, side)
        except (sync.SyncError, BadValue) as exc:
            self.notify(str(exc), severity="error")
            return
        self.notify(t("sync_screen.resolved", what=conflict.description, side=side))
        self.reload()
        self.refresh_bindings()

    @on(DataTable.RowHighlighted, "#conflicts")
    def _highlight(self) -> None:
        self.refresh_bindings()
