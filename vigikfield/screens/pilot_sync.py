"""The pilot's sync screen: bundles received, conflicts side by side, resolved with one key."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable, Footer, Header, Label

from ..domain.values import BadValue
from ..i18n import t
from ..widgets.translated import TranslatedScreen


class PilotSyncScreen(TranslatedScreen):
    """Receipts on top, open conflicts below; A keeps the current value, B the other."""

    HELP = "help.sync"
    BINDINGS = [
        Binding("a", "keep('A')", "sync_screen.key_keep_a", id="sync.keep_a"),
        Binding("b", "keep('B')", "sync_screen.key_keep_b", id="sync.keep_b"),
        Binding("escape", "app.pop_screen", "sync_screen.key_back", id="sync.back"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Label(t("sync_screen.receipts"), classes="section")
        yield DataTable(id="receipts", cursor_type="row", zebra_stripes=True)
        yield Label("", id="conflicts-title", classes="section")
        yield DataTable(id="conflicts", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
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
        return True

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
