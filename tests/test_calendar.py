"""The three calendars (vigikfield/domain/calendar.py, `report calendar`): a small territory
whose every figure is worked out by hand below, the demo against its raw rows counted
independently, and "today" taken from the clock (faketime) through the real command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter, defaultdict
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

import calendar_territory
from vigikfield.domain import calendar, demo, lateness
from vigikfield.domain.store import Store

TODAY = date(2027, 1, 5)   # a Tuesday
WEEK_KEYS = {"calendar", "week", "week_start", "working_days", "planned", "done", "late",
             "holidays"}
ITEM_KEYS = {"calendar", "item", "planned_date", "days_late", "who", "day_off"}


def _weeks(result: calendar.Calendars, name: str) -> dict[str, tuple]:
    return {w.week: (w.planned, w.done, w.late, w.working_days) for w in result.weeks[name]}


def test_encoding_calendar_planned_done_late_by_week(store):
    calendar_territory.build(store)
    result = calendar.build(store.conn, TODAY)
    assert result.department == "77"   # most residences are in Seine-et-Marne
    # W52: Mézereaux (A, B; C is incompatible) + Plein Ciel (1, 2) + Borny (1) planned;
    # late: Mézereaux B, Plein Ciel 1 and 2 (Borny is done). W53: Les Alouettes' 2 halls,
    # planned on Saturday 2 January, both late; Borny 1 encoded on 31 December.
    # W45: Mézereaux A encoded on 2 November (planned in no open work order).
    assert _weeks(result, "encoding") == {
        "2026-W45": (0, 1, 0, 5),
        "2026-W52": (5, 0, 3, 4),   # Christmas
        "2026-W53": (2, 1, 2, 4),   # New Year's Day
    }
    late = [(i.item, i.planned_date, i.who, i.days_late, i.day_off)
            for i in result.late if i.calendar == "encoding"]
    # 21 Dec to 5 Jan: 21, 22, 23, 24, 28, 29, 30, 31 Dec, 4 Jan = 9 working days
    assert late == [
        ("Les Mézereaux (Melun)", date(2026, 12, 21), "Karim", 9, None),
        ("Plein Ciel (Le Mée-sur-Seine)", date(2026, 12, 21), "Karim", 9, None),
        ("Les Alouettes (Le Mée-sur-Seine)", date(2027, 1, 2), "Inès", 1, "samedi"),
    ]
    assert {i.ref for i in result.late if i.calendar == "encoding"} == {
        r.residence_id for r in lateness.late_residences(store.conn, TODAY)}


def test_replacements_and_stations_by_week_with_alsace_moselle(store):
    ids = calendar_territory.build(store)
    result = calendar.build(store.conn, TODAY)
    # Mézereaux C planned 24 Dec, not replaced: late; Borny 2 planned 26 Dec, replaced
    # on 4 January; Plein Ciel 2 planned for 15 January.
    assert _weeks(result, "replacements") == {
        "2026-W52": (2, 0, 1, 4), "2027-W01": (0, 1, 0, 5), "2027-W02": (1, 0, 0, 5)}
    # Melun: 2 planned on 17 Dec, 1 installed on the 18th (1 late); the annexe: 1 on
    # 10 December, installed; Le Mée (no count: one) and Metz: 26 March 2027.
    assert _weeks(result, "stations") == {
        "2026-W50": (1, 1, 0, 5), "2026-W51": (2, 1, 1, 5), "2027-W12": (2, 0, 0, 5)}
    late = {(i.calendar, i.ref): i for i in result.late}
    assert set(late) == {("encoding", ids["mezereaux"]), ("encoding", ids["plein_ciel"]),
                         ("encoding", ids["alouettes"]), ("replacements", ids["mez_c"]),
                         ("stations", ids["melun_po"])}
    assert late["replacements", ids["mez_c"]].days_late == 6    # 24, 28-31 Dec, 4 Jan
    assert late["replacements", ids["mez_c"]].who == "Habitat 77"
    station = late["stations", ids["melun_po"]]
    assert (station.item, station.days_late, station.who) == (
        "Commissariat de Melun (1/2 bornes)", 11, "Mutualisation test")
    off = {(i.calendar, i.ref): i.day_off for i in result.off_days}
    assert off == {("encoding", ids["alouettes"]): "samedi",
                   ("replacements", ids["borny_2"]): "Saint-Étienne",    # Moselle's holiday
                   ("stations", ids["metz_po"]): "Vendredi saint"}       # not in Le Mée
    # After Easter: Le Mée's station is 1 working day late (Good Friday; Easter Monday
    # off), Metz's none (Good Friday is a holiday there) — yet both are late.
    after_easter = calendar.build(store.conn, date(2027, 3, 30))
    days = {i.ref: i.days_late for i in after_easter.late if i.calendar == "stations"}
    assert days[ids["mee_po"]] == 1 and days[ids["metz_po"]] == 0


def test_a_date_planned_on_a_holiday_elsewhere_only_is_no_day_off(store):
    ids = calendar_territory.build(store)
    store.update("halls", ids["mez_b"], {"replacement_planned": "2026-12-28"})   # a Monday
    store.update("halls", ids["al_a"], {"replacement_planned": "2025-12-26"})    # Friday
    result = calendar.build(store.conn, TODAY)
    refs = {i.ref for i in result.off_days}
    assert ids["al_a"] not in refs and ids["mez_b"] not in refs   # Melun: 26 Dec works
    store.update("halls", ids["borny_1"], {"replacement_planned": "2025-12-26"})
    assert ids["borny_1"] in {i.ref for i in calendar.build(store.conn, TODAY).off_days}


def _independent_demo_figures(conn, today: date):
    """The demo's encoding calendar from its raw rows, grouped in Python."""
    def week(text: str) -> str:  # a date, or a time (its day in UTC, as stored)
        day = (datetime.fromisoformat(text).astimezone(timezone.utc).date() if "T" in text
               else date.fromisoformat(text))
        year, number, _ = day.isocalendar()
        return f"{year}-W{number:02d}"

    earliest: dict[str, str] = {}
    for residences, planned, status in conn.execute(
            "SELECT residence_ids, planned_date, status FROM work_orders"):
        if status == "closed" or planned is None:
            continue
        for rid in json.loads(residences):
            earliest[rid] = min(earliest.get(rid, planned), planned)
    statuses = defaultdict(list)
    encoded = Counter()
    for rid, status, decided in conn.execute(
            "SELECT residence_id, status, decided_at FROM hall_status"):
        statuses[rid].append(status)
        if status == "encoded":
            encoded[week(decided)] += 1
    planned, late = Counter(), Counter()
    for rid, day in earliest.items():
        rows = statuses[rid]
        todo = [s for s in rows if s != "incompatible"]
        planned[week(day)] += len(todo)
        done = bool(todo) and all(s == "encoded" for s in todo)
        if day < today.isoformat() and not done:
            late[week(day)] += sum(s != "encoded" for s in todo)
    return planned, encoded, late


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    s = Store(path)
    demo.ensure(s)
    s.close()
    return path


