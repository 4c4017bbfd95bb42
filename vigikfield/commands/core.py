"""demo, search, journal: the foundation's commands."""

from __future__ import annotations

import json

import click

from .base import EXIT_BAD_INPUT, EXIT_FAILED, Context, fail
from ..domain import reasons
from ..i18n import format_datetime, t


def register(cli: click.Group) -> None:
    @cli.command(help=t("demo.help"))
    @click.option("--no-ui", is_flag=True, help=t("demo.opt_no_ui"))
    @click.option("--scale", type=click.Choice(["demo", "idf"]), default="demo",
                  show_default=True, help=t("demo.opt_scale"))
    @click.pass_obj
    def demo(obj: Context, no_ui: bool, scale: str) -> None:
        from .. import paths, settings
        from ..domain import demo as demo_territory
        from ..domain.demo_data import TECHNICIANS

        if not obj.explicit_db:
            obj.db_path = paths.data_dir() / ("demo.db" if scale == "demo" else "demo-idf.db")
        store = obj.store()
        created = demo_territory.ensure(store, scale=scale)
        counts = demo_territory.counts(store)
        key = "demo.created" if created else "demo.present"
        click.echo(t(key, path=obj.db_path, **counts), err=not no_ui)
        # The demo is seen through a demo technician's eyes: his work order. Say so,
        # so that `vigikfield` on the same file (every residence) is no surprise.
        technician = settings.current().actor or TECHNICIANS[0]
        shown = demo_territory.work_order_residences(store, technician)
        if shown:
            click.echo(t("demo.view", technician=technician, shown=shown,
                         residences=counts["residences"], path=obj.db_path), err=not no_ui)
        if not no_ui:
            from ..tui import run_tui

            store.actor = technician
            run_tui(store, demo=True)

    @cli.command(help=t("search.help"))
    @click.argument("text")
    @click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True,
                  help=t("search.opt_limit"))
    @click.pass_obj
    def search(obj: Context, text: str, limit: int) -> None:
        from ..domain.search import search as find

        hits = find(obj.store().conn, text, limit=limit)
        if not hits:
            fail(t("search.none", text=text), EXIT_FAILED)
        for hit in hits:
            click.echo(hit.line())

    @cli.group(help=t("journal.help"))
    def journal() -> None:
        pass

    @journal.command("verify", help=t("journal.verify_help"))
    @click.pass_obj
    def verify(obj: Context) -> None:
        from ..domain import journal as oplog

        store = obj.store()
        problem = oplog.verify(store.conn)
        if problem is not None:
            from ..domain.halls import hall_code_of

            code = hall_code_of(store.conn, problem.entity, problem.entity_id) \
                if problem.entity and problem.entity_id else None
            fail(t("journal.broken", problem=problem.text(code)), EXIT_FAILED)
        (ops,) = store.conn.execute("SELECT count(*) FROM ops").fetchone()
        (devices,) = store.conn.execute("SELECT count(DISTINCT device_id) FROM ops").fetchone()
        click.echo(t("journal.sound", ops=ops, devices=devices))

    @journal.command("show", help=t("journal.show_help"))
    @click.argument("hall_code")
    @click.option("--json", "as_json", is_flag=True, help=t("journal.opt_json"))
    @click.pass_obj
    def show(obj: Context, hall_code: str, as_json: bool) -> None:
        from ..domain import hallcode
        from ..domain.history import hall_history

        store = obj.store()
        code = hallcode.normalise(hall_code)
        if not hallcode.is_valid(code):
            fail(t("journal.bad_code", code=hall_code), EXIT_BAD_INPUT)
        rows = hall_history(store.conn, code)
        if rows is None:
            fail(t("journal.no_hall", code=code), EXIT_FAILED)
        if as_json:
            click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        click.echo("\t".join(t(f"journal.col_{c}") for c in
                             ("when", "who", "what", "field", "old", "new", "reason")))
        for row in rows:
            shown = {**row, "when": format_datetime(row["when"]), "reason": reasons.render(row["reason"]),
                     **{k: reasons.render(row[k]) for k in ("old", "new") if isinstance(row[k], str)}}
            click.echo("\t".join(_cell(shown[c]) for c in
                                 ("when", "actor", "entity", "field", "old", "new", "reason")))


def _cell(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)
