"""GeoJSON for QGIS and uMap, read back with GDAL (pyogrio): halls as WGS84 points
[lon, lat] inside France, halls without coordinates counted and never placed, the
site classification only when asked for, with its marking."""

from __future__ import annotations

import json
import struct

import pyogrio
import pyogrio.raw
import pytest

from vigikfield.domain import demo, geo
from vigikfield.domain.journal import Change
from vigikfield.exports.table import CONFIDENTIAL_MARK


@pytest.fixture
def territory(store):
    demo.ensure(store)
    return store


def _points(path) -> list[tuple[float, float]]:
    """Each feature's (x, y) as GDAL decodes it (WKB points, little endian)."""
    meta, _fids, geometry, _fields = pyogrio.raw.read(path)
    assert meta["crs"] == "EPSG:4326" and meta["geometry_type"] == "Point"
    points = []
    for wkb in geometry:
        order, kind, x, y = struct.unpack("<BIdd", wkb)
        assert (order, kind) == (1, 1)
        points.append((x, y))
    return points


def _fields(path) -> dict[str, list]:
    meta, _fids, _geometry, fields = pyogrio.raw.read(path)
    return {name: list(values) for name, values in zip(meta["fields"], fields)}


def test_every_placed_hall_is_a_point_in_france_with_its_facts(territory, cli, tmp_path):
    out = tmp_path / "halls.geojson"
    result = cli("export", "geojson", "--out", out)
    assert result.exit_code == 0, result.output
    expected = territory.conn.execute(
        "SELECT count(*) FROM hall_status s JOIN residences r ON r.id = s.residence_id "
        "WHERE r.lat IS NOT NULL AND r.lon IS NOT NULL").fetchone()[0]
    assert expected > 900
    points = _points(out)
    assert len(points) == expected
    assert all(geo.in_france(x, y) for x, y in points)       # x is the longitude
    assert not any(geo.in_france(y, x) for x, y in points)   # swapped, they would not be
    fields = _fields(out)
    # every hall's facts, from the state tables, independently of the export's query
    facts = {code: (status, residence, landlord, commune, insee, dwellings, lon, lat)
             for code, status, residence, landlord, commune, insee, dwellings, lon, lat in
             territory.conn.execute(
                 "SELECT h.code, s.status, r.name, l.name, c.name, c.insee, h.dwellings, r.lon, r.lat "
                 "FROM halls h JOIN hall_status s ON s.hall_id = h.id "
                 "JOIN residences r ON r.id = h.residence_id "
                 "JOIN landlords l ON l.id = r.landlord_id JOIN communes c ON c.id = r.commune_id")}
    for i, code in enumerate(fields["code"]):
        status, residence, landlord, commune, insee, dwellings, lon, lat = facts[code]
        assert (fields["status"][i], fields["residence"][i], fields["landlord"][i],
                fields["commune"][i], fields["insee"][i], fields["dwellings"][i]) == (
                    status, residence, landlord, commune, insee, dwellings)
        assert points[i] == pytest.approx((lon, lat), abs=1e-6)
    assert pyogrio.read_info(out)["ogr_types"][list(fields).index("insee")] == "OFTString"
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["type"] == "FeatureCollection" and "crs" not in document
    assert "confidentiality" not in document and document["halls_without_coordinates"] == 0
    assert all("site_level" not in f["properties"] for f in document["features"])


def test_halls_without_coordinates_are_counted_and_reported_not_invented(territory, cli, tmp_path):
    residence_id, name, halls = territory.conn.execute(
        "SELECT r.id, r.name, count(h.id) FROM residences r JOIN halls h ON h.residence_id = r.id "
        "GROUP BY r.id ORDER BY r.name LIMIT 1").fetchone()
    territory.record([Change("residences", residence_id, "lat", None),
                      Change("residences", residence_id, "lon", None)], reason="test")
    out = tmp_path / "halls.geojson"
    result = cli("export", "geojson", "--out", out)
    assert result.exit_code == 0, result.output
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["halls_without_coordinates"] == halls
    assert name not in {f["properties"]["residence"] for f in document["features"]}
    assert f"{halls} halls sans coordonnées" in result.output and name in result.output
    total = territory.conn.execute("SELECT count(*) FROM halls").fetchone()[0]
    assert len(_points(out)) == total - halls


def test_filters_by_landlord_and_commune_and_refuses_unknown_names(territory, cli, tmp_path):
    landlord, commune, insee = territory.conn.execute(
        "SELECT l.name, c.name, c.insee FROM residences r JOIN landlords l ON l.id = r.landlord_id "
        "JOIN communes c ON c.id = r.commune_id ORDER BY l.name, c.name LIMIT 1").fetchone()
    out = tmp_path / "one.geojson"
    result = cli("export", "geojson", "--landlord", landlord.upper(), "--commune", insee,
                 "--out", out)
    assert result.exit_code == 0, result.output
    fields = _fields(out)
    expected = territory.conn.execute(
        "SELECT count(*) FROM halls h JOIN residences r ON r.id = h.residence_id "
        "JOIN landlords l ON l.id = r.landlord_id JOIN communes c ON c.id = r.commune_id "
        "WHERE l.name = ? AND c.name = ?", (landlord, commune)).fetchone()[0]
    assert len(fields["code"]) == expected > 0
    assert set(fields["landlord"]) == {landlord} and set(fields["commune"]) == {commune}
    missing = tmp_path / "none.geojson"
    refused = cli("export", "geojson", "--landlord", "Bailleur Inconnu", "--out", missing)
    assert refused.exit_code == 2 and "Bailleur Inconnu" in refused.output
    assert not missing.exists()


def test_the_classification_travels_only_when_asked_and_says_it_is_confidential(
        territory, cli, tmp_path):
    residence_id = territory.conn.execute(
        "SELECT r.id FROM residences r JOIN halls h ON h.residence_id = r.id "
        "WHERE r.lat IS NOT NULL ORDER BY r.name LIMIT 1").fetchone()[0]
    territory.record([Change("residences", residence_id, "site_level", 4)], reason="test")
    levels = dict(territory.conn.execute(
        "SELECT h.code, r.site_level FROM halls h JOIN residences r ON r.id = h.residence_id"))
    plain, marked = tmp_path / "plain.geojson", tmp_path / "marked.geojson"
    assert cli("export", "geojson", "--out", plain).exit_code == 0
    result = cli("export", "geojson", "--include-confidential", "--out", marked)
    assert result.exit_code == 0 and "CONFIDENTIEL" in result.output
    text = plain.read_text(encoding="utf-8")
    assert "site_level" not in text and "CONFIDENTIEL" not in text
    document = json.loads(marked.read_text(encoding="utf-8"))
    assert document["confidentiality"] == CONFIDENTIAL_MARK
    assert {f["id"]: f["properties"]["site_level"] for f in document["features"]} == {
        code: levels[code] for code in (f["id"] for f in document["features"])}
    assert 4 in {f["properties"]["site_level"] for f in document["features"]}
    assert "site_level" in _fields(marked)


def test_the_file_is_written_whole_or_not_at_all(territory, cli, tmp_path):
    folder = tmp_path / "no-such-folder"
    out = folder / "halls.geojson"
    result = cli("export", "geojson", "--out", out)
    assert result.exit_code == 1, result.output
    assert result.output.startswith(f"Impossible d'écrire {out}")
    assert not folder.exists()
