"""Access-failure reports (issue 15, part 2): a service could not open a hall.

Anyone with a role reports it (`report`), and records how it was closed
(`close`: re-encoded, repaired, not reproduced). An open report puts its hall
"to verify" — the ``to_verify`` column of ``hall_status``, the one status
definition (docs/statuses.md); nothing here decides a hall's status.

The pilot's figures (`by_landlord`, `by_month`, `repeated`) are SQL aggregates
over ``failure_reports`` joined to ``hall_status``, residences and landlords
(docs/failures.md). Their denominator is defined once: the halls
whose status in ``hall_status`` is ``encoded`` and whose deciding attempt was
recorded on or before a day (`_ENCODED_DAYS`) (today for a landlord's figures, the month's last
day for a month's). Services and kinds are stable codes (`model.SERVICES`,
`model.FAILURE_KINDS`); people may type them in French or English words
(« police nationale », « badge refusé »), read through one table, `NAMES`.
"""

from __future__ import annotations

import calendar
import json
import sqlite3
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from ..i18n import LANGUAGES, TranslatedError, catalog
from . import hallcode, names
from .journal import Change
from .model import CLOSURES, FAILURE_KINDS, SERVICES

# A hall fails repeatedly with at least REPEATED_REPORTS reports in the last
# REPEATED_MONTHS months (today included).
REPEATED_REPORTS = 2
REPEATED_MONTHS = 12

# What each choice is called, beyond its code and its label in every language
# (the catalogs' failures.service.*, failures.what.*, failures.closure.*).
NAMES: dict[str, dict[str, tuple[str, ...]]] = {
    "service": {
        "police_nationale": ("pn", "police", "commissariat", "national police"),
        "police_municipale": ("pm", "municipale", "municipal police", "police municipale"),
        "gendarmerie": ("gendarmes",),
        "pompiers": ("sapeurs-pompiers", "sapeurs pompiers", "sdis", "fire brigade", "firefighters"),
        "samu": ("smur", "ambulance"),
        "other": ("autre",),
    },
    "what": {
        "badge_refused": ("badge refuse", "refused badge", "badge", "pass refuse"),
        "door_broken": ("porte cassee", "porte", "broken door"),
        "centrale_dead": ("centrale hs", "centrale hors service", "centrale morte", "dead centrale"),
        "reader_damaged": ("lecteur abime", "lecteur endommage", "lecteur casse", "damaged reader"),
        "other": ("autre",),
    },
    "closure": {
        "re_encoded": ("reencode", "re-encode", "re-encoded", "reencoded"),
        "repaired": ("repare", "reparee", "reparation"),
        "not_reproduced": ("non reproduit", "pas reproduit", "not-reproduced"),
    },
}
_CHOICES = {"service": SERVICES, "what": FAILURE_KINDS, "closure": CLOSURES}


class FailureError(TranslatedError):
    """A failure report refused (a name, a date, a report already closed); nothing written."""

    prefix = "failures."
    exit_code = 2


def _spellings(kind: str, code: str) -> set[str]:
    said = {code, code.replace("_", " "), code.replace("_", "-"), *NAMES[kind][code]}
    said |= {catalog(lang).get(f"failures.{kind}.{code}", "") for lang in LANGUAGES}
    return {names.fold(s) for s in said if s}


def _label(kind: str, code: str) -> str:
    from ..i18n import t

    return t(f"failures.{kind}.{code}")


def choice(kind: str, text: str) -> str:
    """The code of a service, a kind of failure or a closure, from its code or its name in
    French or English (case and accents ignored); FailureError lists the choices."""
    wanted = names.fold(text)
    for code in _CHOICES[kind]:
        if wanted in _spellings(kind, code):
            return code
    raise FailureError(f"bad_{kind}", value=text,
                       choices=", ".join(_label(kind, c) for c in _CHOICES[kind]))


def _hall(conn: sqlite3.Connection, code_text: str) -> tuple[str, str]:
    code = hallcode.normalise(code_text)
    row = conn.execute("SELECT id, code FROM halls WHERE code = ?", (code,)).fetchone() \
        if hallcode.is_valid(code) else None
    if row is None:
        raise FailureError("no_hall", code=code_text.strip())
    return row


def hall_id_of(conn: sqlite3.Connection, code_text: str) -> str:
    """The id of the hall carrying this code; FailureError naming the code otherwise."""
    return _hall(conn, code_text)[0]


def _who(store, by: str | None) -> str:
    who = (by or "").strip() or store.actor
    if not who:
        raise FailureError("no_by")
    return who


def report(store, hall_id: str, service: str, what: str, reported_on: date, by: str | None,
           details: str | None = None, *, today: date) -> str:
    """Record that `service` could not open the hall (`what` happened on `reported_on`);
    returns the report's id. A date after `today` is refused."""
    service, what = choice("service", service), choice("what", what)
    if reported_on > today:
        raise FailureError("future", day=reported_on.isoformat(), today=today.isoformat())
    if store.conn.execute("SELECT 1 FROM halls WHERE id = ?", (hall_id,)).fetchone() is None:
        raise FailureError("no_hall", code=hall_id[:8])
    report_id = str(uuid.uuid4())
    fields = {"hall_id": hall_id, "reported_on": reported_on.isoformat(), "service": service,
              "what": what, "details": (details or "").strip() or None,
              "reported_by": _who(store, by)}
    store.record([Change("failure_reports", report_id, k, v, new=True)
                  for k, v in fields.items() if v is not None], reason="failure report")
    return report_id


