"""Working days and ISO weeks (vigikfield/domain/workdays.py), against the calendar
written out by hand: French public holidays, Alsace-Moselle's two more, the year's end."""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta

import pytest

from vigikfield import i18n
from vigikfield.domain import workdays

# Metropolitan France's public holidays, written out (not from the package).
FRANCE_2026 = {date(2026, 1, 1), date(2026, 4, 6), date(2026, 5, 1), date(2026, 5, 8),
               date(2026, 5, 14), date(2026, 5, 25), date(2026, 7, 14), date(2026, 8, 15),
               date(2026, 11, 1), date(2026, 11, 11), date(2026, 12, 25)}
GOOD_FRIDAY_2026 = date(2026, 4, 3)


def _naive_count(a: date, b: date, off: set[date]) -> int:
    return sum((a + timedelta(n)).weekday() < 5 and a + timedelta(n) not in off
               for n in range((b - a).days))


@pytest.mark.parametrize("insee, dept", [
    ("77288", "77"), ("75056", "75"), ("2A004", "2A"), ("2b033", "2B"), ("57463", "57"),
    ("67482", "67"), ("97411", "974"), ("97101", "971"), ("97502", "975"), (" 01053 ", "01"),
    (None, None), ("", None), ("7", None),
])
def test_the_department_comes_from_the_insee_code(insee, dept):
    assert workdays.department(insee) == dept


def test_public_holidays_are_frances_and_alsace_moselle_adds_two():
    assert set(workdays.holidays_of(2026, "75")) == FRANCE_2026
    assert set(workdays.holidays_of(2026, "2A")) == FRANCE_2026   # Corsica: metropolitan
    assert set(workdays.holidays_of(2026, None)) == FRANCE_2026
    alsace_moselle = FRANCE_2026 | {GOOD_FRIDAY_2026, date(2026, 12, 26)}
    for dept in ("57", "67", "68"):
        assert set(workdays.holidays_of(2026, dept)) == alsace_moselle, dept
    # overseas: Réunion's abolition of slavery (20 December), not in Paris
    assert workdays.holiday_name(date(2026, 12, 20), "974")
    assert workdays.holiday_name(date(2026, 12, 20), "75") is None


def test_holiday_names_follow_the_language():
    assert workdays.holiday_name(date(2026, 11, 11), "77") == "Armistice"
    i18n.set_language("en")
    assert workdays.holiday_name(date(2026, 11, 11), "77") == "Armistice Day"


def test_the_week_of_11_november_has_four_working_days():
    monday = date(2026, 11, 9)                       # 11 November 2026 is a Wednesday
    assert workdays.week_key(date(2026, 11, 11)) == "2026-W46"
    assert not workdays.is_working_day(date(2026, 11, 11), "77")
    assert workdays.is_working_day(date(2026, 11, 10), "77")
    assert workdays.week_working_days(date(2026, 11, 13), "77") == 4
    assert workdays.working_days_between(monday, monday + timedelta(7), "77") == 4
    assert workdays.add_working_days(date(2026, 11, 10), 1, "77") == date(2026, 11, 12)
    assert workdays.add_working_days(date(2026, 11, 12), -1, "77") == date(2026, 11, 10)


def test_christmas_and_the_year_boundary():
    assert workdays.week_working_days(date(2026, 12, 23), "75") == 4    # Friday 25th
    # ISO weeks: the last days of 2026 and the first of 2027 are 2026-W53
    for day in (date(2026, 12, 28), date(2026, 12, 31), date(2027, 1, 1), date(2027, 1, 3)):
        assert workdays.week_key(day) == "2026-W53", day
        assert workdays.week_start(day) == date(2026, 12, 28)
    assert workdays.week_key(date(2027, 1, 4)) == "2027-W01"
    assert workdays.week_key(date(2026, 1, 1)) == "2026-W01"            # a Thursday
    assert workdays.week_key(date(2025, 12, 29)) == "2026-W01"
    assert workdays.week_monday("2026-W53") == date(2026, 12, 28)
    assert workdays.week_monday("2027-W01") == date(2027, 1, 4)
    with pytest.raises(ValueError):
        workdays.week_monday("2027-W54")
    assert workdays.week_working_days(date(2027, 1, 1), "75") == 4      # 1 January: Friday
    # 24 Dec 2026 to 5 Jan 2027 (excluded): 24, 28, 29, 30, 31 December, 4 January
    assert workdays.working_days_between(date(2026, 12, 24), date(2027, 1, 5), "75") == 6
    assert workdays.add_working_days(date(2026, 12, 31), 1, "75") == date(2027, 1, 4)


def test_good_friday_and_26_december_are_working_days_in_paris_not_in_moselle():
    for day in (GOOD_FRIDAY_2026, date(2025, 12, 26), date(2028, 12, 26)):
        assert day.weekday() < 5
        assert workdays.is_working_day(day, "75"), day
        for dept in ("57", "67", "68"):
            assert not workdays.is_working_day(day, dept), (day, dept)
    assert workdays.week_working_days(GOOD_FRIDAY_2026, "75") == 5
    assert workdays.week_working_days(GOOD_FRIDAY_2026, "57") == 4
    # Thursday 2 April to Tuesday 7 April 2026 (excluded): Easter Monday everywhere
    assert workdays.working_days_between(date(2026, 4, 2), date(2026, 4, 7), "75") == 2
    assert workdays.working_days_between(date(2026, 4, 2), date(2026, 4, 7), "57") == 1


def test_counts_agree_with_a_day_by_day_count():
    start = date(2025, 12, 1)
    off = FRANCE_2026 | {date(2025, 12, 25), date(2027, 1, 1)}
    for a_days, b_days in ((0, 0), (0, 1), (3, 40), (10, 400), (27, 28), (31, 36), (5, 2)):
        a, b = start + timedelta(a_days), start + timedelta(b_days)
        expected = _naive_count(a, b, off) if a <= b else -_naive_count(b, a, off)
        assert workdays.working_days_between(a, b, "77") == expected, (a, b)
    for n in (1, 2, 5, 17, 60):
        day = date(2026, 10, 5)
        assert workdays.working_days_between(day, workdays.add_working_days(day, n, "77"),
                                             "77") == n
    assert workdays.add_working_days(date(2026, 10, 5), 0, "77") == date(2026, 10, 5)


def test_days_late_counts_the_working_days_since_the_planned_day():
    assert workdays.days_late(date(2026, 12, 7), date(2026, 12, 7), "77") == 0
    assert workdays.days_late(date(2026, 12, 7), date(2026, 12, 8), "77") == 1
    assert workdays.days_late(date(2026, 12, 11), date(2026, 12, 14), "77") == 1  # Fri -> Mon
    assert workdays.days_late(date(2026, 12, 12), date(2026, 12, 14), "77") == 0  # a Saturday
    assert workdays.days_late(date(2026, 12, 9), date(2026, 12, 1), "77") == 0    # not due yet


def test_the_sql_week_is_the_python_week():
    conn = sqlite3.connect(":memory:")
    days = [date(2026, 1, 1) + timedelta(n) for n in range(800)]
    sql = f"SELECT {workdays.WEEK_START_SQL.format('value')} FROM json_each(?)"
    texts = [d.isoformat() for d in days] + ["2027-01-01T23:30:00+00:00"]
    got = [row[0] for row in conn.execute(sql, (str(texts).replace("'", '"'),))]
    assert got == [workdays.week_start(d).isoformat() for d in days] + ["2026-12-28"]
