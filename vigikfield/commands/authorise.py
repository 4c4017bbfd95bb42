"""`vigikfield authorise` and `vigikfield authorisations`: the building manager's
decision on a residence before its halls are encoded (domain/authorisations.py)."""

from __future__ import annotations

import json
from datetime import date, datetime

import click

from .base import EXIT_BAD_INPUT, Context, fail
from ..i18n import format_date, t

_DATE = click.DateTime(formats=["%Y-%m-%d", "%d/%m/%Y"])


def _day(value: datetime | None) -> date | None:
    return value.date() if value is not None else None


def register(cli: click.Group) -> None:
    @cli.command(help=t("authorisations.authorise_help"))
    @click.argument("residence")
    @click.option("--by", "by", required=True, metavar="NAME", help=t("authorisations.opt_by"))
    @click.option("--refuse", is_flag=True, help=t("authorisations.opt_refuse"))
    @click.option("--days", metavar="MASK|Lu-Sa", help=t("authorisations.opt_days"))
    @click.option("--window", "windows", multiple=True, metavar="HH:MM-HH:MM",
                  help=t("authorisations.opt_window"))
    @click.option("--until", type=_DATE, metavar="DATE", help=t("authorisations.opt_until"))
    @click.option("--on", "on", type=_DATE, metavar="DATE", help=t("authorisations.opt_on"))
    @click.option("--note", metavar="TEXT", help=t("authorisations.opt_note"))
    @click.pass_obj
    def authorise(obj: Context, residence: str, by: str, refuse: bool, days: str | None,
                  windows: tuple[str, ...], until: datetime | None, on: datetime | None,
                  note: str | None) -> None:
        from ..domain import authorisations
        from ..domain.windows import Schedule, WindowError

        schedule = None
        if (days or windows) and not refuse:
            try:  # the parsers of `encode` (domain/windows.py)
                schedule = Schedule.parse(days or "1111111", list(windows) or ["00:00-24:00"])
            except WindowError as exc:
                fail(t("authorisations.bad_windows", error=str(exc)), EXIT_BAD_INPUT)
        if refuse and (days or windows or until):
            raise authorisations.AuthorisationError("refusal_windows")
        store = obj.store()
        residence_id = authorisations.find_residence(store, residence)
        decided_on = _day(on) or date.today()  # the clock, read here only
        authorisations.record(
            store, residence_id, by=by, decision="refused" if refuse else "granted",
            days=schedule.days if schedule else None,
            windows=[str(w).split("-") for w in schedule.windows] if schedule else None,
            until=_day(until).isoformat() if until else None, note=note, decided_on=decided_on)
        auth = authorisations.of_residence(store.conn, residence_id, decided_on)
        click.echo(t("authorisations.recorded", residence=auth.residence or residence_id,
                     state=authorisations.describe(auth)))

    @cli.command("authorisations", help=t("authorisations.list_help"))
    @click.option("--pending", is_flag=True, help=t("authorisations.opt_pending"))
    @click.option("--refused", is_flag=True, help=t("authorisations.opt_refused"))
    @click.option("--expired", is_flag=True, help=t("authorisations.opt_expired"))
    @click.option("--today", type=_DATE, metavar="DATE", help=t("authorisations.opt_today"))
    @click.option("--json", "as_json", is_flag=True, help=t("authorisations.opt_json"))
    @click.pass_obj
    def listing(obj: Context, pending: bool, refused: bool, expired: bool,
                today: datetime | None, as_json: bool) -> None:
        from ..domain import authorisations
        from ..domain.profile import MAINTENANCE

        store = obj.store()
        bound = store.profile.landlord_id if store.role == MAINTENANCE else None
        states = tuple(s for s, on in (("pending", pending), ("refused", refused),
                                       ("expired", expired)) if on)
        rows = authorisations.listing(store.conn, _day(today) or date.today(), states=states,
                                      landlord_id=bound)
        if as_json:
            click.echo(json.dumps([r.as_json() for r in rows], ensure_ascii=False, indent=2))
            return
        click.echo("\t".join(t(f"authorisations.col.{c}") for c in
                             ("residence", "commune", "landlord", "state", "decided_by",
                              "decided_on", "windows", "until")))
        for r in rows:
            click.echo("\t".join((
                r.residence or "-", r.commune or "-", r.landlord or "-",
                t(f"authorisations.state.{r.state}"), r.decided_by or "-",
                format_date(r.decided_on) or "-", schedule_text(r) or "-",
                format_date(r.until) or "-")))


def schedule_text(auth) -> str:
    """The decided days and windows in words ("Lu-Sa 08:00-12:00"), "" when none."""
    from ..domain.windows import format_days

    if not auth.windows:
        return ""
    return f"{format_days(auth.days or '1111111')} " + ", ".join("-".join(w) for w in auth.windows)
