"""vigikfield report all: every report's figures in one file — one worksheet per sheet
in XLSX, one block per sheet in CSV, one object keyed ``report.sheet`` in JSON
(issue 13, part 2: "one sheet per report when several are asked for").

A report module of `report.REPORTS` takes part by defining
``report_sheets(conn, today, readable) -> list[Sheet]``: its figures with its
command's defaults, as of `today` (the clock is read once, here); `readable`:
for people (table, CSV, XLSX) rather than scripts (JSON: codes, not labels).
"""

from __future__ import annotations

import importlib
from dataclasses import replace
from datetime import date
from pathlib import Path

import click

from ..exports.table import Sheet
from ..i18n import t
from .base import Context
from .report import REPORTS, emit, format_options

SELF = __name__.rsplit(".", 1)[-1]


def sheets(conn, today: date, readable: bool = True) -> list[Sheet]:
    """Each taking part report's sheets, in REPORTS order, named ``<report>.<sheet>``."""
    out: list[Sheet] = []
    for name in REPORTS:
        module = importlib.import_module(f"{__package__}.{name}")
        if name == SELF or not hasattr(module, "report_sheets"):
            continue
        short = name.removeprefix("report_")
        out.extend(replace(sheet, name=f"{short}.{sheet.name}")
                   for sheet in module.report_sheets(conn, today, readable))
    return out


def register(report: click.Group) -> None:
    @report.command("all", help=t("report_all.help"))
    @format_options
    @click.pass_obj
    def all_(obj: Context, fmt: str, as_json: bool, out: Path | None) -> None:
        from ..exports.errors import ExportError

        conn = obj.existing_store(ExportError("no_database", db=obj.db_path)).conn
        readable = not (as_json or fmt == "json")
        emit(sheets(conn, date.today(), readable), fmt, out, as_json)  # the clock, read here only
