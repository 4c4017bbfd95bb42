"""The three calendars of the campaign (seed 000, "Calendrier de mise en œuvre"):
planned against done, by ISO week, with the late items (docs/calendar.md).

- ``encoding`` — halls to encode: planned at their residence's work-order date
  (`lateness.PLANNED_SQL`, incompatible halls left out), done in the week of
  the attempt that encoded them (`hall_status`);
- ``replacements`` — incompatible access systems: a hall's
  `replacement_planned`, done on `replaced_on`;
- ``stations`` — charging stations in police offices: `stations` planned on
  `station_planned`, `stations_installed` done on `station_installed`.

Every count is one SQL aggregate over the state tables and `hall_status`; late
is the rule of `lateness` (planned before today, not done), its SQL conditions
reused here. What Python adds: working days (workdays.py) for each week and
each late item, and which planned dates fall on a weekend or a public holiday.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from ..i18n import t
from . import lateness, workdays

CALENDARS = ("encoding", "replacements", "stations")


def _week(expr: str) -> str:
    return workdays.WEEK_START_SQL.format(expr)


# calendar -> (week_start, planned, done, late), one row per week with anything in it.
_WEEKS = {
    # hall_status read once; per residence: halls to encode (not incompatible), encoded,
    # done (lateness.DONE_SQL); late: lateness.LATE_RESIDENCE_SQL over the same rows.
    "encoding": f"""
WITH planned AS ({lateness.PLANNED_SQL}),
hs AS MATERIALIZED (SELECT residence_id, status, decided_at FROM hall_status),
k AS (SELECT hs.residence_id, count(*) - sum(hs.status = 'incompatible') AS todo,
             sum(hs.status = 'encoded') AS encoded, {lateness.DONE_SQL} AS done
      FROM hs GROUP BY hs.residence_id)
SELECT week, sum(planned), sum(done), sum(late) FROM (
  SELECT {_week("p.planned_date")} AS week, sum(coalesce(k.todo, 0)) AS planned, 0 AS done,
         sum(CASE WHEN {lateness.LATE_RESIDENCE_SQL}
             THEN coalesce(k.todo, 0) - coalesce(k.encoded, 0) ELSE 0 END) AS late
  FROM planned p JOIN residences r ON r.id = p.residence_id
  LEFT JOIN k ON k.residence_id = p.residence_id GROUP BY 1
  UNION ALL
  SELECT {_week("hs.decided_at")}, 0, count(*), 0
  FROM hs WHERE hs.status = 'encoded' AND hs.decided_at IS NOT NULL GROUP BY 1
) GROUP BY week ORDER BY week""",
    "replacements": f"""
SELECT week, sum(planned), sum(done), sum(late) FROM (
  SELECT {_week("h.replacement_planned")} AS week, count(*) AS planned, 0 AS done,
         sum({lateness.REPLACEMENT_LATE_SQL}) AS late
  FROM halls h WHERE h.replacement_planned IS NOT NULL GROUP BY 1
  UNION ALL
  SELECT {_week("h.replaced_on")}, 0, count(*), 0
  FROM halls h WHERE h.replaced_on IS NOT NULL GROUP BY 1
) GROUP BY week ORDER BY week""",
    "stations": f"""
SELECT week, sum(planned), sum(done), sum(late) FROM (
  SELECT {_week("p.station_planned")} AS week, sum({lateness.STATIONS_EXPECTED_SQL}) AS planned,
         0 AS done,
         sum(CASE WHEN {lateness.STATIONS_LATE_SQL}
             THEN max(0, {lateness.STATIONS_EXPECTED_SQL} - {lateness.STATIONS_INSTALLED_SQL})
             ELSE 0 END) AS late
  FROM police_offices p WHERE p.station_planned IS NOT NULL GROUP BY 1
  UNION ALL
  SELECT {_week("p.station_installed")}, 0, sum({lateness.STATIONS_INSTALLED_SQL}), 0
  FROM police_offices p WHERE p.station_installed IS NOT NULL GROUP BY 1
) GROUP BY week ORDER BY week""",
}

# calendar -> its planned items (id, name, who, planned date, INSEE, two details)
# whose planned date
# may be no working day: a Saturday, a Sunday or one of the :off dates.
_OFF = "(strftime('%w', {d}) IN ('0', '6') OR {d} IN (SELECT value FROM json_each(:off)))"
_PLANNED_ITEMS = {
    "encoding": f"""
