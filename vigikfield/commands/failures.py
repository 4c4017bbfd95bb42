"""report-failure, failure close, failure list: access-failure reports from the command
line (domain/failures.py, docs/failures.md). Bad input is exit 2, nothing written."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import click

from . import report
from .base import Context
from ..i18n import t

_DATE = click.DateTime(formats=["%Y-%m-%d", "%d/%m/%Y"])


def _day(value: datetime | None, today: date) -> date:
    return value.date() if value is not None else today


def label(kind: str, code: str | None) -> str | None:
    """A service, kind of failure or closure in the reader's language."""
    return t(f"failures.{kind}.{code}") if code else None


def _status(row: dict) -> str:
    """The hall's status for people, « à vérifier » beside it while a report is open."""
    if row["status"] == "retired":
        return t("failures.retired")
    shown = t(f"status.hall.{row['status']}")
    return f"{shown} · {t('failures.to_verify')}" if row["to_verify"] else shown


def list_sheet(rows: list[dict], readable: bool):
    """The reports as one sheet (`readable`: labels for people; else stable codes)."""
    from ..domain.failures import LIST_KEYS
    from ..exports.table import Column, Sheet

    kinds = {"reported_on": "date", "closed_on": "date", "code": "code", "id": "code"}
    columns = tuple(Column(k, kinds.get(k, "text"), f"failures.col.{k}") for k in LIST_KEYS
                    if k != "to_verify")
    if readable:
        rows = [{**r, "service": label("service", r["service"]), "what": label("what", r["what"]),
                 "closure": label("closure", r["closure"]) or t("failures.open_mark"),
                 "status": _status(r), "id": r["id"][:8]} for r in rows]
    return Sheet("failures", "failures.list_title", columns, rows)


def register(cli: click.Group) -> None:
    from ..domain.model import CLOSURES, FAILURE_KINDS, SERVICES

    @cli.command("report-failure", help=t("failures.report_help"))
    @click.argument("hall_code", metavar="HALLCODE")
    @click.option("--service", required=True, metavar="NAME",
                  help=t("failures.opt_service", choices=", ".join(SERVICES)))
    @click.option("--what", required=True, metavar="KIND",
                  help=t("failures.opt_what", choices=", ".join(FAILURE_KINDS)))
    @click.option("--details", metavar="TEXT", help=t("failures.opt_details"))
    @click.option("--when", "when", type=_DATE, metavar="DATE", help=t("failures.opt_when"))
    @click.option("--by", "by", metavar="NAME", help=t("failures.opt_by"))
    @click.pass_obj
    def report_failure(obj: Context, hall_code: str, service: str, what: str,
                       details: str | None, when: datetime | None, by: str | None) -> None:
        from ..domain import failures

        today = date.today()
        store = obj.store()
        hall_id = failures.hall_id_of(store.conn, hall_code)
        report_id = failures.report(store, hall_id, service, what, _day(when, today), by,
                                    details, today=today)
        code = store.conn.execute("SELECT code FROM halls WHERE id = ?", (hall_id,)).fetchone()[0]
        click.echo(t("failures.reported", id=report_id[:8], code=code,
                     service=label("service", failures.choice("service", service)),
                     what=label("what", failures.choice("what", what))))

    @cli.group("failure", help=t("failures.group_help"))
    def failure() -> None:
        pass

    @failure.command("close", help=t("failures.close_help"))
    @click.argument("target", metavar="REPORT_ID|HALLCODE")
    @click.option("--how", "how", required=True, metavar="|".join(c.replace("_", "-")
                                                                  for c in CLOSURES),
                  help=t("failures.opt_how"))
    @click.option("--on", "on", type=_DATE, metavar="DATE", help=t("failures.opt_on"))
    @click.option("--by", "by", metavar="NAME", help=t("failures.opt_closed_by"))
    @click.option("--note", metavar="TEXT", help=t("failures.opt_note"))
    @click.pass_obj
    def close(obj: Context, target: str, how: str, on: datetime | None, by: str | None,
              note: str | None) -> None:
        from ..domain import failures

        today = date.today()
        store = obj.store()
        closure = failures.choice("closure", how)
        ids = failures.to_close(store.conn, target)
        with store.transaction():  # a hall's reports close together or not at all
            for report_id in ids:
                failures.close(store, report_id, closure, _day(on, today), by, note, today=today)
        click.echo(t("failures.closed", count=len(ids), closure=label("closure", closure),
                     ids=", ".join(i[:8] for i in ids)))

    @failure.command("list", help=t("failures.list_help"))
    @click.option("--open", "open_only", is_flag=True, help=t("failures.opt_open"))
    @click.option("--hall", "hall", metavar="CODE", help=t("failures.opt_hall"))
    @report.format_options
    @click.pass_obj
    def listing(obj: Context, open_only: bool, hall: str | None, fmt: str, as_json: bool,
                out: Path | None) -> None:
        from ..domain import failures

        conn = obj.store().conn
        hall_id = failures.hall_id_of(conn, hall) if hall is not None else None
        rows = failures.listing(conn, open_only=open_only, hall_id=hall_id)
        readable = not (as_json or fmt == "json")
        if not readable:  # JSON keeps to_verify (a flag of the hall: hall_status)
            from ..exports.table import Column

            sheet = list_sheet(rows, readable)
            sheet.columns = (*sheet.columns, Column("to_verify", "integer", "failures.col.to_verify"))
            report.emit([sheet], fmt, out, as_json)
            return
        report.emit([list_sheet(rows, readable)], fmt, out, as_json)
