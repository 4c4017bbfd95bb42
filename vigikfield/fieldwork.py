"""What the hall wizard asks of the hardware, joined to the registry.

Screens never talk to devices: they call these functions in thread workers.
Each one is bounded in time and turns every device problem into a plain
message, so the technician never waits on a spinner that doesn't end.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from .domain import cards
from .hardware.errors import HardwareError, NoCard, NoReader
from .i18n import t


@dataclass(frozen=True, slots=True)
class CardCheck:
    """The outcome of presenting a service card at the start of a hall."""

    kind: str                # ok | refused | no_reader | no_card | error
    message: str             # in the current language, ready to show
    fingerprint: str | None = None
    refusal: str | None = None  # when refused: one of wizard.CARD_REFUSALS

    @property
    def ok(self) -> bool:
        return self.kind == "ok"


def read_service_card(reader, conn: sqlite3.Connection, landlord: str | None,
                      timeout: float = 15.0) -> CardCheck:
    """Wait for a card, read it, and check it against the registry for `landlord`."""
    if reader is None:
        return CardCheck("no_reader", t("wizard.card.no_reader"))
    if landlord and not any(c.landlord == landlord for c in cards.cards(conn)):
        # No card of this landlord is enrolled, none could pass: say so now, don't wait.
        return CardCheck("refused", t("wizard.card.none_enrolled", landlord=landlord),
                         refusal="none_enrolled")
    try:
        if not reader.readers():
            raise NoReader()
        name = reader.wait_for_card(timeout)
        info = reader.read(name, timeout=5.0)
    except NoReader as exc:
        return CardCheck("no_reader", str(exc))
    except NoCard:
        return CardCheck("no_card", t("wizard.card.no_card"))
    except HardwareError as exc:
        return CardCheck("error", str(exc))
    verdict = cards.check(conn, info.fingerprint)
    card = verdict.card
    if verdict.outcome == "ok" and landlord and card is not None and card.landlord != landlord:
        return CardCheck("refused", t("wizard.card.other_landlord", landlord=card.landlord or "?"),
                         info.fingerprint, "other_landlord")
    if verdict.outcome == "unknown":
        return CardCheck("refused", t("wizard.card.unknown"), info.fingerprint, "unknown")
    if verdict.outcome == "revoked":
        return CardCheck("refused", t("wizard.card.revoked", reason=card.revoked_reason or "-"),
                         info.fingerprint, "revoked")
    return CardCheck("ok", t("wizard.card.ok", service=card.service, landlord=card.landlord or "-"),
                     info.fingerprint)


DEFAULT_SERVICE = "Police — code inter-bailleurs"


@dataclass(frozen=True, slots=True)
class ProgramResult:
    """What the centrale's driver reported after adding the service."""

    outcome: str                 # encoded | already_present | failed
    failure_reason: str | None   # memory_full | card_refused | unreachable | other
    message: str


def is_manual(link) -> bool:
    """True when the technician is the link (confirms the outcome by hand)."""
    from .hardware.links import ManualLink

    return link is None or isinstance(link, ManualLink)


_demo_units: dict[str, object] = {}


def link_for_hall(link, hall_id: str):
    """The link to use for one hall. A simulated unit stands for one centrale, so
    the demo gets a fresh simulated centrale per hall (kept for the session)."""
    from .hardware.links import SimLink
    from .hardware.simulator import CentraleUnit

    if not isinstance(link, SimLink):
        return link
    if hall_id not in _demo_units:
        _demo_units[hall_id] = SimLink(CentraleUnit(serial=f"SIM-{hall_id[:6].upper()}"))
    return _demo_units[hall_id]


def program_centrale(link, service: str, days: str, windows: list[list[str]]) -> ProgramResult:
    """Add `service` with its windows through a serial or simulated driver, then verify it."""
    from .domain.windows import Schedule, WindowError
    from .hardware.errors import DeviceRefused, LinkError, MemoryFull

    try:
        schedule = Schedule.parse(days, [f"{a}-{b}" for a, b in windows])
    except WindowError as exc:
        return ProgramResult("failed", "other", str(exc))
    try:
        result = link.add_service(service, schedule)
        entry = link.verify_service(service)
    except MemoryFull as exc:
        return ProgramResult("failed", "memory_full", str(exc))
    except DeviceRefused as exc:
        return ProgramResult("failed", "card_refused", str(exc))
    except LinkError as exc:
        return ProgramResult("failed", "unreachable", str(exc))
    except HardwareError as exc:
        return ProgramResult("failed", "other", str(exc))
    if entry is None:
        return ProgramResult("failed", "other", t("wizard.program.not_verified"))
    if result.outcome == "unchanged":
        return ProgramResult("already_present", None, t("wizard.program.already"))
    return ProgramResult("encoded", None, t("wizard.program.added"))


def insert_demo_card(reader, landlord: str | None) -> None:
    """Demo only: put the residence landlord's card on the simulated reader, as the
    technician does in the morning. Does nothing with a real reader."""
    from .hardware.sim_reader import SimReader

    if not isinstance(reader, SimReader) or reader.present is not None:
        return
    for index, card in enumerate(reader.cards):
        if card.get("landlord") == landlord:
            reader.insert(index)
            return
