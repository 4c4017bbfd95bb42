"""vigikfield report replacements: per landlord, the halls to replace and the estimate
(issue 12 part 6; figures from `domain.replacements`, formats from `exports`)."""

from __future__ import annotations

from pathlib import Path

import click

from ..exports.table import Column, Sheet
from ..i18n import t
from .base import Context
from .report import emit, format_options

HALL_COLUMNS = (
    Column("landlord", "text", "replacements.col_landlord"),
    Column("commune", "text", "replacements.col_commune"),
    Column("insee", "code", "replacements.col_insee"),
    Column("residence", "text", "replacements.col_residence"),
    Column("address", "text", "replacements.col_address"),
    Column("code", "code", "replacements.col_code"),
    Column("label", "text", "replacements.col_label"),
    Column("dwellings", "integer", "replacements.col_dwellings"),
    Column("brand", "text", "replacements.col_brand"),
    Column("model", "text", "replacements.col_model"),
    Column("replacement_planned", "date", "replacements.col_planned"),
    Column("replaced_on", "date", "replacements.col_replaced"),
    Column("estimate_ht", "money", "replacements.col_estimate"),
)
SUMMARY_COLUMNS = (
    Column("landlord", "text", "replacements.col_landlord"),
    Column("halls", "integer", "replacements.col_halls"),
    Column("planned", "integer", "replacements.col_planned_count"),
    Column("replaced", "integer", "replacements.col_replaced_count"),
    Column("per_entrance_ht", "money", "replacements.col_unit"),
    Column("total_ht", "money", "replacements.col_total_ht"),
    Column("vat", "percent", "replacements.col_vat"),
    Column("total_ttc", "money", "replacements.col_total_ttc"),
)


def sheets(conn, landlord_id: str | None = None) -> list[Sheet]:
    """Two sheets: the halls (one row each), then one row per landlord (and a total
    row, the sum of the rows above it, when there are several landlords)."""
    from ..domain import replacements

    halls, summary = replacements.report(conn, landlord_id)
    hall_rows = [{c.key: getattr(h, c.key) for c in HALL_COLUMNS} for h in halls]
    summary_rows = [{c.key: getattr(s, c.key) for c in SUMMARY_COLUMNS} for s in summary]
    if len(summary) > 1:
        summary_rows.append({
            "landlord": t("replacements.total"),
            **{key: sum(getattr(s, key) for s in summary)
               for key in ("halls", "planned", "replaced", "total_ht", "total_ttc")},
            "per_entrance_ht": None, "vat": None,
        })
    return [Sheet("halls", "replacements.halls_title", HALL_COLUMNS, hall_rows),
            Sheet("landlords", "replacements.summary_title", SUMMARY_COLUMNS, summary_rows)]


def report_sheets(conn, today, readable: bool = True) -> list[Sheet]:
    """`report all`: every landlord's halls to replace (no date involved)."""
    return sheets(conn)


def register(report: click.Group) -> None:
    @report.command("replacements", help=t("replacements.help"))
    @click.option("--landlord", "landlord", metavar="NAME", help=t("replacements.opt_landlord"))
    @format_options
    @click.pass_obj
    def replacements_(obj: Context, landlord: str | None, fmt: str, as_json: bool,
                      out: Path | None) -> None:
        from ..domain.cards import find_landlord
        from ..exports.errors import ExportError

        conn = obj.existing_store(ExportError("no_database", db=obj.db_path)).conn
        landlord_id = find_landlord(conn, landlord)[0] if landlord is not None else None
        emit(sheets(conn, landlord_id), fmt, out, as_json)
