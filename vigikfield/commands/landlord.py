"""landlord set: a landlord's details (the contact phone printed on labels). Pilot only."""

from __future__ import annotations

import click

from ..i18n import t
from .base import Context


def register(cli: click.Group) -> None:
    @cli.group(help=t("landlord.help"))
    def landlord() -> None:
        pass

    @landlord.command("set", help=t("landlord.set_help"))
    @click.argument("name")
    @click.option("--phone", required=True, help=t("landlord.opt_phone"))
    @click.pass_obj
    def set_(obj: Context, name: str, phone: str) -> None:
        from ..domain import reasons
        from ..domain.cards import find_landlord

        store = obj.store()
        landlord_id, found = find_landlord(store.conn, name)  # unknown: exit 2, names the known
        # the rights refuse anyone but the pilot (exit 2, nothing written)
        changed = store.update("landlords", landlord_id, {"phone": phone.strip() or None},
                               reasons.code("reason.landlord_set"))
        key = "landlord.saved" if changed else "landlord.unchanged"
        click.echo(t(key, name=found, phone=phone.strip() or "—"))
