"""The residences waiting for their landlord's authorisation, and the refusals (the
pilot's dashboard, key a): read in a worker through `domain.authorisations`, no SQL."""

from __future__ import annotations

from datetime import date

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable, Footer, Header, Static

from ..domain import authorisations
from ..i18n import format_date, t
from ..widgets.translated import TranslatedScreen

COLUMNS = ("residence", "commune", "landlord", "state", "decided_by", "decided_on", "until")


def summary(counts: dict[str, int]) -> str:
    """« Autorisations : 3 accordée(s), 2 en attente, … » (the dashboard's line)."""
    return t("authorisations.dashboard_heading") + t(
        "authorisations.dashboard_summary", **counts) + " — " + t("authorisations.dashboard_key")


class AuthorisationsScreen(TranslatedScreen):
    """Pending, refused and expired residences; Enter opens the residence."""

    AUTO_FOCUS = "#auth-table"
    BINDINGS = [Binding("escape", "app.pop_screen", "dashboard.key_back",
                        id="authorisations.back")]

    class Loaded(Message):
        def __init__(self, rows: list[authorisations.Authorisation], counts: dict) -> None:
            super().__init__()
            self.rows = rows
            self.counts = counts

    def __init__(self, today: date) -> None:
        super().__init__()
        self.today = today

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(t("dashboard.loading"), id="auth-summary")
        yield DataTable(id="auth-table", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.title = t("authorisations.dashboard_title")
        self.query_one("#auth-table", DataTable).add_columns(
            *(t(f"authorisations.col.{c}") for c in COLUMNS))

    def on_screen_resume(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="authorisations-load", exit_on_error=False)
    def load(self) -> None:
        conn = self.app.store.conn
        self.post_message(self.Loaded(
            authorisations.listing(conn, self.today, states=authorisations.BLOCKING),
            authorisations.counts(conn, self.today)))

    def on_authorisations_screen_loaded(self, message: Loaded) -> None:
        self.query_one("#auth-summary", Static).update(
            t("authorisations.dashboard_summary", **message.counts))
        table = self.query_one("#auth-table", DataTable)
        table.clear()
        for a in message.rows:
            table.add_row(a.residence or "-", a.commune or "-", a.landlord or "-",
                          t(f"authorisations.state.{a.state}"), a.decided_by or "-",
                          format_date(a.decided_on) or "-", format_date(a.until) or "-",
                          key=a.residence_id)

    @on(DataTable.RowSelected, "#auth-table")
    def open_residence(self, event: DataTable.RowSelected) -> None:
        from .residence import ResidenceScreen

        self.app.push_screen(ResidenceScreen(str(event.row_key.value)))
