"""The Textual application: screens, global bindings, command palette."""

from __future__ import annotations

from pathlib import Path

from textual.binding import Binding

from . import paths
from .commands_palette import MainActions
from .domain.store import Store
from .i18n import t
from .screens.route import RouteScreen
from .widgets.translated import TranslatedApp


class VigikApp(TranslatedApp):
    """vigikfield's TUI. Receives its store and hardware backends from the factory."""

    CSS_PATH = "app.tcss"
    COMMANDS = TranslatedApp.COMMANDS | {MainActions}
    BINDINGS = [
        Binding("f1", "help", "tui.extra.key_help", id="help"),
        Binding("ctrl+q", "quit", "tui.key_quit", id="quit", priority=True),
    ]

    def __init__(self, store: Store, *, demo: bool = False, hardware: object | None = None,
                 labels_dir: Path | None = None, card_timeout: float = 15.0) -> None:
        super().__init__()
        self.store = store
        self.demo = demo
        self.hardware = hardware
        self.labels_dir = labels_dir or paths.data_dir() / "labels"
        self.card_timeout = card_timeout
        self.title = t("profile.header", name=store.actor or t("profile.nobody"),
                       role=t(f"rights.role.{store.role}"))
        self.sub_title = t("tui.subtitle_demo") if demo else t("tui.subtitle")

    def get_default_screen(self) -> RouteScreen:
        return RouteScreen()

    # -- navigation used by screens and the palette ---------------------------
    # Screens other than the route are imported when first opened: the route
    # is what a cold start must show quickly.
    def open_residence(self, residence_id: str) -> None:
        from .screens.residence import ResidenceScreen

        self.push_screen(ResidenceScreen(residence_id))

    def open_hall(self, hall_id: str) -> None:
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

    def action_open_sync_screen(self) -> None:
        self.open_sync()

    def open_sync(self) -> None:
        from .screens.pilot_sync import PilotSyncScreen

        self.push_screen(PilotSyncScreen())

    def action_help(self) -> None:
        from .screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(HelpScreen(self.screen))
