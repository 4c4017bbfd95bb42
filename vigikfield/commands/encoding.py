"""`vigikfield encode`: record a hall's outcome without the TUI (the wizard's twin)."""

from __future__ import annotations

import click

from .base import EXIT_BAD_INPUT, Context, fail
from ..i18n import t

OUTCOME_NAMES = {
    "encoded": "encoded", "already": "already_present", "failed": "failed",
    "no-access": "no_access", "incompatible": "incompatible",
}
DOOR_NAMES = {"opened": "opened", "failed": "failed", "not-tested": "not_tested"}


def register(cli: click.Group) -> None:
    @cli.command(help=t("encode.help"))
    @click.argument("hall_code")
    @click.option("--outcome", required=True, type=click.Choice(list(OUTCOME_NAMES)),
                  help=t("encode.opt_outcome"))
    @click.option("--reason", help=t("encode.opt_reason"))
    @click.option("--days", default=None, help=t("encode.opt_days"))
    @click.option("--window", "windows", multiple=True, help=t("encode.opt_window"))
    @click.option("--card", help=t("encode.opt_card"))
    @click.option("--note", help=t("encode.opt_note"))
    @click.option("--door", type=click.Choice(list(DOOR_NAMES)), help=t("encode.opt_door"))
    @click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), metavar="YYYY-MM-DD",
                  help=t("authorisations.opt_encode_today"))
    @click.pass_obj
    def encode(obj: Context, hall_code: str, outcome: str, reason: str | None, days: str | None,
               windows: tuple[str, ...], card: str | None, note: str | None,
               door: str | None, today) -> None:
        from ..domain import cards, hallcode, wizard
        from ..domain.windows import Schedule, WindowError

        code = hallcode.normalise(hall_code)
        if not hallcode.is_valid(code):
            fail(t("encode.bad_code", code=hall_code), EXIT_BAD_INPUT)
        outcome_id = OUTCOME_NAMES[outcome]
        problems = []
        schedule = None
        if windows or days:
            try:
                schedule = Schedule.parse(days or "1111111", list(windows) or ["00:00-24:00"])
            except WindowError as exc:
                problems.append(t("encode.bad_windows", error=str(exc)))
        if outcome_id in ("failed", "no_access") and not (reason and reason.strip()):
            problems.append(t("encode.reason_needed", outcome=outcome))
        if outcome_id not in wizard.PROGRAMMED and schedule is not None:
            problems.append(t("encode.windows_unused", outcome=outcome))
        if outcome_id not in wizard.PROGRAMMED and door is not None:
            problems.append(t("encode.door_unused", outcome=outcome))
        fingerprint = cards.normalise_fingerprint(card) if card else None
        store = obj.store()
        row = store.conn.execute("SELECT id FROM halls WHERE code = ?", (code,)).fetchone()
        if row is None:
            problems.append(t("encode.no_hall", typed=hall_code, code=code))
        if fingerprint:
            verdict = cards.check(store.conn, fingerprint)
            if not verdict.ok:
                problems.append(t("encode.bad_card", fingerprint=fingerprint,
                                  outcome=t(f"encode.card_{verdict.outcome}")))
        if problems:
            fail("\n".join(problems), EXIT_BAD_INPUT)
        enc = wizard.record_outcome(  # a WizardError goes up to the root group: exit 2
            store, row[0], outcome_id, reason=reason, card=fingerprint, note=note,
            days=schedule.days if schedule else None,
            windows=[str(w).split("-") for w in schedule.windows] if schedule else None,
            door=DOOR_NAMES[door] if door else None,
            today=today.date() if today else None,  # None: the local date (authorisations)
        )
        click.echo(t("encode.done", code=code, outcome=t(f"wizard.outcome.{enc.get('outcome') or outcome_id}")))
