"""device, trust, bundle, conflicts: the sync commands (DESIGN.md §5, issue 6)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .base import EXIT_FAILED, Context, TranslatedError, fail
from ..domain.profile import ROLES
from ..i18n import format_date, format_datetime, t

PROGRESS_BYTES = 4 << 20  # show a progress bar past this much, or for several files


def _store(obj: Context):
    import vigikfield_sync as sync

    return sync.prepare(obj.store())


def _fail(exc) -> None:
    fail(str(exc), exc.exit_code)


class TerminalProgress:
    """A `vigikfield_sync` Progress callback (done, total) drawing click's bar on stderr,
    the same callback the TUI's picker gives `workorder`. The bar starts at the first
    call (the total is known then). Use `for_stderr`: None when stderr is no terminal."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.bar = None
        self.done = 0

    @classmethod
    def for_stderr(cls, label: str) -> TerminalProgress | None:
        return cls(label) if sys.stderr.isatty() else None

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            self.bar = click.progressbar(length=total, label=self.label, file=sys.stderr)
            self.bar.__enter__()
        self.bar.update(done - self.done)
        self.done = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


def register(cli: click.Group) -> None:
    from vigikfield_sync import SyncError

    @cli.group(help=t("sync.device.help"))
    def device() -> None:
        pass

    @device.command("show", help=t("sync.device.show_help"))
    @click.option("--public-key", "public_only", is_flag=True, help=t("sync.device.opt_public"))
    @click.pass_obj
    def device_show(obj: Context, public_only: bool) -> None:
        from vigikfield_sync import keys, local

        store = _store(obj)
        try:
            public = keys.public_hex(store)
        except SyncError as exc:
            _fail(exc)
        if public_only:
            click.echo(keys.key_text(store))
            return
        name = store.conn.execute("SELECT name FROM device").fetchone()[0]
        click.echo(t("sync.device.show", id=store.device_id, name=name,
                     role=t(f"rights.role.{local.role(store)}"),
                     key_id=keys.key_id(public), public=f"{keys.PREFIX}{public}",
                     key_file=keys.key_path(store), project=store.project_id or "-"))

    @device.command("role", help=t("sync.device.role_help"))
    @click.argument("role", type=click.Choice(ROLES))
    @click.pass_obj
    def device_role(obj: Context, role: str) -> None:
        from vigikfield_sync import set_role

        set_role(_store(obj), role)
        click.echo(t("sync.device.role_set", role=role))

    @device.command("renew", help=t("sync.device.renew_help"))
    @click.option("--since", type=click.IntRange(0), help=t("sync.device.opt_since"))
    @click.pass_obj
    def device_renew(obj: Context, since: int | None) -> None:
        from vigikfield_sync import keys
        from vigikfield_sync.renew import renew

        store = _store(obj)
        try:
            done = renew(store, since=since)
        except SyncError as exc:
            _fail(exc)
        click.echo(t("sync.device.renewed", old=done.old_device, new=done.new_device,
                     carried=done.carried, key_id=done.key_id,
                     public=keys.key_text(store)))

    @cli.group(help=t("sync.trust.help"))
    def trust() -> None:
        pass

    @trust.command("add", help=t("sync.trust.add_help"))
    @click.argument("key")
    @click.option("--name", required=True, help=t("sync.trust.opt_name"))
    @click.option("--role", required=True, type=click.Choice(ROLES), help=t("sync.trust.opt_role"))
    @click.option("--landlord", help=t("sync.trust.opt_landlord"))
    @click.option("--device", "device_id", help=t("sync.trust.opt_device"))
    @click.pass_obj
    def trust_add(obj: Context, key: str, name: str, role: str, landlord: str | None,
                  device_id: str | None) -> None:
        from vigikfield_sync import trust_add as add

        from ..domain.cards import find_landlord

        store = _store(obj)
        landlord_id = find_landlord(store.conn, landlord)[0] if landlord else None
        try:
            with store.transaction():
                entry = add(store, key, name, role, landlord_id=landlord_id, device_id=device_id)
        except SyncError as exc:
            _fail(exc)
        click.echo(t("sync.trust.added", name=entry.name, key_id=entry.key_id,
                     role=t(f"rights.role.{entry.role}")))

    @trust.command("list", help=t("sync.trust.list_help"))
    @click.option("--json", "as_json", is_flag=True, help=t("sync.trust.opt_json"))
    @click.pass_obj
    def trust_list(obj: Context, as_json: bool) -> None:
        from dataclasses import asdict

        from vigikfield_sync import trust_list as entries

        rows = entries(_store(obj))
        if as_json:
            click.echo(json.dumps([asdict(e) for e in rows], ensure_ascii=False, indent=2))
            return
        if not rows:
            click.echo(t("sync.trust.empty"))
        for e in rows:
            state = t("sync.trust.revoked", when=format_datetime(e.revoked_at)) if e.revoked_at else t("sync.trust.active")
            click.echo("\t".join((e.name, e.key_id, t(f"rights.role.{e.role}"),
                                  (e.device_id or "-")[:8], format_datetime(e.added_at), state)))

    @trust.command("revoke", help=t("sync.trust.revoke_help"))
    @click.argument("name")
    @click.pass_obj
    def trust_revoke(obj: Context, name: str) -> None:
        from vigikfield_sync import trust_revoke as revoke

        try:
            entry = revoke(_store(obj), name)
        except SyncError as exc:
            _fail(exc)
        click.echo(t("sync.trust.revoked_now", name=entry.name, key_id=entry.key_id))

    @cli.group(help=t("sync.bundle.help"))
    def bundle() -> None:
        pass

    @bundle.command("export", help=t("sync.bundle.export_help"))
    @click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True,
                  help=t("sync.bundle.opt_out"))
    @click.option("--all", "everything", is_flag=True, help=t("sync.bundle.opt_all"))
    @click.pass_obj
    def bundle_export(obj: Context, out: Path, everything: bool) -> None:
        from vigikfield_sync import export

        try:
            written = export(_store(obj), out, everything=everything)
        except SyncError as exc:
            _fail(exc)
        if not written.ops:
            click.echo(t("sync.bundle.nothing"))
            return
        click.echo(t("sync.bundle.exported", path=out, ops=written.ops,
                     first=written.first_seq, last=written.last_seq))

    @bundle.command("workorder", help=t("sync.bundle.workorder_help"))
    @click.option("--technician", required=True, help=t("sync.bundle.opt_technician"))
    @click.option("--residence", "residences", multiple=True, required=True,
                  help=t("sync.bundle.opt_residence"))
    @click.option("--date", help=t("sync.bundle.opt_date"))
    @click.option("--include-confidential", is_flag=True, help=t("sync.bundle.opt_confidential"))
    @click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True,
                  help=t("sync.bundle.opt_out"))
    @click.pass_obj
    def bundle_workorder(obj: Context, technician: str, residences: tuple[str, ...],
                         date: str | None, include_confidential: bool, out: Path) -> None:
        from vigikfield_sync import workorder

        bar = TerminalProgress.for_stderr(t("desk.workorder.progress"))  # stdout unchanged
        try:
            written = workorder(_store(obj), out, technician=technician,
                                residences=list(residences), date=date,
                                include_confidential=include_confidential, progress=bar)
        except SyncError as exc:
            _fail(exc)
        finally:
            if bar is not None:
                bar.close()
        click.echo(t("sync.bundle.workorder_written", path=out, ops=written.ops,
                     residences=len(residences), technician=technician))

    @cli.group("workorder", help=t("desk.workorder.help"))
    def workorder_group() -> None:
        pass

    @workorder_group.command("list", help=t("desk.workorder.list_help"))
    @click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]),
                  help=t("desk.workorder.opt_today"))
    @click.option("--json", "as_json", is_flag=True, help=t("desk.workorder.opt_json"))
    @click.pass_obj
    def workorder_list(obj: Context, today, as_json: bool) -> None:
        from datetime import date as day

        from ..domain import work_orders

        found = work_orders.orders(obj.store().conn, today.date() if today else day.today())
        if as_json:
            click.echo(json.dumps([
                {"id": o.id, "technician": o.technician, "planned_date": o.planned_date,
                 "state": o.state, "residences": list(o.residences), "halls": o.halls,
                 "encoded": o.encoded} for o in found], ensure_ascii=False, indent=2))
            return
        if not found:
            click.echo(t("desk.workorder.none"))
        for o in found:
            click.echo("\t".join((
                o.id[:8], o.technician or "-", format_date(o.planned_date) or "-",
                t("orders.residences_cell", count=o.residence_count,
                  names=", ".join(n for n in o.residences if n)),
                t("orders.halls_cell", done=o.encoded, total=o.halls),
                t(f"orders.state.{o.state}"))))

    @workorder_group.command("close", help=t("desk.workorder.close_help"))
    @click.argument("order_id", metavar="ID")
    @click.option("--reason", help=t("desk.workorder.opt_reason"))
    @click.pass_obj
    def workorder_close(obj: Context, order_id: str, reason: str | None) -> None:
        from ..domain import work_orders

        store = obj.store()
        found = work_orders.find(store.conn, order_id)  # unknown: exit 2
        shown = dict(id=found.id[:8], technician=found.technician or "-",
                     date=format_date(found.planned_date) or "-")
        # not the pilot: the store's refusal, exit 2, nothing written
        if not work_orders.close(store, found.id, reason):
            click.echo(t("desk.workorder.already_closed", **shown))
            return
        click.echo(t("desk.workorder.closed", **shown))

    @bundle.command("maintenance", help=t("sync.bundle.maintenance_help"))
    @click.option("--landlord", required=True, metavar="NAME", help=t("sync.bundle.opt_maintenance_landlord"))
    @click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True,
                  help=t("sync.bundle.opt_out"))
    @click.pass_obj
    def bundle_maintenance(obj: Context, landlord: str, out: Path) -> None:
        from vigikfield_sync import maintenance

        from ..domain.cards import find_landlord

        store = _store(obj)
        landlord_id, name = find_landlord(store.conn, landlord)[:2]
        try:
            written = maintenance(store, out, landlord_id=landlord_id)
        except SyncError as exc:
            _fail(exc)
        click.echo(t("sync.bundle.maintenance_written", path=out, ops=written.ops,
                     landlord=name))

    def _receive(obj: Context, files: tuple[Path, ...], kind: str) -> None:
        from vigikfield_sync import merge_files

        # No database yet: no key is trusted, every bundle would be refused. Say what
        # to run first, and leave no empty database behind.
        obj.existing_store(TranslatedError("sync.bundle.no_database", db=obj.db_path))
        store = _store(obj)
        size = sum(p.stat().st_size for p in files if p.exists())
        if sys.stderr.isatty() and (len(files) > 1 or size > PROGRESS_BYTES):
            with click.progressbar(length=len(files), label=t("sync.bundle.progress"),
                                   file=sys.stderr) as bar:
                outcomes = merge_files(store, files, kind, progress=lambda _p: bar.update(1))
        else:
            outcomes = merge_files(store, files, kind)
        refused = 0
        for outcome in sorted(outcomes, key=lambda o: files.index(o.path)):
            if outcome.error is not None:
                refused += 1
                click.echo(t("sync.bundle.refused", path=outcome.path, reason=outcome.error),
                           err=True)
                continue
            r = outcome.receipt
            click.echo(t("sync.bundle.accepted", path=outcome.path, signer=r.signer,
                         new=r.new_ops, duplicates=r.duplicate_ops, conflicts=r.conflicts))
        if refused:
            fail(t("sync.bundle.summary_refused", refused=refused, total=len(files)), EXIT_FAILED)

    @bundle.command("import", help=t("sync.bundle.import_help"))
    @click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
    @click.pass_obj
    def bundle_import(obj: Context, file: Path) -> None:
        _receive(obj, (file,), "workorder")

    @bundle.command("merge", help=t("sync.bundle.merge_help"))
    @click.argument("files", nargs=-1, required=True,
                    type=click.Path(dir_okay=False, path_type=Path))
    @click.pass_obj
    def bundle_merge(obj: Context, files: tuple[Path, ...]) -> None:
        _receive(obj, files, "export")

    @cli.group(help=t("sync.conflicts.help"))
    def conflicts() -> None:
        pass

    @conflicts.command("list", help=t("sync.conflicts.list_help"))
    @click.option("--json", "as_json", is_flag=True, help=t("sync.conflicts.opt_json"))
    @click.pass_obj
    def conflicts_list(obj: Context, as_json: bool) -> None:
        from dataclasses import asdict

        from vigikfield_sync import list_conflicts, present

        from ..domain.halls import hall_code_of

        store = _store(obj)
        found = list_conflicts(store)
        if as_json:
            click.echo(json.dumps([
                {**asdict(c), "hall_code": hall_code_of(store.conn, c.entity, c.entity_id)}
                for c in found], ensure_ascii=False, indent=2))
            return
        if not found:
            click.echo(t("sync.conflicts.none"))
        for c in found:
            click.echo(t("sync.conflicts.line", id=c.id, what=c.description,
                         field=present.field_text(c.entity, c.field)))
            for label, side in (("A", c.a), ("B", c.b)):
                click.echo(t("sync.conflicts.side", side=label, text=present.side_text(c, side),
                             device=side.device))

    @conflicts.command("resolve", help=t("sync.conflicts.resolve_help"))
    @click.argument("conflict_id")
    @click.option("--keep", required=True, help=t("sync.conflicts.opt_keep"))
    @click.pass_obj
    def conflicts_resolve(obj: Context, conflict_id: str, keep: str) -> None:
        from vigikfield_sync import resolve

        try:
            c = resolve(_store(obj), conflict_id, keep)
        except SyncError as exc:
            _fail(exc)
        click.echo(t("sync.conflicts.resolved", id=c.id, what=c.description, field=c.field))
