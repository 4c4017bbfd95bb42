"""The landlord's authorisation of a residence: the panel's text and the dialog that
records a decision (pilot, maintenance), through `domain.authorisations`."""

from __future__ import annotations

from datetime import date

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Checkbox, Input, Static

from ..domain import authorisations
from ..domain.values import BadValue
from ..domain.windows import Schedule, WindowError, format_days
from ..i18n import TranslatedError, t
from ..widgets.translated import TranslatedModal


def panel_text(auth: authorisations.Authorisation | None) -> str:
    """The residence screen's panel: state, by whom, when, windows, until, note."""
    if auth is None:
        return ""
    style = "green" if auth.state == "granted" else "red"
    lines = [f"[b]{t('authorisations.panel_title')}[/b] — "
             f"[{style}]{escape(authorisations.describe(auth))}[/]"]
    if auth.windows:
        schedule = f"{format_days(auth.days or '1111111')} " + ", ".join(
            "-".join(w) for w in auth.windows)
        lines.append(t("authorisations.panel_windows", windows=schedule))
    if auth.note:
        lines.append(escape(t("authorisations.panel_note", note=auth.note)))
    if auth.source == "legacy":
        lines.append(t("authorisations.panel_legacy"))
    return "\n".join(lines)


class AuthorisationDialog(TranslatedModal[str | None]):
    """By, granted/refused, days, windows, until, note; Enter in a field saves. Returns the
    new decision's id, None when cancelled. Every check is the domain's (nothing written
    on a refusal, shown under the fields)."""

    BINDINGS = [Binding("escape", "cancel", "dialog.key_cancel", id="dialog.cancel")]

    def __init__(self, residence_id: str, residence: str, today: date) -> None:
        super().__init__()
        self.residence_id = residence_id
        self.residence = residence
        self.today = today

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(t("authorisations.dialog.title", residence=escape(self.residence)),
                         classes="prompt")
            yield Static(t("authorisations.dialog.by"), classes="prompt")
            yield Input(id="auth-by")
            yield Checkbox(t("authorisations.dialog.refused"), id="auth-refused")
            yield Static(t("authorisations.dialog.days"), classes="prompt")
            yield Input(id="auth-days")
            yield Static(t("authorisations.dialog.windows"), classes="prompt")
            yield Input(id="auth-windows")
            yield Static(t("authorisations.dialog.until"), classes="prompt")
            yield Input(id="auth-until", max_length=10)
            yield Static(t("authorisations.dialog.note"), classes="prompt")
            yield Input(id="auth-note")
            yield Static("", id="auth-error", classes="error prompt")

    def on_mount(self) -> None:
        self.query_one("#auth-by", Input).focus()

    def value(self, name: str) -> str:
        return self.query_one(f"#auth-{name}", Input).value.strip()

    @on(Input.Submitted)
    def save(self) -> None:
        refused = self.query_one("#auth-refused", Checkbox).value
        days, windows = self.value("days"), self.value("windows")
        error = self.query_one("#auth-error", Static)
        try:
            schedule = None
            if (days or windows) and not refused:
                schedule = Schedule.parse(days or "1111111",
                                          [w for w in windows.split(",") if w.strip()]
                                          or ["00:00-24:00"])
            if refused and (days or windows):
                raise authorisations.AuthorisationError("refusal_windows")
            decided = authorisations.record(
                self.app.store, self.residence_id, by=self.value("by"),
                decision="refused" if refused else "granted",
                days=schedule.days if schedule else None,
                windows=[str(w).split("-") for w in schedule.windows] if schedule else None,
                until=self.value("until") or None, note=self.value("note") or None,
                decided_on=self.today)
        except (TranslatedError, WindowError, BadValue) as exc:
            error.update(escape(str(exc)))
            return
        self.dismiss(decided)

    def action_cancel(self) -> None:
        self.dismiss(None)
