"""The service-card reader interface: list readers, wait for a card, read it, watch it.

Backends: `pcsc.PcscReader` (pyscard, a real PC/SC stack) and
`sim_reader.SimReader` (the demo's cards, chosen by the caller). Both return a
`CardInfo`; the fingerprint is what the registry knows the card by.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass

from ..domain.identity import fingerprint

GET_UID = bytes.fromhex("FFCA000000")  # PC/SC GET DATA: the card's UID


@dataclass(frozen=True, slots=True)
class CardInfo:
    """One card as read: where, its ATR, its UID if it gave one, its fingerprint."""

    reader: str
    atr: bytes
    uid: bytes | None
    answer: bytes = b""   # the status word it answered GET DATA with, when refused

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.atr, self.uid, self.answer)

    @property
    def unique(self) -> bool:
        """False when only the ATR identifies it: two cards of a model look alike."""
        return self.uid is not None


@dataclass(frozen=True, slots=True)
class CardEvent:
    kind: str            # "inserted" | "removed"
    reader: str
    atr: bytes = b""


class Watch:
    """A running card watch; `stop()` ends it promptly (no 60 s join)."""

    def __init__(self, stop: Callable[[], None]) -> None:
        self._stop = stop

    def stop(self) -> None:
        self._stop()


class CardReader(ABC):
    """A place where a service card is presented."""

    @abstractmethod
    def readers(self) -> list[str]:
        """Names of the readers attached (NoReader is not raised: an empty list)."""

    @abstractmethod
    def wait_for_card(self, timeout: float, reader: str | None = None) -> str:
        """Block until a card is present; returns the reader's name. NoCard on timeout."""

    @abstractmethod
    def read(self, reader: str | None = None, timeout: float = 5.0) -> CardInfo:
        """ATR and UID of the card present now (NoCard, CardRemoved, DeviceTimeout...)."""

    @abstractmethod
    def watch(self, callback: Callable[[CardEvent], None],
              reader: str | None = None) -> Watch:
        """Call `callback` from a background thread on each insertion or removal."""

    def close(self) -> None:
        """Release what the backend holds (nothing by default)."""
