"""The hall wizard: one step after another, each saved the moment it is confirmed.

compatibility → service card → encoding (outcome + windows) → door test →
label → done. The common case costs five keys: Enter (compatible), the card
is recognised by itself, Enter (encoded with the residence's windows), Enter
(door opened), Enter (label printed and attached), Enter (next hall).

At the door step, ``x`` (the door does not open) ends the attempt failed, with
no label; ``a`` (the door can't be tested) keeps the hall encoded, flagged
"door not tested", and goes on to the label.
"""

from __future__ import annotations

from rich.markup import escape
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import Footer, Header, Static
from textual.worker import Worker

from .. import fieldwork
from ..domain import authorisations, labels, wizard
from ..domain.model import PROGRAMMING_FAILURES, STEPS
from ..domain.rights import may_write
from ..domain.values import BadValue
from ..domain.wizard import HallState, WizardError
from ..i18n import t
from ..widgets.translated import TranslatedScreen
from . import failure
from .dialogs import ChoiceDialog, QrDialog, ReasonDialog
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
    "override_refusal": {"card"},
    "enlarge_qr": {"label"},
    "already": {"encoding"},
    "failed": {"encoding"},
    "windows": {"encoding"},
    "refuse": {"door", "label"},
    "no_access": {"compatibility", "card", "encoding", "door"},  # at the door: not tested
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
        Binding("ctrl+o", "override_refusal", "wizard.key_override_refusal",
                id="wizard.override_refusal"),
        Binding("p", "enlarge_qr", "wizard.key_enlarge_qr", id="wizard.enlarge_qr"),
        Binding("d", "already", "wizard.key_already", id="wizard.already"),
        Binding("f", "failed", "wizard.key_failed", id="wizard.failed"),
        Binding("w", "windows", "wizard.key_windows", id="wizard.windows"),
        Binding("x", "refuse", "wizard.key_refuse", id="wizard.refuse"),
        Binding("a", "no_access", "wizard.key_no_access", id="wizard.no_access"),
        Binding("escape", "back", "wizard.key_back", id="wizard.back"),
        # an access failure reported at this hall, or its reports closed (screens/failure.py)
        Binding("s", "report_failure", "failures.tui.key_report", id="failures.report",
                show=False),
        Binding("k", "close_failures", "failures.tui.key_close", id="failures.close",
                show=False),
    ]

    class CardRead(Message):
        def __init__(self, result: fieldwork.CardCheck) -> None:
            super().__init__()
            self.result = result

    class Programmed(Message):
        def __init__(self, result: fieldwork.ProgramResult) -> None:
            super().__init__()
            self.result = result

    class LabelWritten(Message):
        def __init__(self, path, error: str | None) -> None:
            super().__init__()
            self.path = path
            self.error = error

    # Rows around the label preview: header, banner (2), stepper and its margin,
    # the step's text (3) and its margin, footer.
    LABEL_CHROME = 10

    def __init__(self, hall_id: str) -> None:
        super().__init__()
        self.hall_id = hall_id
        self.state: HallState | None = None
        self.card_message = ""
        self.card_result: fieldwork.CardCheck | None = None
        self.windows_source = "default"  # residence | default | hall | session | attempt
        self.writing_label = False
        self.qr_text = ""
        self.card_reading = False
        self.programming = False
        self.label: labels.Label | None = None
        self.offered_closure = False

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
            with Horizontal(id="label-preview"):
                yield Static(id="label-qr")
                yield Static(id="label-text")
        yield Footer()

    def on_mount(self) -> None:
        self.state = wizard.open_hall(self.store, self.hall_id, self.app.today())
        residence_id = self.state.hall["residence_id"]
        chosen = self.app.session_windows.get(residence_id)
        if chosen is not None:
            (self.days, self.windows), self.windows_source = chosen, "session"
        else:
            self.days, self.windows = self.state.default_windows()
            self.windows_source = "residence" if self.state.residence.get("windows") else "default"
            if self.state.authorisation and self.state.authorisation.schedule():
                self.windows_source = "authorisation"
        enc = self.state.encoding or {}
        if enc.get("days") and enc.get("windows"):
            self.days, self.windows = enc["days"], wizard.decode_windows(enc["windows"])
            self.windows_source = "attempt"
        self.refresh_view()

    def on_resize(self) -> None:
        if self.state is not None and self.state.step == "label":
            self.show_label_preview()

    def worker_failed(self, worker: Worker) -> None:
        """A worker that raised leaves nothing half set: Enter and r work again."""
        if worker.group == "card":
            self.card_reading = False
            self.card_result = fieldwork.CardCheck("error", t("wizard.card.failed"))
            self.card_message = self.card_result.message
        elif worker.group == "centrale":
            self.programming = False
        elif worker.group == "label":
            self.writing_label = False
        if self.state is not None:
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
        panel = self.panel_text()
        reported = failure.open_line(self.store, self.hall_id)
        if reported:  # an open access-failure report: the hall is to verify
            panel = f"[b yellow]{reported}[/]\n\n{panel}"
        self.query_one("#step-panel", Static).update(panel)
        if reported and step == "done" and not self.offered_closure \
                and (state.encoding or {}).get("outcome") in wizard.PROGRAMMED:
            self.offered_closure = True  # once: the hall is encoded again, close its reports?
            failure.offer_closure(self, self.hall_id, self._failures_changed)
        preview = self.query_one("#label-preview")
        preview.display = step == "label"
        if step == "label":
            self.prepare_label()
        if step == "card" and not self.card_reading and not self.card_message:
            self.start_card_read()
        self.refresh_bindings()

    def panel_text(self) -> str:
        state, step = self.state, self.state.step
        if step == "compatibility":
            text = t("wizard.panel.compatibility",
                     vigik=t(f"wizard.vigik.{state.hall.get('vigik') or 'unknown'}"))
            decided = state.status
            if decided is not None and decided.decided_by:  # visited before: the hall's status
                text = t("wizard.last_attempt", outcome=t(f"status.hall.{decided.status}"),
                         when=(decided.decided_at or "")[:10] or "-") + "\n\n" + text
            if state.authorisation is not None and state.authorisation.blocking:
                # said before the card: the landlord's decision, by whom and when
                text = f"[b]{escape(authorisations.describe(state.authorisation))}[/b]\n\n" + text
            return text
        if step == "card":
            landlord = (state.landlord or {}).get("name") or "?"
            status = self.card_message or t("wizard.card.waiting")
            return t("wizard.panel.card", landlord=landlord, status=status)
        if step == "encoding":
            source = ("authorisations.windows_from" if self.windows_source == "authorisation"
                      else f"wizard.windows_from.{self.windows_source}")
            return t("wizard.panel.encoding", windows=describe(self.days, self.windows),
                     source=t(source))
        if step == "door":
            return t("wizard.panel.door")
        if step == "label":
            return t("wizard.panel.label", folder=self.app.labels_dir)
        return self.done_text()

    def done_text(self) -> str:
        enc = self.state.encoding or {}
        outcome = enc.get("outcome")
        summary = t(f"wizard.outcome.{outcome}") if outcome else t("wizard.outcome.to_verify")
        if enc.get("failure_reason"):
            summary += " — " + t(f"wizard.failure.{enc['failure_reason']}")
        if enc.get("notes"):
            summary += f" — {enc['notes']}"
        if outcome in wizard.PROGRAMMED and enc.get("door_opened") is None:
            summary += " — " + t("wizard.door_not_tested")
        return t("wizard.panel.done", summary=summary)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        steps = STEP_ACTIONS.get(action)
        if steps is None:
            return True
        if self.state is None or self.state.step not in steps:
            return False
        kind = self.card_result.kind if self.card_result else None
        if action == "override_card":  # no reader (or a reader in trouble): never after a refusal
            return kind in ("no_reader", "error")
        if action == "override_refusal":
            return kind == "refused"
        if action == "enlarge_qr":
            return bool(self.qr_text)
        return True

    # -- saving --------------------------------------------------------------
    def apply(self, change, *args, **kwargs) -> None:
        """Run one wizard confirmation; show a refusal where the technician looks."""
        if change in (wizard.confirm_compatibility, wizard.confirm_encoding):
            kwargs.setdefault("today", self.app.today())  # an authorisation may have expired
        try:
            self.state = change(self.store, self.state, *args, **kwargs)
        except (WizardError, BadValue, authorisations.AuthorisationError) as exc:
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
        elif step == "label" and not self.writing_label:
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
        if self.card_reading:
            return
        self.card_message = ""
        self.card_result = None
        self.start_card_read()
        self.refresh_view()

    def action_override_card(self) -> None:
        def done(reason: str | None) -> None:
            if reason:
                self.apply(wizard.confirm_card, override_reason=reason)

        self.app.push_screen(ReasonDialog(t("wizard.ask.override")), done)

    def action_override_refusal(self) -> None:
        """The card was read and refused: going on anyway is its own action, with a
        reason, recorded as a refusal overridden and shown to the pilot."""
        result = self.card_result
        if result is None or result.kind != "refused":
            return

        def done(reason: str | None) -> None:
            if reason:
                self.apply(wizard.override_card_refusal, refusal=result.refusal or "unknown",
                           reason=reason, fingerprint=result.fingerprint)

        self.app.push_screen(ReasonDialog(t("wizard.ask.override_refusal",
                                            refusal=result.message)), done)

    def action_enlarge_qr(self) -> None:
        if self.qr_text:
            self.app.push_screen(QrDialog(self.qr_text, "\n".join(self.label.lines)))

    def action_already(self) -> None:
        self.apply(wizard.confirm_encoding, "already_present", days=self.days, windows=self.windows)

    def action_failed(self) -> None:
        choices = [(r, t(f"wizard.failure.{r}")) for r in PROGRAMMING_FAILURES]

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
            if not value:
                return
            self.days, self.windows = value
            self.windows_source = "hall"
            self.refresh_view()
            others = wizard.pending_halls(self.store, self.state.hall["residence_id"],
                                          after=self.hall_id)
            if others:
                self.offer_for_residence(len(others))

        self.app.push_screen(WindowsDialog(self.days, self.windows), done)

    def offer_for_residence(self, count: int) -> None:
        """One key (Enter) applies the new windows to the residence's remaining halls."""
        decides = may_write(self.store.role, "residences", "windows")
        choices = [("residence", t("wizard.windows_scope.residence_decided" if decides
                                   else "wizard.windows_scope.residence_session", count=count)),
                   ("hall", t("wizard.windows_scope.hall"))]

        def picked(scope: str | None) -> None:
            if scope != "residence":
                return
            residence_id = self.state.hall["residence_id"]
            if decides:
                self.apply(wizard.decide_residence_windows, self.days, self.windows)
                self.app.session_windows.pop(residence_id, None)
                self.windows_source = "residence"
            else:
                self.app.session_windows[residence_id] = (self.days, self.windows)
                self.windows_source = "session"
            self.refresh_view()

        self.app.push_screen(ChoiceDialog(t("wizard.ask.windows_scope",
                                            windows=describe(self.days, self.windows)), choices),
                             picked)

    def action_refuse(self) -> None:
        if self.state.step == "door":
            self.apply(wizard.confirm_door, False)
        elif self.state.step == "label":
            self.apply(wizard.confirm_label, False)

    def action_no_access(self) -> None:
        def done(reason: str | None) -> None:
            if reason:
                self.apply(wizard.no_access, reason)

        def not_tested(reason: str | None) -> None:
            if reason:
                self.apply(wizard.door_not_tested, reason)

        if self.state.step == "door":  # the centrale holds the service: the door is not tested
            self.app.push_screen(ReasonDialog(t("wizard.ask.door_not_tested")), not_tested)
            return
        self.app.push_screen(ReasonDialog(t("wizard.ask.no_access")), done)

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_report_failure(self) -> None:
        failure.report_failure(self, self.hall_id, self._failures_changed)

    def action_close_failures(self) -> None:
        failure.close_failures(self, self.hall_id, self._failures_changed)

    def _failures_changed(self) -> None:
        if self.state is not None:
            self.refresh_view()

    # -- centrale --------------------------------------------------------------
    @property
    def link(self):
        return fieldwork.link_for_hall(self.app.hardware.centrale, self.hall_id)

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
    def start_card_read(self) -> None:
        self.card_reading = True  # set here, on the UI thread: no second read meanwhile
        self.read_card()

    @work(thread=True, exclusive=True, group="card", exit_on_error=False)
    def read_card(self) -> None:
        landlord = (self.state.landlord or {}).get("name")
        reader = self.app.hardware.reader
        if self.app.demo:
            fieldwork.insert_demo_card(reader, landlord)
        result = fieldwork.read_service_card(reader, self.app.store.conn, landlord,
                                             timeout=self.app.card_timeout)
        self.post_message(self.CardRead(result))

    def on_hall_screen_card_read(self, message: CardRead) -> None:
        self.card_reading = False
        result = message.result
        self.card_result = result
        self.card_message = result.message
        if result.ok and self.state.step == "card":
            self.notify(result.message)
            self.apply(wizard.confirm_card, fingerprint=result.fingerprint)
            return
        self.refresh_view()

    # -- label ----------------------------------------------------------------
    def prepare_label(self) -> None:
        from ..domain.label_render import terminal_preview

        try:
            self.label, _ = labels.for_hall(self.store.conn, self.state.hall["code"])
        except labels.LabelError as exc:
            self.notify(str(exc), severity="error")
            return
        self.qr_text = terminal_preview(self.label.payload, border=1, small=True)
        self.show_label_preview()

    def show_label_preview(self) -> None:
        """The QR beside the label's lines when it fits; else the lines and "p to enlarge"."""
        if self.label is None or not self.qr_text:
            return
        rows = self.qr_text.count("\n") + 1
        fits = rows + self.LABEL_CHROME <= self.size.height
        text = "\n".join(self.label.lines)
        qr = self.query_one("#label-qr", Static)
        qr.display = fits
        if fits:
            qr.update(self.qr_text)
        else:
            text += "\n\n" + t("wizard.label_enlarge")
        self.query_one("#label-text", Static).update(text)

    def print_label_and_attach(self) -> None:
        if self.label is None:
            self.apply(wizard.confirm_label, True)
            return
        self.writing_label = True
        self.write_png(self.label, self.app.labels_dir)

    @work(thread=True, exclusive=True, group="label", exit_on_error=False)
    def write_png(self, label, folder) -> None:
        """PNG writing is slow (fonts, QR, a 62 mm roll at 300 dpi): off the UI thread."""
        from ..domain.label_render import write_label

        path = folder / f"{label.code}.png"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            write_label(label, path, "roll-62mm")
        except OSError as exc:
            self.post_message(self.LabelWritten(path, str(exc.strerror or exc)))
            return
        self.post_message(self.LabelWritten(path, None))

    def on_hall_screen_label_written(self, message: LabelWritten) -> None:
        self.writing_label = False
        if message.error is not None:
            self.notify(t("wizard.label_failed", error=message.error), severity="error")
            return
        self.notify(t("wizard.label_written", path=message.path))
        if self.state.step == "label":
            self.apply(wizard.confirm_label, True)
