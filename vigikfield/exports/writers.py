"""One entry point for every format: `emit(sheets, fmt, out)` (docs/exports.md).

JSON (for scripts): one sheet is a list of objects keyed by its columns' keys,
in column order; several sheets, an object of such lists keyed by sheet name.
Money and percents are exact decimal strings with two decimals (``"5360.00"``,
``"20.00"``), dates ``YYYY-MM-DD``, counts numbers, empty values ``null``.
Table (for the terminal): tab-separated, headers and values in the language in
force, ``-`` for an empty value, each sheet's title above it when there are
several. CSV and XLSX: `csv_fr`, `xlsx`. A file that cannot be written is
`private.CannotWrite`, naming it.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import click

from ..i18n import format_date, format_money, format_number, t
from .table import CONFIDENTIAL_MARK, Column, Sheet

_CENT = Decimal("0.01")


def json_value(column: Column, value: Any) -> Any:
    if value is None:
        return None
    if column.kind in ("money", "percent"):
        return str(Decimal(value).quantize(_CENT))
    if column.kind == "date":
        return value.isoformat() if isinstance(value, date) else str(value)
    if column.kind == "integer":
        return int(value)
    return value


def text_value(column: Column, value: Any) -> str:
    """A cell as people read it, in the language in force ("" when empty)."""
    if value is None or value == "":
        return ""
    if column.kind == "money":
        return format_money(Decimal(value))
    if column.kind == "percent":
        return f"{format_number(Decimal(value), 1)} %"
    if column.kind == "integer":
        return format_number(int(value))
    if column.kind == "date":
        return format_date(value)
    return str(value)


def to_json(sheets: list[Sheet]) -> str:
    lists = {s.name: [{c.key: json_value(c, row.get(c.key)) for c in s.columns} for row in s.rows]
             for s in sheets}
    document: Any = next(iter(lists.values())) if len(lists) == 1 else lists
    return json.dumps(document, ensure_ascii=False, indent=2)


def to_table(sheets: list[Sheet]) -> str:
    blocks = []
    for sheet in sheets:
        lines = [t(sheet.title)] if len(sheets) > 1 else []
        if sheet.confidential:  # said on the terminal as in every file (table.CONFIDENTIAL_MARK)
            lines.append(CONFIDENTIAL_MARK)
        lines.append("\t".join(t(c.label) for c in sheet.columns))
        lines.extend("\t".join(text_value(c, row.get(c.key)) or "-" for c in sheet.columns)
                     for row in sheet.rows)
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def emit(sheets: list[Sheet], fmt: str, out: Path | None) -> None:
    """Write the sheets in `fmt` to `out`, or to standard output when None."""
    if fmt == "xlsx":
        from . import xlsx

        xlsx.write(sheets, out)  # refuses stdout: a workbook is a file
        return
    if fmt == "csv":
        from . import csv_fr

        data: str | bytes = csv_fr.to_bytes(sheets)
    else:
        data = to_json(sheets) if fmt == "json" else to_table(sheets)
    if out is None:
        click.echo(data, nl=not isinstance(data, bytes))
        return
    from ..domain import private

    private.write_atomic(out, data if isinstance(data, bytes) else (data + "\n").encode())
