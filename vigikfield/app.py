"""The Textual application: screens, global bindings, command palette, worker failures."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from textual import work
from textual.binding import Binding
from textual.worker import Worker, get_current_worker

from . import paths
from .commands_palette import MainActions
from .domain.profile import MAINTENANCE
from .domain.store import Store
from .hardware.kit import Hardware
from .hardware.scanner import WedgeScanner
from .i18n import TranslatedError, t
from .screens.route import RouteScreen
from .widgets.translated import TranslatedApp

# The keys that work on every screen (F1 help lists them after the screen's own).
GLOBAL_BINDINGS = [
    Binding("f1", "help", "tui.extra.key_help", id="help"),
    Binding("ctrl+s", "open_sync_screen", "tui.key_sync", id="sync"),
    Binding("ctrl+l", "lookup", "checklist.tui.key_lookup", id="lookup", priority=True,
            show=False),
    Binding("ctrl+p", "command_palette", "tui.key_palette", id="palette", show=False,
            priority=True),
    Binding("ctrl+q", "quit", "tui.key_quit", id="quit", priority=True),
]


def labels_folder(db_path: Path) -> Path:
    """Where the TUI writes label PNGs: beside the database (``terrain.db`` →
    ``terrain.labels/``), so that two databases never mix their labels."""
    return db_path.with_name(db_path.stem + ".labels")


class VigikApp(TranslatedApp):
    """vigikfield's TUI. Receives its store and hardware backends from the factory."""

    CSS_PATH = "app.tcss"
    COMMANDS = TranslatedApp.COMMANDS | {MainActions}
    BINDINGS = GLOBAL_BINDINGS

    def __init__(self, store: Store, *, demo: bool = False, hardware: Hardware | None = None,
                 labels_dir: Path | None = None, card_timeout: float = 15.0,
                 today: date | None = None) -> None:
        super().__init__()
        self._today = today  # fixed in tests and snapshots; None: the clock's
        self.store = store
        self.demo = demo
        self.hardware: Hardware = hardware if hardware is not None else Hardware()
        self.labels_dir = labels_dir or (labels_folder(store.path) if store.path.name
                                         else paths.data_dir() / "labels")
        self.card_timeout = card_timeout
        # Windows a technician chose for a residence's remaining halls (this session;
        # the residence's decided windows are the pilot's or maintenance's to write).
        self.session_windows: dict[str, tuple[str, list[list[str]]]] = {}
        # the demo is seen through its demo technician's eyes (his work order)
        role = "technician" if demo else store.role
        self.title = t("profile.header", name=store.actor or t("profile.nobody"),
                       role=t(f"rights.role.{role}"))
        self.sub_title = t("tui.subtitle_demo") if demo else t("tui.subtitle")

    def today(self) -> date:
        """The day the screens take as today (late items, the classification's window)."""
        return self._today or date.today()

    def get_default_screen(self):
        if self.maintenance:  # the landlord's staff open on their residences
            from .screens.checklist import ChecklistResidencesScreen

            return ChecklistResidencesScreen()
        return RouteScreen()

    @property
    def maintenance(self) -> bool:
        return not self.demo and self.store.role == MAINTENANCE

    def on_mount(self) -> None:
        """Back where the work stopped: a hall left mid-wizard (a crash, a flat battery)
        opens again over the route, at the step reached."""
        from .domain.status import hall_in_progress

        hall_id = hall_in_progress(self.store.conn, self.store.own_devices())
        if hall_id is not None:
            self.open_hall(hall_id)
        if not isinstance(self.hardware.scanner, WedgeScanner):
            self.watch_scanner()

    # -- label lookup, from any screen -------------------------------------------
    def action_lookup(self) -> None:
        from .screens.lookup import LookupDialog

        if isinstance(self.screen, LookupDialog):
            return
        self.push_screen(LookupDialog(), lambda code: code and self.open_code(code))

    def open_code(self, code: str) -> None:
        """Open the hall carrying this code (typed or scanned), if the profile may see it."""
        from .domain import scope
        from .domain.status import RETIRED

        try:
            hall = scope.find_hall(self.store, code)
        except TranslatedError as exc:
            self.notify(str(exc), severity="warning")
            return
        if hall.status == RETIRED and not self.maintenance:
            self.notify(t("checklist.tui.retired_hall", code=hall.code), severity="warning")
        self.open_hall(hall.id)
        # a label scanned at the door: the hall offers to report an access failure
        self.notify(t("failures.tui.lookup_hint_open" if hall.to_verify
                      else "failures.tui.lookup_hint", code=hall.code))

    @work(thread=True, exclusive=True, group="scanner", exit_on_error=False)
    def watch_scanner(self) -> None:
        """A serial scanner's labels open their hall wherever the app is."""
        worker = get_current_worker()
        while not worker.is_cancelled:
            code = self.hardware.scanner.read_code(0.5)
            if code and not worker.is_cancelled:
                self.call_from_thread(self.open_code, code)

    # -- worker failures, handled once -----------------------------------------
    def worker_failed(self, worker: Worker) -> None:
        """Every worker that raised ends here (screens forward theirs, see
        `TranslatedScreen`): the technician is told in their language, the
        traceback goes to the log, and the app goes on."""
        error = worker.error
        self.log.error(f"worker {worker.name!r} failed", error)
        if isinstance(error, TranslatedError):
            message = str(error)
        else:
            message = t("tui.worker_failed", error=f"{type(error).__name__}: {error}")
        self.notify(message, severity="error", timeout=10)

    # -- navigation used by screens and the palette ---------------------------
    # Screens other than the route are imported when first opened: the route
    # is what a cold start must show quickly.
    def open_residence(self, residence_id: str) -> None:
        from .screens.residence import ResidenceScreen

        self.push_screen(ResidenceScreen(residence_id))

    def open_hall(self, hall_id: str) -> None:
        """A hall: its checklist for maintenance, the wizard otherwise."""
        if self.maintenance:
            from .screens.checklist import ChecklistHallScreen

            self.push_screen(ChecklistHallScreen(hall_id))
            return
        from .screens.hall import HallScreen

        self.push_screen(HallScreen(hall_id))

    def next_hall(self, after: str, residence_id: str) -> None:
        """Replace the hall screen with the residence's next pending hall."""
        from .domain.wizard import next_pending_hall

        hall_id = next_pending_hall(self.store, residence_id, after=after)
        self.pop_screen()
        if hall_id is None:
            self.notify(t("residence.none_pending"))
            return
        self.open_hall(hall_id)

    def open_checklist(self) -> None:
        """The landlord's checklist (residences → halls → a hall), for the pilot too."""
        from .screens.checklist import ChecklistResidencesScreen

        if not isinstance(self.screen, ChecklistResidencesScreen):
            self.push_screen(ChecklistResidencesScreen())

    def action_open_sync_screen(self) -> None:
        self.open_sync()

    def open_sync(self) -> None:
        from .screens.pilot_sync import PilotSyncScreen

        if isinstance(self.screen, PilotSyncScreen):
            return
        self.push_screen(PilotSyncScreen())

    def action_open_work_orders(self) -> None:
        from datetime import date

        from .screens.work_orders import WorkOrdersScreen

        if not isinstance(self.screen, WorkOrdersScreen):
            self.push_screen(WorkOrdersScreen(today=date.today()))  # late: as the calendars say

    def action_open_dashboard(self) -> None:
        self.open_dashboard()

    def open_dashboard(self) -> None:
        from .screens.dashboard import DashboardScreen

        if not isinstance(self.screen, DashboardScreen):
            self.push_screen(DashboardScreen())

    def action_open_calendar(self) -> None:
        from datetime import date

        from .screens.calendar import CalendarScreen

        if not isinstance(self.screen, CalendarScreen):
            self.push_screen(CalendarScreen(date.today()))  # today: the clock, read here

    def action_help(self) -> None:
        from .screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(HelpScreen(self.screen))
