"""Time windows dialog: presets, or a days mask and up to 3 windows, checked as typed."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from ..domain.windows import Schedule, WindowError, format_days
from ..i18n import t
from ..widgets.translated import TranslatedModal

PRESETS = {
    "every_day_24h": ("1111111", [["00:00", "24:00"]]),
    "mon_sat_6_20": ("1111110", [["06:00", "20:00"]]),
}


def describe(days: str, windows: list[list[str]]) -> str:
    """``Lu-Di 00:00-24:00`` in the current language; the raw values if invalid."""
    try:
        return Schedule.parse(days, [f"{a}-{b}" for a, b in windows]).describe()
    except (WindowError, ValueError):
        return f"{days} {windows}"


class WindowsDialog(TranslatedModal[tuple[str, list[list[str]]] | None]):
    """Returns (days mask, [[start, end], ...]) or None when cancelled."""

    BINDINGS = [Binding("escape", "cancel", "dialog.key_cancel", id="dialog.cancel")]

    def __init__(self, days: str, windows: list[list[str]]) -> None:
        super().__init__()
        self.days = days
        self.windows = windows

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(t("windows_dialog.title", current=describe(self.days, self.windows)),
                         classes="prompt")
            yield OptionList(
                Option(t("windows_dialog.preset.every_day_24h"), id="every_day_24h"),
                Option(t("windows_dialog.preset.mon_sat_6_20"), id="mon_sat_6_20"),
                Option(t("windows_dialog.preset.custom"), id="custom"),
                id="presets",
            )
            yield Static(t("windows_dialog.days"), classes="custom prompt")
            yield Input(value=format_days(self.days), id="days", classes="custom")
            yield Static(t("windows_dialog.windows"), classes="custom prompt")
            yield Input(value=", ".join(f"{a}-{b}" for a, b in self.windows), id="windows",
                        classes="custom")
            yield Static("", id="windows-error", classes="error prompt")

    def on_mount(self) -> None:
        for widget in self.query(".custom"):
            widget.display = False
        self.query_one("#presets", OptionList).focus()

    @on(OptionList.OptionSelected, "#presets")
    def preset(self, event: OptionList.OptionSelected) -> None:
        if event.option.id in PRESETS:
            self.dismiss(PRESETS[event.option.id])
            return
        for widget in self.query(".custom"):
            widget.display = True
        self.query_one("#days", Input).focus()

    def parse(self) -> Schedule:
        text = self.query_one("#windows", Input).value
        parts = [p for p in text.replace(";", ",").split(",") if p.strip()]
        return Schedule.parse(self.query_one("#days", Input).value, parts)

    @on(Input.Changed)
    def validate(self) -> None:
        error = self.query_one("#windows-error", Static)
        try:
            schedule = self.parse()
        except WindowError as exc:
            error.update(str(exc))
            return
        error.update(t("windows_dialog.ok", schedule=schedule.describe()))

    @on(Input.Submitted, "#days")
    def next_field(self) -> None:
        self.query_one("#windows", Input).focus()

    @on(Input.Submitted, "#windows")
    def submit(self) -> None:
        try:
            schedule = self.parse()
        except WindowError as exc:
            self.query_one("#windows-error", Static).update(str(exc))
            return
        self.dismiss((schedule.days, [str(w).split("-") for w in schedule.windows]))

    def action_cancel(self) -> None:
        self.dismiss(None)
