"""CSV that French Excel opens as it is (docs/exports.md).

- ``;`` between cells, UTF-8 with a byte order mark (without it Excel reads
  Windows-1252), CRLF line ends, RFC 4180 quoting;
- money as ``1234,56`` (no currency sign in the cell, the header says €), percents
  as ``20`` or ``5,5`` (the header says %), counts as ``1234``, dates ``JJ/MM/AAAA``,
  whatever the language: the file is for French Excel (headers are translated);
- text and code cells: OWASP's rule (`cells.neutralise`); a cell Excel would turn
  into a number or a date (``01053``, ``1234E56``, ``1/2``) gets a leading tab, which
  Excel keeps as text with its zeros (a formula such as ``="01053"`` is refused:
  it is a formula);
- several sheets: one block each, its title on the first line, blocks separated
  by an empty line; one sheet: the header is the first line (a plain table).
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from ..domain.costs import cents
from ..i18n import t
from . import cells
from .table import CONFIDENTIAL_MARK, Column, Sheet

PROTECT = "\t"  # before a text cell Excel would read as a number or a date


def _money(value: Any) -> str:
    return f"{cents(Decimal(value)):f}".replace(".", ",")


def _percent(value: Any) -> str:
    return format(Decimal(value).normalize() + 0, "f").replace(".", ",")


def _integer(value: Any) -> str:
    return str(int(value))


def _date(value: Any) -> str:
    day = cells.as_date(value)
    if day is None:
        return text(str(value))
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"


def _text(value: Any) -> str:
    return text(str(value))


_FORMATTERS: dict[str, Callable[[Any], str]] = {
    "money": _money, "percent": _percent, "integer": _integer, "date": _date,
    "text": _text, "code": _text,
}


def cell(column: Column, value: Any) -> str:
    """One cell's text, as French Excel reads it ("" when empty)."""
    if value is None or value == "":
        return ""
    return _FORMATTERS[column.kind](value)


def text(value: str) -> str:
    """A text cell: neutralised, and protected when Excel would read it as a number."""
    first = value[:1]
    if not first or not (first.isdigit() or first.isspace() or first in cells.FORMULA_STARTS):
        return value  # the common case: a letter first, nothing to do
    safe = cells.neutralise(value)
    return PROTECT + safe if cells.looks_numeric(safe) else safe


def _rows(sheet: Sheet, titled: bool) -> list[list[str]]:
    rows: list[list[str]] = []
    if sheet.confidential:
        rows.append([CONFIDENTIAL_MARK])
    if titled:
        rows.append([text(t(sheet.title))])
    rows.append([text(cells.header(c)) for c in sheet.columns])
    formats = [(c.key, _FORMATTERS[c.kind]) for c in sheet.columns]
    rows.extend(["" if (v := row.get(key)) is None or v == "" else fmt(v) for key, fmt in formats]
                for row in sheet.rows)
    return rows


def to_bytes(sheets: list[Sheet]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", quotechar='"', lineterminator="\r\n",
                        quoting=csv.QUOTE_MINIMAL)
    for number, sheet in enumerate(sheets):
        if number:
            writer.writerow([])
        writer.writerows(_rows(sheet, titled=len(sheets) > 1))
    return codecs.BOM_UTF8 + buffer.getvalue().encode("utf-8")
