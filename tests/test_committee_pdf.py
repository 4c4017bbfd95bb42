"""The committee's PDF, read back by an independent reader (pdfplumber) and rendered
by poppler (pdftoppm): its text holds each landlord's figures, its bars exist and are
to scale, its totals add up, the map places every dot, the confidential marking shows."""

from __future__ import annotations

import subprocess
from datetime import date
from decimal import Decimal

import pdfplumber
import pytest

from vigikfield import i18n
from vigikfield.exports import committee_pdf as cp

GREEN = tuple(c / 255 for c in cp.COLOURS["encoded"])


def _report(**changes) -> cp.Committee:
    landlords = [
        cp.LandlordBar("Habitat 77", halls=120, encoded=80, failed=6, incompatible=4,
                       no_access=3, dwellings=900, dwellings_covered=610),
        cp.LandlordBar("=Trois Rivières", halls=60, encoded=15, failed=2, incompatible=8,
                       no_access=0, dwellings=400, dwellings_covered=90),
        cp.LandlordBar("Les Foyers de Seine-et-Marne", halls=30, encoded=30, failed=0,
                       incompatible=0, no_access=0, dwellings=210, dwellings_covered=210),
    ]
    fields = dict(
        territory="Sénart", day=date(2026, 12, 1), halls=210, encoded=125, failed=8,
        incompatible=12, no_access=3, pending=62, dwellings_qpv=1200, covered_qpv=700,
        goal_qpv=1654, dwellings_outside=310, covered_outside=210, goal_outside=267,
        landlords=landlords,
        costs=[cp.CostLine("Habitat 77", Decimal("4800"), Decimal("5760"), Decimal("3200"),
                           Decimal("3840")),
               cp.CostLine("Agglomération", Decimal("3300"), Decimal("3960"), Decimal("1100"),
                           Decimal("1320"))],
        late=[cp.LateLine("Les Mézereaux", "Habitat 77", "2026-11-02", 12, 4)],
    )
    fields.update(changes)
    return cp.Committee(**fields)


def _pdf(tmp_path, report) -> pdfplumber.PDF:
    path = tmp_path / "committee.pdf"
    path.write_bytes(cp.pdf_bytes(report))
    return pdfplumber.open(path)


PT = 72 / 25.4  # points per mm


def _green_bars(page, height_mm: float) -> list[dict]:
    """The green (encoded) bars of this height, top to bottom."""
    bars = [r for r in page.rects if r.get("fill") and r.get("non_stroking_color")
            and tuple(round(c, 3) for c in r["non_stroking_color"][:3])
            == tuple(round(c, 3) for c in GREEN)
            and abs(r["height"] - height_mm * PT) < 0.05]
    return sorted(bars, key=lambda r: r["top"])


def test_each_landlords_figures_and_bars_to_scale(tmp_path):
    i18n.set_language("fr")
    with _pdf(tmp_path, _report()) as pdf:
        assert len(pdf.pages) == 1
        page = pdf.pages[0]
        text = page.extract_text()
        assert "Mutualisation des pass Vigik — Sénart" in text and "01/12/2026" in text
        for name, encoded, halls in (("Habitat 77", 80, 120), ("=Trois Rivières", 15, 60),
                                     ("Les Foyers de Seine-et-Marne", 30, 30)):
            assert name in text and f"{encoded} / {halls}" in text
        # one green bar per landlord, most halls first, lengths to one scale
        chart = _green_bars(page, cp.BAR_HEIGHT)
        assert len(chart) == 3
        per_hall = [bar["width"] / encoded for bar, encoded in zip(chart, (80, 15, 30))]
        assert max(per_hall) - min(per_hall) < 0.01  # one scale: lengths proportional
        covered = _green_bars(page, cp.COVER_HEIGHT)
        assert len(covered) == 2
        assert covered[0]["width"] / covered[1]["width"] == pytest.approx(
            (700 / 1654) / (210 / 267), rel=0.01)
        assert "CONFIDENTIEL" not in text


def test_costs_and_totals_add_up_the_french_way(tmp_path):
    i18n.set_language("fr")
    with _pdf(tmp_path, _report()) as pdf:
        text = pdf.pages[0].extract_text()
    assert "8\u202f100,00\u00a0€" in text or "8 100,00 €" in text.replace("\u202f", " ").replace("\u00a0", " ")
    flat = text.replace("\u202f", " ").replace("\u00a0", " ")
    assert "Total 8 100,00 € 9 720,00 € 4 300,00 € 5 160,00 €" in flat
    assert "Les Mézereaux (Habitat 77) : prévue le 02/11/2026, 4/12 halls encodés" in flat
    assert "125" in flat and "1 654" in flat


def test_the_map_page_places_every_dot_and_names_the_communes(tmp_path):
    i18n.set_language("fr")
    dots = [cp.Dot(2.65 + i * 0.001, 48.53 + (i % 7) * 0.002, s)
            for i, s in enumerate(["encoded"] * 20 + ["failed"] * 5 + ["to_check"] * 10)]
    report = _report(dots=dots, places=[cp.Place("Melun", 2.66, 48.54)], unplaced=3)
    with _pdf(tmp_path, report) as pdf:
        assert len(pdf.pages) == 2
        page = pdf.pages[1]
        text = page.extract_text()
        assert "Melun" in text and "35 halls placés" in text and "3 halls sans coordonnées" in text
        assert len(page.curves) >= len(dots)
        xs = sorted({round(c["x0"], 2) for c in page.curves})
        assert xs[0] < xs[-1]  # spread, not one heap


def test_confidential_reports_say_so_on_every_page(tmp_path):
    i18n.set_language("fr")
    report = _report(confidential=True, dots=[cp.Dot(2.6, 48.5, "encoded")])
    with _pdf(tmp_path, report) as pdf:
        for page in pdf.pages:
            assert "CONFIDENTIEL — police, justice, bailleurs" in page.extract_text()


def test_poppler_renders_it(tmp_path):
    i18n.set_language("en")
    path = tmp_path / "committee.pdf"
    path.write_bytes(cp.pdf_bytes(_report()))
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(path), str(tmp_path / "page")],
                   check=True, timeout=60)
    from PIL import Image

    image = Image.open(tmp_path / "page-1.png").convert("L")
    assert image.size[0] > 400 and image.getextrema()[0] < 100  # something dark is drawn
    i18n.set_language("fr")
