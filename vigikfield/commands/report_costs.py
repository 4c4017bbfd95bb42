"""vigikfield report costs: one row per payer and item, planned and incurred, HT and TTC,
and a total row that is the sum of the rows (domain/costs.py, docs/costs.md).

JSON is for scripts: `payer_kind` and `item` are stable codes, `payer` the landlord's
name (null for the others), `share` "1/11" on an equal share of the kit. The other
formats are for people: payer and item in the language in force.
"""

from __future__ import annotations

from pathlib import Path

import click

from ..i18n import t
from .report import emit, format_options

_MONEY = ("planned_ht", "planned_ttc", "incurred_ht", "incurred_ttc")


def sheet(found, readable: bool, by: str = "item"):
    """The report as one sheet, a row per payer and item (`by` "item") or per payer
    ("payer"); `readable`: names and labels for people (not JSON)."""
    from ..domain.costs import PRICE_OF, unit_price
    from ..exports.table import Column, Sheet

    columns = [Column("payer", "text", "costs.col.payer")]
    if not readable:
        columns.append(Column("payer_kind", "code", "costs.col.payer_kind"))
    columns += [Column("item", "text", "costs.col.item")]
    if not readable:
        columns.append(Column("share", "code", "costs.col.share"))
    columns += [
        Column("unit_ht", "money", "costs.col.unit_ht"),
        Column("planned_count", "integer", "costs.col.planned_count"),
        Column("planned_ht", "money", "costs.col.planned_ht"),
        Column("planned_ttc", "money", "costs.col.planned_ttc"),
        Column("incurred_count", "integer", "costs.col.incurred_count"),
        Column("incurred_ht", "money", "costs.col.incurred_ht"),
        Column("incurred_ttc", "money", "costs.col.incurred_ttc"),
        Column("note", "text", "costs.col.note"),
    ]
    if by == "payer":
        columns = [c for c in columns if c.key in ("payer", "payer_kind", "note", *_MONEY)]
    rows = []
    for line in found.lines if by == "item" else found.by_payer():
        setting = found.settings[PRICE_OF[line.item]] if line.item else None
        share = f"{line.share[0]}/{line.share[1]}" if line.share else None
        item = line.item
        if readable:
            payer = line.payer if line.payer is not None else t(f"costs.payer.{line.payer_kind}")
            item = item and t(f"costs.item.{item}")
            if share:
                item = t("costs.share", item=item, share=share)
        else:
            payer = line.payer
        note = None
        if line.to_fill:
            note = (t("costs.note_to_fill", param=setting.parameter.name) if setting
                    else t("costs.note_some_to_fill"))
        rows.append({
            "payer": payer, "payer_kind": line.payer_kind, "item": item, "share": share,
            "unit_ht": unit_price(setting) if setting else None,
            "planned_count": line.planned_count, "incurred_count": line.incurred_count,
            **{k: getattr(line, k) for k in _MONEY}, "note": note,
        })
    total = found.total
    rows.append({"payer": t("costs.payer.total") if readable else None, "payer_kind": "total",
                 **{k: getattr(total, k) for k in _MONEY}})
    return Sheet("costs", "costs.title", tuple(columns), rows)


def report_sheets(conn, today) -> list:
    """`report all` (commands/report_all.py): the costs by payer and item, for people
    (no date involved)."""
    from ..domain import costs as domain

    return [sheet(domain.report(conn), readable=True)]


def register(report: click.Group) -> None:
    @report.command("costs", help=t("costs.report_help"))
    @click.option("--by", "by", type=click.Choice(("item", "payer")), default="item",
                  show_default=True, help=t("costs.opt_by"))
    @format_options
    @click.pass_obj
    def costs(obj, by: str, fmt: str, out: Path | None, as_json: bool) -> None:
        from ..domain import costs as domain

        found = domain.report(obj.store().conn)
        as_json = as_json or fmt == "json"
        emit([sheet(found, readable=not as_json, by=by)], fmt, out, as_json)
        if found.to_fill:  # on stderr: the JSON stays clean
            click.echo(t("costs.warn_to_fill", params=", ".join(found.to_fill)), err=True)
