"""vigikfield site …: the site classification of seed 002 (pilot only, confidential)."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import click

from . import report
from .base import Context
from ..i18n import format_date, t

_DATE = click.DateTime(formats=["%Y-%m-%d", "%d/%m/%Y"])


def _day(value: datetime | None) -> date:
    return value.date() if value is not None else date.today()


def _today_option(fn):
    return click.option("--today", type=_DATE, metavar="DATE", help=t("site.opt_today"))(fn)


def register(cli: click.Group) -> None:
    from ..domain.model import FREQUENCIES, GRAVITIES

    @cli.group(help=t("site.help"))
    def site() -> None:
        pass

    @site.command("add-fact", help=t("site.add_help"))
    @click.argument("residence")
    @click.option("--fact", "fact", required=True, metavar="TEXT", help=t("site.opt_fact"))
    @click.option("--gravity", metavar="|".join(GRAVITIES), help=t("site.opt_gravity"))
    @click.option("--frequency", required=True, metavar="|".join(FREQUENCIES),
                  help=t("site.opt_frequency"))
    @click.option("--date", "observed", type=_DATE, metavar="DATE", help=t("site.opt_date"))
    @click.option("--source", metavar="TEXT", help=t("site.opt_source"))
    @_today_option
    @click.pass_obj
    def add_fact(obj: Context, residence: str, fact: str, gravity: str | None, frequency: str,
                 observed: datetime | None, source: str | None, today: datetime | None) -> None:
        from ..domain import classification

        day = _day(today)
        store = obj.store()
        fact_id, level = classification.add_fact(
            store, residence, fact=fact, gravity=gravity, frequency=frequency,
            observed_on=observed.date() if observed else day, source=source, today=day)
        shown = classification.show(store, residence, day)
        click.echo(t("site.added", fact=fact.strip(), level=level, id=fact_id[:8],
                     site=shown["level"] or "-", residence=shown["residence"]))

    @site.command("withdraw-fact", help=t("site.withdraw_help"))
    @click.argument("fact_id")
    @click.option("--reason", required=True, metavar="TEXT", help=t("site.opt_reason"))
    @_today_option
    @click.pass_obj
    def withdraw_fact(obj: Context, fact_id: str, reason: str, today: datetime | None) -> None:
        from ..domain import classification

        classification.withdraw_fact(obj.store(), fact_id, reason=reason, today=_day(today))
        click.echo(t("site.withdrawn", id=fact_id))

    @site.command("show", help=t("site.show_help"))
    @click.argument("residence")
    @click.option("--json", "as_json", is_flag=True, help=t("site.opt_show_json"))
    @_today_option
    @click.pass_obj
    def show(obj: Context, residence: str, as_json: bool, today: datetime | None) -> None:
        from ..domain import classification

        found = classification.show(obj.store(), residence, _day(today))
        if as_json:
            click.echo(json.dumps([found], ensure_ascii=False, indent=2))
            return
        click.echo(t("site.show_title", residence=found["residence"], landlord=found["landlord"] or "-",
                     commune=found["commune"] or "-", level=found["level"] or "-",
                     since=format_date(found["since"])))
        if found["stored_level"] != found["level"]:
            click.echo(t("site.to_review", stored=found["stored_level"] or "-"))
        for fact in found["facts"]:
            key = "site.fact_line" if fact["counts"] else "site.fact_line_old"
            click.echo(t(key, id=fact["id"][:8], day=format_date(fact["observed_on"]),
                         fact=fact["fact"], gravity=t(f"site.gravity.{fact['gravity']}"),
                         frequency=t(f"site.frequency.{fact['frequency']}"),
                         level=fact["level"], source=fact["source"] or "-",
                         withdrawn=t("site.withdrawn_mark") if fact["withdrawn"] else ""))

    @site.command("list", help=t("site.list_help"))
    @click.option("--level", type=click.IntRange(1, 4), help=t("site.opt_level"))
    @report.format_options
    @_today_option
    @click.pass_obj
    def listing(obj: Context, level: int | None, fmt: str, as_json: bool, out: Path | None,
                today: datetime | None) -> None:
        from ..domain import classification
        from ..exports.table import Column, Sheet

        rows = classification.listing(obj.store(), _day(today), level)
        columns = tuple(Column(key, kind, f"site.col_{key}") for key, kind in (
            ("level", "integer"), ("residence", "text"), ("landlord", "text"),
            ("commune", "text"), ("facts", "integer"), ("last_fact", "date"),
            ("stored_level", "integer")))
        # the classification itself: every file of it says CONFIDENTIEL (csv, xlsx)
        report.emit([Sheet("sites", "site.sheet_title", columns, rows, confidential=True)],
                    fmt, out, as_json)

    @site.command("review", help=t("site.review_help"))
    @_today_option
    @click.pass_obj
    def review(obj: Context, today: datetime | None) -> None:
        from ..domain import classification

        moved = classification.review(obj.store(), _day(today))
        for name, old, new in moved:
            click.echo(t("site.moved", residence=name, old=old or "-", new=new or "-"))
        click.echo(t("site.reviewed", count=len(moved)))
