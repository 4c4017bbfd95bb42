"""The one factory that builds the TUI, for the CLI and for the tests."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .domain.store import Store

if TYPE_CHECKING:
    from .hardware.kit import Hardware


def make_app(store: Store, *, demo: bool = False, hardware: Hardware | None = None, **options):
    """The App on `store`. Textual is imported here, not by the CLI's other commands.

    `options` go to the App (labels_dir: where label PNGs go, beside the database
    unless set; card_timeout).
    """
    from .app import VigikApp

    return VigikApp(store, demo=demo, hardware=hardware, **options)


def run_tui(store: Store, *, demo: bool = False) -> None:
    from .hardware import factory

    config = factory.demo_config() if demo else factory.HardwareConfig.from_env()
    sim_cards = ()
    if config.reader == "sim":  # a simulated reader holds the demo's service cards
        from .domain.demo import DEMO_CARDS

        sim_cards = DEMO_CARDS
    hardware = factory.build(config, sim_cards=sim_cards)
    try:
        make_app(store, demo=demo, hardware=hardware).run()
    finally:
        hardware.close()
