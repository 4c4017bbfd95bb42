"""vigikfield report failures: the access-failure rate per landlord or per month, and the
halls with repeated failures (figures from `domain.failures`, docs/failures.md)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import click

from ..exports.table import Column, Sheet
from ..i18n import t
from .base import Context
from .report import Day, emit, format_options

_RATE_COLUMNS = (
    Column("reports", "integer", "failures.col.reports"),
    Column("open", "integer", "failures.col.open"),
    Column("encoded_halls", "integer", "failures.col.encoded_halls"),
    Column("reports_per_100_encoded", "percent", "failures.col.per_encoded"),
    Column("halls_reported", "integer", "failures.col.halls_reported"),
    Column("halls_reported_percent", "percent", "failures.col.halls_share"),
)
_REPEATED_COLUMNS = (
    Column("code", "code", "failures.col.code"),
    Column("label", "text", "failures.col.label"),
    Column("residence", "text", "failures.col.residence"),
    Column("landlord", "text", "failures.col.landlord"),
    Column("commune", "text", "failures.col.commune"),
    Column("reports", "integer", "failures.col.reports"),
    Column("open", "integer", "failures.col.open"),
    Column("last_report", "date", "failures.col.last_report"),
    Column("what", "text", "failures.col.what"),
    Column("status", "text", "failures.col.status"),
)


def _percent(part: int, whole: int) -> Decimal | None:
    return Decimal(part * 100) / Decimal(whole) if whole else None


def _rate_row(rate, readable: bool) -> dict:
    return {"month": rate.month, "landlord": rate.landlord, "reports": rate.reports,
            "open": rate.open, "encoded_halls": rate.encoded_halls,
            "reports_per_100_encoded": _percent(rate.reports, rate.encoded_halls),
            "halls_reported": rate.halls_reported,
            "halls_reported_percent": _percent(rate.halls_reported, rate.encoded_halls)}


def sheets(conn, today: date, by: str = "landlord", readable: bool = True) -> list[Sheet]:
    """The rate sheet (per landlord, with a territory total; or per month and landlord),
    then the halls with repeated failures."""
    from ..domain import failures

    if by == "landlord":
        rates = failures.by_landlord(conn, today)
        rows = [_rate_row(r, readable) for r in rates]
        reports, encoded = sum(r.reports for r in rates), sum(r.encoded_halls for r in rates)
        halls = sum(r.halls_reported for r in rates)
        rows.append({"landlord": t("failures.total") if readable else None, "reports": reports,
                     "open": sum(r.open or 0 for r in rates), "encoded_halls": encoded,
                     "reports_per_100_encoded": _percent(reports, encoded),
                     "halls_reported": halls, "halls_reported_percent": _percent(halls, encoded)})
        first = (Column("landlord", "text", "failures.col.landlord"),)
        columns = first + _RATE_COLUMNS
        rate_sheet = Sheet("landlords", "failures.by_landlord_title", columns, rows)
    else:
        rows = [_rate_row(r, readable) for r in failures.by_month(conn, today)]
        columns = (Column("month", "code", "failures.col.month"),
                   Column("landlord", "text", "failures.col.landlord"),
                   *(c for c in _RATE_COLUMNS if c.key != "open"))
        rate_sheet = Sheet("months", "failures.by_month_title", columns, rows)
    repeated = failures.repeated(conn, today)
    if readable:
        repeated = [{**r, "what": ", ".join(t(f"failures.what.{w}") for w in r["what"]),
                     "status": t(f"status.hall.{r['status']}") if r["status"] != "retired"
                     else t("failures.retired")} for r in repeated]
    else:
        repeated = [{**r, "what": ",".join(r["what"])} for r in repeated]
    return [rate_sheet, Sheet("repeated", "failures.repeated_title", _REPEATED_COLUMNS, repeated)]


def report_sheets(conn, today, readable: bool = True) -> list[Sheet]:
    """`report all`: the rate per landlord, per month, and the repeated failures."""
    by_landlord = sheets(conn, today, "landlord", readable)
    return [by_landlord[0], sheets(conn, today, "month", readable)[0], by_landlord[1]]


def register(report: click.Group) -> None:
    @report.command("failures", help=t("failures.report_failures_help"))
    @click.option("--by", "by", type=click.Choice(("landlord", "month")), default="landlord",
                  show_default=True, help=t("failures.opt_by_report"))
    @click.option("--today", "today", type=Day(), metavar="DATE", help=t("failures.opt_today"))
    @format_options
    @click.pass_obj
    def failures_(obj: Context, by: str, today: date | None, fmt: str, as_json: bool,
                  out: Path | None) -> None:
        from ..exports.errors import ExportError

        conn = obj.existing_store(ExportError("no_database", db=obj.db_path)).conn
        readable = not (as_json or fmt == "json")
        emit(sheets(conn, today or date.today(), by, readable), fmt, out, as_json)
