"""profile: who uses this database (name, role, landlord) — issue 9 §1."""

from __future__ import annotations

import json

import click

from .base import Context
from ..i18n import t


def _landlord_name(store, landlord_id: str | None) -> str | None:
    if landlord_id is None:
        return None
    row = store.get("landlords", landlord_id)
    return (row or {}).get("name") or landlord_id


def describe(store) -> dict:
    """The profile as the CLI's JSON shows it (docs/cli.md)."""
    p = store.profile
    return {"name": p.name, "role": p.effective_role, "role_set": p.role is not None,
            "landlord": _landlord_name(store, p.landlord_id), "device_id": store.device_id}


def register(cli: click.Group) -> None:
    from ..domain.profile import ROLES

    @cli.group(help=t("profile.help"))
    def profile() -> None:
        pass

    @profile.command("show", help=t("profile.show_help"))
    @click.option("--json", "as_json", is_flag=True, help=t("profile.opt_json"))
    @click.pass_obj
    def show(obj: Context, as_json: bool) -> None:
        store = obj.store()
        info = describe(store)
        if as_json:
            click.echo(json.dumps([info], ensure_ascii=False, indent=2))
            return
        role = (t(f"rights.role.{info['role']}") if info["role_set"]
                else t("profile.role_unset"))
        click.echo(t("profile.show", name=info["name"] or t("profile.unnamed"), role=role,
                     landlord=info["landlord"] or "—"))

    @profile.command("set", help=t("profile.set_help"))
    @click.option("--name", help=t("profile.opt_name"))
    @click.option("--role", type=click.Choice(ROLES), help=t("profile.opt_role"))
    @click.option("--landlord", help=t("profile.opt_landlord"))
    @click.pass_obj
    def set_(obj: Context, name: str | None, role: str | None, landlord: str | None) -> None:
        from ..domain.cards import find_landlord

        store = obj.store()
        landlord_id = find_landlord(store.conn, landlord)[0] if landlord else None
        p = store.set_profile(name=name, role=role, landlord_id=landlord_id)
        where = _landlord_name(store, p.landlord_id)
        click.echo(t("profile.saved", name=p.name or t("profile.unnamed"),
                     role=t(f"rights.role.{p.effective_role}"),
                     landlord=f", {where}" if where else ""))
