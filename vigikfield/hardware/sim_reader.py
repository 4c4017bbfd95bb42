"""A simulated reader holding the demo's service cards.

The caller (the TUI's demo panel, the tests) chooses which card is on the
reader with `insert()` and takes it off with `remove()`; waits and watches see
these as real insertions and removals.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence

from .errors import NoCard, NoReader
from .reader import CardEvent, CardInfo, CardReader, Watch

SIM_READER = "Lecteur simulé 00"


class SimReader(CardReader):
    """One virtual reader; `cards` are dicts with ``atr`` and ``uid`` in hex (the
    factory gives it the demo's, see `factory.build`)."""

    def __init__(self, cards: Sequence[Mapping] | None = None, name: str = SIM_READER) -> None:
        self.name = name
        self._cards = list(cards or ())
        self._present: CardInfo | None = None
        self._changed = threading.Condition()
        self._watchers: list[Callable[[CardEvent], None]] = []

    @property
    def cards(self) -> list[Mapping]:
        """The cards one can put on this reader."""
        return self._cards

    def insert(self, card: Mapping | int) -> CardInfo:
        """Put a card on the reader: one of `cards` by index, or any dict with atr/uid."""
        chosen = self.cards[card] if isinstance(card, int) else card
        uid = chosen.get("uid")
        info = CardInfo(self.name, bytes.fromhex(chosen["atr"]),
                        bytes.fromhex(uid) if uid else None,
                        b"" if uid else bytes.fromhex(chosen.get("answer", "6A81")))
        self._set(info)
        return info

    def remove(self) -> None:
        self._set(None)

    @property
    def present(self) -> CardInfo | None:
        return self._present

    def _set(self, info: CardInfo | None) -> None:
        with self._changed:
            before, self._present = self._present, info
            self._changed.notify_all()
            watchers = list(self._watchers)
        events = []
        if before is not None:
            events.append(CardEvent("removed", self.name, before.atr))
        if info is not None:
            events.append(CardEvent("inserted", self.name, info.atr))
        for event in events:
            for callback in watchers:
                callback(event)

    def _check(self, reader: str | None) -> None:
        if reader is not None and reader.lower() not in self.name.lower():
            raise NoReader("hw.err.unknown_reader", reader=reader)

    def readers(self) -> list[str]:
        return [self.name]

    def wait_for_card(self, timeout: float, reader: str | None = None) -> str:
        self._check(reader)
        deadline = time.monotonic() + timeout
        with self._changed:
            while self._present is None:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise NoCard()
                self._changed.wait(remaining)
        return self.name

    def read(self, reader: str | None = None, timeout: float = 5.0) -> CardInfo:
        self.wait_for_card(timeout, reader)
        info = self._present
        if info is None:  # removed between the wait and now
            raise NoCard()
        return info

    def watch(self, callback: Callable[[CardEvent], None],
              reader: str | None = None) -> Watch:
        self._check(reader)
        with self._changed:
            self._watchers.append(callback)

        def stop() -> None:
            with self._changed:
                if callback in self._watchers:
                    self._watchers.remove(callback)

        return Watch(stop)
