"""vigikfield report authorisations: every residence's authorisation state, for the
landlords and the committee (figures from `domain.authorisations`, formats from `exports`)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import click

from ..exports.table import Column, Sheet
from ..i18n import t
from .base import Context
from .report import emit, format_options

COLUMNS = (
    Column("landlord", "text", "authorisations.col.landlord"),
    Column("commune", "text", "authorisations.col.commune"),
    Column("residence", "text", "authorisations.col.residence"),
    Column("state", "code", "authorisations.col.state"),
    Column("decided_by", "text", "authorisations.col.decided_by"),
    Column("decided_on", "date", "authorisations.col.decided_on"),
    Column("windows", "text", "authorisations.col.windows"),
    Column("until", "date", "authorisations.col.until"),
    Column("note", "text", "authorisations.col.note"),
)


def sheets(conn, today: date, states: tuple[str, ...] = (), readable: bool = True) -> list[Sheet]:
    from ..domain import authorisations
    from .authorise import schedule_text

    rows = [{"landlord": a.landlord, "commune": a.commune, "residence": a.residence,
             "state": t(f"authorisations.state.{a.state}") if readable else a.state,
             "decided_by": a.decided_by, "decided_on": a.decided_on,
             "windows": schedule_text(a) or None, "until": a.until, "note": a.note}
            for a in authorisations.listing(conn, today, states=states)]
    rows.sort(key=lambda r: (r["landlord"] or "", r["commune"] or "", r["residence"] or ""))
    return [Sheet("residences", "authorisations.report_title", COLUMNS, rows)]


def report_sheets(conn, today: date, readable: bool = True) -> list[Sheet]:
    """For `report all`: every residence's state, as the command gives it by default."""
    return sheets(conn, today, readable=readable)


def register(report: click.Group) -> None:
    @report.command("authorisations", help=t("authorisations.report_help"))
    @click.option("--pending", is_flag=True, help=t("authorisations.opt_pending"))
    @click.option("--refused", is_flag=True, help=t("authorisations.opt_refused"))
    @click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), metavar="YYYY-MM-DD",
                  help=t("authorisations.opt_today"))
    @format_options
    @click.pass_obj
    def authorisations_(obj: Context, pending: bool, refused: bool, today: datetime | None,
                        fmt: str, as_json: bool, out: Path | None) -> None:
        from ..exports.errors import ExportError

        conn = obj.existing_store(ExportError("no_database", db=obj.db_path)).conn
        states = tuple(s for s, on in (("pending", pending), ("refused", refused)) if on)
        day = today.date() if today else date.today()  # the clock, read here only
        emit(sheets(conn, day, states, readable=not as_json), fmt, out, as_json)
