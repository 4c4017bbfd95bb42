"""The Textual application: screens, global bindings, theme."""

from __future__ import annotations

from textual.binding import Binding

from .domain.store import Store
from .i18n import t
from .screens.route import RouteScreen
from .widgets.translated import TranslatedApp


class VigikApp(TranslatedApp):
    """vigikfield's TUI. Receives its store (and hardware backends) from the factory."""

    CSS_PATH = "app.tcss"
    ENABLE_COMMAND_PALETTE = True

    def __init__(self, store: Store, *, demo: bool = False, hardware: object | None = None) -> None:
        super().__init__()
        self.store = store
        self.demo = demo
        self.hardware = hardware
        self.title = "vigikfield"
        self.sub_title = t("tui.subtitle_demo") if demo else t("tui.subtitle")

    def get_default_screen(self) -> RouteScreen:
        return RouteScreen()

    BINDINGS = [
        Binding("ctrl+q", "quit", "tui.key_quit", id="quit", priority=True),
    ]
