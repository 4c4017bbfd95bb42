"""residence add/list, hall add/edit/replace-centrale/re-encode/retire/restore: the
landlord's checklist from the command line (the twins of the TUI's checklist screens).

Every change is one op per field with the actor and the reason (`--reason`,
required for changes to an existing hall: exit 2 without it, nothing written).
Rights are the store's: the pilot, maintenance within its landlord.
"""

from __future__ import annotations

import json

import click

from .base import Context
from ..domain.model import VIGIK_STATUSES
from ..domain.upkeep import VIGIK_PLUS_WORDS
from ..i18n import t


def _reason_option(required: bool):
    return click.option("--reason", required=required, metavar="TEXT",
                        help=t("checklist.opt_reason" if required else "checklist.opt_reason_add"))


def _said(key: str, done, **values) -> None:
    if not done.fields:
        click.echo(t("checklist.unchanged", code=done.code or ""))
        return
    click.echo(t(key, code=done.code or "", fields=len(done.fields), **values))


def register(cli: click.Group) -> None:
    from ..domain import checklist as domain

    @cli.group(help=t("checklist.residence_help"))
    def residence() -> None:
        pass

    @residence.command("add", help=t("checklist.residence_add_help"))
    @click.option("--landlord", metavar="NAME", help=t("checklist.opt_landlord"))
    @click.option("--commune", metavar="NAME", required=True, help=t("checklist.opt_commune"))
    @click.option("--name", required=True, help=t("checklist.opt_name"))
    @click.option("--address", help=t("checklist.opt_address"))
    @click.option("--dwellings", type=int, metavar="N", help=t("checklist.opt_dwellings"))
    @_reason_option(False)
    @click.pass_obj
    def residence_add(obj: Context, landlord: str | None, commune: str, name: str,
                      address: str | None, dwellings: int | None, reason: str | None) -> None:
        done = domain.add_residence(obj.store(), name=name, commune=commune, landlord=landlord,
                                    address=address, dwellings=dwellings, reason=reason)
        click.echo(t("checklist.residence_added", name=name.strip(), id=done.entity_id[:8]))

    @residence.command("list", help=t("checklist.residence_list_help"))
    @click.option("--json", "as_json", is_flag=True, help=t("checklist.opt_residence_json"))
    @click.pass_obj
    def residence_list(obj: Context, as_json: bool) -> None:
        from ..domain import scope

        rows = scope.residences(obj.store())
        if as_json:
            click.echo(json.dumps([scope.as_json(r) for r in rows], ensure_ascii=False, indent=2))
            return
        click.echo("\t".join(t(f"checklist.col_{c}") for c in
                             ("residence", "commune", "landlord", "halls", "retired")))
        for r in rows:
            click.echo("\t".join((r.name or "-", r.commune or "-", r.landlord or "-",
                                  f"{r.encoded}/{r.halls}", str(r.retired))))

    hall = cli.commands["hall"]
    assert isinstance(hall, click.Group)

    @hall.command("add", help=t("checklist.hall_add_help"))
    @click.argument("residence_name", metavar="RESIDENCE")
    @click.option("--label", required=True, help=t("checklist.opt_label"))
    @click.option("--address", help=t("checklist.opt_hall_address"))
    @click.option("--dwellings", type=int, metavar="N", help=t("checklist.opt_hall_dwellings"))
    @click.option("--brand", help=t("checklist.opt_brand"))
    @click.option("--model", help=t("checklist.opt_model"))
    @click.option("--vigik", type=click.Choice(VIGIK_STATUSES), help=t("checklist.opt_vigik"))
    @_reason_option(False)
    @click.pass_obj
    def hall_add(obj: Context, residence_name: str, label: str, address: str | None,
                 dwellings: int | None, brand: str | None, model: str | None,
                 vigik: str | None, reason: str | None) -> None:
        done = domain.add_hall(obj.store(), residence_name, label=label, address=address,
                               dwellings=dwellings, brand=brand, model=model, vigik=vigik,
                               reason=reason)
        click.echo(t("checklist.hall_added", code=done.code, label=label.strip()))

    @hall.command("edit", help=t("checklist.hall_edit_help"))
    @click.argument("code")
    @click.option("--label", help=t("checklist.opt_label"))
    @click.option("--address", help=t("checklist.opt_hall_address"))
    @click.option("--brand", help=t("checklist.opt_brand"))
    @click.option("--model", help=t("checklist.opt_model"))
    @click.option("--vigik", type=click.Choice(VIGIK_STATUSES), help=t("checklist.opt_vigik"))
    @click.option("--location", help=t("checklist.opt_location"))
    @click.option("--dwellings", type=int, metavar="N", help=t("checklist.opt_hall_dwellings"))
    @click.option("--vigik-plus", type=click.Choice(VIGIK_PLUS_WORDS), help=t("upkeep.opt_vigik_plus"))
    @click.option("--last-maintenance", metavar="DATE", help=t("upkeep.opt_last_maintenance"))
    @_reason_option(True)
    @click.pass_obj
    def hall_edit(obj: Context, code: str, reason: str, **changes) -> None:
        done = domain.edit_hall(obj.store(), code, changes, reason)
        _said("checklist.hall_edited", done)

    @hall.command("replace-centrale", help=t("checklist.replace_help"))
    @click.argument("code")
    @click.option("--brand", help=t("checklist.opt_new_brand"))
    @click.option("--model", help=t("checklist.opt_new_model"))
    @click.option("--serial", help=t("checklist.opt_serial"))
    @_reason_option(True)
    @click.pass_obj
    def hall_replace(obj: Context, code: str, brand: str | None, model: str | None,
                     serial: str | None, reason: str) -> None:
        done = domain.replace_centrale(obj.store(), code, brand=brand, model=model,
                                       serial=serial, reason=reason)
        click.echo(t("checklist.replaced", code=done.code))

    @hall.command("re-encode", help=t("checklist.re_encode_help"))
    @click.argument("code")
    @_reason_option(True)
    @click.pass_obj
    def hall_re_encode(obj: Context, code: str, reason: str) -> None:
        done = domain.re_encode(obj.store(), code, reason=reason)
        click.echo(t("checklist.re_encoded", code=done.code))

    @hall.command("retire", help=t("checklist.retire_help"))
    @click.argument("code")
    @_reason_option(True)
    @click.pass_obj
    def hall_retire(obj: Context, code: str, reason: str) -> None:
        _said("checklist.retired", domain.set_retired(obj.store(), code, True, reason=reason))

    @hall.command("restore", help=t("checklist.restore_help"))
    @click.argument("code")
    @_reason_option(True)
    @click.pass_obj
    def hall_restore(obj: Context, code: str, reason: str) -> None:
        _said("checklist.restored", domain.set_retired(obj.store(), code, False, reason=reason))
