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

    SCAN_QUIET = 0.25  # seconds without a key that end a scan (as on the route)
    code: str | None = None
    _timer = None

    @on(Input.Submitted, "#lookup-code")
    def submit(self, event: Input.Submitted) -> None:
        """A code: kept, and the label's other lines a wedge scanner types after it
        (each ended by Enter) are swallowed here until the keys stop, so that none
        of them reaches the hall's screen as a command."""
        event.input.value = ""
        if self.code is not None:
            self._wait_quiet()
            return
        code = code_candidate(event.value)
        if code is None:
            self.query_one("#dialog-error", Static).update(
                t("checklist.tui.lookup_bad", text=event.value.strip()))
            return
        self.code = code
        self._wait_quiet()

    @on(Input.Changed, "#lookup-code")
    def typed_on(self, event: Input.Changed) -> None:
        if self.code is not None and event.value:
            self._wait_quiet()

    def _wait_quiet(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(self.SCAN_QUIET, self._done)

    def _done(self) -> None:
        self.dismiss(self.code)

    def action_cancel(self) -> None:
        self.dismiss(None)
