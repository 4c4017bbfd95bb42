"""The committee's one-page progress report as a PDF, drawn with fpdf2's own vector
primitives (no chart library, no picture): territory and date, totals, dwellings
covered against the goal, a bar per landlord, the costs, the late residences;
optionally a second page with the halls as dots placed by their coordinates.

The figures come in a `Committee` (built by `domain.committee` from the one status
definition, the costs and the lateness rule); nothing here reads the database.
Bars are drawn to scale: a bar's length is its figure times one scale per chart,
so a reader (tests/test_committee_pdf.py, with pdfplumber) can check them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from fpdf import FPDF

from ..domain.label_render import FONT, FONT_BOLD
from ..i18n import format_date, format_money, format_number, t
from .table import CONFIDENTIAL_MARK

# Colours (RGB) of the statuses on the chart and the map; the legend names them.
COLOURS = {
    "encoded": (46, 125, 50), "failed": (198, 40, 40), "incompatible": (142, 36, 170),
    "no_access": (239, 108, 0), "pending": (176, 190, 197),
}
MAP_STATUS = {"encoded": "encoded", "failed": "failed", "incompatible": "incompatible",
              "no_access": "no_access", "compatible": "pending", "to_check": "pending"}
PAGE_W, PAGE_H, MARGIN = 210.0, 297.0, 14.0
BAR_AREA = 96.0          # mm: the longest bar of the landlords' chart
BAR_HEIGHT = 3.6         # mm: a landlord's bar
COVER_HEIGHT = 4.0       # mm: a coverage bar
MAX_LANDLORDS = 14       # on the page; the rest summed in one line
MAX_LATE = 8


@dataclass(frozen=True, slots=True)
class LandlordBar:
    name: str
    halls: int
    encoded: int
    failed: int
    incompatible: int
    no_access: int
    dwellings: int
    dwellings_covered: int


@dataclass(frozen=True, slots=True)
class CostLine:
    payer: str
    planned_ht: Decimal
    planned_ttc: Decimal
    incurred_ht: Decimal
    incurred_ttc: Decimal


@dataclass(frozen=True, slots=True)
class LateLine:
    residence: str
    landlord: str | None
    planned_date: str
    halls: int
    encoded: int
    level: int | None = None     # the site's classification: only in a confidential report


@dataclass(frozen=True, slots=True)
class Dot:
    lon: float
    lat: float
    status: str          # a hall status (status.HALL_STATUSES)


@dataclass(frozen=True, slots=True)
class Place:
    name: str
    lon: float
    lat: float


@dataclass(slots=True)
class Committee:
    territory: str
    day: date
    halls: int
    encoded: int
    failed: int
    incompatible: int
    no_access: int
    pending: int
    dwellings_qpv: int            # dwellings in QPV (all halls)
    covered_qpv: int              # ... of encoded halls
    goal_qpv: int | None          # the pilot's goal (None: all of them)
    dwellings_outside: int
    covered_outside: int
    goal_outside: int | None
    landlords: list[LandlordBar] = field(default_factory=list)
    costs: list[CostLine] = field(default_factory=list)
    late: list[LateLine] = field(default_factory=list)
    dots: list[Dot] | None = None  # the map page, when asked for
    places: list[Place] = field(default_factory=list)  # communes named on the map
    unplaced: int = 0             # halls without coordinates (not on the map)
    confidential: bool = False


class _Pdf(FPDF):
    confidential = False

    def header(self) -> None:
        if self.confidential:
            self.set_font("DejaVu", "B", 9)
            self.set_text_color(198, 40, 40)
            self.set_xy(MARGIN, 5)
            self.cell(PAGE_W - 2 * MARGIN, 5, CONFIDENTIAL_MARK, align="C")
            self.set_text_color(0, 0, 0)


def _pdf(report: Committee) -> _Pdf:
    pdf = _Pdf(unit="mm", format="A4")
    pdf.confidential = report.confidential
    pdf.set_auto_page_break(False)
    pdf.set_margins(MARGIN, MARGIN)
    pdf.set_creator("vigikfield")
    pdf.set_title(t("committee.title", territory=report.territory))
    pdf.add_font("DejaVu", "", str(FONT))
    pdf.add_font("DejaVu", "B", str(FONT_BOLD))
    return pdf


def _text(pdf: FPDF, x: float, y: float, text: str, size: float = 9, bold: bool = False,
          width: float = 0, align: str = "L") -> None:
    pdf.set_font("DejaVu", "B" if bold else "", size)
    pdf.set_xy(x, y)
    pdf.cell(width, size * 0.45, text, align=align)


def _fit(pdf: FPDF, text: str, width: float, size: float) -> str:
    """`text` cut with an ellipsis to fit `width` mm at `size` pt."""
    pdf.set_font("DejaVu", "", size)
    if pdf.get_string_width(text) <= width:
        return text
    while text and pdf.get_string_width(text + "…") > width:
        text = text[:-1]
    return text + "…"


def _bar(pdf: FPDF, x: float, y: float, w: float, h: float, colour: tuple[int, int, int]) -> None:
    if w <= 0:
        return
    pdf.set_fill_color(*colour)
    pdf.rect(x, y, w, h, style="F")


def _section(pdf: FPDF, y: float, key: str) -> float:
    _text(pdf, MARGIN, y, t(key), 11, bold=True)
    pdf.set_draw_color(120, 120, 120)
    pdf.line(MARGIN, y + 5.5, PAGE_W - MARGIN, y + 5.5)
    return y + 8


def _share(part: int, whole: int) -> str:
    return f"{format_number(100 * part / whole, 1)} %" if whole else "—"


def _totals(pdf: FPDF, report: Committee, y: float) -> float:
    y = _section(pdf, y, "committee.totals")
    cells = [("halls", report.halls), ("encoded", report.encoded), ("failed", report.failed),
             ("incompatible", report.incompatible), ("no_access", report.no_access),
             ("pending", report.pending)]
    width = (PAGE_W - 2 * MARGIN) / len(cells)
    for i, (key, value) in enumerate(cells):
        x = MARGIN + i * width
        _text(pdf, x, y, format_number(value), 14, bold=True, width=width, align="C")
        _text(pdf, x, y + 7, t(f"committee.col_{key}"), 8, width=width, align="C")
    return y + 14


def _coverage(pdf: FPDF, report: Committee, y: float) -> float:
    y = _section(pdf, y, "committee.coverage")
    rows = [("qpv", report.covered_qpv, report.goal_qpv, report.dwellings_qpv),
            ("outside", report.covered_outside, report.goal_outside, report.dwellings_outside)]
    for key, covered, goal, dwellings in rows:
        target = goal if goal is not None else dwellings
        _text(pdf, MARGIN, y, t(f"committee.cover_{key}"), 9, width=40)
        pdf.set_draw_color(90, 90, 90)
        pdf.rect(MARGIN + 42, y, BAR_AREA, COVER_HEIGHT)
        if target:
            _bar(pdf, MARGIN + 42, y, BAR_AREA * min(covered, target) / target, COVER_HEIGHT,
                 COLOURS["encoded"])
        _text(pdf, MARGIN + 44 + BAR_AREA, y, t(
            "committee.cover_line", covered=format_number(covered), goal=format_number(target),
            share=_share(covered, target),
            kind=t("committee.goal" if goal is not None else "committee.all_dwellings")), 8)
        y += 7
    return y + 2


def _landlords(pdf: FPDF, report: Committee, y: float) -> float:
    y = _section(pdf, y, "committee.by_landlord")
    rows = sorted(report.landlords, key=lambda r: (-r.halls, r.name))
    shown, rest = rows[:MAX_LANDLORDS], rows[MAX_LANDLORDS:]
    if rest:
        shown.append(LandlordBar(t("committee.others", count=len(rest)),
                                 *(sum(getattr(r, f) for r in rest) for f in
                                   ("halls", "encoded", "failed", "incompatible", "no_access",
                                    "dwellings", "dwellings_covered"))))
    most = max((r.halls for r in shown), default=0)
    scale = BAR_AREA / most if most else 0.0  # mm per hall, the same for every bar
    x0 = MARGIN + 52
    for row in shown:
        _text(pdf, MARGIN, y, _fit(pdf, row.name, 50, 8), 8, width=50)
        x = x0
        for key, count in (("encoded", row.encoded), ("failed", row.failed),
                           ("incompatible", row.incompatible), ("no_access", row.no_access)):
            _bar(pdf, x, y, count * scale, BAR_HEIGHT, COLOURS[key])
            x += count * scale
        rest_halls = row.halls - row.encoded - row.failed - row.incompatible - row.no_access
        _bar(pdf, x, y, rest_halls * scale, BAR_HEIGHT, COLOURS["pending"])
        _text(pdf, x0 + BAR_AREA + 2, y, t("committee.landlord_line",
                                           encoded=format_number(row.encoded),
                                           halls=format_number(row.halls),
                                           share=_share(row.encoded, row.halls)), 7.5)
        y += 5
    # legend
    x = MARGIN
    for key in COLOURS:
        _bar(pdf, x, y + 0.8, 3, 3, COLOURS[key])
        label = t(f"committee.col_{key}")
        _text(pdf, x + 4, y, label, 7)
        pdf.set_font("DejaVu", "", 7)
        x += 8 + pdf.get_string_width(label)
    return y + 8


def _costs(pdf: FPDF, report: Committee, y: float) -> float:
    y = _section(pdf, y, "committee.costs")
    columns = [("payer", 58), ("planned_ht", 31), ("planned_ttc", 31), ("incurred_ht", 31),
               ("incurred_ttc", 31)]
    x = MARGIN
    for key, width in columns:
        _text(pdf, x, y, t(f"committee.col_{key}"), 7.5, bold=True, width=width,
              align="L" if key == "payer" else "R")
        x += width
    y += 5
    lines = list(report.costs)
    if lines:
        lines.append(CostLine(t("committee.total"),
                              *(sum((getattr(c, f) for c in report.costs), Decimal(0)) for f in
                                ("planned_ht", "planned_ttc", "incurred_ht", "incurred_ttc"))))
    for i, line in enumerate(lines):
        bold = i == len(lines) - 1 and len(lines) > 1
        x = MARGIN
        values = [line.payer, *(format_money(getattr(line, k)) for k, _ in columns[1:])]
        for (key, width), value in zip(columns, values):
            text = _fit(pdf, value, width - 1, 7.5) if key == "payer" else value
            _text(pdf, x, y, text, 7.5, bold=bold, width=width,
                  align="L" if key == "payer" else "R")
            x += width
        y += 4.3
    return y + 3


def _late(pdf: FPDF, report: Committee, y: float) -> float:
    y = _section(pdf, y, "committee.late")
    if not report.late:
        _text(pdf, MARGIN, y, t("committee.none_late"), 8)
        return y + 6
    for line in report.late[:MAX_LATE]:
        text = t("committee.late_line", residence=line.residence, landlord=line.landlord or "—",
                 day=format_date(line.planned_date), encoded=line.encoded, halls=line.halls)
        if report.confidential and line.level is not None:
            text += " — " + t("committee.level", level=line.level)
        _text(pdf, MARGIN, y, _fit(pdf, text, PAGE_W - 2 * MARGIN, 8), 8)
        y += 4.3
    if len(report.late) > MAX_LATE:
        _text(pdf, MARGIN, y, t("committee.more_late", count=len(report.late) - MAX_LATE), 8)
        y += 4.3
    return y + 2


def _map(pdf: FPDF, report: Committee) -> None:
    pdf.add_page()
    _text(pdf, MARGIN, MARGIN, t("committee.map_title", territory=report.territory), 13, True)
    dots = report.dots or []
    box_x, box_y, box_w, box_h = MARGIN, MARGIN + 10, PAGE_W - 2 * MARGIN, PAGE_H - 2 * MARGIN - 24
    pdf.set_draw_color(150, 150, 150)
    pdf.rect(box_x, box_y, box_w, box_h)
    if dots:
        west, east = min(d.lon for d in dots), max(d.lon for d in dots)
        south, north = min(d.lat for d in dots), max(d.lat for d in dots)
        middle = math.cos(math.radians((south + north) / 2))  # equirectangular, true at mid-latitude
        span_x, span_y = max((east - west) * middle, 1e-6), max(north - south, 1e-6)
        mm = min((box_w - 10) / span_x, (box_h - 10) / span_y)
        left = box_x + (box_w - span_x * mm) / 2
        top = box_y + (box_h - span_y * mm) / 2

        def place(lon: float, lat: float) -> tuple[float, float]:
            return left + (lon - west) * middle * mm, top + (north - lat) * mm

        order = ("pending", "encoded", "no_access", "incompatible", "failed")  # failures on top
        for key in order:
            pdf.set_fill_color(*COLOURS[key])
            for dot in dots:
                if MAP_STATUS.get(dot.status, "pending") == key:
                    x, y = place(dot.lon, dot.lat)
                    pdf.ellipse(x - 0.7, y - 0.7, 1.4, 1.4, style="F")
        for p in report.places:
            x, y = place(p.lon, p.lat)
            _text(pdf, x - 20, y - 5, p.name, 8, bold=True, width=40, align="C")
    y = box_y + box_h + 3
    x = MARGIN
    for key in COLOURS:
        _bar(pdf, x, y + 0.8, 3, 3, COLOURS[key])
        label = t(f"committee.col_{key}")
        _text(pdf, x + 4, y, label, 7)
        pdf.set_font("DejaVu", "", 7)
        x += 8 + pdf.get_string_width(label)
    note = t("committee.map_note", count=format_number(len(dots)))
    if report.unplaced:
        note += " " + t("committee.unplaced", count=format_number(report.unplaced))
    _text(pdf, MARGIN, y + 5, note, 7)


def pdf_bytes(report: Committee) -> bytes:
    pdf = _pdf(report)
    pdf.add_page()
    y = MARGIN + (2 if report.confidential else 0)
    _text(pdf, MARGIN, y, t("committee.title", territory=report.territory), 15, bold=True)
    _text(pdf, MARGIN, y + 7.5, t("committee.subtitle", day=format_date(report.day)), 9)
    y += 15
    for part in (_totals, _coverage, _landlords, _costs, _late):
        y = part(pdf, report, y)
    if report.dots is not None:
        _map(pdf, report)
    return bytes(pdf.output())
