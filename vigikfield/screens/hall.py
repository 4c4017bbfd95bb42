"""The hall wizard: one step after another, each saved the moment it is confirmed.

compatibility → service card → encoding (outcome + windows) → door test →
label → done. The common case costs five keys: Enter (compatible), the card
is recognised by itself, Enter (encoded with the residence's windows), Enter
(door opened), Enter (label printed and attached), Enter (next hall).
"""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Footer, Header, Static

from .. import fieldwork
from ..domain import labels, wizard
from ..domain.model import FAILURE_REASONS, STEPS
from ..domain.values import BadValue
from ..domain.wizard import HallState, WizardError
from ..i18n import t
from ..widgets.translated import TranslatedScreen
from .dialogs import ChoiceDialog, ReasonDialog
from .windows import WindowsDialog, describe

WIZARD_STEPS = STEPS

# action -> steps where it applies (others: hidden from the footer, key inactive)
STEP_ACTIONS = {
    "confirm": set(WIZARD_STEPS) - {"card"},
    "incompatible": {"compatibility"},
    "verify_later": {"compatibility"},
    "edit_centrale": {"compatibility"},
    "retry_card": {"card"},
    "override_card": {"card"},
    "already": {"encoding"},
    "failed": {"encoding"},
    "windows": {"encoding"},
    "refuse": {"door", "label"},
    "no_access": set(WIZARD_STEPS) - {"done"},
}


