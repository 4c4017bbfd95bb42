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

    @property
    def ok(self) -> bool:
        return self.kind == "ok"


def read_service_card(reader, conn: sqlite3.Connection, landlord: str | None,
                      timeout: float = 15.0) -> CardCheck:
    """Wait for a card, read it, and check it against the registry for `landlord`."""
    if reader is None:
        return CardCheck("no_reader", t("wizard.card.no_reader"))
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
                         info.fingerprint)
    if verdict.outcome == "unknown":
        return CardCheck("refused", t("wizard.card.unknown"), info.fingerprint)
    if verdict.outcome == "revoked":
        return CardCheck("refused", t("wizard.card.revoked", reason=card.revoked_reason or "-"),
                         info.fingerprint)
    return CardCheck("ok", t("wizard.card.ok", service=card.service, landlord=card.landlord or "-"),
                     info.fingerprint)
