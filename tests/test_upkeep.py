"""Vigik Plus readiness and yearly maintenance: the overdue rule across a leap day and a
year boundary, the report's figures against an independent count, the checklist's two
fields (one op each, bad input, another landlord's hall)."""

from __future__ import annotations

import calendar
import json
from collections import Counter
from datetime import date, timedelta

import pytest
import tinyterritory
from vigikfield.domain import upkeep


def _ops(store) -> int:
    return store.conn.execute("SELECT count(*) FROM ops").fetchone()[0]


def _json(result):
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def _code(store, ids, key: str) -> str:
    return store.get("halls", ids[key])["code"]


# -- an independent statement of the rule (Python, not the module's SQL) ---------------

def anniversary(last: date) -> date:
    """Same day and month a year later; 29 February -> 28 February."""
    year = last.year + 1
    return date(year, last.month, min(last.day, calendar.monthrange(year, last.month)[1]))


def expected_state(last: str | None, today: date) -> str:
    if last is None:
        return "never"
    due = anniversary(date.fromisoformat(last))
    if due < today:
        return "overdue"
    return "due_soon" if due <= today + timedelta(days=30) else "up_to_date"


def test_the_due_date_is_the_anniversary_for_every_day_of_three_years(store):
    day, days = date(2023, 1, 1), []
    while day < date(2026, 1, 1):
        days.append(day.isoformat())
        day += timedelta(days=1)
    sql = f"SELECT value, {upkeep.due_sql('value')} FROM json_each(?)"
    got = dict(store.conn.execute(sql, (json.dumps(days),)).fetchall())
    assert len(got) == len(days) == 1096
    assert {d: got[d] for d in days} == {d: anniversary(date.fromisoformat(d)).isoformat()
                                         for d in days}


@pytest.mark.parametrize("last, today, state, due, late", [
    # a leap day: due on 28 February, overdue from 1 March
    ("2024-02-29", "2025-02-27", "due_soon", "2025-02-28", None),
    ("2024-02-29", "2025-02-28", "due_soon", "2025-02-28", None),
    ("2024-02-29", "2025-03-01", "overdue", "2025-02-28", 1),
    # the day before a leap day, and 1 March of a leap year
    ("2024-02-28", "2025-03-01", "overdue", "2025-02-28", 1),
    ("2024-03-01", "2025-03-01", "due_soon", "2025-03-01", None),
    ("2023-03-01", "2024-03-01", "due_soon", "2024-03-01", None),
    ("2023-02-28", "2024-02-29", "overdue", "2024-02-28", 1),
    # across a year boundary
    ("2024-12-31", "2025-12-31", "due_soon", "2025-12-31", None),
    ("2024-12-31", "2026-01-01", "overdue", "2025-12-31", 1),
    ("2025-01-01", "2026-01-02", "overdue", "2026-01-01", 1),
    ("2024-12-15", "2026-01-14", "overdue", "2025-12-15", 30),
    # due within 30 days (today + 30 included), else up to date
    ("2025-01-30", "2025-12-31", "due_soon", "2026-01-30", None),
    ("2025-01-31", "2025-12-31", "up_to_date", "2026-01-31", None),
    ("2025-12-31", "2025-12-31", "up_to_date", "2026-12-31", None),
    (None, "2025-12-31", "never", None, None),
])
def test_one_halls_state_across_a_leap_day_and_a_year_boundary(store, last, today, state,
                                                                 due, late):
    ids = tinyterritory.build(store)
    store.update("halls", ids["al_a"], {"last_maintenance": last})
    got = upkeep.of_hall(store.conn, ids["al_a"], date.fromisoformat(today))
    assert (got.state, got.due, got.days_overdue) == (state, due, late)
    assert state == expected_state(last, date.fromisoformat(today))
    overdue = upkeep.overdue(store.conn, date.fromisoformat(today))
    assert [h.code for h in overdue] == ([_code(store, ids, "al_a")] if late else [])


