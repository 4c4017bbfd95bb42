"""Small modal dialogs: ask a short reason, pick one choice among a few, a QR in full.

Prompts are `Static` (class ``prompt``): they wrap to the dialog's width, never cut.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from ..i18n import t
from ..widgets.translated import TranslatedModal


class ReasonDialog(TranslatedModal[str | None]):
    """One line of text; Enter confirms (empty is refused), Escape cancels."""

    BINDINGS = [Binding("escape", "cancel", "dialog.key_cancel", id="dialog.cancel")]

    def __init__(self, question: str, value: str = "") -> None:
        super().__init__()
        self.question = question
        self.value = value

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.question, classes="prompt")
            yield Input(value=self.value, id="reason")
            yield Static("", id="dialog-error", classes="error prompt")

    @on(Input.Submitted, "#reason")
    def submit(self, event: Input.Submitted) -> None:
        if not event.value.strip():
            self.query_one("#dialog-error", Static).update(t("dialog.empty"))
            return
        self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)


class ChoiceDialog(TranslatedModal[str | None]):
    """Pick one of a few options (id, text); Enter picks, Escape cancels."""

    BINDINGS = [Binding("escape", "cancel", "dialog.key_cancel", id="dialog.cancel")]

    def __init__(self, question: str, choices: list[tuple[str, str]]) -> None:
        super().__init__()
        self.question = question
        self.choices = choices

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.question, classes="prompt")
            yield OptionList(*(Option(text, id=key) for key, text in self.choices), id="choices")

    @on(OptionList.OptionSelected, "#choices")
    def picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


class QrDialog(TranslatedModal[None]):
    """The label's QR, alone on the screen (``p`` at the label step when it does not fit)."""

    BINDINGS = [Binding("escape,p,enter", "close", "dialog.key_close", id="dialog.close")]

    def __init__(self, qr: str, lines: str) -> None:
        super().__init__()
        self.qr = qr
        self.lines = lines

    def compose(self) -> ComposeResult:
        with Vertical(id="qr-full"):
            yield Static(self.qr, id="qr-full-code")
            yield Static(self.lines, id="qr-full-text")

    def action_close(self) -> None:
        self.dismiss(None)
