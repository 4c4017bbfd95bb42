"""Bindings whose descriptions are message ids, translated when the node is built;
Textual's own palette commands in the user's language; worker failures handled once.

Textual merges ``BINDINGS`` once, when the class is created; vigikfield picks
the language at run time (``--lang``). So BINDINGS hold message ids
(``"route.key_search"``) and each node translates its own copy on creation.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Generic, TypeVar

from textual.app import App, SystemCommand
from textual.command import CommandPalette
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.worker import Worker, WorkerState

from ..i18n import t


def translate_bindings(node: DOMNode) -> None:
    table = node._bindings.key_to_bindings
    for key, bindings in table.items():
        table[key] = [
            replace(b, description=t(b.description), tooltip=t(b.tooltip) if b.tooltip else "")
            if b.description else b
            for b in bindings
        ]


class _ForwardsWorkerFailures:
    """Worker.StateChanged does not bubble: every screen hands its failed workers
    to the app (`worker_failed`), then cleans up its own state (`worker_failed`
    on the screen, e.g. the hall wizard's "card being read" flag)."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state != WorkerState.ERROR:
            return
        own = getattr(type(self), "worker_failed", None)
        if own is not None:
            own(self, event.worker)
        self.app.worker_failed(event.worker)


class TranslatedScreen(_ForwardsWorkerFailures, Screen):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        translate_bindings(self)

    def worker_failed(self, worker: Worker) -> None:
        """Undo what a failed worker of this screen left half done (nothing by default)."""


ResultType = TypeVar("ResultType")


class TranslatedModal(_ForwardsWorkerFailures, ModalScreen[ResultType], Generic[ResultType]):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        translate_bindings(self)


class TranslatedApp(App):
    """Textual's system commands (theme, keys panel, maximize, screenshot) in the
    user's language; no second "Quit" (the palette's own actions have one)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        translate_bindings(self)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield SystemCommand(t("palette.theme"), t("palette.theme_help"), self.action_change_theme)
        if screen.query("HelpPanel"):
            yield SystemCommand(t("palette.keys"), t("palette.keys_hide_help"),
                                self.action_hide_help_panel)
        else:
            yield SystemCommand(t("palette.keys"), t("palette.keys_help"),
                                self.action_show_help_panel)
        if screen.maximized is not None:
            yield SystemCommand(t("palette.minimize"), t("palette.minimize_help"),
                                screen.action_minimize)
        elif screen.focused is not None and screen.focused.allow_maximize:
            yield SystemCommand(t("palette.maximize"), t("palette.maximize_help"),
                                screen.action_maximize)
        yield SystemCommand(t("palette.screenshot"), t("palette.screenshot_help"),
                            lambda: self.set_timer(0.1, self.deliver_screenshot))

    def action_command_palette(self) -> None:
        if self.use_command_palette and not CommandPalette.is_open(self):
            self.push_screen(CommandPalette(id="--command-palette",
                                            placeholder=t("palette.placeholder")))
