"""The building manager's authorisation of a residence before its halls are encoded.

A decision is an ``authorisations`` entity (the op log: it travels in bundles).
A residence's state is defined ONCE, in `STATE_SQL`, read by every reader (the
CLI, the wizard's refusal, the residence panel, the work-order picker, the
dashboard): its latest decision — ordered by ``decided_on``, then by the clock
of the decision's first op, then by id, and kept per residence by the database
(``residence_decision``, domain/kept.py) — gives

- ``granted``: the decision grants it and its ``until`` (if any) is not before today;
- ``expired``: granted, but ``until`` < today;
- ``refused``: the latest decision refuses it;
- ``pending``: no decision at all.

Legacy: a residence with ``residences.authorized_by`` (release 1, the demo) and
no authorisation entity counts as granted by that person on ``authorized_at``,
with ``residences.windows`` as its windows (a windows list: every day; or
``{"days", "windows"}``) — inside the same SQL.

`today` is always a parameter (the app's ``today()``, a command's ``--today``),
never SQLite's clock. Observations need no authorisation (a compatibility check,
"incompatible", "no access"); programming a centrale does (`check_may_encode`).
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from ..i18n import EXIT_BAD_INPUT, TranslatedError, format_date
from . import names
from .model import DECISIONS
from .store import Store

STATES = ("granted", "pending", "refused", "expired")
BLOCKING = ("pending", "refused", "expired")  # states in which no hall may be programmed

# One row per residence: its state as of :today. The only definition; `{only}` restricts
# it to a set of residence ids (an SQL set: "(:rid)", "(SELECT value FROM json_each(:ids))")
# or is "" for every residence — read it through `state_sql`. The latest decision `d`
# of each residence is kept by the database (`residence_decision`: the ordering
# rule, kept._LATEST_DECISION, written once; checked by `journal verify`), with the
# decision and `until` the state reads (a count reads no authorisation row).
_STATE_SQL = """
SELECT r.id AS residence_id, r.name AS residence, r.landlord_id,
       (SELECT g.name FROM landlords g WHERE g.id = r.landlord_id) AS landlord,
       (SELECT c.name FROM communes c WHERE c.id = r.commune_id) AS commune,
       CASE WHEN k.decision IS NULL AND r.authorized_by IS NULL THEN 'pending'
            WHEN k.decision = 'refused' THEN 'refused'
            WHEN k.until IS NOT NULL AND k.until < :today THEN 'expired'
            ELSE 'granted' END AS state,
       CASE WHEN d.id IS NOT NULL THEN d.decided_by ELSE r.authorized_by END AS decided_by,
       CASE WHEN d.id IS NOT NULL THEN d.decided_on ELSE r.authorized_at END AS decided_on,
       CASE WHEN d.id IS NOT NULL THEN d.days
            WHEN r.authorized_by IS NULL OR r.windows IS NULL THEN NULL
            WHEN json_type(r.windows) = 'object' THEN json_extract(r.windows, '$.days')
            ELSE '1111111' END AS days,
       CASE WHEN d.id IS NOT NULL THEN d.windows
            WHEN r.authorized_by IS NULL OR r.windows IS NULL THEN NULL
            WHEN json_type(r.windows) = 'object' THEN json_extract(r.windows, '$.windows')
            ELSE r.windows END AS windows,
       d.until, d.note,
       CASE WHEN d.id IS NOT NULL THEN 'entity'
            WHEN r.authorized_by IS NOT NULL THEN 'legacy' END AS source,
       d.id AS authorisation_id
FROM residences r
LEFT JOIN residence_decision k ON k.residence_id = r.id
LEFT JOIN authorisations d ON d.id = k.authorisation_id
WHERE 1 {only}
"""


def state_sql(only: str | None = None) -> str:
    """The state definition, for every residence or only those of the SQL set `only`
    (the same SQL: a residence's state does not depend on the others')."""
    return _STATE_SQL.format(only=f"AND r.id IN {only}" if only else "")


STATE_SQL = state_sql()  # every residence


class AuthorisationError(TranslatedError):
    """Bad input for a decision, or a residence that may not be encoded; nothing written."""

    prefix = "authorisations."
    exit_code = EXIT_BAD_INPUT


@dataclass(frozen=True, slots=True)
class Authorisation:
    """A residence's authorisation state (a row of `STATE_SQL`)."""

    residence_id: str
    residence: str | None
    landlord_id: str | None
    landlord: str | None
    commune: str | None
    state: str
    decided_by: str | None
    decided_on: str | None
    days: str | None
    windows: list[list[str]] | None
    until: str | None
    note: str | None
    source: str | None           # "entity", "legacy" (residences.authorized_by) or None
    authorisation_id: str | None

    @property
    def blocking(self) -> bool:
        return self.state in BLOCKING

    def as_json(self) -> dict[str, Any]:
        """The keys of `vigikfield authorisations --json` (docs/cli.md)."""
        out = asdict(self)
        for key in ("source", "authorisation_id"):
            out.pop(key)
        return out

    def schedule(self) -> tuple[str, list[list[str]]] | None:
        """The decided (days, windows) of a granted authorisation, if it decided any."""
        if self.state != "granted" or not self.windows:
            return None
        return self.days or "1111111", self.windows


def _row(row: sqlite3.Row | tuple) -> Authorisation:
    values = list(row)
    windows = values[9]
    values[9] = json.loads(windows) if isinstance(windows, str) else windows
    return Authorisation(*values)


def _day(today: date | str) -> str:
    return today.isoformat() if isinstance(today, date) else str(today)


