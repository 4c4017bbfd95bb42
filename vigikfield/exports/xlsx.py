"""XLSX with typed cells (openpyxl; docs/exports.md).

- text and code cells are text cells (``t="inlineStr"``, format ``@``): a name
  beginning with ``=`` stays that string, never a formula (openpyxl would make it
  one: its data type is set back to ``s``), with Excel's quote prefix so that
  editing the cell keeps it text;
- counts are numbers (``#,##0``), money numbers in euros (``#,##0.00 "€"``),
  percents fractions shown as percents (``0.0%``), dates real dates (``JJ/MM/AAAA``);
- one worksheet per sheet (names ≤ 31 characters, none of ``[]:*?/\\``, unique),
  a bold frozen header row, an autofilter over the table, columns sized to
  their content; printed landscape, one page wide, the header on every page;
- a confidential sheet says so in its name and its first row;
- a workbook is a file: no standard output; written atomically.
"""

from __future__ import annotations

import io
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..domain import private
from ..domain.costs import cents
from ..i18n import t
from . import cells
from .errors import ExportError
from .table import CONFIDENTIAL_MARK, Column, Sheet

MONEY_FORMAT = '#,##0.00 "€"'
PERCENT_FORMAT = "0.0%"
INTEGER_FORMAT = "#,##0"
DATE_FORMAT = "DD/MM/YYYY"
TEXT_FORMAT = "@"
MAX_SHEET_NAME = 31
CONFIDENTIAL_WORD = CONFIDENTIAL_MARK.split()[0]  # "CONFIDENTIEL", in a sheet's name
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
MIN_WIDTH, MAX_WIDTH = 8, 60


def sheet_name(title: str, taken: set[str]) -> str:
    """`title` as a worksheet name Excel accepts, unique among `taken` (case ignored)."""
    base = _SHEET_NAME_FORBIDDEN.sub(" ", title).strip().strip("'") or "Feuille"
    base = base[:MAX_SHEET_NAME].rstrip()
    name, number = base, 1
    while name.casefold() in taken:
        number += 1
        suffix = f" ({number})"
        name = base[:MAX_SHEET_NAME - len(suffix)].rstrip() + suffix
    taken.add(name.casefold())
    return name


def _text(value: str) -> str:
    """`value` as XML can hold it: control characters replaced by U+FFFD, a carriage
    return made the line feed Excel uses for a line break (XML reads a bare CR as LF)."""
    if value.isprintable():
        return value  # the common case
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("\ufffd", value.replace("\r\n", "\n").replace("\r", "\n"))


def _put(ws: Any, row: int, col: int, column: Column, value: Any) -> int:
    """Write one typed cell; returns the width of its text as shown."""
    if value is None or value == "":
        return 0
    target = ws.cell(row=row, column=col)
    kind = column.kind
    if kind == "money":
        amount = cents(Decimal(value))
        target.value, target.number_format = amount, MONEY_FORMAT
        return len(f"{amount:,}") + 2
    if kind == "percent":
        target.value, target.number_format = Decimal(value) / 100, PERCENT_FORMAT
        return 7
    if kind == "integer":
        target.value, target.number_format = int(value), INTEGER_FORMAT
        return len(f"{int(value):,}")
    day = cells.as_date(value) if kind == "date" else None
    if day is not None:
        target.value, target.number_format = day, DATE_FORMAT
        return 10
    return _put_text(target, str(value))


def _put_text(target: Any, value: str) -> int:
    target.value = _text(value)
    target.data_type = "s"             # never a formula, whatever it begins with
    target.number_format = TEXT_FORMAT
    if cells.is_formula_like(value):
        target.quotePrefix = True      # editing it in Excel keeps it text
    if "\n" in value or "\r" in value:
        return max(len(line) for line in value.splitlines() or [""])
    return len(value)


def _fill(ws: Any, sheet: Sheet) -> None:
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    top = 1
    if sheet.confidential:
        _put_text(ws.cell(row=1, column=1), CONFIDENTIAL_MARK)
        ws.cell(row=1, column=1).font = Font(bold=True, color="C00000")
        top = 2
    widths = []
    for col, column in enumerate(sheet.columns, start=1):
        head = ws.cell(row=top, column=col)
        widths.append(_put_text(head, cells.header(column)))
        head.font = Font(bold=True)
    for number, row in enumerate(sheet.rows, start=top + 1):
        for col, column in enumerate(sheet.columns, start=1):
            width = _put(ws, number, col, column, row.get(column.key))
            if width > widths[col - 1]:
                widths[col - 1] = width
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = min(MAX_WIDTH, max(MIN_WIDTH, width + 2))
    if sheet.columns:
        last = get_column_letter(len(sheet.columns))
        ws.auto_filter.ref = f"A{top}:{last}{top + len(sheet.rows)}"
    ws.freeze_panes = f"A{top + 1}"
    # printed: landscape, as wide as the page, the header on every page
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{top}:{top}"


def to_bytes(sheets: list[Sheet]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    workbook.properties.creator = "vigikfield"
    taken: set[str] = set()
    for sheet in sheets:
        title = t(sheet.title)
        if sheet.confidential:
            title = f"{CONFIDENTIAL_WORD} {title}"
        _fill(workbook.create_sheet(sheet_name(title, taken)), sheet)
    if not sheets:
        workbook.create_sheet(sheet_name(t("exports.empty_sheet"), taken))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write(sheets: list[Sheet], out: Path | None) -> None:
    """Write the workbook to `out` (required: a workbook is a file, not terminal text)."""
    if out is None:
        raise ExportError("xlsx_needs_out")
    private.write_atomic(out, to_bytes(sheets))  # CannotWrite names the file
