"""The in-process centrale links: manual (the technician is the link) and simulated.

*Manual* is the default, as most centrales are programmed by presenting the
service card to them: the driver does nothing to the unit; it records what the
technician states — what the centrale is, and what happened when the card was
presented — with the time, so the encoding can be logged truthfully.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from ..domain.windows import Schedule
from .centrale import AddResult, CentraleInfo, CentraleLink, ServiceEntry
from .errors import NeedsStatement
from .protocol import REQUEST, Frame, encode, parse_line
from .serial_link import SerialLink
from .simulator import CentraleUnit

OUTCOMES = ("added", "already_present", "refused")


@dataclass(frozen=True, slots=True)
class Statement:
    """One thing the technician said, and when."""

    at: str
    what: str                    # identity | outcome
    details: dict = field(default_factory=dict)


class ManualLink(CentraleLink):
    """The technician presents the card and says what the centrale did.

    Either call `state_outcome()` before `add_service()` (the TUI asks first),
    or give a `confirm(name, schedule) -> outcome` callback (the CLI prompts).
    Without either, `add_service` raises NeedsStatement: nothing is assumed.
    """

    def __init__(self, confirm: Callable[[str, Schedule], str] | None = None) -> None:
        self.confirm = confirm
        self.statements: list[Statement] = []
        self._identity = CentraleInfo(None, None, None, None, None, None)
        self._pending: tuple[str, str] | None = None
        self._services: dict[str, ServiceEntry] = {}

    def _say(self, what: str, **details: object) -> None:
        self.statements.append(Statement(datetime.now().isoformat(timespec="seconds"),
                                         what, dict(details)))

    def state_identity(self, brand: str | None, model: str | None,
                       capacity: int | None = None, serial: str | None = None) -> None:
        self._identity = CentraleInfo(brand, model, None, serial, capacity, None)
        self._say("identity", brand=brand, model=model, capacity=capacity, serial=serial)

    def state_outcome(self, outcome: str, note: str = "") -> None:
        """What happened when the card was presented: added, already_present or refused."""
        if outcome not in OUTCOMES:
            raise ValueError(outcome)
        self._pending = (outcome, note)

    def identify(self) -> CentraleInfo:
        return CentraleInfo(self._identity.brand, self._identity.model, None,
                            self._identity.serial, self._identity.capacity, None,
                            tuple(self._services.values()))

    def add_service(self, name: str, schedule: Schedule) -> AddResult:
        if self._pending is None and self.confirm is not None:
            self._pending = (self.confirm(name, schedule), "")
        if self._pending is None:
            raise NeedsStatement(service=name)
        (outcome, note), self._pending = self._pending, None
        self._say("outcome", service=name, schedule=schedule.wire, outcome=outcome, note=note)
        if outcome == "refused":
            return AddResult("refused", None, note)
        entry = ServiceEntry(name, False, schedule)
        self._services[name] = entry
        return AddResult("added" if outcome == "added" else "unchanged", entry, note)

    def verify_service(self, name: str) -> ServiceEntry | None:
        return self._services.get(name)


class SimLink(SerialLink):
    """A simulated unit in the same process (the demo), spoken to in real frames."""

    def __init__(self, unit: CentraleUnit | None = None) -> None:
        super().__init__("sim")
        self.unit = unit or CentraleUnit()

    def exchange(self, word: str, *fields: str) -> tuple[list[Frame], Frame]:
        self._seq = (self._seq + 1) % 256
        request = parse_line(encode(Frame(REQUEST, self._seq, word, tuple(fields))))
        replies = [parse_line(encode(reply)) for reply in self.unit.handle(request)]
        final = replies[-1]
        if final.word == "ERR":
            raise self._refusal(final)
        return replies[:-1], final

    def close(self) -> None:
        pass