def test_demo_figures_agree_with_its_raw_rows(demo_db):
    s = Store(demo_db)
    try:
        today = date(2026, 11, 16)
        result = calendar.build(s.conn, today)
        planned, encoded, late = _independent_demo_figures(s.conn, today)
        weeks = result.weeks["encoding"]
        assert {w.week: w.planned for w in weeks if w.planned} == dict(planned)
        assert {w.week: w.done for w in weeks if w.done} == dict(encoded)
        assert {w.week: w.late for w in weeks if w.late} == dict(late)
        assert sum(encoded.values()) > 100 and sum(late.values()) > 0
        # the late residences: as many as lateness says, each 29 working days late
        # (5 Oct to 16 Nov: 6 weeks, 11 November off)
        items = [i for i in result.late if i.calendar == "encoding"]
        assert len(items) == len(lateness.late_residences(s.conn, today)) > 0
        assert {i.days_late for i in items} == {29}
        assert result.totals("encoding") == (sum(planned.values()), sum(encoded.values()),
                                             sum(late.values()))
    finally:
        s.close()


def test_report_json_keys_and_table(store, cli):
    calendar_territory.build(store)
    result = cli("report", "calendar", "--today", TODAY.isoformat(), "--json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert set(doc) == {"encoding", "replacements", "stations", "late", "off_days"}
    for name in calendar.CALENDARS:
        assert doc[name] and all(set(row) == WEEK_KEYS for row in doc[name])
        assert {row["calendar"] for row in doc[name]} == {name}
    christmas = next(r for r in doc["encoding"] if r["week"] == "2026-W52")
    assert christmas == {"calendar": "encoding", "week": "2026-W52", "week_start": "2026-12-21",
                         "working_days": 4, "planned": 5, "done": 0, "late": 3,
                         "holidays": "Noël (25/12/2026)"}
    assert all(set(row) == ITEM_KEYS for row in doc["late"] + doc["off_days"])
    assert [(r["calendar"], r["days_late"]) for r in doc["late"]] == [
        ("encoding", 9), ("encoding", 9), ("encoding", 1), ("replacements", 6), ("stations", 11)]
    only = json.loads(cli("report", "calendar", "--calendar", "stations", "--today",
                          TODAY.isoformat(), "--json").output)
    assert set(only) == {"stations", "late", "off_days"}
    assert {r["calendar"] for r in only["late"] + only["off_days"]} == {"stations"}
    table = cli("report", "calendar", "--today", TODAY.isoformat(), lang="en")
    assert table.exit_code == 0
    assert "Week\tFrom\tWorking days\tPlanned\tDone\tLate\tHolidays" in table.output
    assert "encoding\t2026-W52\t21 Dec 2026\t4\t5\t0\t3\tChristmas Day (25 Dec 2026)" in table.output


def test_report_refuses_a_bad_today(cli, db_path):
    result = cli("report", "calendar", "--today", "2027-02-30")
    assert result.exit_code == 2
    assert "--today" in result.output and "2027-02-30" in result.output
    assert "Traceback" not in result.output
    assert "n'est pas une date AAAA-MM-JJ" in result.output


def _run_at(clock: str, db: Path, *args: str) -> str:
    vigikfield = Path(sys.executable).with_name("vigikfield")
    result = subprocess.run(["faketime", clock, str(vigikfield), "--db", str(db), "report",
                             "calendar", *args], capture_output=True, text=True, timeout=120,
                            env=os.environ.copy())
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_today_is_the_clocks_date(store, cli, db_path):
    calendar_territory.build(store)
    store.close()
    at_christmas_eve = json.loads(_run_at("2026-12-24 10:00:00", db_path, "--json"))
    assert at_christmas_eve == json.loads(cli("report", "calendar", "--today", "2026-12-24",
                                              "--json").output)
    # on 24 December the Mézereaux's work order (21st) is 3 working days late
    days = {r["item"]: r["days_late"] for r in at_christmas_eve["late"]}
    assert days["Les Mézereaux (Melun)"] == 3
    assert "Les Alouettes (Le Mée-sur-Seine)" not in days   # planned for 2 January
    later = json.loads(_run_at("2027-01-05 10:00:00", db_path, "--json"))
    assert {r["item"]: r["days_late"] for r in later["late"]}["Les Mézereaux (Melun)"] == 9


def test_weekly_late_counts_are_the_late_lists_counted(store):
    calendar_territory.build(store)
    for today in (date(2026, 12, 18), TODAY, date(2027, 3, 30)):
        result = calendar.build(store.conn, today)
        residences = lateness.late_residences(store.conn, today)
        to_encode = {rid: n for rid, n in store.conn.execute(
            "SELECT residence_id, sum(status NOT IN ('encoded', 'incompatible')) "
            "FROM hall_status GROUP BY residence_id")}
        assert result.totals("encoding")[2] == sum(to_encode.get(r.residence_id, 0)
                                                   for r in residences)
        assert result.totals("replacements")[2] == len(lateness.late_replacements(store.conn, today))
        assert result.totals("stations")[2] == sum(
            s.stations - s.installed for s in lateness.late_stations(store.conn, today))
        assert len(result.late) == len(residences) + len(
            lateness.late_replacements(store.conn, today)) + len(
            lateness.late_stations(store.conn, today))
