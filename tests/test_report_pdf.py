"""`report pdf` on the demo territory: the committee's page says what straight SQL on the
tables says, and the map places every hall that has coordinates."""

from __future__ import annotations

import json
from decimal import Decimal

import pdfplumber
import pytest

from vigikfield.domain import demo

TODAY = "2026-12-01"


@pytest.fixture
def territory(store):
    demo.ensure(store)
    return store


def _flat(text: str) -> str:
    return text.replace("\u202f", " ").replace("\u00a0", " ")


def test_the_page_holds_each_landlords_figures_and_the_costs(territory, cli, tmp_path):
    out = tmp_path / "comite.pdf"
    result = cli("report", "pdf", "--out", out, "--today", TODAY)
    assert result.exit_code == 0, result.output
    with pdfplumber.open(out) as pdf:
        assert len(pdf.pages) == 1
        text = _flat(pdf.pages[0].extract_text())
    assert "CONFIDENTIEL" not in text and "01/12/2026" in text
    halls, encoded = territory.conn.execute(
        "SELECT count(*), sum(status = 'encoded') FROM hall_status").fetchone()
    assert f"{halls:,}".replace(",", " ") in text and str(encoded) in text
    for name, n, done in territory.conn.execute(
            "SELECT l.name, count(*), sum(hs.status = 'encoded') FROM hall_status hs "
            "JOIN residences r ON r.id = hs.residence_id JOIN landlords l ON l.id = r.landlord_id "
            "GROUP BY l.id"):
        assert f"{done} / {n} (" in text, name
    # each payer's planned and incurred costs, as `report costs --by payer` gives them
    rows = json.loads(cli("report", "costs", "--by", "payer", "--json").stdout)
    assert rows
    for row in rows:
        for key in ("planned_ht", "incurred_ttc"):
            euros = f"{Decimal(row[key]):,.2f}".replace(",", " ").replace(".", ",")
            assert f"{euros} €" in text, (row, key)


def test_the_map_places_every_hall_with_coordinates(territory, cli, tmp_path):
    out = tmp_path / "comite.pdf"
    assert cli("report", "pdf", "--map", "--out", out, "--today", TODAY).exit_code == 0
    placed = territory.conn.execute(
        "SELECT count(*) FROM halls h JOIN residences r ON r.id = h.residence_id "
        "WHERE r.lat IS NOT NULL AND r.lon IS NOT NULL").fetchone()[0]
    communes = [n for (n,) in territory.conn.execute("SELECT name FROM communes")]
    with pdfplumber.open(out) as pdf:
        assert len(pdf.pages) == 2
        page = pdf.pages[1]
        dots = [c for c in page.curves if c["width"] < 5]  # 1.4 mm dots
        text = page.extract_text()
    assert len(dots) == placed
    assert all(name in text for name in communes)
    assert f"{placed:,}".replace(",", " ") in _flat(text)


def test_confidential_on_request_only(territory, cli, tmp_path):
    out = tmp_path / "comite.pdf"
    result = cli("report", "pdf", "--include-confidential", "--out", out, "--today", TODAY)
    assert result.exit_code == 0 and "CONFIDENTIEL" in result.output
    with pdfplumber.open(out) as pdf:
        assert "CONFIDENTIEL — police, justice, bailleurs" in pdf.pages[0].extract_text()


def test_a_bad_day_is_exit_2_and_writes_nothing(territory, cli, tmp_path):
    out = tmp_path / "comite.pdf"
    result = cli("report", "pdf", "--out", out, "--today", "31/12/2026")
    assert result.exit_code == 2 and not out.exists()
