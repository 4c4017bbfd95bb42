"""Report an access failure on a hall, or close its open reports: two small dialogs,
opened from the hall screen (the wizard), the maintenance checklist's hall and so
after a label scan. The writes are `domain.failures`'; no SQL here."""

from __future__ import annotations

from datetime import date
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Select, Static

from ..domain import failures
from ..domain.model import CLOSURES, FAILURE_KINDS, SERVICES
from ..i18n import TranslatedError, format_date, t
from ..widgets.translated import TranslatedModal


def _day(text: str) -> date | None:
    for parse in (date.fromisoformat,
                  lambda s: date(int(s[6:10]), int(s[3:5]), int(s[0:2])) if len(s) == 10 else None):
        try:
            found = parse(text.strip())
        except (ValueError, TypeError):
            continue
        if found is not None:
            return found
    return None


class FailureDialog(TranslatedModal[dict[str, Any] | None]):
    """The fields of a report (`kind` "report": service, what, date, by, details) or of a
    closure ("close": how, date, by, note). Enter in a text field confirms; Escape cancels.
    Dismisses with the values, checked by `domain.failures` when written."""

    BINDINGS = [Binding("escape", "cancel", "dialog.key_cancel", id="dialog.cancel")]

    def __init__(self, kind: str, title: str, today: date, by: str | None) -> None:
        super().__init__()
        self.kind, self.title_text, self.today, self.by = kind, title, today, by

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="failure-dialog"):
            yield Static(self.title_text, classes="prompt")
            if self.kind == "report":
                yield Select([(t(f"failures.service.{s}"), s) for s in SERVICES],
                             value=SERVICES[0], allow_blank=False, id="failure-service")
                yield Select([(t(f"failures.what.{w}"), w) for w in FAILURE_KINDS],
                             value=FAILURE_KINDS[0], allow_blank=False, id="failure-what")
            else:
                yield Select([(t(f"failures.closure.{c}"), c) for c in CLOSURES],
                             value=CLOSURES[0], allow_blank=False, id="failure-how")
            yield Static(t("failures.tui.date"), classes="prompt")
            yield Input(value=self.today.isoformat(), id="failure-date")
            yield Static(t("failures.tui.by"), classes="prompt")
            yield Input(value=self.by or "", id="failure-by")
            yield Static(t("failures.tui.details" if self.kind == "report"
                           else "failures.tui.note"), classes="prompt")
            yield Input(id="failure-text")
            yield Static(t("failures.tui.hint"), classes="prompt")
            yield Static("", id="dialog-error", classes="error prompt")

    @on(Input.Submitted)
    def submit(self) -> None:
        day = _day(self.query_one("#failure-date", Input).value)
        by = self.query_one("#failure-by", Input).value.strip()
        error = self.query_one("#dialog-error", Static)
        if day is None:
            error.update(t("failures.tui.bad_date"))
            return
        if not by:
            error.update(t("failures.no_by"))
            return
        values: dict[str, Any] = {"day": day, "by": by,
                                  "text": self.query_one("#failure-text", Input).value.strip()}
        if self.kind == "report":
            values["service"] = self.query_one("#failure-service", Select).value
            values["what"] = self.query_one("#failure-what", Select).value
        else:
            values["how"] = self.query_one("#failure-how", Select).value
        self.dismiss(values)

    def action_cancel(self) -> None:
        self.dismiss(None)


def report_failure(screen, hall_id: str, done=None) -> None:
    """Ask the report's fields over `screen`, write it, say so; `done()` after a write."""
    app = screen.app
    code = (app.store.get("halls", hall_id) or {}).get("code", "")

    def write(values: dict[str, Any] | None) -> None:
        if values is None:
            return
        try:
            report_id = failures.report(app.store, hall_id, values["service"], values["what"],
                                        values["day"], values["by"], values["text"],
                                        today=app.today())
        except TranslatedError as exc:
            screen.notify(str(exc), severity="error")
            return
        screen.notify(t("failures.reported", id=report_id[:8], code=code,
                        service=t(f"failures.service.{values['service']}"),
                        what=t(f"failures.what.{values['what']}")))
        if done is not None:
            done()

    app.push_screen(FailureDialog("report", t("failures.tui.report_title", code=code),
                                  app.today(), app.store.actor), write)


def close_failures(screen, hall_id: str, done=None) -> None:
    """Ask how the hall's open reports were closed, close them all, say so."""
    app = screen.app
    code = (app.store.get("halls", hall_id) or {}).get("code", "")
    ids = failures.open_reports(app.store.conn, hall_id)
    if not ids:
        screen.notify(t("failures.none_open", code=code), severity="warning")
        return

    def write(values: dict[str, Any] | None) -> None:
        if values is None:
            return
        try:
            with app.store.transaction():  # together or not at all
                for report_id in ids:
                    failures.close(app.store, report_id, values["how"], values["day"],
                                   values["by"], values["text"], today=app.today())
        except TranslatedError as exc:
            screen.notify(str(exc), severity="error")
            return
        screen.notify(t("failures.closed", count=len(ids),
                        closure=t(f"failures.closure.{values['how']}"),
                        ids=", ".join(i[:8] for i in ids)))
        if done is not None:
            done()

    app.push_screen(FailureDialog("close", t("failures.tui.close_title", code=code,
                                             count=len(ids)),
                                  app.today(), app.store.actor), write)


def offer_closure(screen, hall_id: str, done=None) -> None:
    """The wizard ended encoded on a hall with open reports: offer to close them as
    re-encoded (today, by the profile's name); no, and they stay open."""
    from .dialogs import ChoiceDialog

    app = screen.app
    ids = failures.open_reports(app.store.conn, hall_id)
    if not ids:
        return

    def answered(choice: str | None) -> None:
        if choice != "close":
            return
        try:
            with app.store.transaction():
                for report_id in ids:
                    failures.close(app.store, report_id, "re_encoded", app.today(), None,
                                   today=app.today())
        except TranslatedError as exc:
            screen.notify(str(exc), severity="error")
            return
        screen.notify(t("failures.closed", count=len(ids),
                        closure=t("failures.closure.re_encoded"),
                        ids=", ".join(i[:8] for i in ids)))
        if done is not None:
            done()

    app.push_screen(ChoiceDialog(t("failures.tui.offer", count=len(ids)),
                                 [("close", t("failures.tui.offer_yes")),
                                  ("keep", t("failures.tui.offer_no"))]), answered)


def open_line(store, hall_id: str) -> str | None:
    """« 2 échecs d'accès signalés, à vérifier (c : clore) » for a hall with open reports."""
    rows = failures.listing(store.conn, open_only=True, hall_id=hall_id)
    if not rows:
        return None
    last = rows[0]
    return t("failures.tui.open_line", count=len(rows), day=format_date(last["reported_on"]),
             service=t(f"failures.service.{last['service']}"),
             what=t(f"failures.what.{last['what']}"))
