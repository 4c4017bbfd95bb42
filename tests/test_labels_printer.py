"""The 62 mm roll PNGs against an independent converter for Brother QL printers.

`brother-ql-inventree` (the dev extra) turns each label into the raster a QL-700
and a QL-820NWB print; the label must go through without being resized (a resize
blurs the QR code's modules), and the raster read back by the same package's
reader must be the PNG, dot for dot.
"""

from __future__ import annotations

import io
import logging

import pytest

import labels_territory as territory
from vigikfield.domain import label_render, labels

from brother_ql.conversion import convert  # the dev extra has brother-ql-inventree
from brother_ql.devicedependent import label_type_specs
from brother_ql.raster import BrotherQLRaster
from brother_ql.reader import BrotherQLReader  # noqa: E402
from PIL import Image  # noqa: E402

MODELS = ("QL-700", "QL-820NWB")
TAPE = "62"  # 62 mm endless tape
THRESHOLD = 70  # brother_ql's default: a pixel prints when darker than 30 % of white


@pytest.fixture
def roll_pngs(store, tmp_path):
    territory.build(store, 3, residences=2, long_texts=True)
    paths = []
    for label in labels.every_encoded(store.conn):
        path = tmp_path / f"{label.code}.png"
        label_render.write_label(label, path, "roll-62mm")
        paths.append(path)
    assert len(paths) == 3
    return paths


def _read_back(data: bytes, folder) -> Image.Image:
    reader = BrotherQLReader(io.BytesIO(data))
    reader.filename_fmt = str(folder / "page{counter:04d}.png")
    reader.analyse()
    return Image.open(folder / "page0001.png")


@pytest.mark.parametrize("model", MODELS)
def test_roll_labels_print_unresized_and_read_back_identical(roll_pngs, model, tmp_path, caplog):
    spec = label_type_specs[TAPE]
    for path in roll_pngs:
        png = Image.open(path)
        # drawn at the printer's own width: nothing for the converter to scale
        assert png.size[0] == spec["dots_printable"][0] == 696
        qlr = BrotherQLRaster(model)
        qlr.exception_on_warning = True
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="brother_ql"):
            data = convert(qlr, [str(path)], TAPE, rotate="0", threshold=THRESHOLD, cut=True)
        assert not [r for r in caplog.records if "resize" in r.getMessage().lower()]
        out = tmp_path / f"{model}-{path.stem}"
        out.mkdir()
        back = _read_back(data, out)
        width = qlr.get_pixel_width()
        assert back.size == (width, png.size[1])  # every row there, none added or dropped
        left = width - png.size[0] - spec["right_margin_dots"]
        printed = back.crop((left, 0, left + png.size[0], png.size[1])).convert("L")
        cut = int((100 - THRESHOLD) / 100 * 255)
        expected = png.convert("L").point(lambda v: 0 if 255 - v >= cut else 255)
        assert printed.tobytes() == expected.tobytes(), path.name
        # and the margins stay blank
        assert back.crop((0, 0, left, png.size[1])).convert("L").getextrema() == (255, 255)
        assert back.crop((left + png.size[0], 0, width, png.size[1])).convert("L").getextrema() \
            == (255, 255)
