"""The landlord's checklist: its residences, a residence's halls, one hall's checklist
with its history. Where a maintenance profile opens; the pilot reaches it too.

Every read goes through `domain.scope` (bound to the profile's landlord), every
change through `domain.checklist` (the store's one write path); each change
asks its reason. No SQL here.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Header, Static

from ..domain import authorisations, checklist, reasons, scope, upkeep
from ..domain.history import hall_history
from ..domain.model import VIGIK_STATUSES
from ..i18n import TranslatedError, format_date, format_datetime, t
from ..widgets.fitted import FittedTable
from ..widgets.translated import TranslatedScreen
from . import failure
from .authorisation import AuthorisationDialog, panel_text
from .dialogs import ChoiceDialog, ReasonDialog
from .residence import STATUS_STYLE

STYLE = {**STATUS_STYLE, "retired": "dim strike"}
# The history's columns; those that give way at 80 columns, in that order, and the
# width they keep at the least.
HISTORY_COLUMNS = ("when", "who", "field", "change", "reason")
HISTORY_GIVE_WAY = {"field": 14, "change": 14, "who": 8, "reason": 12}


def _status(status: str, to_verify: bool = False) -> str:
    text = t(f"status.hall.{status}")
    if to_verify:  # an open access-failure report (docs/failures.md)
        text = f"{text} · {t('failures.to_verify')}"
    style = STYLE.get(status, "")
    return f"[{style}]{text}[/]" if style else text


def _centrale(brand: str | None, model: str | None) -> str:
    return " ".join(x for x in (brand, model) if x) or "-"


class ChecklistResidencesScreen(TranslatedScreen):
    """The residences the profile may see (its landlord's, for maintenance)."""

    HELP = "help.checklist_residences"
    AUTO_FOCUS = "#checklist-residences"

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="checklist-info")
        yield DataTable(id="checklist-residences", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns(*(t(f"checklist.tui.col_{c}") for c in
                            ("residence", "commune", "halls", "retired", "address")))

    def on_screen_resume(self) -> None:
        store = self.app.store
        rows = scope.residences(store)
        landlord = scope.landlord_name(store)
        self.query_one("#checklist-info", Static).update(
            t("checklist.tui.residences_of", landlord=landlord, count=len(rows)) if landlord
            else t("checklist.tui.residences_all", count=len(rows)))
        table = self.query_one(DataTable)
        cursor = table.cursor_row
        table.clear()
        for r in rows:
            halls = f"{r.encoded}/{r.halls}"
            if r.to_verify:  # halls with an open access-failure report
                halls = t("failures.route_to_verify", status=halls, count=r.to_verify)
            table.add_row(r.name or "-", r.commune or "-", halls,
                          str(r.retired or "-"), r.address or "-", key=r.id)
        if rows:
            table.move_cursor(row=min(cursor, len(rows) - 1))

    @on(DataTable.RowSelected)
    def open_residence(self, event: DataTable.RowSelected) -> None:
        self.app.push_screen(ChecklistHallsScreen(str(event.row_key.value)))


class ChecklistHallsScreen(TranslatedScreen):
    """A residence's halls, retired ones included (struck through)."""

    HELP = "help.checklist_halls"
    AUTO_FOCUS = "#checklist-halls"
    BINDINGS = [
        Binding("a", "add_hall", "checklist.tui.key_add_hall", id="checklist.add_hall"),
        Binding("d", "decide", "authorisations.panel_record", id="checklist.decide"),
        Binding("escape", "app.pop_screen", "checklist.tui.key_back", id="checklist.back"),
    ]

    def __init__(self, residence_id: str) -> None:
        super().__init__()
        self.residence_id = residence_id

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="checklist-info")
        yield Static(id="checklist-authorisation")
        yield DataTable(id="checklist-halls", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(DataTable).add_columns(*(t(f"checklist.tui.col_{c}") for c in
                                                ("code", "hall", "status", "dwellings",
                                                 "centrale")))

    def on_screen_resume(self) -> None:
        store = self.app.store
        residence = scope.residence(store, self.residence_id)
        rows = scope.halls(store, self.residence_id)
        self.query_one("#checklist-info", Static).update(t(
            "checklist.tui.halls_of", name=(residence.name if residence else None) or "-",
            commune=(residence.commune if residence else None) or "-", count=len(rows)))
        self.query_one("#checklist-authorisation", Static).update(panel_text(
            authorisations.of_residence(store.conn, self.residence_id, self.app.today())))
        table = self.query_one(DataTable)
        cursor = table.cursor_row
        table.clear()
        for h in rows:
            table.add_row(h.code, h.label or "-", _status(h.status, h.to_verify),
                          str(h.dwellings or "-"),
                          _centrale(h.brand, h.model), key=h.id)
        if rows:
            table.move_cursor(row=min(cursor, len(rows) - 1))

    @on(DataTable.RowSelected)
    def open_hall(self, event: DataTable.RowSelected) -> None:
        self.app.push_screen(ChecklistHallScreen(str(event.row_key.value)))

    def action_add_hall(self) -> None:
        def added(label: str | None) -> None:
            if label is None:
                return
            try:
                done = checklist.add_hall(self.app.store, self.residence_id, label=label)
            except TranslatedError as exc:
                self.notify(str(exc), severity="error")
                return
            self.notify(t("checklist.hall_added", code=done.code, label=label))
            self.on_screen_resume()

        self.app.push_screen(ReasonDialog(t("checklist.tui.ask_label")), added)

    def action_decide(self) -> None:
        """The landlord's decision on this residence (the store refuses another landlord's)."""
        residence = scope.residence(self.app.store, self.residence_id)

        def decided(authorisation_id: str | None) -> None:
            if authorisation_id is not None:
                self.on_screen_resume()

        self.app.push_screen(AuthorisationDialog(
            self.residence_id, (residence.name if residence else None) or "-",
            self.app.today()), decided)


class ChecklistHallScreen(TranslatedScreen):
    """One hall: what is known of it, its centrales, its history; the checklist's changes."""

    HELP = "help.checklist_hall"
    AUTO_FOCUS = "#checklist-history"
    BINDINGS = [
        Binding("e", "edit", "checklist.tui.key_edit", id="checklist.edit"),
        Binding("c", "replace", "checklist.tui.key_replace", id="checklist.replace"),
        Binding("r", "re_encode", "checklist.tui.key_re_encode", id="checklist.re_encode"),
        Binding("x", "retire", "checklist.tui.key_retire", id="checklist.retire"),
        # an access failure reported at this hall, or its reports closed (screens/failure.py)
        Binding("s", "report_failure", "failures.tui.key_report", id="failures.report",
                show=False),
        Binding("k", "close_failures", "failures.tui.key_close", id="failures.close",
                show=False),
        Binding("escape", "app.pop_screen", "checklist.tui.key_back", id="checklist.back"),
    ]

    def __init__(self, hall_id: str) -> None:
        super().__init__()
        self.hall_id = hall_id

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="checklist-facts")
        yield FittedTable(HISTORY_GIVE_WAY, id="checklist-history", cursor_type="row",
                          zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(FittedTable).add_keyed_columns(
            {c: t(f"checklist.tui.col_{c}") for c in HISTORY_COLUMNS})

    @property
    def hall(self) -> scope.HallRow | None:
        return scope.hall(self.app.store, self.hall_id)

    def on_screen_resume(self) -> None:
        self.show()

    def show(self) -> None:
        store = self.app.store
        hall = self.hall
        facts = self.query_one("#checklist-facts", Static)
        table = self.query_one(FittedTable)
        table.clear()
        if hall is None:  # not this profile's to see
            facts.update(t("checklist.tui.not_visible"))
            return
        residence = scope.residence(store, hall.residence_id or "")
        lines = [
            t("checklist.tui.hall_title", code=hall.code, label=hall.label or "-",
              residence=(residence.name if residence else None) or "-",
              status=_status(hall.status, hall.to_verify)),
            t("checklist.tui.hall_facts", dwellings=hall.dwellings or "-",
              vigik=t(f"wizard.vigik.{hall.vigik or 'unknown'}"),
              location=hall.centrale_location or "-", address=hall.address or "-"),
        ]
        lines.append(_upkeep_line(upkeep.of_hall(store.conn, hall.id, date.today())))
        reported = failure.open_line(store, hall.id)
        if reported:  # an open access-failure report: the hall is to verify
            lines.append(f"[b yellow]{reported}[/]")
        for c in scope.centrales(store, hall.id):
            lines.append(t("checklist.tui.centrale_active" if c.active
                           else "checklist.tui.centrale_closed",
                           centrale=_centrale(c.brand, c.model), serial=c.serial or "-"))
        facts.update("\n".join(lines))
        rows = [(format_datetime(row["when"]), row["actor"] or "-",
                 t(f"field.{row['entity']}.{row['field']}"),
                 f"{_value(row['old'])} → {_value(row['new'])}",
                 reasons.render(row["reason"]) or "-")
                for row in reversed(hall_history(store.conn, hall.code) or [])]
        table.measure({c: [cells[i] for cells in rows] for i, c in enumerate(HISTORY_COLUMNS)})
        for cells in rows:
            table.add_row(*table.cells(HISTORY_COLUMNS, cells))
        table.fit()

    # -- the changes, each with its reason ---------------------------------------------
    def _with_reason(self, question: str, change: Callable[[str], checklist.Done],
                     said: str) -> None:
        def go(reason: str | None) -> None:
            if reason is None:
                return
            try:
                done = change(reason)
            except TranslatedError as exc:
                self.notify(str(exc), severity="error")
                return
            self.notify(t(said if done.fields else "checklist.unchanged", code=done.code or "",
                          fields=len(done.fields)))
            self.show()

        self.app.push_screen(ReasonDialog(question), go)

    def action_report_failure(self) -> None:
        if self.hall is not None:
            failure.report_failure(self, self.hall_id, self.show)

    def action_close_failures(self) -> None:
        if self.hall is not None:
            failure.close_failures(self, self.hall_id, self.show)

    def action_replace(self) -> None:
        code = self.hall.code if self.hall else ""
        self._with_reason(t("checklist.tui.ask_reason_replace", code=code),
                          lambda why: checklist.replace_centrale(self.app.store, code, reason=why),
                          "checklist.replaced")

    def action_re_encode(self) -> None:
        code = self.hall.code if self.hall else ""
        self._with_reason(t("checklist.tui.ask_reason_re_encode", code=code),
                          lambda why: checklist.re_encode(self.app.store, code, reason=why),
                          "checklist.re_encoded")

    def action_retire(self) -> None:
        hall = self.hall
        if hall is None:
            return
        retire = hall.status != "retired"
        self._with_reason(
            t("checklist.tui.ask_reason_retire" if retire else "checklist.tui.ask_reason_restore",
              code=hall.code),
            lambda why: checklist.set_retired(self.app.store, hall.code, retire, reason=why),
            "checklist.retired" if retire else "checklist.restored")

    def action_edit(self) -> None:
        hall = self.hall
        if hall is None:
            return
        current = {"label": hall.label, "address": hall.address, "brand": hall.brand,
                   "model": hall.model, "location": hall.centrale_location,
                   "dwellings": hall.dwellings,
                   "last_maintenance": upkeep.of_hall(self.app.store.conn, hall.id,
                                                      date.today()).last_maintenance}
        choices = [(name, t(f"field.halls.{field}")) for name, field in checklist.EDITABLE.items()]

        def value_given(name: str, value: str | None) -> None:
            if value is None:
                return
            if name == "dwellings":
                try:
                    value = int(value)  # type: ignore[assignment]
                except ValueError:
                    self.notify(t("checklist.tui.bad_number", value=value), severity="error")
                    return
            self._with_reason(
                t("checklist.tui.ask_reason_edit", field=t(f"field.halls.{checklist.EDITABLE[name]}")),
                lambda why: checklist.edit_hall(self.app.store, hall.code, {name: value}, why),
                "checklist.hall_edited")

        def field_picked(name: str | None) -> None:
            if name is None:
                return
            if name == "vigik":
                self.app.push_screen(
                    ChoiceDialog(t("checklist.tui.ask_vigik"),
                                 [(v, t(f"wizard.vigik.{v}")) for v in VIGIK_STATUSES]),
                    lambda v: value_given(name, v))
                return
            if name == "vigik_plus":
                self.app.push_screen(
                    ChoiceDialog(t("upkeep.tui.ask_vigik_plus"),
                                 [(w, t(f"upkeep.tui.{w}" if w != "unknown"
                                        else "upkeep.tui.unknown_answer"))
                                  for w in upkeep.VIGIK_PLUS_WORDS]),
                    lambda v: value_given(name, v))
                return
            field = t(f"field.halls.{checklist.EDITABLE[name]}")
            shown = "" if current.get(name) is None else str(current[name])
            question = (t("upkeep.tui.ask_last_maintenance") if name == "last_maintenance"
                        else t("checklist.tui.ask_value", field=field))
            self.app.push_screen(ReasonDialog(question, shown),
                                 lambda v: value_given(name, v))

        self.app.push_screen(ChoiceDialog(t("checklist.tui.ask_field"), choices), field_picked)


def _upkeep_line(u: upkeep.HallUpkeep | None) -> str:
    """The reader's Vigik Plus readiness and yearly maintenance, as of today."""
    if u is None:
        return ""
    return t("upkeep.tui.facts", ready=t(f"upkeep.ready.{u.ready}"),
             last=format_date(u.last_maintenance) if u.last_maintenance else "-",
             state=t(f"upkeep.state.{u.state}", due=format_date(u.due) if u.due else "",
                     days=u.days_overdue or 0))


def _value(value: object) -> str:
    if value is None or value == "":
        return "-"
    if isinstance(value, str):
        return reasons.render(value) or value
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)
