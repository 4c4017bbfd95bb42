"""vigikfield police set: a police office's charging stations, computers and agents'
badges (seed 000, "Les besoins des services de Polices"). Pilot only (the rights
table), recorded as ops; `report kit` shows them."""

from __future__ import annotations

import click

from ..i18n import TranslatedError, format_date, t
from .base import Context

# option -> police_offices field, in the order they are shown
OPTIONS = (("stations", "stations"), ("installed", "stations_installed"),
           ("planned", "station_planned"), ("installed_on", "station_installed"),
           ("computers", "computers"), ("badges", "agent_badges"))


class PoliceError(TranslatedError):
    prefix = "police."
    exit_code = 2


def find_office(conn, name: str) -> tuple[str, str]:
    """(id, name) of the police office called `name` (case and accents ignored; a unique
    part of the name will do)."""
    from ..domain import names

    rows = conn.execute("SELECT id, name FROM police_offices WHERE name IS NOT NULL").fetchall()
    exact = names.matching(rows, name)
    partial = names.containing(rows, name) if not exact else []
    found = exact or partial
    if len(found) == 1:
        return found[0]
    if found:
        raise PoliceError("ambiguous", name=name,
                          matches=", ".join(sorted(r[1] for r in found)[:5]))
    known = ", ".join(sorted(r[1] for r in rows)[:8]) or "—"
    raise PoliceError("unknown", name=name, known=known)


def _shown(field: str, value) -> str:
    if value is None:
        return "—"
    return format_date(value) if field in ("station_planned", "station_installed") else str(value)


def register(cli: click.Group) -> None:
    @cli.group(help=t("police.help"))
    def police() -> None:
        pass

    @police.command("set", help=t("police.set_help"))
    @click.argument("office")
    @click.option("--stations", metavar="N", help=t("police.opt_stations"))
    @click.option("--installed", metavar="N", help=t("police.opt_installed"))
    @click.option("--planned", metavar="DATE", help=t("police.opt_planned"))
    @click.option("--installed-on", "installed_on", metavar="DATE", help=t("police.opt_installed_on"))
    @click.option("--computers", metavar="N", help=t("police.opt_computers"))
    @click.option("--badges", metavar="N", help=t("police.opt_badges"))
    @click.pass_obj
    def set_(obj: Context, office: str, **given: str | None) -> None:
        from ..domain import reasons, values

        typed = {field: given[option] for option, field in OPTIONS if given[option] is not None}
        if not typed:
            raise PoliceError("nothing")
        store = obj.store()
        office_id, found = find_office(store.conn, office)
        # every value checked before anything is written (exit 2 names the field)
        fields = {f: values.parse_text("police_offices", f, text) for f, text in typed.items()}
        current = store.get("police_offices", office_id) or {}
        stations = fields.get("stations", current.get("stations"))
        installed = fields.get("stations_installed", current.get("stations_installed"))
        if stations is not None and installed is not None and installed > stations:
            raise PoliceError("more_installed", office=found, installed=installed,
                              stations=stations)
        # the rights refuse anyone but the pilot (exit 2, nothing written)
        changed = store.update("police_offices", office_id, fields,
                               reasons.code("reason.police_set"))
        after = store.get("police_offices", office_id) or {}
        summary = ", ".join(t("police.field", name=t(f"field.police_offices.{f}"),
                              value=_shown(f, after.get(f))) for _, f in OPTIONS)
        click.echo(t("police.saved" if changed else "police.unchanged",
                     office=found, summary=summary))
