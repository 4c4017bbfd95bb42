"""vigikfield report progress [--by …]: the dashboard's figures as a report (docs/dashboard.md).

The same groups as the TUI dashboard (`domain.dashboard.progress`), one row each,
in every format of `report.emit`. JSON keys: name, id, halls, encoded, failed,
incompatible, no_access, door_not_tested, pending, dwellings, dwellings_covered.
"""

from __future__ import annotations

from pathlib import Path

import click

from ..i18n import t
from .base import Context, TranslatedError
from .report import emit, format_options

GROUPINGS = ("landlord", "commune", "qpv", "residence", "technician")
# the same as dashboard.GROUPINGS (a test checks), kept here so that --help stays light


class NoDatabase(TranslatedError):
    prefix = "dashboard."
    key = "no_database"
    exit_code = 2


def group_name(group, by: str | None) -> str:
    """A group's name for people: its own, or that of the group without a key."""
    if group.name:
        return group.name
    return t(f"dashboard.none.{by or 'territory'}")


def sheet(groups: list, by: str | None, *, with_id: bool):
    """The groups as a report sheet (`with_id`: the groups' ids too, for scripts)."""
    from ..domain.dashboard import FIGURES
    from ..exports.table import Column, Sheet

    columns = [Column("name", "text", "dashboard.col.name")]
    if with_id:
        columns.append(Column("id", "code", "dashboard.col.id"))
    columns += [Column(f, "integer", f"dashboard.col.{f}") for f in FIGURES]
    rows = [{"name": group_name(g, by), "id": g.id,
             **{f: getattr(g, f) for f in FIGURES}} for g in groups]
    return Sheet(name="progress", title=f"dashboard.sheet.{by or 'territory'}",
                 columns=tuple(columns), rows=rows)


def register(report: click.Group) -> None:
    @report.command("progress", help=t("report.progress.help"))
    @click.option("--by", type=click.Choice(GROUPINGS), help=t("report.progress.opt_by"))
    @format_options
    @click.pass_obj
    def progress(obj: Context, by: str | None, fmt: str, as_json: bool, out: Path | None) -> None:
        from ..domain import dashboard

        store = obj.existing_store(NoDatabase(path=obj.db_path))
        groups = dashboard.progress(store.conn, by)
        json_out = as_json or fmt == "json"
        emit([sheet(groups, by, with_id=json_out)], fmt, out, as_json)
