"""vigikfield report kit: the police offices' charging stations, computers and badges; the
kit's contents against what the territory needs; each landlord's service cards, with a
warning naming those that keep none (domain/kit.py)."""

from __future__ import annotations

from pathlib import Path

import click

from ..i18n import catalog, language, t
from .report import emit, format_options

_OFFICE_COUNTS = ("stations", "stations_installed", "computers", "agent_badges")


def _kind(kind: str | None) -> str | None:
    key = f"kit.office_kind.{kind}"
    return t(key) if kind and key in catalog(language()) else kind


def sheets(conn, readable: bool) -> list:
    from ..domain import kit
    from ..exports.table import Column, Sheet

    offices = Sheet("offices", "kit.offices_title", (
        Column("office", "text", "kit.col.office"), Column("commune", "text", "kit.col.commune"),
        Column("kind", "text", "kit.col.kind"),
        Column("stations", "integer", "kit.col.stations"),
        Column("stations_installed", "integer", "kit.col.stations_installed"),
        Column("station_planned", "date", "kit.col.station_planned"),
        Column("station_installed", "date", "kit.col.station_installed"),
        Column("computers", "integer", "kit.col.computers"),
        Column("agent_badges", "integer", "kit.col.agent_badges"),
    ))
    for o in kit.offices(conn):
        offices.rows.append({
            "office": o.name, "commune": o.commune, "kind": _kind(o.kind) if readable else o.kind,
            "stations": o.stations, "stations_installed": o.stations_installed,
            "station_planned": o.station_planned, "station_installed": o.station_installed,
            "computers": o.computers, "agent_badges": o.agent_badges})
    offices.rows.append({"office": t("kit.total") if readable else None,
                         **{k: sum(r[k] or 0 for r in offices.rows) for k in _OFFICE_COUNTS}})

    needs = kit.needs(conn)
    needed = {"service_card": needs.landlords, "agent_badge": needs.agent_badges}
    contents = Sheet("kit", "kit.kit_title", (
        Column("item", "text", "kit.col.item"), Column("in_kit", "integer", "kit.col.in_kit"),
        Column("needed", "integer", "kit.col.needed"), Column("extra", "integer", "kit.col.extra"),
    ))
    for item in kit.KIT:
        wanted = needed.get(item.key)
        contents.rows.append({
            "item": t(f"kit.item.{item.key}") if readable else item.key, "in_kit": item.quantity,
            "needed": wanted, "extra": None if wanted is None else kit.extra(wanted, item.quantity)})

    cards = Sheet("landlords", "kit.landlords_title", (
        Column("landlord", "text", "kit.col.landlord"),
        Column("active_cards", "integer", "kit.col.active_cards"),
    ))
    cards.rows = [{"landlord": name, "active_cards": n} for name, n in kit.cards_by_landlord(conn)]
    return [offices, contents, cards]


def report_sheets(conn, today) -> list:
    """`report all`: the police offices, the kit, the landlords' cards (no date involved)."""
    return sheets(conn, readable=True)


def register(report: click.Group) -> None:
    @report.command("kit", help=t("kit.report_help"))
    @format_options
    @click.pass_obj
    def kit_(obj, fmt: str, out: Path | None, as_json: bool) -> None:
        from ..domain import kit

        conn = obj.store().conn
        as_json = as_json or fmt == "json"
        emit(sheets(conn, readable=not as_json), fmt, out, as_json)
        needs = kit.needs(conn)  # warnings on stderr: the JSON stays clean
        if needs.landlords_without_card:
            click.echo(t("kit.warn_no_card", count=len(needs.landlords_without_card),
                         names=", ".join(needs.landlords_without_card)), err=True)
        if needs.extra_service_cards:
            click.echo(t("kit.warn_extra_cards", landlords=needs.landlords,
                         in_kit=kit.SERVICE_CARDS_IN_KIT, extra=needs.extra_service_cards),
                       err=True)
        if needs.extra_agent_badges:
            click.echo(t("kit.warn_extra_badges", badges=needs.agent_badges,
                         in_kit=kit.AGENT_BADGES_IN_KIT, extra=needs.extra_agent_badges),
                       err=True)
