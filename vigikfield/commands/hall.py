"""hall show, hall list: a hall's status and why, the halls of a residence, landlord, commune."""

from __future__ import annotations

import json

import click

from .base import Context
from ..domain import reasons
from ..i18n import format_datetime, t

STATUSES = ("to_check", "compatible", "encoded", "failed", "incompatible", "no_access")
# the same as status.HALL_STATUSES (a test checks), kept here so that --help stays light


def _dump(objects: list[dict]) -> None:
    click.echo(json.dumps(objects, ensure_ascii=False, indent=2))


def _cell(value: object) -> str:
    return "-" if value is None or value == "" else str(value)


def register(cli: click.Group) -> None:
    @cli.group(help=t("halls.help"))
    def hall() -> None:
        pass

    @hall.command("show", help=t("halls.show_help"))
    @click.argument("hall_code")
    @click.option("--json", "as_json", is_flag=True, help=t("halls.opt_show_json"))
    @click.pass_obj
    def show(obj: Context, hall_code: str, as_json: bool) -> None:
        from ..domain import halls

        found = halls.show(obj.store().conn, hall_code)
        if as_json:
            _dump([found])
            return
        _print_hall(found)

    @hall.command("list", help=t("halls.list_help"))
    @click.option("--residence", metavar="NAME", help=t("halls.opt_residence"))
    @click.option("--landlord", metavar="NAME", help=t("halls.opt_landlord"))
    @click.option("--commune", metavar="NAME", help=t("halls.opt_commune"))
    @click.option("--status", type=click.Choice(STATUSES), help=t("halls.opt_status"))
    @click.option("--json", "as_json", is_flag=True, help=t("halls.opt_list_json"))
    @click.pass_obj
    def listing(obj: Context, residence: str | None, landlord: str | None, commune: str | None,
                status: str | None, as_json: bool) -> None:
        from ..domain import halls

        filters = dict(residence=residence, landlord=landlord, commune=commune, status=status)
        if as_json:  # one object a line: 130,000 halls print in a second
            objects = halls.listing_json(obj.store().conn, **filters)
            click.echo("[\n" + ",\n".join(objects) + "\n]" if objects else "[]")
            return
        lines = halls.listing(obj.store().conn, **filters)
        click.echo("\t".join(t(f"halls.col_{c}") for c in halls.LIST_KEYS if c != "to_verify"))
        for line in lines:
            shown = t(f"status.hall.{line.status}")
            if line.to_verify:  # an open access-failure report (docs/failures.md)
                shown = f"{shown} · {t('failures.to_verify')}"
            cells = [line.code, line.label, line.residence, line.landlord, line.commune,
                     line.dwellings, shown]
            click.echo("\t".join(_cell(c) for c in cells))


def _print_hall(h: dict) -> None:
    echo = click.echo
    echo(t("halls.show.title", label=_cell(h["label"]), code=h["code"],
           residence=_cell(h["residence"]), address=_cell(h["address"]),
           commune=_cell(h["commune"])))
    echo(t("halls.show.landlord", landlord=_cell(h["landlord"]), phone=_cell(h["landlord_phone"])))
    echo(t("halls.show.facts", dwellings=_cell(h["dwellings"]),
           vigik=t(f"wizard.vigik.{h['vigik'] or 'unknown'}"),
           centrale=" ".join(x for x in (h["brand"], h["model"]) if x) or "?",
           location=_cell(h["centrale_location"])))
    status = t(f"status.hall.{h['status']}")
    if h["door_not_tested"]:
        status = t("residence.door_not_tested", status=status)
    if h.get("to_verify"):
        status = f"{status} · {t('failures.to_verify')}"
    echo(t("halls.show.status", status=status, rule=t(f"halls.rule.{h['rule']}")))
    echo(t("halls.show.centrales", count=len(h["centrales"])))
    for c in h["centrales"]:
        echo(t("halls.show.centrale", id=c["id"][:8],
               centrale=" ".join(x for x in (c["brand"], c["model"]) if x) or "?",
               serial=_cell(c["serial"]),
               state=t("halls.show.active" if c["active"] else "halls.show.replaced")))
    echo(t("halls.show.attempts", count=len(h["attempts"])))
    for a in h["attempts"]:
        parts = [_cell(format_datetime(a["when"])), _cell(a["who"]),
                 t(f"wizard.outcome.{a['outcome']}") if a["outcome"]
                 else t("halls.show.in_step", step=t(f"wizard.step.{a['step']}"))]
        if a["reason"]:
            parts.append(t(f"wizard.failure.{a['reason']}"))
        if a["door"]:
            parts.append(t(f"halls.door.{a['door']}"))
        if a["card_refused"]:  # a refused card passed over: the pilot must see it
            parts.append(t("halls.show.card_refused", refusal=t(f"halls.refusal.{a['card_refused']}"),
                           reason=a["card_override"]))
        elif a["card"] or a["card_override"]:
            parts.append(t("halls.show.card", card=a["card"] or reasons.render(a["card_override"])))
        if a["days"] and a["windows"]:
            windows = ", ".join("-".join(w) for w in a["windows"])
            parts.append(t("halls.show.windows", days=a["days"], windows=windows))
        if a["step"] not in ("done",) and a["outcome"]:
            parts.append(t("halls.show.in_step", step=t(f"wizard.step.{a['step']}")))
        if not a["counts"]:
            parts.append(t("halls.show.not_counted"))
        mark = t("halls.show.decisive") if a["decisive"] else ""
        echo(f"  {' · '.join(parts)}{mark}")
    echo(t("halls.show.conflicts", count=len(h["conflicts"])))
    for c in h["conflicts"]:
        echo(t("halls.show.conflict", id=c["id"], entity=t(f"entity.{c['entity']}"),
               field=t(f"field.{c['entity']}.{c['field']}"),
               a=json.dumps(c["a"], ensure_ascii=False), b=json.dumps(c["b"], ensure_ascii=False)))
