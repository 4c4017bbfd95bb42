"""The one factory that builds the TUI, for the CLI and for the tests."""

from __future__ import annotations

from .domain.store import Store


def make_app(store: Store, *, demo: bool = False, hardware: object | None = None):
    """The App on `store`. Textual is imported here, not by the CLI's other commands."""
    from .app import VigikApp

    return VigikApp(store, demo=demo, hardware=hardware)


def run_tui(store: Store, *, demo: bool = False) -> None:
    make_app(store, demo=demo).run()