WITH planned AS ({lateness.PLANNED_SQL})
SELECT p.residence_id, r.name, p.technician, p.planned_date, c.insee, c.name, NULL
FROM planned p JOIN residences r ON r.id = p.residence_id
LEFT JOIN communes c ON c.id = r.commune_id
WHERE {_OFF.format(d="p.planned_date")}
ORDER BY p.planned_date, r.name""",
    "replacements": f"""
SELECT h.id, r.name, l.name, h.replacement_planned, c.insee, h.code, h.label
FROM halls h LEFT JOIN residences r ON r.id = h.residence_id
LEFT JOIN landlords l ON l.id = r.landlord_id
LEFT JOIN communes c ON c.id = r.commune_id
WHERE h.replacement_planned IS NOT NULL AND {_OFF.format(d="h.replacement_planned")}
ORDER BY h.replacement_planned, r.name, h.code""",
    "stations": f"""
SELECT p.id, p.name,
       (SELECT coalesce(j.territory, j.name) FROM projects j ORDER BY j.id LIMIT 1),
       p.station_planned, c.insee, NULL, NULL
FROM police_offices p LEFT JOIN communes c ON c.id = p.commune_id
WHERE p.station_planned IS NOT NULL AND {_OFF.format(d="p.station_planned")}
ORDER BY p.station_planned, p.name""",
}

_PLANNED_YEARS = """SELECT min(y), max(y) FROM (
  SELECT substr(w.planned_date, 1, 4) AS y FROM work_orders w WHERE w.planned_date IS NOT NULL
  UNION ALL SELECT substr(h.replacement_planned, 1, 4) FROM halls h
    WHERE h.replacement_planned IS NOT NULL
  UNION ALL SELECT substr(p.station_planned, 1, 4) FROM police_offices p
    WHERE p.station_planned IS NOT NULL)"""


@dataclass(frozen=True, slots=True)
class Week:
    calendar: str
    week: str               # ISO week, "2026-W41"
    week_start: date        # its Monday
    planned: int            # planned that week (halls; stations for "stations")
    done: int               # done that week
    late: int               # planned that week, still not done, the week's dates passed
    working_days: int       # in the territory's department
    holidays: str           # the week's public holidays on working days ("" when none)


@dataclass(frozen=True, slots=True)
class Item:
    """A late item, or one planned on a day that is no working day."""

    calendar: str
    ref: str                # the residence's, hall's or police office's id
    item: str               # the residence, the hall, the police office
    planned_date: date
    who: str | None         # technician; landlord; who pays the stations (the agglomeration)
    days_late: int | None   # working days late (None: not late)
    day_off: str | None     # why the planned date is no working day (None: it is one)


@dataclass(slots=True)
class Calendars:
    today: date
    department: str | None                  # whose working days the weeks count
    weeks: dict[str, list[Week]] = field(default_factory=dict)
    late: list[Item] = field(default_factory=list)
    off_days: list[Item] = field(default_factory=list)

    def totals(self, calendar: str) -> tuple[int, int, int]:
        """(planned, done, late) over all the weeks of `calendar`."""
        weeks = self.weeks.get(calendar, [])
        return (sum(w.planned for w in weeks), sum(w.done for w in weeks),
                sum(w.late for w in weeks))


def territory_department(conn: sqlite3.Connection) -> str | None:
    """The department of most of the territory's residences (the smallest code on a tie)."""
    counts: Counter[str] = Counter()
    for insee, n in conn.execute("SELECT c.insee, count(*) FROM residences r "
                                 "JOIN communes c ON c.id = r.commune_id GROUP BY c.insee"):
        dept = workdays.department(insee)
        if dept:
            counts[dept] += n
    if not counts:
        return None
    return min(counts, key=lambda d: (-counts[d], d))


def day_off(d: date, department: str | None) -> str | None:
    """Why `d` is no working day in `department`: the holiday's name, or the weekday."""
    name = workdays.holiday_name(d, department)
    if name:
        return name
    if d.weekday() >= 5:
        return t(f"calendar.weekday_{d.weekday()}")
    return None


def _holidays_in_week(monday: date, department: str | None) -> str:
    days = (monday + timedelta(days=n) for n in range(5))
    return ", ".join(f"{t('calendar.holiday', day=d, name=name)}" for d in days
                     if (name := workdays.holiday_name(d, department)))


