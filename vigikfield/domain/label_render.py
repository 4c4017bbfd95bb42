"""Draw labels: PNG, SVG, PDF sheets and roll labels, and a terminal preview.

One layout step turns a `Label` into a `Drawing` (a QR box and text lines,
all in millimetres, measured with the real DejaVu Sans metrics), then three
small backends paint that drawing: Pillow (PNG), plain SVG text, fpdf2 (PDF).
So every format shows the same label, and the bounds test on the drawing
holds for all of them: nothing is drawn outside the label.

The PDF draws each QR as one vector path (a rectangle per horizontal run of
dark modules): as fast as embedding one PNG per label, much faster and smaller
than one fpdf2 rect() per run, and exact at any printer resolution
(bench/bench_labels.py measures the three; docs/labels.md has the figures).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

import qrcode
from fpdf import FPDF
from PIL import Image, ImageDraw, ImageFont
from qrcode.constants import ERROR_CORRECT_L, ERROR_CORRECT_Q

from .labels import ELLIPSIS, MAX_VERSION, Label

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
FONT_BOLD = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")
PT = 25.4 / 72          # millimetres in a typographic point
DPI = 300
ASCENT, DESCENT = 0.93, 0.24   # DejaVu Sans, in em
LEADING = 1.2

# A4 sheet of 3 x 8 self-adhesive labels of 70 x 37 mm (210 x 296 mm, centred).
SHEET_COLUMNS, SHEET_ROWS = 3, 8
CELL_W, CELL_H = 70.0, 37.0
SHEET_TOP = (297.0 - SHEET_ROWS * CELL_H) / 2
PER_SHEET = SHEET_COLUMNS * SHEET_ROWS
# 62 mm continuous tape: Brother QL printers print 696 dots across it at 300 dpi.
ROLL_W = 696 / DPI * 25.4
LAYOUTS = ("a4-3x8", "roll-62mm")


@dataclass(frozen=True, slots=True)
class TextLine:
    x: float
    baseline: float
    size_pt: float
    bold: bool
    text: str


@dataclass(frozen=True, slots=True)
class Drawing:
    """A label laid out in millimetres, origin top left."""

    width: float
    height: float
    qr_x: float
    qr_y: float
    qr_side: float
    matrix: tuple[tuple[bool, ...], ...]
    texts: tuple[TextLine, ...]

    def runs(self) -> Iterable[tuple[int, int, int]]:
        """(row, first column, length) of each horizontal run of dark modules."""
        for r, row in enumerate(self.matrix):
            c, n = 0, len(row)
            while c < n:
                if row[c]:
                    start = c
                    while c < n and row[c]:
                        c += 1
                    yield r, start, c - start
                else:
                    c += 1


def qr_matrix(payload: str, *, small: bool = False) -> tuple[tuple[bool, ...], ...]:
    """The QR symbol (no quiet zone) at level Q, pure byte mode (UTF-8).

    `small`: level L, the smallest symbol holding the same text — for a screen,
    which is never scratched or soiled, so that it fits a terminal.
    """
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_L if small else ERROR_CORRECT_Q, border=0)
    qr.add_data(payload, optimize=0)
    qr.make(fit=True)
    if qr.version > MAX_VERSION:  # labels.build keeps payloads under the capacity
        raise ValueError(f"QR version {qr.version} > {MAX_VERSION}")
    return tuple(tuple(row) for row in qr.get_matrix())


@cache
def _font(bold: bool) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT_BOLD if bold else FONT), 200)


def text_width(text: str, size_pt: float, bold: bool = False) -> float:
    """Width in mm of `text` set in DejaVu Sans at `size_pt`."""
    return _font(bold).getlength(text) / 200 * size_pt * PT


def wrap(text: str, size_pt: float, bold: bool, width: float) -> list[str]:
    """Greedy word wrap to `width` mm; a word too long alone is cut by characters."""
    lines: list[str] = []
    current = ""
    for word in text.split(" "):
        candidate = f"{current} {word}" if current else word
        if text_width(candidate, size_pt, bold) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = word
        while text_width(current, size_pt, bold) > width and len(current) > 1:
            cut = len(current) - 1
            while cut > 1 and text_width(current[:cut], size_pt, bold) > width:
                cut -= 1
            lines.append(current[:cut])
            current = current[cut:]
    if current:
        lines.append(current)
    return lines


def _set_text(label: Label, x: float, top: float, width: float, height: float,
              sizes: Sequence[tuple[float, float]]) -> tuple[TextLine, ...]:
    """Code in bold then the human lines, at the largest sizes that fit the box.

    At the smallest sizes, lines that still do not fit are dropped and the
    last one kept ends with …; deterministic, and never outside the box.
    """
    for code_pt, body_pt in sizes:
        rows = [(label.code, code_pt, True)]
        rows += [(part, body_pt, False) for line in label.lines[1:]
                 for part in wrap(line, body_pt, False, width)]
        total = sum(size * PT * LEADING for _, size, _ in rows)
        if total <= height:
            break
    else:
        kept, used = [], 0.0
        for row in rows:
            used += row[1] * PT * LEADING
            if used > height:
                break
            kept.append(row)
        text, size, bold = kept[-1]
        while text and text_width(text + ELLIPSIS, size, bold) > width:
            text = text[:-1]
        kept[-1] = (text.rstrip() + ELLIPSIS, size, bold)
        rows = kept
    out, y = [], top
    for text, size, bold in rows:
        out.append(TextLine(x, y + size * PT * ASCENT, size, bold, text))
        y += size * PT * LEADING
    return tuple(out)


def layout(label: Label, kind: str = "a4-3x8") -> Drawing:
    """The label drawn for a sheet cell (70 x 37 mm) or for 62 mm tape."""
    matrix = qr_matrix(label.payload)
    if kind == "a4-3x8":
        # QR on the left, 4 mm from the edges: the quiet zone (4 modules,
        # < 2 mm) and the printer's unprintable margin both fit in there.
        pad, side, gap = 4.0, CELL_H - 8.0, 2.5
        x = pad + side + gap
        texts = _set_text(label, x, pad, CELL_W - 3.0 - x, side,
                          [(9, 6.5), (8.5, 6), (8, 5.5), (7.5, 5)])
        return Drawing(CELL_W, CELL_H, pad, pad, side, matrix, texts)
    if kind == "roll-62mm":
        # QR on top, centred, the text below it; the tape is cut after the text.
        # 4 mm around the QR: its quiet zone is 4 modules of 0.68 mm at most.
        pad, side, quiet = 3.0, 44.0, 4.0
        texts = _set_text(label, pad, quiet + side + quiet, ROLL_W - 2 * pad, 1000.0,
                          [(16, 10)])
        last = texts[-1]
        height = last.baseline + last.size_pt * PT * DESCENT + pad
        return Drawing(ROLL_W, height, (ROLL_W - side) / 2, quiet, side, matrix, texts)
    raise ValueError(f"unknown layout {kind!r}")


# -- PNG -------------------------------------------------------------------
def png_qr_grid(drawing: Drawing, dpi: int = DPI) -> tuple[int, int, int]:
    """Pixel origin and module size of the QR: whole pixels, centred in its box."""
    px = dpi / 25.4
    n = len(drawing.matrix)
    side = drawing.qr_side * px
    module = max(1, int(side // n))
    x0 = round(drawing.qr_x * px + (side - module * n) / 2)
    y0 = round(drawing.qr_y * px + (side - module * n) / 2)
    return x0, y0, module


def png_image(drawing: Drawing, dpi: int = DPI) -> Image.Image:
    """Greyscale image; QR modules are whole pixels so every module is equal."""
    px = dpi / 25.4
    image = Image.new("L", (round(drawing.width * px), round(drawing.height * px)), 255)
    draw = ImageDraw.Draw(image)
    x0, y0, module = png_qr_grid(drawing, dpi)
    for r, c, length in drawing.runs():
        draw.rectangle((x0 + c * module, y0 + r * module,
                        x0 + (c + length) * module - 1, y0 + (r + 1) * module - 1), fill=0)
    for line in drawing.texts:
        font = ImageFont.truetype(str(FONT_BOLD if line.bold else FONT),
                                  round(line.size_pt / 72 * dpi))
        draw.text((line.x * px, line.baseline * px), line.text, font=font, fill=0, anchor="ls")
    return image


# -- SVG -------------------------------------------------------------------
def svg_text(drawing: Drawing) -> str:
    """A standalone SVG in millimetres; QR as one path, text as real text."""
    m = drawing.qr_side / len(drawing.matrix)
    path = "".join(
        f"M{drawing.qr_x + c * m:.3f} {drawing.qr_y + r * m:.3f}h{length * m:.3f}v{m:.3f}"
        f"h{-length * m:.3f}z"
        for r, c, length in drawing.runs()
    )
    bold = ' font-weight="bold"'
    texts = "".join(
        f'<text x="{t.x:.2f}" y="{t.baseline:.2f}" font-size="{t.size_pt * PT:.3f}"'
        f'{bold if t.bold else ""}>{escape(t.text)}</text>'
        for t in drawing.texts
    )
    w, h = drawing.width, drawing.height
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w:.2f}mm" height="{h:.2f}mm" '
        f'viewBox="0 0 {w:.2f} {h:.2f}">'
        f'<rect width="{w:.2f}" height="{h:.2f}" fill="#fff"/>'
        f'<path d="{path}" fill="#000" shape-rendering="crispEdges"/>'
        f'<g font-family="DejaVu Sans" fill="#000">{texts}</g></svg>\n'
    )


# -- PDF -------------------------------------------------------------------
def qr_path(drawing: Drawing, ox: float, oy: float, k: float, page_h: float) -> str:
    """The QR as ONE filled PDF path: one `re` per run of dark modules, in
    module units under a single `cm` transform (small integers, which deflate
    well). fpdf2's public calls cost too much here: `rect()` is one fill per
    call (~11 us each, ~1,000 a label, and hairlines where fills touch), its
    drawing API ~100 ms a label; bench/bench_labels.py measures them.
    """
    m = drawing.qr_side / len(drawing.matrix) * k
    x, y = (ox + drawing.qr_x) * k, (page_h - oy - drawing.qr_y) * k
    ops = " ".join(f"{c} {-r - 1} {length} 1 re" for r, c, length in drawing.runs())
    return f"q 0 g {m:.5f} 0 0 {m:.5f} {x:.3f} {y:.3f} cm {ops} f Q"


def _paint(pdf: FPDF, drawing: Drawing, ox: float, oy: float) -> None:
    pdf._out(qr_path(drawing, ox, oy, pdf.k, pdf.h))  # content stream of the current page
    for line in drawing.texts:
        pdf.set_font("DejaVu", "B" if line.bold else "", line.size_pt)
        pdf.text(ox + line.x, oy + line.baseline, line.text)


def pdf_bytes(labels: Sequence[Label], kind: str = "a4-3x8") -> bytes:
    """A4 sheets of 24 labels, or one page per roll label."""
    pdf = FPDF(unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margin(0)
    pdf.set_creator("vigikfield")
    pdf.add_font("DejaVu", "", str(FONT))
    pdf.add_font("DejaVu", "B", str(FONT_BOLD))
    for i, label in enumerate(labels):
        drawing = layout(label, kind)
        if kind == "a4-3x8":
            if i % PER_SHEET == 0:
                pdf.add_page()
            row, col = divmod(i % PER_SHEET, SHEET_COLUMNS)
            _paint(pdf, drawing, col * CELL_W, SHEET_TOP + row * CELL_H)
        else:
            pdf.add_page(format=(drawing.width, drawing.height))
            _paint(pdf, drawing, 0.0, 0.0)
    return bytes(pdf.output())


# -- files -----------------------------------------------------------------
def write_atomic(path: Path, write: Callable[[Path], None]) -> None:
    """Write through a temporary file in the same folder: never a half file.

    Labels are public: an ordinary file, its mode left to the umask (mkstemp's 0600 is not).
    """
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
    try:
        write(Path(tmp))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_label(label: Label, path: Path, kind: str = "a4-3x8") -> None:
    """One label as .png (300 dpi) or .svg, chosen by the file's suffix."""
    drawing = layout(label, kind)
    if path.suffix.lower() == ".svg":
        write_atomic(path, lambda tmp: tmp.write_text(svg_text(drawing), encoding="utf-8"))
    else:
        write_atomic(path, lambda tmp: png_image(drawing).save(tmp, "PNG", dpi=(DPI, DPI)))


def write_pdf(labels: Sequence[Label], path: Path, kind: str = "a4-3x8") -> None:
    data = pdf_bytes(labels, kind)
    write_atomic(path, lambda tmp: tmp.write_bytes(data))


# -- terminal --------------------------------------------------------------
def terminal_preview(payload: str, *, dark_background: bool = True, border: int = 2,
                     small: bool = False) -> str:
    """The QR in half-block characters, two modules a character cell.

    `small`: the level-L symbol of the same payload (see `qr_matrix`): a
    100-character label takes 20 rows instead of 26, so it fits at 80 × 24.

    On a light-on-dark terminal (the default, and what the TUI should style
    the widget as) the light modules are drawn and the dark ones left blank,
    so the code shows dark on light as scanners expect.
    """
    core = qr_matrix(payload, small=small)
    n = len(core) + 2 * border
    blank = [False] * n
    grid = [blank] * border + [[False] * border + list(r) + [False] * border for r in core]
    grid += [blank] * border + ([blank] if n % 2 else [])
    glyphs = {(True, True): "█", (True, False): "▀", (False, True): "▄", (False, False): " "}

    def drawn(dark: bool) -> bool:
        return not dark if dark_background else dark

    return "\n".join(
        "".join(glyphs[(drawn(t), drawn(b))] for t, b in zip(top, bottom))
        for top, bottom in zip(grid[0::2], grid[1::2])
    )
