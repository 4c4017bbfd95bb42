"""The cell rules CSV and XLSX share: formula neutralisation, headers with their unit,
dates read from what reports hold (docs/exports.md).

OWASP's CSV-injection rule: a text or code cell whose first character is ``=``,
``+``, ``-``, ``@``, a tab or a carriage return (also after leading spaces, which
some readers trim) is prefixed with an apostrophe. Numbers the writers format
themselves (counts, money, percents, dates) are never touched: they are not text.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from ..i18n import t
from .table import Column

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NEUTRALISER = "'"
TEXT_KINDS = ("text", "code")
# What a spreadsheet would read as a number, a date or a time rather than as text:
# "01053", "1234E56" (a hall code!), "1/2", "12:30", "3.5", "20 %". Such text cells need
# protecting in CSV (csv_fr) and are written as text cells in XLSX.
_LOOKS_NUMERIC = re.compile(r"^\s*[0-9][0-9\s.,:/eE+%€-]*$")
_UNITS = {"money": "€", "percent": "%"}


def is_formula_like(text: str) -> bool:
    return text.startswith(FORMULA_STARTS) or text.lstrip(" \u00a0").startswith(FORMULA_STARTS)


def neutralise(text: str) -> str:
    """`text` made inert for a spreadsheet: an apostrophe before a formula-like start."""
    return NEUTRALISER + text if is_formula_like(text) else text


def looks_numeric(text: str) -> bool:
    return bool(_LOOKS_NUMERIC.match(text))


def header(column: Column) -> str:
    """The column's header in the language in force; money and percent columns say
    their unit, since their cells carry none in CSV ("Estimation HT (€)")."""
    label = t(column.label)
    unit = _UNITS.get(column.kind)
    if unit and unit not in label:
        return f"{label} ({unit})"
    return label


def as_date(value: Any) -> date | None:
    """A date cell's value as a `date` (from a date, a datetime or ISO text); None if not one."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        return None
