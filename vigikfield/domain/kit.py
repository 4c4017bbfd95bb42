"""The programming kit and the police side: what the kit holds, what the
territory needs beyond it, the police offices' equipment (seed 000, "Un kit de
chargement ou de programmation comprend", "Les besoins des services de Polices").

Every landlord keeps one service card (seed: "Garder un exemplaire par bailleur
d'une carte service créée"); the kit holds 5, so a territory with more
landlords needs extra cards; badges beyond the kit's 10 are bought apart.
Figures are SQL aggregates; nothing here imports Textual.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from . import names


@dataclass(frozen=True, slots=True)
class KitItem:
    key: str        # stable (JSON); its name is the catalog key ``kit.item.<key>``
    quantity: int


KIT: tuple[KitItem, ...] = (
    KitItem("usb_encoder", 1),           # agents' badges, and a VIGIK smart-card reader
    KitItem("administrative_card", 1),   # the one card that initialises the code: keep it
    KitItem("service_card", 5),          # to install the service on the centrales
    KitItem("agent_badge", 10),          # rechargeable through the encoder
    KitItem("charging_software", 1),     # Windows
    KitItem("usb_cable", 1),
    KitItem("manual", 1),
)
IN_KIT: dict[str, int] = {item.key: item.quantity for item in KIT}
SERVICE_CARDS_IN_KIT = IN_KIT["service_card"]
AGENT_BADGES_IN_KIT = IN_KIT["agent_badge"]


def extra(needed: int, in_kit: int) -> int:
    """What must be bought beyond the kit's `in_kit` to have `needed`."""
    return max(0, needed - in_kit)


@dataclass(frozen=True, slots=True)
class Office:
    office_id: str
    name: str | None
    commune: str | None
    kind: str | None
    stations: int | None
    stations_installed: int | None
    station_planned: str | None
    station_installed: str | None
    computers: int | None
    agent_badges: int | None


_OFFICES = """SELECT p.id, p.name, c.name, p.kind, p.stations, p.stations_installed,
  p.station_planned, p.station_installed, p.computers, p.agent_badges
FROM police_offices p LEFT JOIN communes c ON c.id = p.commune_id
ORDER BY c.name, p.name, p.id"""


def offices(conn: sqlite3.Connection) -> list[Office]:
    return [Office(*row) for row in conn.execute(_OFFICES)]


@dataclass(frozen=True, slots=True)
class Needs:
    landlords: int
    landlords_without_card: list[str]   # names, sorted: no active service card
    cards_active: int
    cards_enrolled: int                 # every card ever enrolled (revoked ones were bought too)
    stations: int
    stations_installed: int
    computers: int
    agent_badges: int

    @property
    def extra_service_cards(self) -> int:
        return extra(self.landlords, SERVICE_CARDS_IN_KIT)

    @property
    def extra_agent_badges(self) -> int:
        return extra(self.agent_badges, AGENT_BADGES_IN_KIT)


_NEEDS = """SELECT
  (SELECT count(*) FROM landlords),
  (SELECT count(*) FROM service_cards WHERE status = 'active'),
  (SELECT count(*) FROM service_cards),
  (SELECT coalesce(sum(stations), 0) FROM police_offices),
  (SELECT coalesce(sum(stations_installed), 0) FROM police_offices),
  (SELECT coalesce(sum(computers), 0) FROM police_offices),
  (SELECT coalesce(sum(agent_badges), 0) FROM police_offices)"""

_WITHOUT_CARD = """SELECT l.name FROM landlords l WHERE NOT EXISTS
  (SELECT 1 FROM service_cards s WHERE s.landlord_id = l.id AND s.status = 'active')"""


def needs(conn: sqlite3.Connection) -> Needs:
    landlords, active, enrolled, stations, installed, computers, badges = \
        conn.execute(_NEEDS).fetchone()
    without = sorted((r[0] or "?" for r in conn.execute(_WITHOUT_CARD)), key=names.fold)
    return Needs(landlords, without, active, enrolled, stations, installed, computers, badges)


_CARDS = """SELECT l.name, (SELECT count(*) FROM service_cards s
  WHERE s.landlord_id = l.id AND s.status = 'active') FROM landlords l"""


def cards_by_landlord(conn: sqlite3.Connection) -> list[tuple[str, int]]:
    """(landlord's name, its active service cards), by name."""
    return sorted(((name or "?", n) for name, n in conn.execute(_CARDS)),
                  key=lambda row: names.fold(row[0]))
