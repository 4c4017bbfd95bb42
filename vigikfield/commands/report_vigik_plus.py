"""vigikfield report vigik-plus: per landlord, the halls and dwellings whose reader is
Vigik Plus ready, and the readers' yearly maintenance; the halls whose maintenance
is overdue (issue 15 part 3; figures from `domain.upkeep`, formats from `exports`)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from ..exports.table import Column, Sheet
from ..i18n import t
from .base import Context
from .report import Day, emit, format_options

SUMMARY_COLUMNS = (
    Column("landlord", "text", "upkeep.col.landlord"),
    Column("row", "code", "upkeep.col.row"),
    Column("halls", "integer", "upkeep.col.halls"),
    Column("ready", "integer", "upkeep.col.ready"),
    Column("not_ready", "integer", "upkeep.col.not_ready"),
    Column("unknown", "integer", "upkeep.col.unknown"),
    Column("dwellings", "integer", "upkeep.col.dwellings"),
    Column("dwellings_ready", "integer", "upkeep.col.dwellings_ready"),
    Column("dwellings_not_ready", "integer", "upkeep.col.dwellings_not_ready"),
    Column("dwellings_unknown", "integer", "upkeep.col.dwellings_unknown"),
    Column("overdue", "integer", "upkeep.col.overdue"),
    Column("due_soon", "integer", "upkeep.col.due_soon"),
    Column("up_to_date", "integer", "upkeep.col.up_to_date"),
    Column("never", "integer", "upkeep.col.never"),
)
OVERDUE_COLUMNS = (
    Column("code", "code", "upkeep.col.code"),
    Column("label", "text", "upkeep.col.label"),
    Column("residence", "text", "upkeep.col.residence"),
    Column("address", "text", "upkeep.col.address"),
    Column("commune", "text", "upkeep.col.commune"),
    Column("landlord", "text", "upkeep.col.landlord"),
    Column("last_maintenance", "date", "upkeep.col.last_maintenance"),
    Column("due", "date", "upkeep.col.due"),
    Column("days_overdue", "integer", "upkeep.col.days_overdue"),
)


def sheets(conn, today: date, landlord_id: str | None = None,
           readable: bool = True) -> list[Sheet]:
    """Two sheets: one row per landlord and the territory's total row, then the overdue
    halls. For scripts (`readable` False) each summary row says what it is (`row`:
    landlord, none — residences without a landlord —, total) and names stay codes."""
    from ..domain import upkeep

    groups, total = upkeep.summary(conn, today, landlord_id)
    summary = []
    for g in groups:
        name = g.name if g.id is not None else (t("upkeep.no_landlord") if readable else None)
        summary.append({"landlord": name, "row": "landlord" if g.id is not None else "none",
                        **{k: getattr(g, k) for k in upkeep.FIGURES}})
    if landlord_id is None:
        summary.append({"landlord": t("upkeep.total") if readable else None, "row": "total",
                        **{k: getattr(total, k) for k in upkeep.FIGURES}})
    overdue = [{c.key: getattr(h, c.key) for c in OVERDUE_COLUMNS}
               for h in upkeep.overdue(conn, today, landlord_id)]
    columns = SUMMARY_COLUMNS if not readable else tuple(c for c in SUMMARY_COLUMNS
                                                         if c.key != "row")
    if readable:  # for people the name says it; scripts read the code
        for row in summary:
            del row["row"]
    return [Sheet("landlords", "upkeep.summary_title", columns, summary),
            Sheet("overdue", "upkeep.overdue_title", OVERDUE_COLUMNS, overdue)]


def report_sheets(conn, today: date, readable: bool = True) -> list[Sheet]:
    """`report all`: every landlord's readiness and maintenance as of `today`."""
    return sheets(conn, today, readable=readable)


def register(report: click.Group) -> None:
    @report.command("vigik-plus", help=t("upkeep.report_help"))
    @click.option("--landlord", "landlord", metavar="NAME", help=t("upkeep.opt_landlord"))
    @click.option("--today", type=Day(), metavar="YYYY-MM-DD", help=t("upkeep.opt_today"))
    @format_options
    @click.pass_obj
    def vigik_plus(obj: Context, landlord: str | None, today: date | None, fmt: str,
                   as_json: bool, out: Path | None) -> None:
        from ..domain.cards import find_landlord
        from ..exports.errors import ExportError

        conn = obj.existing_store(ExportError("no_database", db=obj.db_path)).conn
        landlord_id = find_landlord(conn, landlord)[0] if landlord is not None else None
        day = today if today is not None else date.today()  # the clock, read here only
        readable = not (as_json or fmt == "json")
        emit(sheets(conn, day, landlord_id, readable), fmt, out, as_json)
