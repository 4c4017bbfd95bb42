"""vigikfield report calendar: the three calendars, planned against done by ISO week,
and the late items (docs/calendar.md)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from ..domain.calendar import CALENDARS, Calendars, Item
from ..exports.table import Column, Sheet
from ..i18n import t
from . import report
from .base import Context

WEEK_COLUMNS = (
    Column("calendar", "code", "calendar.col_calendar"),
    Column("week", "code", "calendar.col_week"),
    Column("week_start", "date", "calendar.col_week_start"),
    Column("working_days", "integer", "calendar.col_working_days"),
    Column("planned", "integer", "calendar.col_planned"),
    Column("done", "integer", "calendar.col_done"),
    Column("late", "integer", "calendar.col_late"),
    Column("holidays", "text", "calendar.col_holidays"),
)
ITEM_COLUMNS = (
    Column("calendar", "code", "calendar.col_calendar"),
    Column("item", "text", "calendar.col_item"),
    Column("planned_date", "date", "calendar.col_planned_date"),
    Column("days_late", "integer", "calendar.col_days_late"),
    Column("who", "text", "calendar.col_who"),
    Column("day_off", "text", "calendar.col_day_off"),
)


def _item_row(item: Item) -> dict:
    return {"calendar": item.calendar, "item": item.item, "planned_date": item.planned_date,
            "days_late": item.days_late, "who": item.who, "day_off": item.day_off}


def sheets(calendars: Calendars) -> list[Sheet]:
    """One sheet per calendar (its weeks), then the late items, then the items planned on
    a day that is no working day."""
    out = []
    for name, weeks in calendars.weeks.items():
        out.append(Sheet(name, f"calendar.title_{name}", WEEK_COLUMNS, [
            {"calendar": w.calendar, "week": w.week, "week_start": w.week_start,
             "working_days": w.working_days, "planned": w.planned, "done": w.done,
             "late": w.late, "holidays": w.holidays or None} for w in weeks]))
    out.append(Sheet("late", "calendar.title_late", ITEM_COLUMNS,
                     [_item_row(i) for i in calendars.late]))
    out.append(Sheet("off_days", "calendar.title_off_days", ITEM_COLUMNS,
                     [_item_row(i) for i in calendars.off_days]))
    return out


def register(group: click.Group) -> None:
    @group.command("calendar", help=t("calendar.help"))
    @click.option("--calendar", "which", type=click.Choice(CALENDARS),
                  help=t("calendar.opt_calendar"))
    @click.option("--today", type=report.Day(), metavar="YYYY-MM-DD",
                  help=t("calendar.opt_today"))
    @report.format_options
    @click.pass_obj
    def calendar(obj: Context, which: str | None, today: date | None, fmt: str,
                 out: Path | None, as_json: bool) -> None:
        from ..domain import calendar as domain

        day = today if today is not None else date.today()  # the clock, read here only
        result = domain.build(obj.store().conn, day, (which,) if which else CALENDARS)
        report.emit(sheets(result), fmt, out, as_json)


def report_sheets(conn, today: date) -> list[Sheet]:
    """`report all` (commands/report_all.py): the three calendars as of `today`."""
    from ..domain import calendar as domain

    return sheets(domain.build(conn, today, CALENDARS))
