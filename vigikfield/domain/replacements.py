"""Halls to replace: per landlord, the halls whose status is ``incompatible`` (the one
definition, the `hall_status` view) and what replacing their access systems costs.

A hall is one entrance. A landlord's estimate is its count of halls to replace ×
the replacement cost per entrance (`costs.parameter`: 67 000 € HT for 12
entrances unless the pilot set another), rounded once (`costs.cents`); its TTC,
that exact HT with the VAT in force, rounded once. The per-hall estimates are
that total spread to the cent (`spread`), so a landlord's lines add up to it.
Counts are SQL aggregates; no status is decided here.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, replace
from decimal import Decimal
from fractions import Fraction
from itertools import groupby

from . import costs, names

# The landlord filter names the residences (an indexed list the planner pushes
# into the view): at 130,000 halls one landlord's list is read in a fraction of
# the time of the whole territory.
_ONE_LANDLORD = ("(:landlord IS NULL OR hs.residence_id IN "
                 "(SELECT id FROM residences WHERE landlord_id = :landlord))")

_HALLS = f"""
SELECT r.landlord_id, l.name, c.name, c.insee, r.name, coalesce(h.address, r.address),
       h.code, h.label, h.dwellings, h.brand, h.model, h.replacement_planned, h.replaced_on
FROM hall_status hs
JOIN halls h ON h.id = hs.hall_id
JOIN residences r ON r.id = hs.residence_id
LEFT JOIN landlords l ON l.id = r.landlord_id
LEFT JOIN communes c ON c.id = r.commune_id
WHERE hs.status = 'incompatible' AND {_ONE_LANDLORD}
"""

# Each landlord's counts, one pass over hall_status; landlords without any: 0.
_LANDLORDS = f"""
WITH counts AS MATERIALIZED (
  SELECT r.landlord_id AS landlord_id, count(*) AS halls,
         count(h.replacement_planned) AS planned, count(h.replaced_on) AS replaced
  FROM hall_status hs
  JOIN halls h ON h.id = hs.hall_id
  JOIN residences r ON r.id = hs.residence_id
  WHERE hs.status = 'incompatible' AND {_ONE_LANDLORD}
  GROUP BY r.landlord_id
)
SELECT l.id, l.name, coalesce(k.halls, 0), coalesce(k.planned, 0), coalesce(k.replaced, 0)
FROM landlords l
LEFT JOIN counts k ON k.landlord_id = l.id
WHERE :landlord IS NULL OR l.id = :landlord
"""


@dataclass(frozen=True, slots=True)
class HallToReplace:
    landlord_id: str | None
    landlord: str | None
    commune: str | None
    insee: str | None
    residence: str | None
    address: str | None
    code: str | None
    label: str | None
    dwellings: int | None
    brand: str | None
    model: str | None
    replacement_planned: str | None
    replaced_on: str | None
    estimate_ht: Decimal = Decimal(0)


@dataclass(frozen=True, slots=True)
class LandlordReplacements:
    landlord_id: str
    landlord: str | None
    halls: int                  # halls to replace (status incompatible)
    planned: int                # of which a replacement date is planned
    replaced: int               # of which replaced_on is set
    per_entrance_ht: Decimal    # to the cent (as shown; totals use the exact price)
    vat: Decimal                # percent
    total_ht: Decimal           # rounded once
    total_ttc: Decimal          # rounded once, from the exact HT


def _decimal(value: Fraction) -> Decimal:
    return Decimal(value.numerator) / Decimal(value.denominator)


def _prices(conn: sqlite3.Connection) -> tuple[Fraction, Fraction]:
    """The replacement cost per entrance (exact euros HT) and the VAT (percent) in force."""
    unit, vat = costs.parameter(conn, "replacement_per_entrance"), costs.parameter(conn, "vat")
    return (Fraction(unit) if unit is not None else Fraction(0),  # type: ignore[arg-type]
            Fraction(vat) if vat is not None else Fraction(0))    # type: ignore[arg-type]


def spread(total: Decimal, lines: int) -> list[Decimal]:
    """`total` (to the cent) over `lines` lines to the cent, adding up exactly to it: the
    first lines carry the spare cents."""
    if lines <= 0:
        return []
    base, spare = divmod(int(total.scaleb(2)), lines)
    return [Decimal(base + (1 if i < spare else 0)).scaleb(-2) for i in range(lines)]


def _landlords(conn: sqlite3.Connection, landlord_id: str | None) -> list[LandlordReplacements]:
    unit, vat = _prices(conn)
    out = []
    for lid, name, halls, planned, replaced in conn.execute(_LANDLORDS, {"landlord": landlord_id}):
        exact = unit * halls
        out.append(LandlordReplacements(lid, name, halls, planned, replaced, costs.cents(unit),
                                        _decimal(vat), costs.cents(exact),
                                        costs.cents(costs.with_vat(exact, vat))))
    return sorted(out, key=lambda r: (names.fold(r.landlord), r.landlord_id))


def report(conn: sqlite3.Connection, landlord_id: str | None = None
           ) -> tuple[list[HallToReplace], list[LandlordReplacements]]:
    """The halls to replace (by landlord, commune, residence, hall) and each landlord's
    figures; only landlord `landlord_id`'s when given."""
    summary = _landlords(conn, landlord_id)
    rows = [HallToReplace(*row) for row in conn.execute(_HALLS, {"landlord": landlord_id})]
    rows.sort(key=lambda h: (names.fold(h.landlord), h.landlord_id or "", names.fold(h.commune),
                             names.fold(h.residence), names.fold(h.label), h.code or ""))
    totals = {s.landlord_id: s.total_ht for s in summary}
    unit, _vat = _prices(conn)
    halls: list[HallToReplace] = []
    for owner, group in groupby(rows, key=lambda h: h.landlord_id):
        members = list(group)
        # a residence without a landlord (never from an import): the default price
        total = totals.get(owner, costs.cents(unit * len(members)))  # type: ignore[arg-type]
        halls.extend(replace(h, estimate_ht=share)
                     for h, share in zip(members, spread(total, len(members))))
    return halls, summary