@pytest.mark.parametrize("today, overdue", [("2025-02-28", 0), ("2025-03-01", 1)])
def test_the_report_across_the_leap_day(store, cli, today, overdue):
    ids = tinyterritory.build(store)
    code = _code(store, ids, "mez_b")
    done = cli("hall", "edit", code, "--last-maintenance", "2024-02-29", "--reason", "carnet")
    assert done.exit_code == 0, done.output
    report = _json(cli("report", "vigik-plus", "--today", today, "--json"))
    total = next(r for r in report["landlords"] if r["row"] == "total")
    assert (total["overdue"], total["due_soon"], total["never"]) == (overdue, 1 - overdue, 6)
    assert [h["code"] for h in report["overdue"]] == [code] * overdue
    if overdue:
        assert report["overdue"][0] | {"address": None} == {
            "code": code, "label": "B", "residence": "Les Mézereaux", "address": None,
            "commune": "Melun", "landlord": "Habitat 77", "last_maintenance": "2024-02-29",
            "due": "2025-02-28", "days_overdue": 1}


# -- the figures against an independent count -----------------------------------------

FACTS = {  # hall -> (vigik_plus, last_maintenance)
    "mez_a": (1, "2024-11-15"),   # overdue as of 2025-12-01
    "mez_b": (1, "2024-12-20"),   # due within 30 days
    "mez_c": (0, "2025-06-01"),   # up to date
    "pc_1": (None, "2024-02-29"),  # overdue
    "pc_2": (1, None),            # never recorded
    "al_a": (0, "2023-05-05"),    # retired below: out of every figure
    "al_b": (None, None),
}
TODAY = date(2025, 12, 1)


def _territory(store):
    ids = tinyterritory.build(store)
    for key, (flag, last) in FACTS.items():
        store.update("halls", ids[key], {"vigik_plus": flag, "last_maintenance": last})
    store.update("halls", ids["al_a"], {"retired": 1})
    return ids


def test_the_figures_equal_a_count_of_hall_list(store, cli):
    _territory(store)
    listed = _json(cli("hall", "list", "--json"))  # retired halls are not listed
    assert len(listed) == 6
    ready = {"yes": "ready", "no": "not_ready", "unknown": "unknown"}
    expected: dict[str, Counter] = {}
    for h in listed:
        count = expected.setdefault(h["landlord"], Counter())
        count["halls"] += 1
        count[ready[h["vigik_plus"]]] += 1
        count["dwellings"] += h["dwellings"] or 0
        count["dwellings_" + ready[h["vigik_plus"]]] += h["dwellings"] or 0
        count[expected_state(h["last_maintenance"], TODAY)] += 1
    report = _json(cli("report", "vigik-plus", "--today", TODAY.isoformat(), "--json"))
    rows = {r["landlord"]: r for r in report["landlords"] if r["row"] == "landlord"}
    assert set(rows) == set(expected)
    for name, row in rows.items():
        assert row == {"landlord": name, "row": "landlord",
                       **{k: expected[name][k] for k in upkeep.FIGURES}}, name
    (total,) = [r for r in report["landlords"] if r["row"] == "total"]
    assert {k: total[k] for k in upkeep.FIGURES} == {
        k: sum(r[k] for r in rows.values()) for k in upkeep.FIGURES}
    assert (total["halls"], total["overdue"], total["due_soon"], total["up_to_date"],
            total["never"]) == (6, 2, 1, 1, 2)
    overdue = [h for h in listed if expected_state(h["last_maintenance"], TODAY) == "overdue"]
    assert sorted(h["code"] for h in report["overdue"]) == sorted(h["code"] for h in overdue)
    # the longest overdue first
    assert [h["days_overdue"] for h in report["overdue"]] == [
        (TODAY - anniversary(date(2024, 2, 29))).days,
        (TODAY - anniversary(date(2024, 11, 15))).days]


def test_the_figures_equal_straight_sql(store):
    _territory(store)
    territory = upkeep.territory(store.conn, TODAY)
    ready, dwellings_ready = store.conn.execute(
        "SELECT count(*), sum(h.dwellings) FROM halls h "
        "WHERE h.vigik_plus = 1 AND coalesce(h.retired, 0) = 0").fetchone()
    never = store.conn.execute("SELECT count(*) FROM halls WHERE last_maintenance IS NULL "
                               "AND coalesce(retired, 0) = 0").fetchone()[0]
    assert (territory.ready, territory.dwellings_ready, territory.never) == (
        ready, dwellings_ready, never)
    assert territory.halls == territory.ready + territory.not_ready + territory.unknown
    assert territory.halls == sum(getattr(territory, s) for s in upkeep.STATES)
    assert territory.dwellings == (territory.dwellings_ready + territory.dwellings_not_ready
                                   + territory.dwellings_unknown)


