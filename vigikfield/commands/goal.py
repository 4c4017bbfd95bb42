"""vigikfield goal show|set: the pilot's goal of dwellings reachable with the single pass,
in QPV and outside (projects.goal_dwellings_qpv / goal_dwellings_outside), against
what is covered (docs/dashboard.md)."""

from __future__ import annotations

import json

import click

from ..i18n import format_number, t
from .base import EXIT_BAD_INPUT, Context, TranslatedError, fail
from .report_progress import NoDatabase

AREAS = ("qpv", "outside")
FIELDS = {"qpv": "goal_dwellings_qpv", "outside": "goal_dwellings_outside"}


class NoProject(TranslatedError):
    prefix = "goal."
    key = "no_project"
    exit_code = 1


def register(cli: click.Group) -> None:
    @cli.group(help=t("goal.help"))
    def goal() -> None:
        pass

    @goal.command("show", help=t("goal.show_help"))
    @click.option("--json", "as_json", is_flag=True, help=t("goal.opt_json"))
    @click.pass_obj
    def show(obj: Context, as_json: bool) -> None:
        from ..domain import dashboard

        store = obj.existing_store(NoDatabase(path=obj.db_path))
        areas = dashboard.coverage(store.conn)
        if as_json:
            click.echo(json.dumps([{"area": a, "covered": c.covered, "dwellings": c.dwellings,
                                    "goal": c.goal, "goal_set": c.goal_set}
                                   for a, c in areas.items()], ensure_ascii=False, indent=2))
            return
        for area, c in areas.items():
            click.echo(t("goal.show_line", area=t(f"dashboard.coverage_{area}"),
                         covered=format_number(c.covered), goal=format_number(c.goal),
                         percent=format_number(c.percent, 1),
                         source=t("dashboard.coverage_goal_set" if c.goal_set
                                  else "dashboard.coverage_goal_default")))

    @goal.command("set", help=t("goal.set_help"))
    @click.option("--qpv", type=click.IntRange(0, 10**9), metavar="N", help=t("goal.opt_qpv"))
    @click.option("--outside", type=click.IntRange(0, 10**9), metavar="N",
                  help=t("goal.opt_outside"))
    @click.option("--clear", is_flag=True, help=t("goal.opt_clear"))
    @click.pass_obj
    def set_(obj: Context, qpv: int | None, outside: int | None, clear: bool) -> None:
        from ..domain import dashboard, reasons

        if not clear and qpv is None and outside is None:
            fail(t("goal.nothing"), EXIT_BAD_INPUT)
        store = obj.existing_store(NoDatabase(path=obj.db_path))
        project_id = store.project_id
        if project_id is None:
            raise NoProject(path=obj.db_path)
        wanted = {"qpv": qpv, "outside": outside}
        if not clear:
            before = dashboard.goals(store.conn)
            wanted = {a: getattr(before, a) if v is None else v for a, v in wanted.items()}
        # the rights refuse anyone but the pilot (exit 2, nothing written)
        changed = store.update("projects", project_id,
                               {FIELDS[a]: wanted[a] for a in AREAS},
                               reasons.code("reason.goal_set"))
        if clear:
            click.echo(t("goal.cleared" if changed else "goal.clear_unchanged"))
            return
        key = "goal.saved" if changed else "goal.unchanged"
        click.echo(t(key, **{a: _goal_text(wanted[a]) for a in AREAS}))


def _goal_text(value: int | None) -> str:
    if value is None:
        return t("goal.unset")
    return t("goal.dwellings", count=format_number(value))
