"""`vigikfield labels`: every output decoded by zxing-cpp, round trip through search."""

from __future__ import annotations

import math
import subprocess

import pytest
from PIL import Image

import labels_territory as territory
from test_labels_render import decode, pdf_pages, svg_to_png
from vigikfield.domain import labels


def _expected(store) -> dict[str, labels.Label]:
    return {lb.code: lb for lb in labels.every_encoded(store.conn)}


def _resolves(cli, store, payload: str) -> None:
    """The decoded label's code, given to `vigikfield search`, finds that hall first."""
    code = payload.split("\n")[0]
    result = cli("search", code)
    assert result.exit_code == 0, result.output
    first = result.output.splitlines()[0].split("\t")
    hall = store.conn.execute("SELECT label FROM halls WHERE code = ?", (code,)).fetchone()
    assert first[0] == code and first[1] == hall[0]


@pytest.mark.parametrize("suffix", [".png", ".svg", ".pdf"])
@pytest.mark.parametrize("layout", ["a4-3x8", "roll-62mm"])
def test_one_hall_each_format(cli, store, tmp_path, suffix, layout):
    ids = territory.build(store, 2)
    code = store.get("halls", ids[1])["code"]
    out = tmp_path / f"label{suffix}"
    result = cli("labels", "--hall", code.lower(), "--out", out, "--layout", layout)
    assert result.exit_code == 0, result.output
    assert "1 étiquette(s)" in result.output
    if suffix == ".png":
        image = Image.open(out)
        assert round(image.info["dpi"][0]) == 300
        texts = decode(image)
    elif suffix == ".svg":
        texts = decode(svg_to_png(out.read_text(encoding="utf-8")))
    else:
        (page,) = pdf_pages(out)
        texts = decode(page)
    assert texts == [_expected(store)[code].payload]
    _resolves(cli, store, texts[0])


@pytest.mark.parametrize("suffix", [".png", ".svg"])
def test_residence_to_a_folder(cli, store, tmp_path, suffix):
    territory.build(store, 5, residences=2)
    expected = {c: lb for c, lb in _expected(store).items() if "Œillets 2" in lb.payload}
    result = cli("labels", "--residence", "les oeillets 2", "--out", tmp_path / f"res{suffix}")
    assert result.exit_code == 0, result.output
    folder = tmp_path / "res"
    assert sorted(p.name for p in folder.iterdir()) == sorted(f"{c}{suffix}" for c in expected)
    for path in folder.iterdir():
        image = (Image.open(path) if suffix == ".png"
                 else svg_to_png(path.read_text(encoding="utf-8")))
        (text,) = decode(image)
        assert text == expected[path.stem].payload
        _resolves(cli, store, text)


def test_encoded_since_pdf(cli, store, tmp_path):
    territory.build(store, 4)
    out = tmp_path / "since.pdf"
    result = cli("labels", "--encoded-since", "2025-03-01", "--out", out)
    assert result.exit_code == 0, result.output
    (page,) = pdf_pages(out)
    assert sorted(decode(page)) == sorted(lb.payload for lb in _expected(store).values())


def test_thousand_label_sheet(cli, store, tmp_path):
    territory.build(store, 1000, residences=40)
    expected = _expected(store)
    out = tmp_path / "sheet.pdf"
    result = cli("labels", "--all", "--out", out)
    assert result.exit_code == 0, result.output
    assert "1000 étiquette(s)" in result.output
    pages = pdf_pages(out)
    assert len(pages) == math.ceil(1000 / 24)
    per_page = [decode(page) for page in pages]
    assert [len(found) for found in per_page] == [24] * 41 + [1000 - 41 * 24]
    decoded = [text for found in per_page for text in found]
    assert sorted(decoded) == sorted(lb.payload for lb in expected.values())
    assert not any(territory.SECRET_FINGERPRINT in text for text in decoded)
    _resolves(cli, store, sorted(decoded)[0])


