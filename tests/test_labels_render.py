"""Label drawings: bounds, and every format decoded back by zxing-cpp."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import cairosvg
import pytest
import zxingcpp
from PIL import Image

import labels_territory as territory
from vigikfield.domain import label_render as render
from vigikfield.domain import labels
from vigikfield.domain.label_render import ASCENT, DESCENT, PT

LONG = "Résidence des Grands Cœurs du Vieux Château à Dammarie-lès-Lys " * 3


def _label(**overrides) -> labels.Label:
    facts = dict(landlord="Habitat 77", residence="Les Œillets",
                 address="12 rue de l'Église, Dammarie-lès-Lys", hall="Hall B",
                 encoded_at="2025-03-12T10:30:00+01:00", phone="01 60 12 35 78")
    return labels.build("id", "Z8XJ9Y9", **{**facts, **overrides})


def decode(image: Image.Image) -> list[str]:
    """Every QR code zxing-cpp finds (QR only: lines of text can pass for 1D barcodes)."""
    found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    return [r.text for r in found]


def pdf_pages(pdf: Path, dpi: int = 200) -> list[Image.Image]:
    """Each page rendered by poppler's pdftoppm, as a grey image."""
    prefix = pdf.with_suffix("")
    subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-png", str(pdf), str(prefix)],
                   check=True)
    files = sorted(pdf.parent.glob(f"{prefix.name}-*.png"))
    return [Image.open(f).convert("L") for f in files]


def svg_to_png(svg: str) -> Image.Image:
    return Image.open(io.BytesIO(cairosvg.svg2png(bytestring=svg.encode(), dpi=300)))


@pytest.mark.parametrize("kind", render.LAYOUTS)
@pytest.mark.parametrize("text", ["short", "long"])
def test_drawing_stays_inside_the_label_with_a_quiet_zone(kind, text):
    label = _label() if text == "short" else _label(landlord=LONG, residence=LONG,
                                                    address=LONG, hall=LONG)
    d = render.layout(label, kind)
    module = d.qr_side / len(d.matrix)
    quiet = 4 * module
    assert d.qr_x >= quiet and d.qr_y >= quiet
    assert d.qr_x + d.qr_side + quiet <= d.width
    assert d.qr_y + d.qr_side + quiet <= d.height
    for line in d.texts:
        top = line.baseline - line.size_pt * PT * ASCENT
        bottom = line.baseline + line.size_pt * PT * DESCENT
        right = line.x + render.text_width(line.text, line.size_pt, line.bold)
        assert 0 <= top and bottom <= d.height and right <= d.width
        # clear of the QR and its quiet zone
        beside = line.x >= d.qr_x + d.qr_side + quiet
        below = top >= d.qr_y + d.qr_side + quiet
        assert beside or below
    if kind == "a4-3x8":
        assert (d.width, d.height) == (70.0, 37.0)
    assert d.texts[0].text == "Z8XJ9Y9" and d.texts[0].bold


@pytest.mark.parametrize("kind", render.LAYOUTS)
def test_png_decodes(kind):
    label = _label()
    image = render.png_image(render.layout(label, kind))
    if kind == "roll-62mm":
        assert image.width == 696  # Brother QL: 696 dots across 62 mm tape at 300 dpi
    else:
        assert image.size == (827, 437)  # 70 x 37 mm at 300 dpi
    assert decode(image) == [label.payload]


@pytest.mark.parametrize("kind", render.LAYOUTS)
def test_svg_renders_and_decodes(kind):
    label = _label(landlord=LONG)
    svg = render.svg_text(render.layout(label, kind))
    assert "Les Œillets" in svg and "Église" in svg
    assert decode(svg_to_png(svg)) == [label.payload]


def test_pdf_sheet_keeps_every_label_in_its_cell(tmp_path):
    """With long texts everywhere, a 1 mm band on each cell border stays blank."""
    many = [labels.build(f"id{i}", "Z8XJ9Y9", landlord=LONG, residence=LONG, address=LONG,
                         hall=f"Hall {i} " + LONG, phone="01 60 12 35 78")
            for i in range(render.PER_SHEET)]
    pdf = tmp_path / "sheet.pdf"
    render.write_pdf(many, pdf)
    (page,) = pdf_pages(pdf)
    px = 200 / 25.4

    def blank(x0, y0, x1, y1) -> bool:
        box = page.crop((round(x0 * px), round(y0 * px), round(x1 * px), round(y1 * px)))
        return box.getextrema()[0] > 200

    for col in range(render.SHEET_COLUMNS + 1):
        x = col * render.CELL_W
        assert blank(max(x - 1, 0), 0, min(x + 1, 210), 297), f"column border {col}"
    for row in range(render.SHEET_ROWS + 1):
        y = render.SHEET_TOP + row * render.CELL_H
        assert blank(0, max(y - 1, 0), 210, min(y + 1, 297)), f"row border {row}"
    assert len(decode(page)) == render.PER_SHEET


def test_pdf_text_is_real_text_with_accents_and_no_secret(store, tmp_path):
    territory.build(store, 3)
    selected = labels.every_encoded(store.conn)
    pdf = tmp_path / "sheet.pdf"
    render.write_pdf(selected, pdf)
    text = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout
    assert "Les Œillets" in text and "Dammarie-lès-Lys" in text and "Encodé le" in text
    assert territory.SECRET_FINGERPRINT not in text
    (page,) = pdf_pages(pdf)
    assert sorted(decode(page)) == sorted(lb.payload for lb in selected)


def test_roll_pdf_one_page_per_label(store, tmp_path):
    territory.build(store, 2)
    selected = labels.every_encoded(store.conn)
    pdf = tmp_path / "roll.pdf"
    render.write_pdf(selected, pdf, "roll-62mm")
    pages = pdf_pages(pdf)
    assert [decode(p) for p in pages] == [[lb.payload] for lb in selected]


def test_failed_write_leaves_nothing(tmp_path):
    target = tmp_path / "missing-folder" / "label.png"
    with pytest.raises(OSError):
        render.write_label(_label(), target)
    assert not target.parent.exists()


@pytest.mark.parametrize("fmt", ["pdf", "png", "svg"])
def test_modules_sit_where_the_matrix_says(tmp_path, fmt):
    """Sampled at each module centre, the rendered QR is the matrix itself,
    not a mirrored or shifted copy (decoders read mirrored codes too)."""
    label = _label()
    d = render.layout(label)
    if fmt == "pdf":
        pdf = tmp_path / "one.pdf"
        render.write_pdf([label], pdf)
        (image,) = pdf_pages(pdf, dpi=300)
        oy = render.SHEET_TOP
    elif fmt == "png":
        image, oy = render.png_image(d), 0.0
    else:
        image, oy = svg_to_png(render.svg_text(d)).convert("L"), 0.0
    px = 300 / 25.4
    n = len(d.matrix)
    x0, y0, m = d.qr_x * px, (oy + d.qr_y) * px, d.qr_side / n * px
    if fmt == "png":
        x0, y0, m = render.png_qr_grid(d)
    for r in range(n):
        for c in range(n):
            x, y = x0 + (c + 0.5) * m, y0 + (r + 0.5) * m
            value = image.getpixel((round(x), round(y)))
            value = value if isinstance(value, int) else value[0]
            assert (value < 128) == d.matrix[r][c], (r, c)
