"""The centrale link interface: identify, add a service with its windows, verify.

Drivers: `links.ManualLink` (the technician presents the card and says what
happened: the default), `serial_link.SerialLink` (programming adapters that
speak docs/serial-protocol.md) and `links.SimLink` (an in-process simulated
unit, for the demo).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field

from ..domain.windows import Schedule


@dataclass(frozen=True, slots=True)
class ServiceEntry:
    name: str
    native: bool               # preloaded by the maker (La Poste, emergency services...)
    schedule: Schedule | None  # None when the unit does not say


@dataclass(frozen=True, slots=True)
class CentraleInfo:
    brand: str | None
    model: str | None
    firmware: str | None
    serial: str | None
    capacity: int | None       # non-native services it can hold
    used: int | None
    services: tuple[ServiceEntry, ...] = field(default_factory=tuple)

    def service(self, name: str) -> ServiceEntry | None:
        for entry in self.services:
            if entry.name.casefold() == name.casefold():
                return entry
        return None


@dataclass(frozen=True, slots=True)
class AddResult:
    outcome: str               # added | updated | unchanged (| refused for manual)
    entry: ServiceEntry | None
    note: str = ""


class CentraleLink(ABC):
    """One centrale, reached one way or another."""

    @abstractmethod
    def identify(self) -> CentraleInfo:
        """Brand, model, firmware, capacity and the services present with their windows."""

    @abstractmethod
    def add_service(self, name: str, schedule: Schedule) -> AddResult:
        """Install (or update) a service with a days mask and 1-3 windows."""

    @abstractmethod
    def verify_service(self, name: str) -> ServiceEntry | None:
        """The service as the unit holds it now, or None when absent."""

    def close(self) -> None:
        """Release the line (nothing by default)."""
