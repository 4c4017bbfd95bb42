"""Label lookup from any screen: type (or scan) a label's code, the hall opens.

`ctrl+l` opens this dialog over whatever screen is shown; a keyboard-wedge
scanner set to send ``Ctrl+L`` before each label (its "prefix", docs/hardware.md)
opens it by itself, types the code and Enter: one scan, one step. The hall opens
in the checklist for maintenance, in the wizard otherwise (`VigikApp.open_code`).
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Static

from ..domain.search import code_candidate
from ..i18n import t
from ..widgets.translated import TranslatedModal


class LookupDialog(TranslatedModal[str | None]):
    """One line: a hall code, or a scanned label (its first line is the code)."""

    BINDINGS = [Binding("escape", "cancel", "dialog.key_cancel", id="dialog.cancel")]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(t("checklist.tui.lookup_prompt"), classes="prompt")
            yield Input(id="lookup-code")
            yield Static("", id="dialog-error", classes="error prompt")

    @on(Input.Submitted, "#lookup-code")
    def submit(self, event: Input.Submitted) -> None:
        code = code_candidate(event.value)
        if code is None:
            self.query_one("#dialog-error", Static).update(
                t("checklist.tui.lookup_bad", text=event.value.strip()))
            event.input.value = ""
            return
        self.dismiss(code)

    def action_cancel(self) -> None:
        self.dismiss(None)
