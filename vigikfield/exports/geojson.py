"""Halls as a GeoJSON FeatureCollection (RFC 7946) that QGIS and uMap open as it is.

Each hall is a Point ``[longitude, latitude]`` in WGS84 (RFC 7946 has no other
CRS, so no ``crs`` member), with its code, label, status (a stable name, and
the word for people in `status_label`), residence, landlord, commune, INSEE
code and dwellings. Top-level members say how many halls could not be placed
(their residence has no coordinates) and, when the site classification is
included, the confidentiality marking (`table.CONFIDENTIAL_MARK`).
"""

from __future__ import annotations

import json

from ..domain.geo import Placement
from ..i18n import t
from .table import CONFIDENTIAL_MARK


def feature_collection(placement: Placement, *, include_confidential: bool = False) -> dict:
    features = []
    for hall in placement.placed:
        properties = {
            "code": hall.code, "label": hall.label, "status": hall.status,
            "status_label": t(f"status.hall.{hall.status}"), "residence": hall.residence,
            "landlord": hall.landlord, "commune": hall.commune, "insee": hall.insee,
            "dwellings": hall.dwellings,
        }
        if include_confidential:
            properties["site_level"] = hall.site_level
        features.append({
            "type": "Feature", "id": hall.code,
            "geometry": {"type": "Point",
                         "coordinates": [round(hall.lon, 6), round(hall.lat, 6)]},
            "properties": properties,
        })
    collection: dict = {"type": "FeatureCollection"}
    if include_confidential:
        collection["confidentiality"] = CONFIDENTIAL_MARK
    collection["halls_without_coordinates"] = placement.unplaced
    collection["features"] = features
    return collection


def to_bytes(placement: Placement, *, include_confidential: bool = False) -> bytes:
    """The collection as UTF-8 JSON, one feature a line (130,000 halls stay a few MB)."""
    document = feature_collection(placement, include_confidential=include_confidential)
    features = document.pop("features")
    head = json.dumps(document, ensure_ascii=False)[:-1]  # without its closing brace
    lines = ",\n".join(json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in features)
    return f'{head}, "features": [\n{lines}\n]}}\n'.encode()
