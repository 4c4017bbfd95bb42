"""Working days and weeks: the one place for them (calendars, delays, week keys).

A working day is Monday to Friday, except the French public holidays of the
place, from the `holidays` package. The place is a department, taken from a
commune's INSEE code (`department`): Moselle (57) and Alsace (67, 68) add Good
Friday and 26 December; the overseas departments and collectivities have their
own days. An unknown department gets metropolitan France's holidays.

Weeks are ISO weeks, Monday first: 2026-12-31 and 2027-01-01 are both in
2026-W53, 2027-01-04 begins 2027-W01. `WEEK_START_SQL` is the same Monday in
SQL, so aggregates group by week in the database (tests check both agree).
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache

from .. import i18n

# The department (INSEE) -> the `holidays` package's subdivision of France.
# Departments not listed keep metropolitan France's public holidays.
SUBDIVISIONS = {
    "57": "57", "67": "6AE", "68": "6AE",          # Moselle; Alsace (European Collectivity)
    "971": "971", "972": "972", "973": "973", "974": "974", "976": "976",
    "975": "PM", "977": "BL", "978": "MF",         # Saint-Pierre-et-Miquelon, Saint-Barthélemy, Saint-Martin
    "984": "TF", "986": "WF", "987": "PF", "988": "NC",
}
_HOLIDAY_LANGUAGE = {"fr": "fr", "en": "en_US"}

# The Monday of the ISO week of the SQL date expression put in place of {}.
# ('weekday 0' goes forward to the Sunday ending the week, or stays on it.)
WEEK_START_SQL = "date({}, 'weekday 0', '-6 days')"


def department(insee: str | None) -> str | None:
    """The department of a commune from its INSEE code: ``77288`` → ``77``, Corsica
    ``2A004`` → ``2A``, overseas ``97411`` → ``974`` (three characters from 97 on)."""
    code = (insee or "").strip().upper()
    if len(code) < 2:
        return None
    return code[:3] if code[:2] in ("97", "98") else code[:2]


@cache
def _holidays(subdivision: str | None, year: int, lang: str) -> dict[date, str]:
    import holidays

    table = holidays.France(subdiv=subdivision, years=year,
                            language=_HOLIDAY_LANGUAGE.get(lang, "fr"))
    return dict(table.items())


def holidays_of(year: int, department: str | None = None) -> dict[date, str]:
    """The public holidays of `year` in `department`: date → name (language in force)."""
    return _holidays(SUBDIVISIONS.get(department or ""), year, i18n.language())


def holiday_name(d: date, department: str | None = None) -> str | None:
    """The name of the public holiday `d` is in `department`, or None."""
    return holidays_of(d.year, department).get(d)


def is_working_day(d: date, department: str | None = None) -> bool:
    return d.weekday() < 5 and d not in holidays_of(d.year, department)


def working_days_between(a: date, b: date, department: str | None = None) -> int:
    """How many working days `d` with ``a <= d < b`` (negative when b is before a)."""
    if b < a:
        return -working_days_between(b, a, department)
    weeks, rest = divmod((b - a).days, 7)
    count = weeks * 5 + sum((a.weekday() + i) % 7 < 5 for i in range(rest))
    for year in range(a.year, b.year + 1):
        count -= sum(a <= h < b and h.weekday() < 5 for h in holidays_of(year, department))
    return count


def add_working_days(d: date, n: int, department: str | None = None) -> date:
    """The `n`-th working day after `d` (before it when n < 0); `d` itself when n == 0."""
    step = timedelta(days=1 if n >= 0 else -1)
    left = abs(n)
    while left:
        d += step
        left -= is_working_day(d, department)
    return d


def days_late(planned: date, today: date, department: str | None = None) -> int:
    """How late an item planned for `planned` and not done is `today`: the working days
    gone by since the planned day began, that day included (``planned <= d < today``)."""
    return max(0, working_days_between(planned, today, department))


def week_start(d: date) -> date:
    """The Monday of `d`'s ISO week."""
    return d - timedelta(days=d.weekday())


def week_key(d: date) -> str:
    """`d`'s ISO week, ``2026-W53`` (the ISO year: 2027-01-01 is in 2026-W53)."""
    year, week, _ = d.isocalendar()
    return f"{year:04d}-W{week:02d}"


def week_monday(key: str) -> date:
    """The Monday of the ISO week ``YYYY-Www`` (`week_key`'s inverse); ValueError if bad."""
    year, _, week = key.partition("-W")
    return date.fromisocalendar(int(year), int(week), 1)


def week_working_days(d: date, department: str | None = None) -> int:
    """The working days of `d`'s ISO week in `department` (5 without a holiday)."""
    monday = week_start(d)
    return working_days_between(monday, monday + timedelta(days=7), department)
