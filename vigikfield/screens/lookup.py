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

from ..domain import labels
from ..domain.search import code_candidate
from ..i18n import TranslatedError, t
from ..widgets.translated import TranslatedModal
from .route import _scan_key


class LookupDialog(TranslatedModal[str | None]):
    """One line: a hall code, or a scanned label (its first line is the code)."""

    BINDINGS = [Binding("escape", "cancel", "dialog.key_cancel", id="dialog.cancel")]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(t("checklist.tui.lookup_prompt"), classes="prompt")
            yield Input(id="lookup-code")
            yield Static("", id="dialog-error", classes="error prompt")

    SCAN_QUIET = 0.25  # seconds without a key that end a scan (as on the route)
    SCAN_WAIT = 0.8  # ... while lines of the label are still expected (a slow scanner)
    code: str | None = None
    expected: list[str] = []  # the label's lines still to come (`route._scan_key`)
    _timer = None

    @on(Input.Submitted, "#lookup-code")
    def submit(self, event: Input.Submitted) -> None:
        """A code: kept, and the label's other lines a wedge scanner types after it
        (each ended by Enter) are swallowed here, so that none of them reaches the
        hall's screen as a command. The label's lines are known (as on the route):
        once they have all come the hall opens; a quiet timer ends a scan whose lines
        do not come (a person who typed the code)."""
        text, event.input.value = event.value, ""
        if self.code is not None:
            if self.expected and _scan_key(text) == self.expected[0]:
                self.expected = self.expected[1:]
                if not self.expected:
                    self._done()
                    return
            self._wait_quiet()
            return
        code = code_candidate(text)
        if code is None:
            self.query_one("#dialog-error", Static).update(
                t("checklist.tui.lookup_bad", text=text.strip()))
            return
        self.code = code
        try:
            label, _ = labels.for_hall(self.app.store.conn, code)
            self.expected = [_scan_key(line) for line in label.lines[1:]]
        except TranslatedError:  # no such hall: said once the dialog is gone
            self.expected = []
        self._wait_quiet()

    @on(Input.Changed, "#lookup-code")
    def typed_on(self, event: Input.Changed) -> None:
        if self.code is not None and event.value:
            self._wait_quiet()

    def _wait_quiet(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(self.SCAN_WAIT if self.expected else self.SCAN_QUIET,
                                     self._done)

    def _done(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if self.is_current:
            self.dismiss(self.code)

    def action_cancel(self) -> None:
        self.dismiss(None)