def test_one_landlord_and_every_format(store, cli, tmp_path):
    ids = _territory(store)
    report = _json(cli("report", "vigik-plus", "--landlord", "foyers", "--today", "2025-12-01",
                       "--json"))
    assert [r["landlord"] for r in report["landlords"]] == ["Les Foyers de Seine-et-Marne"]
    assert [h["code"] for h in report["overdue"]] == [_code(store, ids, "pc_1")]
    table = cli("report", "vigik-plus", "--today", "2025-12-01")
    assert table.exit_code == 0 and "Total" in table.output and "29/02/2024" in table.output
    csv_out = cli("report", "vigik-plus", "--today", "2025-12-01", "--format", "csv")
    assert csv_out.exit_code == 0 and _code(store, ids, "pc_1") in csv_out.output
    xlsx = tmp_path / "vp.xlsx"
    assert cli("report", "vigik-plus", "--format", "xlsx", "--out", xlsx).exit_code == 0
    from openpyxl import load_workbook

    book = load_workbook(xlsx)  # the titles fit Excel's 31 characters, whole
    assert book.sheetnames == ["Vigik Plus et entretien annuel", "Entretiens annuels en retard"]
    everything = _json(cli("report", "all", "--json"))
    assert {"vigik_plus.landlords", "vigik_plus.overdue"} <= set(everything)


# -- the checklist's two fields --------------------------------------------------------

def test_edit_writes_one_op_per_changed_field_and_unknown_clears(store, cli):
    ids = tinyterritory.build(store)
    code = _code(store, ids, "al_a")
    before = _ops(store)
    done = cli("hall", "edit", code, "--vigik-plus", "yes", "--last-maintenance", "2025-06-30",
               "--reason", "visite annuelle")
    assert done.exit_code == 0, done.output
    rows = store.conn.execute("SELECT field, value, actor, reason FROM ops ORDER BY rowid").fetchall()
    assert _ops(store) == before + 2
    assert rows[-2:] == [("vigik_plus", "1", "test", "visite annuelle"),
                         ("last_maintenance", '"2025-06-30"', "test", "visite annuelle")]
    shown = _json(cli("hall", "show", code, "--json"))[0]
    assert (shown["vigik_plus"], shown["last_maintenance"]) == ("yes", "2025-06-30")
    again = cli("hall", "edit", code, "--vigik-plus", "yes", "--reason", "deux fois")
    assert again.exit_code == 0 and "rien n'est écrit" in again.output
    assert _ops(store) == before + 2
    cleared = cli("hall", "edit", code, "--vigik-plus", "unknown", "--last-maintenance", "",
                  "--reason", "fiche perdue")
    assert cleared.exit_code == 0, cleared.output
    assert _ops(store) == before + 4
    assert store.get("halls", ids["al_a"])["vigik_plus"] is None
    assert store.get("halls", ids["al_a"])["last_maintenance"] is None
    text = cli("hall", "show", code)
    assert "Vigik Plus : inconnu" in text.output and "jamais relevé" in text.output


@pytest.mark.parametrize("args", [
    ("--vigik-plus", "maybe"),
    ("--vigik-plus", "oui"),
    ("--last-maintenance", "2024-02-30"),
    ("--last-maintenance", "01/12/2025"),
    ("--last-maintenance", "hier"),
    ("--last-maintenance", "2999-01-01"),              # not done yet
    ("--vigik-plus", "yes", "--last-maintenance", "2025-13-01"),  # one bad: nothing of both
    ("--vigik-plus", "yes"),                            # no --reason
])
def test_bad_values_exit_2_and_write_nothing(store, cli, args):
    ids = tinyterritory.build(store)
    code = _code(store, ids, "al_a")
    before = _ops(store)
    reason = () if args == ("--vigik-plus", "yes") else ("--reason", "x")
    result = cli("hall", "edit", code, *args, *reason)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert _ops(store) == before