class HallScreen(TranslatedScreen):
    """One hall, one attempt."""

    HELP = "help.hall"
    BINDINGS = [
        Binding("enter", "confirm", "wizard.key_confirm", id="wizard.confirm", priority=True),
        Binding("i", "incompatible", "wizard.key_incompatible", id="wizard.incompatible"),
        Binding("v", "verify_later", "wizard.key_verify_later", id="wizard.verify_later"),
        Binding("m", "edit_centrale", "wizard.key_edit_centrale", id="wizard.edit_centrale"),
        Binding("r", "retry_card", "wizard.key_retry_card", id="wizard.retry_card"),
        Binding("o", "override_card", "wizard.key_override_card", id="wizard.override_card"),
        Binding("d", "already", "wizard.key_already", id="wizard.already"),
        Binding("f", "failed", "wizard.key_failed", id="wizard.failed"),
        Binding("w", "windows", "wizard.key_windows", id="wizard.windows"),
        Binding("x", "refuse", "wizard.key_refuse", id="wizard.refuse"),
        Binding("a", "no_access", "wizard.key_no_access", id="wizard.no_access"),
        Binding("escape", "back", "wizard.key_back", id="wizard.back"),
    ]

    class CardRead(Message):
        def __init__(self, result: fieldwork.CardCheck) -> None:
            super().__init__()
            self.result = result

    class Programmed(Message):
        def __init__(self, result: fieldwork.ProgramResult) -> None:
            super().__init__()
            self.result = result

    def __init__(self, hall_id: str) -> None:
        super().__init__()
        self.hall_id = hall_id
        self.state: HallState | None = None
        self.card_message = ""
        self.card_reading = False
        self.programming = False
        self.label: labels.Label | None = None

    @property
    def store(self):
        return self.app.store

    # -- layout --------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="hall-banner")
        yield Static(id="stepper")
        with VerticalScroll(id="step-body"):
            yield Static(id="step-panel")
            yield Static(id="label-preview")
        yield Footer()

    def on_mount(self) -> None:
        self.state = wizard.open_hall(self.store, self.hall_id)
        self.days, self.windows = self.state.default_windows()
        enc = self.state.encoding or {}
        if enc.get("days") and enc.get("windows"):
            self.days, self.windows = enc["days"], wizard.decode_windows(enc["windows"])
        self.refresh_view()

    def refresh_view(self) -> None:
        state = self.state
        hall, residence = state.hall, state.residence
        self.query_one("#hall-banner", Static).update(t(
            "wizard.banner", label=hall.get("label") or "-", code=hall["code"],
            residence=residence.get("name") or "-",
            address=hall.get("address") or residence.get("address") or "-",
            dwellings=hall.get("dwellings") or "-",
            centrale=" ".join(x for x in (hall.get("brand"), hall.get("model")) if x) or "?",
            location=hall.get("centrale_location") or "?",
        ))
        step = state.step
        parts = []
        for name in WIZARD_STEPS:
            text = t("wizard.step." + name)
            parts.append(f"[reverse b] {text} [/]" if name == step else f" {text} ")
        self.query_one("#stepper", Static).update("›".join(parts))
        self.query_one("#step-panel", Static).update(self.panel_text())
        preview = self.query_one("#label-preview", Static)
        preview.display = step == "label"
        if step == "label":
            self.prepare_label()
        if step == "card" and not self.card_reading and not self.card_message:
            self.read_card()
        self.refresh_bindings()

    def panel_text(self) -> str:
        state, step = self.state, self.state.step
        if step == "compatibility":
            text = t("wizard.panel.compatibility",
                     vigik=t(f"wizard.vigik.{state.hall.get('vigik') or 'unknown'}"))
            done = [e for e in state.history if e.get("outcome")]
            if done:  # a hall visited before: say what happened last time
                last = done[-1]
                text = t("wizard.last_attempt", outcome=t(f"wizard.outcome.{last['outcome']}"),
                         when=(last.get("encoded_at") or "")[:10] or "-") + "\n\n" + text
            return text
        if step == "card":
            landlord = (state.landlord or {}).get("name") or "?"
            status = self.card_message or t("wizard.card.waiting")
            return t("wizard.panel.card", landlord=landlord, status=status)
        if step == "encoding":
            return t("wizard.panel.encoding", windows=describe(self.days, self.windows))
        if step == "door":
            return t("wizard.panel.door")
        if step == "label":
            return t("wizard.panel.label")
        return self.done_text()

    def done_text(self) -> str:
        enc = self.state.encoding or {}
        outcome = enc.get("outcome")
        summary = t(f"wizard.outcome.{outcome}") if outcome else t("wizard.outcome.to_verify")
        if enc.get("failure_reason"):
            summary += " — " + t(f"wizard.failure.{enc['failure_reason']}")
        if enc.get("notes"):
            summary += f" — {enc['notes']}"
        return t("wizard.panel.done", summary=summary)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        steps = STEP_ACTIONS.get(action)
        if steps is None:
            return True
        return self.state is not None and self.state.step in steps

    # -- saving --------------------------------------------------------------
    def apply(self, change, *args, **kwargs) -> None:
        """Run one wizard confirmation; show a refusal where the technician looks."""
        try:
            self.state = change(self.store, self.state, *args, **kwargs)
        except (WizardError, BadValue) as exc:
            self.notify(str(exc), severity="error")
            return
        self.refresh_view()

    # -- actions -------------------------------------------------------------
    def action_confirm(self) -> None:
        step = self.state.step
        if step == "compatibility":
            self.apply(wizard.confirm_compatibility, "compatible")
        elif step == "encoding":
            if fieldwork.is_manual(self.link):
                self.apply(wizard.confirm_encoding, "encoded", days=self.days, windows=self.windows)
            elif not self.programming:
                self.programming = True
                self.notify(t("wizard.program.running"))
                self.program()
        elif step == "door":
            self.apply(wizard.confirm_door, True)
        elif step == "label":
            self.print_label_and_attach()
        elif step == "done":
            self.app.next_hall(self.hall_id, self.state.hall["residence_id"])

    def action_incompatible(self) -> None:
        self.apply(wizard.confirm_compatibility, "incompatible")

    def action_verify_later(self) -> None:
        self.apply(wizard.confirm_compatibility, "unknown")

    def action_edit_centrale(self) -> None:
        current = " / ".join(x or "" for x in (self.state.hall.get("brand"), self.state.hall.get("model")))

        def done(value: str | None) -> None:
            if value:
                brand, _, model = value.partition("/")
                self._set_centrale(brand.strip(), model.strip())

        self.app.push_screen(ReasonDialog(t("wizard.ask.centrale"), current.strip(" /")), done)

    def _set_centrale(self, brand: str, model: str) -> None:
        self.apply(wizard.note_centrale, brand=brand, model=model)

    def action_retry_card(self) -> None:
        self.card_message = ""
        self.read_card()
        self.refresh_view()

    def action_override_card(self) -> None:
        def done(reason: str | None) -> None:
            if reason:
                self.apply(wizard.confirm_card, override_reason=reason)

        self.app.push_screen(ReasonDialog(t("wizard.ask.override")), done)

    def action_already(self) -> None:
        self.apply(wizard.confirm_encoding, "already_present", days=self.days, windows=self.windows)

    def action_failed(self) -> None:
        choices = [(r, t(f"wizard.failure.{r}")) for r in FAILURE_REASONS]

        def picked(reason: str | None) -> None:
            if reason is None:
                return
            if reason == "other":
                self.app.push_screen(
                    ReasonDialog(t("wizard.ask.failure_text")),
                    lambda text: text and self.apply(wizard.confirm_encoding, "failed",
                                                     failure_reason="other", notes=text),
                )
            else:
                self.apply(wizard.confirm_encoding, "failed", failure_reason=reason)

        self.app.push_screen(ChoiceDialog(t("wizard.ask.failure"), choices), picked)

    def action_windows(self) -> None:
        def done(value) -> None:
            if value:
                self.days, self.windows = value
                self.refresh_view()

        self.app.push_screen(WindowsDialog(self.days, self.windows), done)

    def action_refuse(self) -> None:
        if self.state.step == "door":
            self.apply(wizard.confirm_door, False)
        elif self.state.step == "label":
            self.apply(wizard.confirm_label, False)

    def action_no_access(self) -> None:
        def done(reason: str | None) -> None:
            if reason:
                self.apply(wizard.no_access, reason)

        self.app.push_screen(ReasonDialog(t("wizard.ask.no_access")), done)

    def action_back(self) -> None:
        self.app.pop_screen()

    # -- centrale --------------------------------------------------------------
    @property
    def link(self):
        return fieldwork.link_for_hall(getattr(self.app.hardware, "centrale", None), self.hall_id)

    @work(thread=True, exclusive=True, group="centrale", exit_on_error=False)
    def program(self) -> None:
        service = fieldwork.DEFAULT_SERVICE
        self.post_message(self.Programmed(
            fieldwork.program_centrale(self.link, service, self.days, self.windows)))

    def on_hall_screen_programmed(self, message: Programmed) -> None:
        self.programming = False
        result = message.result
        self.notify(result.message, severity="error" if result.outcome == "failed" else "information")
        if self.state.step == "encoding":
            self.apply(wizard.confirm_encoding, result.outcome, failure_reason=result.failure_reason,
                       days=self.days, windows=self.windows,
                       notes=result.message if result.outcome == "failed" else None)

    # -- card ----------------------------------------------------------------
    @work(thread=True, exclusive=True, group="card", exit_on_error=False)
    def read_card(self) -> None:
        self.card_reading = True
        landlord = (self.state.landlord or {}).get("name")
        reader = getattr(self.app.hardware, "reader", None)
        if self.app.demo:
            fieldwork.insert_demo_card(reader, landlord)
        result = fieldwork.read_service_card(reader, self.app.store.conn, landlord,
                                             timeout=self.app.card_timeout)
        self.post_message(self.CardRead(result))

    def on_hall_screen_card_read(self, message: CardRead) -> None:
        self.card_reading = False
        result = message.result
        self.card_message = result.message
        if result.ok and self.state.step == "card":
            self.notify(result.message)
            self.apply(wizard.confirm_card, fingerprint=result.fingerprint)
            return
        self.refresh_view()

    # -- label ---------------------------------------------------------------
    def prepare_label(self) -> None:
        from ..domain.label_render import terminal_preview

        try:
            self.label, _ = labels.for_hall(self.store.conn, self.state.hall["code"])
        except labels.LabelError as exc:
            self.notify(str(exc), severity="error")
            return
        preview = terminal_preview(self.label.payload, border=1)
        self.query_one("#label-preview", Static).update(
            "\n".join(self.label.lines) + "\n\n" + preview
        )

    def print_label_and_attach(self) -> None:
        from ..domain.label_render import write_label

        if self.label is not None:
            folder = self.app.labels_dir
            try:
                folder.mkdir(parents=True, exist_ok=True)
                path = folder / f"{self.label.code}.png"
                write_label(self.label, path, "roll-62mm")
                self.notify(t("wizard.label_written", path=path))
            except OSError as exc:
                self.notify(t("wizard.label_failed", error=exc.strerror or exc), severity="error")
                return
        self.apply(wizard.confirm_label, True)
