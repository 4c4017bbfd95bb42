"""What a report is, for every writer: sheets of typed columns and rows of plain values."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# What a column holds; each writer shows it its own way (docs/exports.md):
# - text: names, addresses (from landlords' files: may begin with "=", never a formula)
# - code: hall codes, INSEE codes (text that looks like a number: leading zeros kept)
# - integer: counts; money: a `decimal.Decimal` in euros, exact; percent: a Decimal (20 = 20 %)
# - date: a `datetime.date` or ``YYYY-MM-DD``
COLUMN_KINDS = ("text", "code", "integer", "money", "percent", "date")

# Written in every file that carries the site classification (seed 002): PDF header,
# XLSX sheet name and first row, CSV first line, a GeoJSON top-level member. Fixed
# French words: it is a marking for the partners, whatever the user's language.
CONFIDENTIAL_MARK = "CONFIDENTIEL — police, justice, bailleurs"


@dataclass(frozen=True, slots=True)
class Column:
    key: str        # the JSON key, stable (docs/cli.md)
    kind: str       # one of COLUMN_KINDS
    label: str      # the catalog key of the header (`i18n.t`)

    def __post_init__(self) -> None:
        if self.kind not in COLUMN_KINDS:
            raise ValueError(f"unknown column kind {self.kind!r}")


@dataclass(slots=True)
class Sheet:
    """One report's table: its name (a catalog key for the sheet's title), its columns,
    its rows (dicts keyed by column key; None: an empty cell)."""

    name: str
    title: str                           # catalog key of the title
    columns: tuple[Column, ...]
    rows: list[dict[str, Any]] = field(default_factory=list)
    confidential: bool = False           # carries site classification data (seed 002)