def of_residence(conn: sqlite3.Connection, residence_id: str, today: date | str) -> Authorisation | None:
    """The state of one residence as of `today` (None: no such residence)."""
    row = conn.execute(f"SELECT * FROM ({state_sql('(:rid)')}) s",
                       {"today": _day(today), "rid": residence_id}).fetchone()
    return _row(row) if row else None


def listing(conn: sqlite3.Connection, today: date | str, *, states: tuple[str, ...] = (),
            landlord_id: str | None = None,
            residence_ids: list[str] | None = None) -> list[Authorisation]:
    """The residences (of `landlord_id`, among `residence_ids`) whose state is one of
    `states` (all when empty), by commune and name."""
    where, params = ["1"], {"today": _day(today), "landlord": landlord_id}
    if states:
        where.append("s.state IN (" + ", ".join(f"'{s}'" for s in states if s in STATES) + ")")
    if landlord_id is not None:
        where.append("s.landlord_id = :landlord")
    source = STATE_SQL
    if residence_ids is not None:
        source = state_sql("(SELECT value FROM json_each(:ids))")
        params["ids"] = json.dumps(list(residence_ids))
    sql = (f"SELECT * FROM ({source}) s WHERE {' AND '.join(where)} "
           "ORDER BY s.commune, s.residence, s.residence_id")
    return [_row(row) for row in conn.execute(sql, params)]


def counts(conn: sqlite3.Connection, today: date | str,
           landlord_id: str | None = None) -> dict[str, int]:
    """state -> number of residences (every state present, zero included)."""
    found = dict.fromkeys(STATES, 0)
    found.update(conn.execute(
        f"SELECT s.state, count(*) FROM ({STATE_SQL}) s "
        "WHERE :landlord IS NULL OR s.landlord_id = :landlord GROUP BY s.state",
        {"today": _day(today), "landlord": landlord_id}))
    return found


def describe(auth: Authorisation) -> str:
    """The state in words, naming who decided and when (the wizard's refusal, the panel)."""
    from ..i18n import t

    values = dict(by=auth.decided_by or "?", on=format_date(auth.decided_on) or "?",
                  until=format_date(auth.until) or "")
    if auth.state == "granted" and auth.until:
        return t("authorisations.state_text.granted_until", **values)
    return t(f"authorisations.state_text.{auth.state}", **values)


def check_may_encode(conn: sqlite3.Connection, residence_id: str | None, today: date | str) -> None:
    """Refuse programming a hall of a residence not authorised (pending, refused, expired):
    AuthorisationError saying the state, by whom and when. The wizard and `encode` call it."""
    auth = of_residence(conn, residence_id, today) if residence_id else None
    if auth is None or not auth.blocking:
        return
    raise AuthorisationError(f"refused_encode.{auth.state}", residence=auth.residence or "?",
                             by=auth.decided_by or "?", on=format_date(auth.decided_on) or "?",
                             until=format_date(auth.until) or "?")


def find_residence(store: Store, text: str) -> str:
    """A residence this profile may see, by name (case and accents ignored) or id;
    none or several: AuthorisationError listing them."""
    from . import scope  # scope -> halls -> wizard -> here: imported when first used

    visible = {r.id: r for r in scope.residences(store)}
    found = [rid for rid in names.called(store.conn, "residences", text) if rid in visible]
    if not found:
        known = ", ".join(sorted({r.name for r in visible.values() if r.name})[:8]) or "—"
        raise AuthorisationError("no_residence", name=text, known=known)
    if len(found) > 1:
        listed = "; ".join(f"{visible[rid].name} ({visible[rid].commune or '?'}, {rid})"
                           for rid in sorted(found, key=lambda i: (visible[i].commune or "", i)))
        raise AuthorisationError("ambiguous", name=text, count=len(found), matches=listed)
    return found[0]


def record(store: Store, residence_id: str, *, by: str | None, decision: str = "granted",
           days: str | None = None, windows: list[list[str]] | None = None,
           until: str | None = None, note: str | None = None,
           decided_on: date | str, reason: str | None = None) -> str:
    """Record a decision on a residence; returns its id.

    `by` (a person of the landlord) is required; a refusal carries no days nor
    windows; `until` is not before `decided_on`; values are checked by their
    kinds (`values`), rights by the store's Guard (maintenance: its landlord's
    residences only). Any refusal raises and writes nothing.
    """
    by = (by or "").strip()
    if not by:
        raise AuthorisationError("by_required")
    if decision not in DECISIONS:
        raise AuthorisationError("bad_decision", value=decision, choices=", ".join(DECISIONS))
    if store.get("residences", residence_id) is None:
        raise AuthorisationError("no_residence", name=residence_id, known="—")
    if decision == "refused" and (days or windows or until):
        raise AuthorisationError("refusal_windows")
    decided = _day(decided_on)
    try:
        date.fromisoformat(decided)
    except ValueError:
        raise AuthorisationError("bad_date", value=decided) from None
    if until is not None:
        try:
            date.fromisoformat(until)
        except ValueError:
            raise AuthorisationError("bad_date", value=until) from None
        if until < decided:
            raise AuthorisationError("until_before", until=format_date(until),
                                     on=format_date(decided))
    if decision == "granted" and days and not windows:
        windows = [["00:00", "24:00"]]
    if decision == "granted" and windows and not days:
        days = "1111111"
    entity_id = str(uuid.uuid4())
    fields = {"residence_id": residence_id, "decision": decision, "decided_by": by,
              "decided_on": decided, "days": days, "windows": windows, "until": until,
              "note": (note or "").strip() or None}
    with store.transaction():
        store.record(Store.creation_changes("authorisations", entity_id, fields), reason)
    return entity_id