def close(store, report_id: str, closure: str, closed_on: date, by: str | None,
          note: str | None = None, *, today: date) -> None:
    """Record how an open report was closed; a closed report is not closed again, and the
    closure is dated between the report's day and `today`."""
    closure = choice("closure", closure)
    row = store.conn.execute("SELECT reported_on, closure FROM failure_reports WHERE id = ?",
                             (report_id,)).fetchone()
    if row is None:
        raise FailureError("no_report", id=report_id)
    reported_on, done = row
    if done is not None:
        raise FailureError("already_closed", id=report_id[:8], closure=_label("closure", done))
    if closed_on > today:
        raise FailureError("future", day=closed_on.isoformat(), today=today.isoformat())
    if reported_on and closed_on.isoformat() < reported_on:
        raise FailureError("before_report", day=closed_on.isoformat(), reported=reported_on)
    fields = {"closure": closure, "closed_on": closed_on.isoformat(),
              "closed_by": _who(store, by), "closure_note": (note or "").strip() or None}
    store.record([Change("failure_reports", report_id, k, v) for k, v in fields.items()
                  if v is not None], reason="failure closed")


def open_reports(conn: sqlite3.Connection, hall_id: str) -> list[str]:
    """The ids of the hall's open reports, oldest first."""
    return [r[0] for r in conn.execute(
        "SELECT id FROM failure_reports WHERE hall_id = ? AND closure IS NULL "
        "ORDER BY reported_on, id", (hall_id,))]


def to_close(conn: sqlite3.Connection, target: str) -> list[str]:
    """The reports `failure close` means: a report's id (or its first characters), or a
    hall code (its open reports). FailureError when it names none."""
    text = target.strip()
    code = hallcode.normalise(text)
    if hallcode.is_valid(code):
        row = conn.execute("SELECT id FROM halls WHERE code = ?", (code,)).fetchone()
        if row is not None:
            found = open_reports(conn, row[0])
            if not found:
                raise FailureError("none_open", code=code)
            return found
    rows = conn.execute("SELECT id FROM failure_reports WHERE id LIKE ? || '%'",
                        (text.lower(),)).fetchall() if len(text) >= 4 else []
    if len(rows) != 1:
        raise FailureError("no_target", target=text)
    return [rows[0][0]]


# -- reading -----------------------------------------------------------------
# A report's hall in hall_status, one seek per report (a LEFT JOIN on the view would
# materialise it whole: 130,000 halls for a few reports).
_STATUS = "(SELECT hs.{column} FROM hall_status hs WHERE hs.hall_id = f.hall_id)"
LIST_KEYS = ("id", "code", "label", "residence", "landlord", "commune", "reported_on", "service",
             "what", "details", "reported_by", "closure", "closed_on", "closed_by",
             "closure_note", "status", "to_verify")
_LIST = f"""SELECT f.id, h.code, h.label, r.name, l.name, c.name, f.reported_on, f.service,
       f.what, f.details, f.reported_by, f.closure, f.closed_on, f.closed_by, f.closure_note,
       coalesce({_STATUS.format(column="status")}, 'retired'),
       coalesce({_STATUS.format(column="to_verify")}, 0)
FROM failure_reports f
JOIN halls h ON h.id = f.hall_id
LEFT JOIN residences r ON r.id = h.residence_id
LEFT JOIN landlords l ON l.id = r.landlord_id
LEFT JOIN communes c ON c.id = r.commune_id
WHERE (:open = 0 OR f.closure IS NULL) AND (:hall IS NULL OR f.hall_id = :hall)
ORDER BY f.reported_on DESC, h.code, f.id"""


def listing(conn: sqlite3.Connection, *, open_only: bool = False,
            hall_id: str | None = None) -> list[dict[str, Any]]:
    """The reports (newest first), every one or the open ones, of one hall or all."""
    return [dict(zip(LIST_KEYS, row)) | {"to_verify": bool(row[-1])}
            for row in conn.execute(_LIST, {"open": int(open_only), "hall": hall_id})]


# -- the pilot's figures ----------------------------------------------------------
# The denominator, defined once: a landlord's halls encoded on a day D are the halls
# whose status in hall_status is `encoded` and whose deciding attempt was recorded on
# or before D. This CTE counts them per landlord and day of that attempt; each figure
# adds up the days up to its own D.
_ENCODED_DAYS = """encoded_days AS MATERIALIZED (
  SELECT r.landlord_id AS landlord_id,
         coalesce(date(hs.decided_at), '0000-00-00') AS day, count(*) AS halls
  FROM hall_status hs JOIN residences r ON r.id = hs.residence_id
  WHERE hs.status = 'encoded'
  GROUP BY 1, 2
)"""
_REPORTS_OF = """FROM failure_reports f JOIN halls h ON h.id = f.hall_id
  JOIN residences r ON r.id = h.residence_id
  WHERE f.reported_on <= :today"""

