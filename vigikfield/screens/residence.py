"""Residence: its halls with their status; one key opens the next pending hall."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable, Footer, Header, Static

from ..domain import authorisations, classification, progress, wizard
from ..domain.profile import MAINTENANCE, PILOT
from ..i18n import format_date, t
from ..widgets.translated import TranslatedScreen
from .authorisation import AuthorisationDialog, panel_text

STATUS_STYLE = {
    "encoded": "green", "failed": "red", "no_access": "dark_orange",
    "incompatible": "magenta", "compatible": "", "to_check": "dim",
}


class ResidenceScreen(TranslatedScreen):
    """The halls of one residence."""

    HELP = "help.residence"
    AUTO_FOCUS = "#halls"
    BINDINGS = [
        Binding("n", "next_pending", "residence.key_next", id="residence.next"),
        Binding("escape", "app.pop_screen", "residence.key_back", id="residence.back"),
        Binding("d", "decide", "authorisations.panel_record", id="residence.decide"),
    ]

    class Loaded(Message):
        def __init__(self, rows: list[progress.HallRow], site: dict | None = None,
                     authorisation: authorisations.Authorisation | None = None) -> None:
            super().__init__()
            self.rows = rows
            self.site = site  # the classification (pilot only), else None
            self.authorisation = authorisation  # the landlord's decision

    def __init__(self, residence_id: str) -> None:
        super().__init__()
        self.residence_id = residence_id

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="residence-info")
        yield Static(id="classification")
        yield Static(id="authorisation")
        yield DataTable(id="halls", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#halls", DataTable)
        table.add_columns(*(t(f"residence.col_{c}") for c in
                            ("code", "hall", "status", "dwellings", "centrale", "location")))
        table.focus()

    def on_screen_resume(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="residence-load", exit_on_error=False)
    def load(self) -> None:
        store = self.app.store
        rows = progress.hall_rows(store.conn, self.residence_id, store.own_devices())
        site = None
        if store.role in (PILOT, None) and not self.app.demo:  # confidential: the pilot's eyes
            site = classification.of_residence(store, self.residence_id, self.app.today())
        auth = authorisations.of_residence(store.conn, self.residence_id, self.app.today())
        self.post_message(self.Loaded(rows, site, auth))

    def on_residence_screen_loaded(self, message: Loaded) -> None:
        info = self.app.store.get("residences", self.residence_id) or {}
        rows = message.rows
        self._show_classification(message.site)
        self.query_one("#authorisation", Static).update(panel_text(message.authorisation))
        encoded = sum(r.status == "encoded" for r in rows)
        self.query_one("#residence-info", Static).update(t(
            "residence.info", name=info.get("name") or "-", address=info.get("address") or "-",
            encoded=encoded, halls=len(rows),
        ))
        table = self.query_one("#halls", DataTable)
        cursor = table.cursor_row
        table.clear()
        for row in rows:
            status = t(f"status.hall.{row.status}")
            if row.door_not_tested:
                status = t("residence.door_not_tested", status=status)
            if row.step:
                status = t("residence.in_progress", step=t(f"wizard.step.{row.step}"))
            if row.to_verify:  # an open access-failure report (docs/failures.md)
                status = f"{status} · {t('failures.to_verify')}"
            style = STATUS_STYLE.get(row.status, "")
            table.add_row(
                row.code, row.label or "-",
                f"[{style}]{status}[/]" if style else status,
                str(row.dwellings or "-"),
                " ".join(x for x in (row.brand, row.model) if x) or "-",
                row.centrale_location or "-",
                key=row.id,
            )
        if rows:
            table.move_cursor(row=min(cursor, len(rows) - 1))

    def _show_classification(self, site: dict | None) -> None:
        panel = self.query_one("#classification", Static)
        panel.display = site is not None and (site["level"] is not None or bool(site["facts"]))
        if not panel.display:
            return
        lines = [t("site.panel_title", level=site["level"] or "-")]
        for fact in [f for f in site["facts"] if f["counts"]][:3]:
            lines.append(t("site.panel_fact", fact=fact["fact"], level=fact["level"],
                           day=format_date(fact["observed_on"])))
        panel.update("\n".join(lines))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "decide":  # the pilot or the landlord's staff record the decision
            return self.app.store.role in (PILOT, MAINTENANCE, None) and not self.app.demo
        return True

    def action_decide(self) -> None:
        info = self.app.store.get("residences", self.residence_id) or {}

        def decided(authorisation_id: str | None) -> None:
            if authorisation_id is not None:
                self.load()

        self.app.push_screen(AuthorisationDialog(self.residence_id, info.get("name") or "-",
                                                 self.app.today()), decided)

    @on(DataTable.RowSelected, "#halls")
    def open_selected(self, event: DataTable.RowSelected) -> None:
        self.app.open_hall(str(event.row_key.value))

    def action_next_pending(self) -> None:
        hall_id = wizard.next_pending_hall(self.app.store, self.residence_id)
        if hall_id is None:
            self.notify(t("residence.none_pending"))
            return
        self.app.open_hall(hall_id)
