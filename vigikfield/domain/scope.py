"""What a profile may read: the store's reads bound to the profile's landlord.

A maintenance profile sees only its landlord's residences, halls and centrales,
and never the site classification (`residences.site_level`, confidential, not
even of its own residences). The pilot and a technician read what their
database holds (a technician's holds its work orders' residences). Every read
of the checklist screens and commands goes through here: the filter is in the
SQL, so a screen cannot show what the store did not give it.

A hall's status is the ``hall_status`` view's (docs/statuses.md); a retired
hall has no row there and reads as `status.RETIRED`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import hallcode
from .halls import HallQueryError, NoHall
from .profile import MAINTENANCE
from .status import RETIRED
from .store import Store


@dataclass(frozen=True, slots=True)
class ResidenceRow:
    id: str
    name: str | None
    address: str | None
    commune: str | None
    landlord: str | None
    dwellings: int | None
    halls: int                 # halls that count (not retired)
    encoded: int
    retired: int               # halls retired
    to_verify: int = 0         # halls with an open access-failure report (hall_status)


@dataclass(frozen=True, slots=True)
class HallRow:
    id: str
    residence_id: str | None
    code: str
    label: str | None
    address: str | None
    dwellings: int | None
    brand: str | None
    model: str | None
    vigik: str | None
    centrale_location: str | None
    status: str                # a hall status, or RETIRED
    to_verify: int = 0         # 1: an open access-failure report (hall_status.to_verify)


@dataclass(frozen=True, slots=True)
class CentraleRow:
    id: str
    brand: str | None
    model: str | None
    serial: str | None
    active: bool


def _bound(store: Store) -> str | None:
    """The landlord the profile is bound to (maintenance), None: every landlord."""
    return store.profile.landlord_id if store.role == MAINTENANCE else None


# `:landlord` null: no filter. One clause for every read below.
_MINE = "(:landlord IS NULL OR r.landlord_id = :landlord)"

_RESIDENCES = f"""SELECT r.id, r.name, r.address, c.name, l.name, r.dwellings,
  (SELECT count(*) FROM hall_status s WHERE s.residence_id = r.id),
  (SELECT count(*) FROM hall_status s WHERE s.residence_id = r.id AND s.status = 'encoded'),
  (SELECT count(*) FROM halls h WHERE h.residence_id = r.id AND coalesce(h.retired, 0) = 1),
  (SELECT count(*) FROM hall_status s WHERE s.residence_id = r.id AND s.to_verify)
FROM residences r
LEFT JOIN communes c ON c.id = r.commune_id
LEFT JOIN landlords l ON l.id = r.landlord_id
WHERE {_MINE} {{more}}
ORDER BY c.name, r.name, r.id"""

_HALLS = f"""SELECT h.id, h.residence_id, h.code, h.label, coalesce(h.address, r.address),
  h.dwellings, h.brand, h.model, h.vigik, h.centrale_location, coalesce(s.status, '{RETIRED}'),
  coalesce(s.to_verify, 0)
FROM halls h
JOIN residences r ON r.id = h.residence_id
LEFT JOIN hall_status s ON s.hall_id = h.id
WHERE {_MINE} {{more}}
ORDER BY length(h.label), h.label, h.code"""


def residences(store: Store) -> list[ResidenceRow]:
    """The residences this profile may see, by commune and name."""
    sql = _RESIDENCES.format(more="")
    return [ResidenceRow(*row) for row in store.conn.execute(sql, {"landlord": _bound(store)})]


def residence(store: Store, residence_id: str) -> ResidenceRow | None:
    sql = _RESIDENCES.format(more="AND r.id = :id")
    row = store.conn.execute(sql, {"landlord": _bound(store), "id": residence_id}).fetchone()
    return ResidenceRow(*row) if row else None


def halls(store: Store, residence_id: str | None = None) -> list[HallRow]:
    """The halls this profile may see (of one residence), retired ones included."""
    more = "" if residence_id is None else "AND h.residence_id = :residence"
    params = {"landlord": _bound(store), "residence": residence_id}
    return [HallRow(*row) for row in store.conn.execute(_HALLS.format(more=more), params)]


def hall(store: Store, hall_id: str) -> HallRow | None:
    sql = _HALLS.format(more="AND h.id = :id")
    row = store.conn.execute(sql, {"landlord": _bound(store), "id": hall_id}).fetchone()
    return HallRow(*row) if row else None


def find_hall(store: Store, code_text: str) -> HallRow:
    """The hall carrying this code, if this profile may see it (else `NoHall`, exit 1:
    another landlord's hall is, for maintenance, no hall at all)."""
    code = hallcode.normalise(code_text)
    if not hallcode.is_valid(code):
        raise HallQueryError("bad_code", code=code_text)
    row = store.conn.execute(_HALLS.format(more="AND h.code = :code"),
                             {"landlord": _bound(store), "code": code}).fetchone()
    if row is None:
        raise NoHall("no_hall", code=code)
    return HallRow(*row)


def centrales(store: Store, hall_id: str) -> list[CentraleRow]:
    """The hall's centrales, the active one first (nothing for a hall out of sight)."""
    rows = store.conn.execute(
        f"""SELECT c.id, c.brand, c.model, c.serial, coalesce(c.active, 1) != 0
        FROM centrales c JOIN halls h ON h.id = c.hall_id
        JOIN residences r ON r.id = h.residence_id
        WHERE c.hall_id = :hall AND {_MINE}
        ORDER BY coalesce(c.active, 1) DESC, c.id""",
        {"landlord": _bound(store), "hall": hall_id})
    return [CentraleRow(*row[:4], bool(row[4])) for row in rows]


def site_levels(store: Store) -> dict[str, int]:
    """Residence id -> site level, as far as this profile may know: nothing for maintenance
    (the classification is the pilot's, confidential), what the database holds otherwise."""
    if store.role == MAINTENANCE:
        return {}
    return dict(store.conn.execute(
        "SELECT id, site_level FROM residences WHERE site_level IS NOT NULL"))


def landlord_name(store: Store) -> str | None:
    """The name of the landlord the profile is bound to (None: not bound)."""
    landlord = _bound(store)
    if landlord is None:
        return None
    row = store.conn.execute("SELECT name FROM landlords WHERE id = ?", (landlord,)).fetchone()
    return row[0] if row else None


def as_json(row: Any) -> dict[str, Any]:
    return {name: getattr(row, name) for name in row.__slots__}
