"""Chooses the hardware backends from configuration (environment variables).

- ``VIGIKFIELD_READER``: ``pcsc`` (default) | ``sim`` (the demo's cards) | ``none``
- ``VIGIKFIELD_CENTRALE``: ``manual`` (default) | ``serial:/dev/ttyUSB0`` | ``sim``
- ``VIGIKFIELD_SCANNER``: ``wedge`` (default) | ``serial:/dev/ttyACM0``

The CLI, the TUI and the tests build their hardware through `build()`.
Nothing is opened here except a serial scanner; readers and links connect on use.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .centrale import CentraleLink
from .errors import HardwareError
from .kit import Hardware
from .reader import CardReader
from .scanner import Scanner


class ConfigError(HardwareError):
    key = "hw.err.config"


@dataclass(frozen=True, slots=True)
class HardwareConfig:
    reader: str = "pcsc"
    centrale: str = "manual"
    scanner: str = "wedge"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> HardwareConfig:
        """From the settings (file, then ``VIGIKFIELD_*``; vigikfield/settings.py)."""
        from ..settings import load

        chosen = load(env)
        return cls(chosen.reader, chosen.centrale, chosen.scanner)


def make_reader(kind: str, sim_cards: Sequence[Mapping] = ()) -> CardReader | None:
    """The reader `kind` names; a simulated one holds `sim_cards` (the caller's: the
    demo's cards are domain data, `domain.demo.DEMO_CARDS`)."""
    if kind == "pcsc":
        from .pcsc import PcscReader

        return PcscReader()
    if kind == "sim":
        from .sim_reader import SimReader

        return SimReader(sim_cards)
    if kind == "none":
        return None
    raise ConfigError(variable="VIGIKFIELD_READER", value=kind, choices="pcsc, sim, none")


def make_centrale(kind: str) -> CentraleLink:
    if kind == "manual":
        from .links import ManualLink

        return ManualLink()
    if kind == "sim":
        from .links import SimLink

        return SimLink()
    if kind.startswith("serial:") and len(kind) > len("serial:"):
        from .serial_link import SerialLink

        return SerialLink(kind.split(":", 1)[1])
    raise ConfigError(variable="VIGIKFIELD_CENTRALE", value=kind,
                      choices="manual, sim, serial:/dev/ttyUSB0")


def make_scanner(kind: str) -> Scanner:
    if kind == "wedge":
        from .scanner import WedgeScanner

        return WedgeScanner()
    if kind.startswith("serial:") and len(kind) > len("serial:"):
        from .scanner import SerialScanner

        return SerialScanner(kind.split(":", 1)[1])
    raise ConfigError(variable="VIGIKFIELD_SCANNER", value=kind,
                      choices="wedge, serial:/dev/ttyACM0")


def build(config: HardwareConfig | None = None, *,
          sim_cards: Sequence[Mapping] = ()) -> Hardware:
    config = config or HardwareConfig.from_env()
    return Hardware(make_reader(config.reader, sim_cards), make_centrale(config.centrale),
                    make_scanner(config.scanner))


def demo_config() -> HardwareConfig:
    """What `vigikfield demo` uses: no hardware at all."""
    return HardwareConfig(reader="sim", centrale="sim", scanner="wedge")
