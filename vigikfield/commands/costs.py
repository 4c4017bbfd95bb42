"""vigikfield costs show | set: the cost parameters (docs/costs.md). Setting one is the
pilot's (the rights table refuses anyone else, exit 2) and is recorded as an op."""

from __future__ import annotations

import json
from decimal import Decimal
from fractions import Fraction

import click

from ..i18n import format_datetime, format_money, format_number, t
from .base import Context


def _exact(value: Fraction) -> str:
    """A Fraction as decimal text when it has one (``"40"``, ``"5.5"``), else ``"16750/3"``."""
    number = Decimal(value.numerator) / Decimal(value.denominator)
    return format(number.normalize(), "f") if Fraction(number) == value else str(value)


def shown(setting) -> str:
    """A parameter's value in force, for people."""
    from ..domain.cost_defaults import MONEY, PERCENT
    from ..domain.costs import cents

    value = setting.value
    if value is None:
        return t("costs.to_fill")
    if setting.parameter.unit == MONEY:
        return t("costs.ht", amount=format_money(cents(value)))
    if setting.parameter.unit == PERCENT:
        number = Decimal(value.numerator) / value.denominator
        return f"{format_number(number, max(0, -number.normalize().as_tuple().exponent))} %"
    return t(f"costs.payer.{value}")


def source(setting) -> str:
    if setting.source == "set":
        return t("costs.source.set", who=setting.set_by or "—",
                 when=format_datetime(setting.set_at), reason=setting.reason or "—")
    return f"{t('costs.source.' + setting.source)} — {t(setting.parameter.basis)}"


def _as_json(setting) -> dict:
    value = setting.value
    return {
        "param": setting.parameter.name, "field": setting.parameter.field,
        "unit": setting.parameter.unit,
        "value": None if value is None else (value if isinstance(value, str) else _exact(value)),
        "is_default": setting.is_default, "source": setting.source,
        "set_by": setting.set_by,
        "set_at": setting.set_at.isoformat() if setting.set_at else None,
    }


def register(cli: click.Group) -> None:
    @cli.group(help=t("costs.help"))
    def costs() -> None:
        pass

    @costs.command("show", help=t("costs.show_help"))
    @click.option("--json", "as_json", is_flag=True, help=t("costs.opt_json"))
    @click.pass_obj
    def show(obj: Context, as_json: bool) -> None:
        from ..domain import costs as domain

        found = domain.settings(obj.store().conn)
        if as_json:
            click.echo(json.dumps([_as_json(s) for s in found.values()], ensure_ascii=False,
                                  indent=2))
            return
        for setting in found.values():
            name = t(f"field.projects.{setting.parameter.field}")
            click.echo(f"{setting.parameter.name}\t{name}\t{shown(setting)}\t{source(setting)}")

    @costs.command("set", help=t("costs.set_help"))
    @click.argument("param")
    @click.argument("value")
    @click.option("--reason", help=t("costs.opt_reason"))
    @click.pass_obj
    def set_(obj: Context, param: str, value: str, reason: str | None) -> None:
        from ..domain import costs as domain

        # unknown parameter, bad value, not the pilot: exit 2, nothing written
        before, after = domain.set_parameter(obj.store(), param, value, reason)
        name = t(f"field.projects.{after.parameter.field}")
        if (before.value, before.is_default) == (after.value, after.is_default):
            click.echo(t("costs.unchanged", name=name, value=shown(after)))
            return
        key = "costs.saved_default" if after.is_default else "costs.saved"
        click.echo(t(key, name=name, value=shown(after), before=shown(before)))
