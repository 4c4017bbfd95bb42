"""Labels: how fast a 1,000-hall A4 PDF is made, against raw `qrcode`.

Floor: making the QR matrices of the same payloads with `qrcode` alone (the
same level Q, byte mode, best mask), in the same run. A label also needs its
text set and painted, so the PDF cannot beat the floor; the goal is to stay
within twice it. Also measured: the bytes per label of the PDF, and two ways
of painting the QR that we did not take (one embedded PNG per label; one
fpdf2 rect() per run of modules), to show why the QR is one vector path.

BENCH_QUICK=1: 100 halls instead of 1,000.
"""

from __future__ import annotations

import importlib.util
import io
import os
import sys
import time
from pathlib import Path

import qrcode
from fpdf import FPDF
from PIL import Image
from qrcode.constants import ERROR_CORRECT_Q

from vigikfield.domain import label_render as render
from vigikfield.domain import labels as payloads
from vigikfield.domain.store import Store


def _territory_module():
    """tests/labels_territory.py: the same territory builder the tests use."""
    path = Path(__file__).resolve().parents[1] / "tests" / "labels_territory.py"
    spec = importlib.util.spec_from_file_location("labels_territory", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("labels_territory", module)
    spec.loader.exec_module(module)
    return module


def _raw_qrcode(payload: str) -> list[list[bool]]:
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_Q, border=0)
    qr.add_data(payload, optimize=0)
    qr.make(fit=True)
    return qr.get_matrix()


def _sheet(labels: list[payloads.Label], paint_qr) -> bytes:
    """An A4 sheet like render.pdf_bytes, with another way to paint the QR."""
    pdf = FPDF(unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margin(0)
    pdf.add_font("DejaVu", "", str(render.FONT))
    pdf.add_font("DejaVu", "B", str(render.FONT_BOLD))
    pdf.set_fill_color(0)
    for i, label in enumerate(labels):
        drawing = render.layout(label)
        if i % render.PER_SHEET == 0:
            pdf.add_page()
        row, col = divmod(i % render.PER_SHEET, render.SHEET_COLUMNS)
        ox, oy = col * render.CELL_W, render.SHEET_TOP + row * render.CELL_H
        paint_qr(pdf, drawing, ox + drawing.qr_x, oy + drawing.qr_y)
        for line in drawing.texts:
            pdf.set_font("DejaVu", "B" if line.bold else "", line.size_pt)
            pdf.text(ox + line.x, oy + line.baseline, line.text)
    return bytes(pdf.output())


def _embedded_png(pdf: FPDF, drawing: render.Drawing, x: float, y: float) -> None:
    """Not taken: the QR as a 1-bit PNG image (fpdf2 parses and deflates each one)."""
    n = len(drawing.matrix)
    image = Image.new("1", (n, n), 1)
    image.putdata([0 if dark else 1 for row in drawing.matrix for dark in row])
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    pdf.image(buffer, x, y, drawing.qr_side, drawing.qr_side)


def _rect_per_run(pdf: FPDF, drawing: render.Drawing, x: float, y: float) -> None:
    """Not taken: fpdf2's public rect(), one fill per run of dark modules."""
    m = drawing.qr_side / len(drawing.matrix)
    for r, c, length in drawing.runs():
        pdf.rect(x + c * m, y + r * m, length * m, m, style="F")


def _timed(fn, *args):
    """CPU seconds of this process: the machine is shared, wall time drifts
    with other people's load between the floor and the measured run."""
    start = time.process_time()
    result = fn(*args)
    return time.process_time() - start, result


def run(workdir: Path) -> list[dict]:
    count = 100 if os.environ.get("BENCH_QUICK") == "1" else 1000
    workdir.mkdir(parents=True, exist_ok=True)
    db = workdir / "labels-bench.db"
    db.unlink(missing_ok=True)
    store = Store(db)
    try:
        _territory_module().build(store, count, residences=max(1, count // 20))
        labels = payloads.every_encoded(store.conn)
    finally:
        store.close()
    payload_texts = [label.payload for label in labels]

    floor_s, _ = _timed(lambda: [_raw_qrcode(p) for p in payload_texts])
    pdf_s, pdf = _timed(render.pdf_bytes, labels)
    # The roads not taken, on the first 200 labels (per-label figures compare).
    some = labels[:200]
    png_s, png_pdf = _timed(_sheet, some, _embedded_png)
    rect_s, rect_pdf = _timed(_sheet, some, _rect_per_run)
    # Bytes floor: each QR alone as the smallest raster (1 bit a module, PNG).
    qr_png_bytes = 0
    for payload in payload_texts[:100]:
        buffer = io.BytesIO()
        qrcode.make(payload, error_correction=ERROR_CORRECT_Q, border=0,
                    box_size=1).save(buffer)
        qr_png_bytes += len(buffer.getvalue())
    qr_png = qr_png_bytes / min(100, count)

    n, k = len(labels), len(some)
    floor_rate = round(n / floor_s, 1)
    rows = [
        {"name": f"labels.pdf_a4_labels_per_second ({n} halls; ratio = qrcode rate / pdf rate)",
         "value": round(n / pdf_s, 1), "unit": "labels/s", "floor": floor_rate,
         "ratio": round((pdf_s / n) / (floor_s / n), 2), "goal": "<= 2"},
        {"name": "labels.pdf_a4_bytes_per_label (floor = the QR alone as a 1-bit PNG)",
         "value": round(len(pdf) / n), "unit": "bytes", "floor": round(qr_png),
         "ratio": round(len(pdf) / n / qr_png, 2), "goal": "<= 5"},
    ]
    variants = (("embedded_png", png_s, png_pdf), ("rect_per_run", rect_s, rect_pdf))
    for name, seconds, data in variants:  # for comparison only: goals not checked
        rows.append({"name": f"labels.pdf_{name}_labels_per_second (not used; {k} labels)",
                     "value": round(k / seconds, 1), "unit": "labels/s", "floor": floor_rate,
                     "ratio": round((seconds / k) / (floor_s / n), 2), "goal": "information"})
        rows.append({"name": f"labels.pdf_{name}_bytes_per_label (not used)",
                     "value": round(len(data) / k), "unit": "bytes", "floor": round(qr_png),
                     "ratio": round(len(data) / k / qr_png, 2), "goal": "information"})
    return rows


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        for row in run(Path(tmp)):
            print(row)