def weeks(conn: sqlite3.Connection, calendar: str, today: date,
          department: str | None = None) -> list[Week]:
    """`calendar`'s weeks, oldest first: planned, done and late counts (one SQL query)."""
    rows = conn.execute(_WEEKS[calendar], {"today": today.isoformat()}).fetchall()
    out = []
    for start, planned, done, late in rows:
        monday = date.fromisoformat(start)
        out.append(Week(calendar, workdays.week_key(monday), monday, planned or 0, done or 0,
                        late or 0, workdays.week_working_days(monday, department),
                        _holidays_in_week(monday, department)))
    return out


def _residence_item(name: str | None, commune: str | None) -> str:
    return t("calendar.item_residence", residence=name or "-", commune=commune or "-")


def _hall_item(code: str | None, label: str | None, residence: str | None) -> str:
    return t("calendar.item_hall", code=code or "-", label=label or "-", residence=residence or "-")


def late_items(conn: sqlite3.Connection, calendar: str, today: date) -> list[Item]:
    """The late items of `calendar` (`lateness`), the longest overdue first."""
    items: list[Item] = []
    if calendar == "encoding":
        for r in lateness.late_residences(conn, today):
            items.append(_item(calendar, r.residence_id, _residence_item(r.name, r.commune),
                               r.technician, r, today))
    elif calendar == "replacements":
        for h in lateness.late_replacements(conn, today):
            items.append(_item(calendar, h.hall_id, _hall_item(h.code, h.label, h.residence),
                               h.landlord, h, today))
    else:
        for s in lateness.late_stations(conn, today):
            items.append(_item(calendar, s.office_id,
                               t("calendar.item_stations", office=s.name or "-",
                                 installed=s.installed, stations=s.stations),
                               s.payer, s, today))
    items.sort(key=lambda i: (-(i.days_late or 0), i.planned_date, i.item))
    return items


def _item(calendar: str, ref: str, name: str, who: str | None, late, today: date) -> Item:
    planned = date.fromisoformat(late.planned_date)
    return Item(calendar, ref, name, planned, who, lateness.days_late(late, today),
                day_off(planned, workdays.department(late.insee)))


def _off_dates(conn: sqlite3.Connection) -> list[str]:
    """Every public holiday of the years planned in, in any department of the territory
    (a superset: each item is then checked against its own department)."""
    first, last = conn.execute(_PLANNED_YEARS).fetchone()
    if first is None:
        return []
    departments = {workdays.department(i) for (i,) in conn.execute("SELECT insee FROM communes")}
    return sorted({d.isoformat() for year in range(int(first), int(last) + 1)
                   for dept in departments | {None} for d in workdays.holidays_of(year, dept)})


def off_day_items(conn: sqlite3.Connection, calendar: str, today: date,
                  off: list[str] | None = None, late: list[Item] | None = None) -> list[Item]:
    """`calendar`'s planned items whose date is a weekend or a public holiday of their place
    (`off`: the candidate dates, `late`: the calendar's late items, when known already)."""
    if off is None:
        off = _off_dates(conn)
    if late is None:
        late = late_items(conn, calendar, today)
    late_by_ref = {i.ref: i for i in late}
    items = []
    # `extra`: the hall's code (replacements) or the residence's commune (encoding)
    for ref, name, who, planned_text, insee, extra, label in conn.execute(
            _PLANNED_ITEMS[calendar], {"off": json.dumps(off)}):
        planned = date.fromisoformat(planned_text)
        reason = day_off(planned, workdays.department(insee))
        if reason is None:  # a holiday elsewhere in the territory only
            continue
        if ref in late_by_ref:
            items.append(late_by_ref[ref])
            continue
        if calendar == "replacements":
            item = _hall_item(extra, label, name)
        elif calendar == "encoding":
            item = _residence_item(name, extra)
        else:
            item = name or "-"
        items.append(Item(calendar, ref, item, planned, who, None, reason))
    return items


def build(conn: sqlite3.Connection, today: date,
          calendars: tuple[str, ...] = CALENDARS) -> Calendars:
    """The calendars asked for, as of `today` (the caller's clock: never read here)."""
    department = territory_department(conn)
    result = Calendars(today, department)
    off = _off_dates(conn)
    for name in calendars:
        result.weeks[name] = weeks(conn, name, today, department)
        late = late_items(conn, name, today)
        result.late += late
        result.off_days += off_day_items(conn, name, today, off, late)
    return result