def test_bad_today_of_the_report_is_bad_input(store, cli):
    tinyterritory.build(store)
    result = cli("report", "vigik-plus", "--today", "2025-02-30")
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_maintenance_edits_only_its_landlords_halls(store, cli):
    ids = tinyterritory.build(store)
    store.set_profile(role="maintenance", landlord_id=ids["foyers"], name="M. Roche")
    mine, theirs = _code(store, ids, "pc_2"), _code(store, ids, "al_a")
    done = cli("hall", "edit", mine, "--vigik-plus", "no", "--last-maintenance", "2025-10-02",
               "--reason", "contrat d'entretien")
    assert done.exit_code == 0, done.output
    before = _ops(store)
    refused = cli("hall", "edit", theirs, "--vigik-plus", "yes", "--reason", "x")
    assert refused.exit_code == 1 and theirs in refused.output  # no such hall, for it
    refused = cli("hall", "edit", theirs, "--last-maintenance", "2025-10-02", "--reason", "x")
    assert refused.exit_code == 1
    assert _ops(store) == before
    assert store.get("halls", ids["al_a"])["vigik_plus"] is None
    assert store.get("halls", ids["pc_2"])["vigik_plus"] == 0


def test_a_maintenance_laptops_dates_reach_the_pilots_report(tmp_path):
    from conftest import Cli
    from sync_world import World

    world = World(tmp_path)
    pilot = Cli(world.pilot.path)
    code = world.pilot.get("halls", world.hall)["code"]
    maint = Cli(tmp_path / "maint.db")

    def key(cli) -> str:
        return cli("device", "show", "--public-key").output.strip()

    assert maint("trust", "add", key(pilot), "--name", "pilote", "--role", "pilot").exit_code == 0
    assert pilot("trust", "add", key(maint), "--name", "Mme Martin", "--role", "maintenance",
                 "--landlord", "Habitat 77").exit_code == 0
    assert pilot("bundle", "maintenance", "--landlord", "Habitat 77",
                 "--out", tmp_path / "m.vfb").exit_code == 0
    assert maint("bundle", "import", tmp_path / "m.vfb").exit_code == 0
    assert maint("profile", "set", "--name", "Mme Martin").exit_code == 0
    done = maint("hall", "edit", code, "--vigik-plus", "yes", "--last-maintenance", "2024-02-29",
                 "--reason", "contrat d'entretien")
    assert done.exit_code == 0, done.output
    assert maint("bundle", "export", "--out", tmp_path / "back.vfb").exit_code == 0
    merged = pilot("bundle", "merge", tmp_path / "back.vfb")
    assert merged.exit_code == 0, merged.output
    report = _json(pilot("report", "vigik-plus", "--today", "2025-03-01", "--json"))
    assert [(h["code"], h["days_overdue"]) for h in report["overdue"]] == [(code, 1)]
    shown = _json(pilot("hall", "show", code, "--json"))[0]
    assert (shown["vigik_plus"], shown["last_maintenance"]) == ("yes", "2024-02-29")
    history = [h for h in _json(pilot("journal", "show", code, "--json"))
               if h["field"] in ("vigik_plus", "last_maintenance")]
    assert {(h["actor"], h["reason"]) for h in history} == {("Mme Martin", "contrat d'entretien")}


@pytest.mark.parametrize("landlord", [None, "foyers", "habitat77"])
def test_the_one_statement_summary_equals_its_two_parts(store, landlord):
    ids = _territory(store)
    landlord_id = ids[landlord] if landlord else None
    groups, total = upkeep.summary(store.conn, TODAY, landlord_id)
    assert groups == upkeep.by_landlord(store.conn, TODAY, landlord_id)
    assert total == upkeep.territory(store.conn, TODAY, landlord_id)
    assert [g.name for g in groups] == (
        ["Habitat 77", "Les Foyers de Seine-et-Marne"] if landlord is None
        else [store.get("landlords", landlord_id)["name"]])