_BY_LANDLORD = f"""
WITH {_ENCODED_DAYS}, reports AS MATERIALIZED (
  SELECT r.landlord_id AS landlord_id, count(*) AS reports,
         count(*) FILTER (WHERE f.closure IS NULL) AS open,
         count(DISTINCT f.hall_id) AS halls
  {_REPORTS_OF}
  GROUP BY r.landlord_id
)
SELECT l.id, l.name, coalesce(k.reports, 0), coalesce(k.open, 0),
       (SELECT coalesce(sum(e.halls), 0) FROM encoded_days e
        WHERE e.landlord_id = l.id AND e.day <= :today),
       coalesce(k.halls, 0)
FROM landlords l
LEFT JOIN reports k ON k.landlord_id = l.id
ORDER BY l.name, l.id"""

_BY_MONTH = f"""
WITH {_ENCODED_DAYS}, months AS MATERIALIZED (
  SELECT r.landlord_id AS landlord_id, substr(f.reported_on, 1, 7) AS month,
         count(*) AS reports, count(DISTINCT f.hall_id) AS halls,
         min(date(substr(f.reported_on, 1, 7) || '-01', '+1 month', '-1 day'), :today) AS until
  {_REPORTS_OF}
  GROUP BY 1, 2
)
SELECT m.month, l.id, l.name, m.reports, m.halls,
       (SELECT coalesce(sum(e.halls), 0) FROM encoded_days e
        WHERE e.landlord_id IS m.landlord_id AND e.day <= m.until)
FROM months m LEFT JOIN landlords l ON l.id = m.landlord_id
ORDER BY m.month, l.name, l.id"""

_REPEATED = f"""
SELECT h.code, h.label, r.name, l.name, c.name, count(*) AS reports, max(f.reported_on),
       count(*) FILTER (WHERE f.closure IS NULL), coalesce({_STATUS.format(column="status")},
                                                          'retired'),
       (SELECT group_concat(DISTINCT g.what) FROM failure_reports g
        WHERE g.hall_id = f.hall_id AND g.reported_on BETWEEN :since AND :today)
FROM failure_reports f
JOIN halls h ON h.id = f.hall_id
LEFT JOIN residences r ON r.id = h.residence_id
LEFT JOIN landlords l ON l.id = r.landlord_id
LEFT JOIN communes c ON c.id = r.commune_id
WHERE f.reported_on BETWEEN :since AND :today
GROUP BY f.hall_id HAVING count(*) >= :least
ORDER BY count(*) DESC, l.name, r.name, h.label, h.code"""


@dataclass(frozen=True, slots=True)
class Rate:
    """One landlord's (and month's) failure figures."""

    landlord_id: str | None
    landlord: str | None
    month: str | None           # YYYY-MM, None: every report up to today
    reports: int
    open: int | None            # still open (landlord figures only)
    encoded_halls: int          # encoded today, or on the month's last day (_ENCODED_DAYS)
    halls_reported: int         # halls with at least one report


def by_landlord(conn: sqlite3.Connection, today: date) -> list[Rate]:
    """Every landlord's reports up to `today` and its halls encoded today."""
    return [Rate(lid, name, None, reports, still, encoded, halls)
            for lid, name, reports, still, encoded, halls
            in conn.execute(_BY_LANDLORD, {"today": today.isoformat()})]


def by_month(conn: sqlite3.Connection, today: date) -> list[Rate]:
    """Each calendar month (of `reported_on`) and landlord with reports, up to `today`;
    the denominator is the landlord's halls encoded on the month's last day (or today)."""
    return [Rate(lid, name, month, reports, None, encoded, halls)
            for month, lid, name, reports, halls, encoded
            in conn.execute(_BY_MONTH, {"today": today.isoformat()})]


def months_back(day: date, months: int) -> date:
    """`day` minus `months` calendar months, plus one day: the first day of the window of
    `months` months ending on `day` (31 March − 1 month → 1 March; 29 Feb → 1 Mar of
    the year before)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    start = date(year, month + 1, min(day.day, last))
    return date.fromordinal(start.toordinal() + 1)


REPEATED_KEYS = ("code", "label", "residence", "landlord", "commune", "reports", "last_report",
                 "open", "status", "what")


def repeated(conn: sqlite3.Connection, today: date) -> list[dict[str, Any]]:
    """The halls with at least REPEATED_REPORTS reports in the last REPEATED_MONTHS months."""
    since = months_back(today, REPEATED_MONTHS)
    rows = conn.execute(_REPEATED, {"since": since.isoformat(), "today": today.isoformat(),
                                    "least": REPEATED_REPORTS})
    out = []
    for row in rows:
        found = dict(zip(REPEATED_KEYS, row))
        found["what"] = sorted((found["what"] or "").split(",")) if found["what"] else []
        out.append(found)
    return out


def as_json(rows: list[dict[str, Any]]) -> str:
    return json.dumps(rows, ensure_ascii=False, indent=2)