def test_svg_and_pdf_never_carry_a_secret(cli, store, tmp_path):
    territory.build(store, 3)
    assert cli("labels", "--all", "--out", tmp_path / "a.svg").exit_code == 0
    assert cli("labels", "--all", "--out", tmp_path / "a.pdf").exit_code == 0
    pdf_text = subprocess.run(["pdftotext", str(tmp_path / "a.pdf"), "-"],
                              capture_output=True, text=True, check=True).stdout
    texts = [pdf_text] + [p.read_text(encoding="utf-8") for p in (tmp_path / "a").iterdir()]
    assert len(texts) == 4
    for text in texts:
        assert territory.SECRET_FINGERPRINT not in text
        assert "site_level" not in text and "niveau" not in text.lower()


def test_bad_input_messages(cli, store, tmp_path):
    ids = territory.build(store, 1)
    code = store.get("halls", ids[0])["code"]
    out = tmp_path / "x.pdf"
    cases = [
        (["--hall", "ABCDEFG", "--out", out], 2, "n'est pas un code de hall valide"),
        (["--hall", "0000000", "--out", out], 1, "Aucun hall ne porte le code 0000000"),
        (["--residence", "Les Lilas", "--out", out], 1, "Aucune résidence"),
        (["--encoded-since", "2030-01-01", "--out", out], 1, "Aucun hall encodé depuis"),
        (["--encoded-since", "hier", "--out", out], 2, "AAAA-MM-JJ"),
        (["--all", "--hall", code, "--out", out], 2, "exactement une sélection"),
        (["--out", out], 2, "exactement une sélection"),
        (["--all", "--out", tmp_path / "x.jpg"], 2, "extension non prise en charge"),
        (["--all", "--out", tmp_path / "no" / "such" / "x.pdf"], 1, "Impossible d'écrire"),
    ]
    for args, exit_code, message in cases:
        result = cli("labels", *args)
        assert result.exit_code == exit_code, (args, result.output)
        assert message in result.output, (args, result.output)
        assert "Traceback" not in result.output
        assert isinstance(result.exception, SystemExit)
    assert not out.exists()


def test_nothing_encoded_and_not_encoded_hall(cli, store, tmp_path):
    hall = store.create("halls", {"label": "Hall neuf"})
    code = store.get("halls", hall)["code"]
    result = cli("labels", "--all", "--out", tmp_path / "x.pdf")
    assert result.exit_code == 1 and "Aucun hall encodé dans ce territoire" in result.output
    result = cli("labels", "--hall", code, "--out", tmp_path / "x.png")
    assert result.exit_code == 0 and "pas encore encodé" in result.output
    assert decode(Image.open(tmp_path / "x.png")) == [f"{code}\nHall neuf"]


def test_out_path_under_a_file(cli, store, tmp_path):
    territory.build(store, 1)
    blocker = tmp_path / "notes.txt"
    blocker.write_text("a file, not a folder")
    for out in (blocker / "x.pdf", blocker / "x.png"):
        result = cli("labels", "--all", "--out", out)
        assert result.exit_code == 1 and "Impossible d'écrire" in result.output, result.output
        assert "Traceback" not in result.output


def test_english_messages(cli, store, tmp_path):
    result = cli("labels", "--all", "--out", tmp_path / "x.pdf", lang="en")
    assert result.exit_code == 1 and "No encoded hall in this territory" in result.output


def test_catalogs_match():
    import tomllib
    from pathlib import Path

    from vigikfield import i18n

    base = Path(i18n.__file__).parent / "locale"
    fr = tomllib.loads((base / "fr" / "labels.toml").read_text(encoding="utf-8"))
    en = tomllib.loads((base / "en" / "labels.toml").read_text(encoding="utf-8"))
    flat_fr, flat_en = {}, {}
    i18n._flatten("", fr, flat_fr)
    i18n._flatten("", en, flat_en)
    assert flat_fr.keys() == flat_en.keys()
    for key in flat_fr:
        assert i18n.placeholders(flat_fr[key]) == i18n.placeholders(flat_en[key]), key


def test_cli_layouts_are_the_renderer_layouts():
    from vigikfield.commands import labels as command
    from vigikfield.domain import label_render

    assert command.LAYOUTS == label_render.LAYOUTS
