"""Where the halls are: each hall placed at its residence's coordinates (WGS84),
with what a map shows about it. Nothing is invented: a hall whose residence has
no coordinates is counted apart, never placed.

Read by the GeoJSON export (`exports.geojson`) and the committee report's map.
Statuses come from the one definition, the ``hall_status`` view.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from . import halls

# Metropolitan France and Corsica, with a margin (the demo, Île-de-France and the
# seeds' territories are there): a point outside is a swapped or a wrong coordinate.
FRANCE_BOUNDS = {"lon": (-5.5, 9.9), "lat": (41.2, 51.2)}


@dataclass(frozen=True, slots=True)
class PlacedHall:
    code: str
    label: str | None
    status: str
    residence: str | None
    landlord: str | None
    commune: str | None
    insee: str | None
    dwellings: int | None
    site_level: int | None      # confidential: filled only when asked for
    lon: float
    lat: float


@dataclass(frozen=True, slots=True)
class Placement:
    placed: list[PlacedHall]
    unplaced: int                  # halls whose residence has no coordinates
    unplaced_residences: list[str]  # their residences' names, sorted


_SELECT = """SELECT s.code, s.label, s.status, r.name, l.name, c.name, c.insee, s.dwellings,
  {level}, r.lon, r.lat
FROM hall_status s
LEFT JOIN residences r ON r.id = s.residence_id
LEFT JOIN landlords l ON l.id = r.landlord_id
LEFT JOIN communes c ON c.id = r.commune_id"""


def placed_halls(conn: sqlite3.Connection, *, landlord: str | None = None,
                 commune: str | None = None, include_confidential: bool = False) -> Placement:
    """The halls (filtered like `hall list`) with their coordinates, and those without.

    `include_confidential`: with each hall its residence's site level (seed 002);
    never otherwise. Raises `halls.HallQueryError` for a name nothing carries.
    """
    select = _SELECT.format(level="r.site_level" if include_confidential else "NULL")
    sql, params = halls.filtered(conn, select, landlord=landlord, commune=commune)
    placed: list[PlacedHall] = []
    unplaced = 0
    residences: set[str] = set()
    for row in conn.execute(sql, params):  # ordered as `hall list`
        lon, lat = row[9], row[10]
        if lon is None or lat is None:
            unplaced += 1
            residences.add(row[3] or "?")
            continue
        placed.append(PlacedHall(*row[:9], lon=float(lon), lat=float(lat)))
    return Placement(placed, unplaced, sorted(residences))


def in_france(lon: float, lat: float) -> bool:
    (west, east), (south, north) = FRANCE_BOUNDS["lon"], FRANCE_BOUNDS["lat"]
    return west <= lon <= east and south <= lat <= north
