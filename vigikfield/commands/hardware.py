"""card, centrale, simulate, hw: the hardware commands.

Every device problem is a `HardwareError` whose text is the message; it is
printed and the command exits 1. Bad input (unknown landlord, bad window)
exits 2 with nothing written. Never a traceback.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from .base import EXIT_FAILED, Context, fail
from ..i18n import format_datetime, t


def _reader():
    from ..hardware.factory import HardwareConfig, make_reader

    kind = HardwareConfig.from_env().reader
    if kind == "sim":  # a simulated reader holds the demo's service cards
        from ..domain.demo import DEMO_CARDS

        reader = make_reader(kind, DEMO_CARDS)
    else:
        reader = make_reader(kind)
    if reader is None:
        fail(t("card.reader_disabled"), EXIT_FAILED)
    return reader


def _status(card) -> str:
    if card.status == "active":
        return t("card.status_active")
    return t("card.status_revoked", reason=card.revoked_reason or "")


def register(cli: click.Group) -> None:
    reader_opt = click.option("--reader", "reader_name", help=t("card.opt_reader"))
    wait_opt = click.option("--wait", type=click.FloatRange(0, 600), default=3.0,
                            show_default=True, help=t("card.opt_wait"))

    @cli.group(help=t("card.help"))
    def card() -> None:
        pass

    @card.command("enroll", help=t("card.enroll_help"))
    @click.option("--landlord", required=True, help=t("card.opt_landlord"))
    @click.option("--service", required=True, help=t("card.opt_service"))
    @reader_opt
    @wait_opt
    @click.pass_obj
    def enroll(obj: Context, landlord: str, service: str, reader_name: str | None,
               wait: float) -> None:
        from ..domain import cards

        def action() -> None:
            store = obj.store()
            cards.find_landlord(store.conn, landlord)  # bad input before touching the reader
            info = _reader().read(reader_name, timeout=wait)
            card = cards.enroll(store, info.fingerprint, landlord, service)
            click.echo(t("card.enrolled", fingerprint=card.fingerprint, service=card.service,
                         landlord=card.landlord, reader=info.reader))
            if not info.unique:
                click.echo(t("card.not_unique"), err=True)

        action()  # typed errors go up to the root group, with their exit code

    @card.command("list", help=t("card.list_help"))
    @click.option("--json", "as_json", is_flag=True, help=t("card.opt_json"))
    @click.pass_obj
    def list_cards(obj: Context, as_json: bool) -> None:
        from ..domain import cards

        rows = cards.cards(obj.store().conn)
        if as_json:
            click.echo(json.dumps([{
                "fingerprint": c.fingerprint, "service": c.service, "landlord": c.landlord,
                "status": c.status, "revoked_reason": c.revoked_reason,
                "enrolled_at": c.enrolled_at} for c in rows], ensure_ascii=False, indent=1))
            return
        if not rows:
            click.echo(t("card.none"))
            return
        for c in rows:
            click.echo("\t".join((c.fingerprint, c.service, c.landlord or "—", _status(c),
                                  format_datetime(c.enrolled_at))))

    @card.command("revoke", help=t("card.revoke_help"))
    @click.argument("fingerprint")
    @click.option("--reason", required=True, help=t("card.opt_reason"))
    @click.pass_obj
    def revoke(obj: Context, fingerprint: str, reason: str) -> None:
        from ..domain import cards

        def action() -> None:
            card = cards.revoke(obj.store(), fingerprint, reason)
            click.echo(t("card.revoked", fingerprint=card.fingerprint, service=card.service,
                         landlord=card.landlord or "—", reason=reason))

        action()  # typed errors go up to the root group, with their exit code

    @card.command("check", help=t("card.check_help"))
    @click.option("--landlord", help=t("card.opt_check_landlord"))
    @reader_opt
    @wait_opt
    @click.pass_obj
    def check(obj: Context, landlord: str | None, reader_name: str | None, wait: float) -> None:
        from ..domain import cards

        def action() -> None:
            store = obj.store()
            if landlord:
                cards.find_landlord(store.conn, landlord)
            info = _reader().read(reader_name, timeout=wait)
            verdict = cards.check(store.conn, info.fingerprint, landlord)
            c = verdict.card
            values = dict(fingerprint=verdict.fingerprint, reader=info.reader,
                          service=c.service if c else "", landlord=(c.landlord if c else "") or "—",
                          wanted=landlord or "", reason=(c.revoked_reason if c else "") or "")
            message = t(f"card.check_{verdict.outcome}", **values)
            if not verdict.ok:
                fail(message, EXIT_FAILED)
            click.echo(message)

        action()  # typed errors go up to the root group, with their exit code

    _register_centrale(cli)


def _register_centrale(cli: click.Group) -> None:
    port_opt = click.option("--port", required=True, help=t("centrale.opt_port"))
    timeout_opt = click.option("--timeout", type=click.FloatRange(0.1, 60), default=2.0,
                               show_default=True, help=t("centrale.opt_timeout"))

    @cli.group(help=t("simulate.help"))
    def simulate() -> None:
        pass

    @simulate.command("centrale", help=t("simulate.centrale_help"))
    @click.option("--model", type=click.Choice(sorted(_models())), default="VX-255",
                  show_default=True, help=t("simulate.opt_model"))
    @click.option("--fault", type=click.Choice(_faults()), default="none", show_default=True,
                  help=t("simulate.opt_fault"))
    @click.option("--link", type=click.Path(dir_okay=False, path_type=Path),
                  help=t("simulate.opt_link"))
    def simulate_centrale(model: str, fault: str, link: Path | None) -> None:
        from ..hardware import sim_pty

        sim_pty.run(model, fault, link, lambda line: click.echo(line) or _flush())

    @cli.group(help=t("centrale.help"))
    def centrale() -> None:
        pass

    @centrale.command("identify", help=t("centrale.identify_help"))
    @port_opt
    @timeout_opt
    def identify(port: str, timeout: float) -> None:
        from ..domain.windows import format_days
        from ..hardware.serial_link import SerialLink

        def action() -> None:
            link = SerialLink(port, timeout=timeout)
            try:
                info = link.identify()
            finally:
                link.close()
            click.echo(t("centrale.identity", brand=info.brand, model=info.model,
                         firmware=info.firmware, serial=info.serial,
                         used=info.used, capacity=info.capacity))
            for entry in info.services:
                schedule = entry.schedule
                click.echo("\t".join((
                    entry.name, t("centrale.native") if entry.native else t("centrale.added"),
                    format_days(schedule.days) if schedule else "",
                    ", ".join(str(w) for w in schedule.windows) if schedule else "")))

        action()  # typed errors go up to the root group, with their exit code

    @centrale.command("add-service", help=t("centrale.add_help"))
    @port_opt
    @click.option("--service", required=True, help=t("centrale.opt_service"))
    @click.option("--days", required=True, help=t("centrale.opt_days"))
    @click.option("--window", "windows", multiple=True, required=True,
                  help=t("centrale.opt_window"))
    @timeout_opt
    def add_service(port: str, service: str, days: str, windows: tuple[str, ...],
                    timeout: float) -> None:
        from ..domain.windows import Schedule
        from ..hardware.serial_link import SerialLink

        def action() -> None:
            schedule = Schedule.parse(days, list(windows))   # bad input: nothing sent
            link = SerialLink(port, timeout=timeout)
            try:
                result = link.add_service(service, schedule)
            finally:
                link.close()
            if result.entry is None or result.entry.schedule != schedule:
                fail(t("centrale.not_verified", service=service), EXIT_FAILED)
            click.echo(t(f"centrale.outcome_{result.outcome}", service=service,
                         schedule=schedule.describe()))

        action()  # typed errors go up to the root group, with their exit code

    @cli.group(help=t("hw.help"))
    def hw() -> None:
        pass

    @hw.command("check", help=t("hw.check_help"))
    def hw_check() -> None:
        from ..hardware.diagnose import check

        findings = check()
        marks = {"ok": "✓", "info": "·", "problem": "✗"}
        for finding in findings:
            click.echo(f"{marks[finding.level]} {t(finding.key, **finding.values)}")
        if any(f.level == "problem" for f in findings):
            fail(t("hw.check.problems"), EXIT_FAILED)
        click.echo(t("hw.check.all_ok"))


def _models() -> list[str]:
    from ..hardware.simulator import MODELS

    return list(MODELS)


def _faults() -> list[str]:
    from ..hardware.sim_pty import FAULTS

    return list(FAULTS)


def _flush() -> None:
    import sys

    sys.stdout.flush()
