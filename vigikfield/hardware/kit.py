"""What the TUI and the CLI receive from the factory: the three devices, typed.

Screens read ``app.hardware.reader`` / ``.centrale`` / ``.scanner`` directly:
no probing with ``getattr``. A part left out is the safe default: no reader
(the card step says so), the manual centrale link (the technician states the
outcome), the keyboard-wedge scanner.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .centrale import CentraleLink
from .reader import CardReader
from .scanner import Scanner


def _manual_link() -> CentraleLink:
    from .links import ManualLink

    return ManualLink()


def _wedge_scanner() -> Scanner:
    from .scanner import WedgeScanner

    return WedgeScanner()


@dataclass
class Hardware:
    """A card reader (None when disabled), a centrale link, a scanner."""

    reader: CardReader | None = None
    centrale: CentraleLink = field(default_factory=_manual_link)
    scanner: Scanner = field(default_factory=_wedge_scanner)

    def close(self) -> None:
        for part in (self.reader, self.centrale, self.scanner):
            if part is not None:
                part.close()
