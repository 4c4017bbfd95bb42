"""The service-card registry: which landlord keeps which card, which service it
carries, whether it is still valid.

Every change goes through the store (ops in the journal). A card is known by
its fingerprint (`domain.identity`), never by any Vigik secret.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone

from ..i18n import TranslatedError
from . import names, reasons, rights
from .model import CARD_STATUSES
from .store import Store

ACTIVE, REVOKED = CARD_STATUSES


class CardRegistryError(TranslatedError):
    """Bad input for the registry; `str()` is the message (nothing was written)."""

    exit_code = 2


@dataclass(frozen=True, slots=True)
class Card:
    id: str
    fingerprint: str
    service: str
    landlord_id: str | None
    landlord: str | None
    status: str
    revoked_reason: str | None
    enrolled_at: str | None


@dataclass(frozen=True, slots=True)
class Verdict:
    """What `check` says about a presented card; `ok` decides the exit code."""

    fingerprint: str
    outcome: str            # ok | unknown | revoked | other_landlord
    card: Card | None

    @property
    def ok(self) -> bool:
        return self.outcome == "ok"


def normalise_fingerprint(text: str) -> str:
    """Accept any case and separators: ``3f2a9c01...`` → ``3F2A-9C01-...``."""
    digits = "".join(ch for ch in text.upper() if ch.isalnum())
    return "-".join(digits[i : i + 4] for i in range(0, len(digits), 4))


def find_landlord(conn: sqlite3.Connection, name: str) -> tuple[str, str]:
    """(id, name) of the landlord called `name` (case and accents ignored)."""
    rows = conn.execute("SELECT id, name FROM landlords WHERE name IS NOT NULL").fetchall()
    exact = names.matching(rows, name)
    if len(exact) == 1:
        return exact[0]
    partial = names.containing(rows, name)
    if len(exact) > 1 or (not exact and len(partial) > 1):
        matches = ", ".join(sorted(r[1] for r in (exact or partial))[:5])
        raise CardRegistryError("cards.ambiguous_landlord", name=name, matches=matches)
    if partial:
        return partial[0]
    known = ", ".join(sorted(r[1] for r in rows)[:8]) or "—"
    raise CardRegistryError("cards.unknown_landlord", name=name, known=known)


_SELECT = """SELECT c.id, c.fingerprint, c.service, c.landlord_id, l.name, c.status,
c.revoked_reason, c.enrolled_at FROM service_cards c
LEFT JOIN landlords l ON l.id = c.landlord_id"""


def cards(conn: sqlite3.Connection) -> list[Card]:
    """Every enrolled card, by landlord then service."""
    rows = conn.execute(_SELECT + " ORDER BY l.name, c.service, c.fingerprint").fetchall()
    return [Card(*row) for row in rows]


def find(conn: sqlite3.Connection, fingerprint: str) -> Card | None:
    row = conn.execute(_SELECT + " WHERE c.fingerprint = ?",
                       (normalise_fingerprint(fingerprint),)).fetchone()
    return Card(*row) if row else None


def _may(store: Store, field: str) -> None:
    """The registry is the pilot's: say so before looking anything up."""
    if not rights.may_write(store.role, "service_cards", field):
        raise rights.refuse_field(store.role, "service_cards", field)


def enroll(store: Store, fingerprint: str, landlord: str, service: str) -> Card:
    """Record a card presented on the reader as kept by `landlord`, carrying `service`."""
    _may(store, "fingerprint")
    service = service.strip()
    if not service:
        raise CardRegistryError("cards.empty_service")
    fingerprint = normalise_fingerprint(fingerprint)
    with store.transaction():
        landlord_id, _ = find_landlord(store.conn, landlord)
        existing = find(store.conn, fingerprint)
        if existing is not None:
            key = "cards.already_active" if existing.status == ACTIVE else "cards.already_revoked"
            raise CardRegistryError(key, fingerprint=fingerprint,
                                    landlord=existing.landlord or "—",
                                    service=existing.service,
                                    reason=existing.revoked_reason or "")
        store.create("service_cards", {
            "landlord_id": landlord_id, "fingerprint": fingerprint, "service": service,
            "status": ACTIVE,
            "enrolled_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        }, reason=reasons.code("cards.reason_enrolled"))
        card = find(store.conn, fingerprint)
    assert card is not None  # just written in this transaction
    return card


def revoke(store: Store, fingerprint: str, reason: str) -> Card:
    """Mark a card revoked (lost, stolen, broken); it stays listed with the reason."""
    _may(store, "status")
    reason = reason.strip()
    if not reason:
        raise CardRegistryError("cards.empty_reason")
    with store.transaction():
        card = find(store.conn, fingerprint)
        if card is None:
            raise CardRegistryError("cards.not_enrolled", fingerprint=normalise_fingerprint(fingerprint))
        if card.status == REVOKED:
            raise CardRegistryError("cards.already_revoked", fingerprint=card.fingerprint,
                                    landlord=card.landlord or "—", service=card.service,
                                    reason=card.revoked_reason or "")
        store.update("service_cards", card.id, {"status": REVOKED, "revoked_reason": reason},
                     reason=reason)
        updated = find(store.conn, card.fingerprint)
    assert updated is not None
    return updated


def check(conn: sqlite3.Connection, fingerprint: str, landlord: str | None = None) -> Verdict:
    """Is this card enrolled, active and (if asked) kept by that landlord?"""
    fingerprint = normalise_fingerprint(fingerprint)
    card = find(conn, fingerprint)
    if card is None:
        return Verdict(fingerprint, "unknown", None)
    if card.status != ACTIVE:
        return Verdict(fingerprint, "revoked", card)
    if landlord is not None:
        landlord_id, _ = find_landlord(conn, landlord)
        if card.landlord_id != landlord_id:
            return Verdict(fingerprint, "other_landlord", card)
    return Verdict(fingerprint, "ok", card)
