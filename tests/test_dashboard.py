"""The dashboard's figures on the demo territory, against figures computed here
independently: straight SQL on the state tables and counts of `hall list --json`;
every grouping adds up to the territory; the goal and the coverage; halls encoded
per week; `report progress` as a table and as JSON; bad input."""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from conftest import Cli
from vigikfield.commands import report_progress
from vigikfield.domain import dashboard, journal, lateness
from vigikfield.domain.store import Store

TODAY = date(2026, 12, 1)
FIGURES = ("halls", "encoded", "failed", "incompatible", "no_access", "door_not_tested",
           "pending", "dwellings", "dwellings_covered")
NONE_FR = {"landlord": "sans bailleur", "commune": "sans commune", "qpv": "hors QPV",
           "residence": "sans résidence", "technician": "non attribué"}
LATE_ORDER = "0192b6c0-0000-7000-8000-00000000d001"
CLOSED_ORDER = "0192b6c0-0000-7000-8000-00000000d002"


def _uid(n: int) -> str:
    return f"0192b6c0-0000-7000-8000-{n:012x}"


def _add_cases(store: Store) -> None:
    """What the demo lacks: halls encoded with the door not tested, a later visit
    without access on an encoded hall (it stays encoded), a hall without residence,
    a work order planned later for residences of another technician (the earliest
    wins), a closed work order (it assigns nobody)."""
    conn = store.conn
    halls = conn.execute(
        "SELECT h.id, c.id FROM halls h JOIN centrales c ON c.hall_id = h.id "
        "JOIN hall_status s ON s.hall_id = h.id WHERE s.status = 'compatible' "
        "ORDER BY h.id LIMIT 3").fetchall()
    changes = []
    for n, (hall_id, centrale_id) in enumerate(halls):
        enc = _uid(100 + n)
        changes += store.creation_changes("encodings", enc, {
            "hall_id": hall_id, "centrale_id": centrale_id, "outcome": "encoded",
            "technician": "Test", "encoded_at": f"2026-11-{10 + n:02d}T09:00:00+01:00",
            "days": "1111111", "windows": [["00:00", "24:00"]]})  # door not tested
    (encoded_hall, encoded_centrale), = conn.execute(
        "SELECT h.id, c.id FROM halls h JOIN centrales c ON c.hall_id = h.id "
        "JOIN hall_status s ON s.hall_id = h.id WHERE s.status = 'encoded' "
        "ORDER BY h.id LIMIT 1").fetchall()
    changes += store.creation_changes("encodings", _uid(200), {
        "hall_id": encoded_hall, "centrale_id": encoded_centrale, "outcome": "no_access",
        "technician": "Test", "encoded_at": "2026-11-30T09:00:00+01:00"})
    changes += store.creation_changes("halls", _uid(300), {
        "code": "ZZZZ-ZZZZ-9", "label": "Orphelin", "dwellings": 7, "vigik": "compatible"})
    unassigned = [r for (r,) in conn.execute(
        "SELECT id FROM residences WHERE id NOT IN (SELECT j.value FROM work_orders w, "
        "json_each(w.residence_ids) j) ORDER BY id LIMIT 4")]
    assigned = [r for (r,) in conn.execute(
        "SELECT j.value FROM work_orders w, json_each(w.residence_ids) j "
        "WHERE w.technician = 'Karim Benali' ORDER BY j.value LIMIT 2")]
    changes += store.creation_changes("work_orders", LATE_ORDER, {
        "technician": "Zoé Tardive", "residence_ids": unassigned[:2] + assigned,
        "planned_date": "2026-12-14", "status": "issued"})
    changes += store.creation_changes("work_orders", CLOSED_ORDER, {
        "technician": "Ancien Titulaire", "residence_ids": unassigned[2:],
        "planned_date": "2026-09-01", "status": "closed"})
    store.record(changes, reason="test")


@pytest.fixture(scope="module")
def territory(demo_template, tmp_path_factory) -> Path:
    """The demo territory (conftest.demo_template) and the cases above, made once; each
    test gets a copy."""
    path = tmp_path_factory.mktemp("dashboard") / "demo.db"
    shutil.copyfile(demo_template, path)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("VIGIKFIELD_HOME", str(demo_template.parent))  # where the demo was made
        store = Store(path)
        _add_cases(store)
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        store.close()
    return path


@pytest.fixture
def db(territory, db_path) -> Path:
    shutil.copy(territory, db_path)
    return db_path


@pytest.fixture
def conn(db) -> sqlite3.Connection:
    connection = sqlite3.connect(db)
    yield connection
    connection.close()


# -- figures computed independently ---------------------------------------------------

def _hall_list(cli: Cli) -> list[dict]:
    result = cli("hall", "list", "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def _technicians(conn: sqlite3.Connection) -> dict[str, str]:
    """residence id -> the technician of its open work order planned earliest (in Python)."""
    best: dict[str, tuple[str, str]] = {}
    for technician, ids, planned, status in conn.execute(
            "SELECT technician, residence_ids, planned_date, status FROM work_orders"):
        if status == "closed":
            continue
        for rid in json.loads(ids or "[]"):
            candidate = (planned or "9999-12-31", technician or "")
            if rid not in best or candidate < best[rid]:
                best[rid] = candidate
    return {rid: tech for rid, (_, tech) in best.items() if tech}


def _expected(cli: Cli, conn: sqlite3.Connection, by: str | None) -> dict[str, dict[str, int]]:
    """Group name -> figures, from `hall list --json` and straight SQL on the state tables."""
    listed = _hall_list(cli)
    hall_of_code = dict(conn.execute(
        "SELECT code, id FROM halls"))
    residence_of = dict(conn.execute("SELECT id, residence_id FROM halls"))
    qpv_name = dict(conn.execute(
        "SELECT r.id, q.name FROM residences r JOIN qpvs q ON q.id = r.qpv_id"))
    residence_name = dict(conn.execute("SELECT id, name FROM residences"))
    door = {h for (h,) in conn.execute(  # the view is the definition of "door not tested"
        "SELECT hall_id FROM hall_status WHERE door_not_tested")}
    technicians = _technicians(conn)
    out: dict[str, Counter] = defaultdict(Counter)
    for hall in listed:
        hall_id = hall_of_code[hall["code"]]
        rid = residence_of[hall_id]
        name = {
            None: "Melun Val de Seine & Sénart",
            "landlord": hall["landlord"], "commune": hall["commune"],
            "qpv": qpv_name.get(rid), "technician": technicians.get(rid),
            "residence": residence_name.get(rid),
        }[by] or NONE_FR.get(by)
        c = out[name]
        status = hall["status"]
        c["halls"] += 1
        c["dwellings"] += hall["dwellings"] or 0
        if status == "encoded":
            c["dwellings_covered"] += hall["dwellings"] or 0
        c[{"to_check": "pending", "compatible": "pending"}.get(status, status)] += 1
        c["door_not_tested"] += hall_id in door
    return {name: {f: c[f] for f in FIGURES} for name, c in out.items()}


def _by_name(groups: list[dashboard.Group], by: str | None) -> dict[str, dict[str, int]]:
    named = {report_progress.group_name(g, by): {f: getattr(g, f) for f in FIGURES}
             for g in groups}
    assert len(named) == len(groups) or by == "residence"
    return named


# -- the tests ------------------------------------------------------------------------

def test_the_command_offers_the_domains_groupings():
    assert report_progress.GROUPINGS == dashboard.GROUPINGS


@pytest.mark.parametrize("by", [None, "landlord", "commune", "qpv", "technician"])
def test_every_grouping_against_hall_list_and_the_state_tables(db, conn, cli, by):
    groups = dashboard.progress(conn, by)
    assert _by_name(groups, by) == _expected(cli, conn, by)


def test_residences_against_hall_list_and_the_state_tables(db, conn, cli):
    """Residences may share a name: compared by id, with the halls' own residence."""
    groups = {g.id: g for g in dashboard.progress(conn, "residence")}
    listed = _hall_list(cli)
    residence_of = dict(conn.execute("SELECT code, residence_id FROM halls"))
    expected: dict[str | None, Counter] = defaultdict(Counter)
    for hall in listed:
        c = expected[residence_of[hall["code"]]]
        c["halls"] += 1
        c["encoded"] += hall["status"] == "encoded"
        c["dwellings"] += hall["dwellings"] or 0
    assert set(groups) == set(expected)
    for rid, c in expected.items():
        g = groups[rid]
        assert (g.halls, g.encoded, g.dwellings) == (c["halls"], c["encoded"], c["dwellings"])
    assert groups[None].name is None and groups[None].halls == 1  # the hall without residence


def test_the_groups_of_every_grouping_add_up_to_the_territory(conn):
    every = dashboard.every_grouping(conn)
    (territory,) = dashboard.progress(conn)
    assert every[None] == [territory]
    assert territory.halls == conn.execute("SELECT count(*) FROM halls").fetchone()[0]
    assert territory.door_not_tested == 3 and territory.halls == 1001
    for by in dashboard.GROUPINGS:
        groups = dashboard.progress(conn, by)
        assert groups == every[by], by  # one statement or one per grouping: the same
        for figure in FIGURES:
            assert sum(getattr(g, figure) for g in groups) == getattr(territory, figure), (by, figure)
        ids = [g.id for g in groups]
        assert len(set(ids)) == len(ids) and ids[-1:] != [None] or ids.count(None) == 1
        for g in groups:
            assert g.halls == g.encoded + g.failed + g.incompatible + g.no_access + g.pending
            assert g.door_not_tested <= g.encoded and g.dwellings_covered <= g.dwellings


def test_the_technician_is_that_of_the_open_work_order_planned_earliest(conn):
    groups = {g.name: g for g in dashboard.progress(conn, "technician")}
    assert "Ancien Titulaire" not in groups          # a closed work order assigns nobody
    zoe = groups["Zoé Tardive"]  # the two unassigned residences; Karim's two stay Karim's
    halls = conn.execute(
        "SELECT count(*) FROM halls WHERE residence_id IN (SELECT j.value FROM work_orders w, "
        "json_each(w.residence_ids) j WHERE w.id = ? AND j.value NOT IN (SELECT k.value FROM "
        "work_orders v, json_each(v.residence_ids) k WHERE v.technician = 'Karim Benali'))",
        (LATE_ORDER,)).fetchone()[0]
    assert zoe.halls == halls > 0
    unassigned = [g for g in dashboard.progress(conn, "technician") if g.id is None]
    assert len(unassigned) == 1 and unassigned[0].halls > 0


def test_qpv_groups_each_qpv_by_name_and_one_group_outside(conn):
    groups = dashboard.progress(conn, "qpv")
    names = {name for (name,) in conn.execute(
        "SELECT DISTINCT q.name FROM qpvs q JOIN residences r ON r.qpv_id = q.id "
        "JOIN halls h ON h.residence_id = r.id")}
    assert [g.name for g in groups[:-1]] == sorted(names)
    assert groups[-1].id is None and groups[-1].halls == conn.execute(
        "SELECT count(*) FROM halls h LEFT JOIN residences r ON r.id = h.residence_id "
        "WHERE r.qpv_id IS NULL").fetchone()[0]


def test_coverage_against_the_goal_the_pilot_sets(db, conn, cli):
    qpv = conn.execute(
        "SELECT sum(h.dwellings) FROM halls h JOIN residences r ON r.id = h.residence_id "
        "WHERE r.qpv_id IS NOT NULL").fetchone()[0]
    covered_qpv = sum(h["dwellings"] for h in _hall_list(cli) if h["status"] == "encoded"
                      and conn.execute("SELECT r.qpv_id FROM halls h JOIN residences r ON "
                                       "r.id = h.residence_id WHERE h.code = ?",
                                       (h["code"],)).fetchone()[0])
    before = dashboard.coverage(conn)
    assert before["qpv"] == dashboard.Coverage(covered_qpv, qpv, qpv, False)  # no goal: the dwellings
    assert before["qpv"].dwellings + before["outside"].dwellings == 11466 + 7

    result = cli("goal", "set", "--qpv", "1654", "--outside", "267")
    assert result.exit_code == 0, result.output
    assert "1\u202f654" in result.output and "267" in result.output
    after = dashboard.coverage(conn)
    assert (after["qpv"].goal, after["outside"].goal) == (1654, 267)
    assert after["qpv"].goal_set and after["outside"].goal_set
    assert after["qpv"].covered == covered_qpv
    assert after["qpv"].percent == pytest.approx(100 * covered_qpv / 1654)
    ops = conn.execute("SELECT field, value, reason FROM ops WHERE entity = 'projects' "
                       "AND field LIKE 'goal_%' ORDER BY field").fetchall()
    assert ops == [("goal_dwellings_outside", "267", "reason.goal_set"),
                   ("goal_dwellings_qpv", "1654", "reason.goal_set")]

    shown = json.loads(cli("goal", "show", "--json").output)
    assert [(a["area"], a["goal"], a["covered"], a["goal_set"]) for a in shown] == [
        ("qpv", 1654, covered_qpv, True), ("outside", 267, after["outside"].covered, True)]
    assert cli("goal", "set", "--outside", "300").exit_code == 0  # the other one stays
    assert dashboard.goals(conn) == dashboard.Goals(1654, 300)
    assert cli("goal", "set", "--clear").exit_code == 0
    assert dashboard.coverage(conn) == before


def test_only_the_pilot_sets_the_goal_and_bad_input_writes_nothing(db, conn, cli):
    ops = conn.execute("SELECT count(*) FROM ops").fetchone()[0]
    assert cli("goal", "set").exit_code == 2                       # nothing asked
    assert cli("goal", "set", "--qpv", "-5").exit_code == 2        # not a count
    assert cli("goal", "set", "--qpv", "many").exit_code == 2
    store = Store(db)
    store.set_profile(role="technician")
    store.close()
    refused = cli("goal", "set", "--qpv", "1654")
    assert refused.exit_code == 2 and "Traceback" not in refused.output
    assert conn.execute("SELECT count(*) FROM ops").fetchone()[0] == ops
    assert dashboard.goals(conn) == dashboard.Goals(None, None)


def _week(stamp: str) -> date:
    day = datetime.fromisoformat(stamp).astimezone(timezone.utc).date()
    return day - timedelta(days=day.weekday())


def test_halls_encoded_per_week_zero_weeks_included(db, conn, cli):
    encoded = [h["code"] for h in _hall_list(cli) if h["status"] == "encoded"]
    # the date of the attempt that made each hall encoded (straight SQL: the last
    # encoding attempt of the hall recorded as encoded)
    counts: Counter = Counter()
    for code in encoded:
        (stamp,) = conn.execute(
            "SELECT e.encoded_at FROM encodings e JOIN halls h ON h.id = e.hall_id "
            "WHERE h.code = ? AND e.outcome = 'encoded'", (code,)).fetchone()
        counts[_week(stamp)] += 1
    weeks = dashboard.weekly(conn, TODAY)
    mondays = [w.monday for w in weeks]
    assert mondays == [mondays[0] + timedelta(weeks=n) for n in range(len(weeks))]  # no gap
    # from the first planned work order (the closed one, 1 Sept.) to the last (14 Dec.)
    assert mondays[0] == date(2026, 8, 31) and mondays[-1] == date(2026, 12, 14)
    assert {w.monday: w.encoded for w in weeks if w.encoded} == dict(counts)
    assert sum(w.encoded for w in weeks) == len(encoded)
    assert any(w.encoded == 0 for w in weeks)
    assert weeks[0].label == "2026-W36" and weeks[5].label == "2026-W41"
    # a year later, the weeks run on to today's, empty
    later = dashboard.weekly(conn, date(2027, 1, 5))
    assert later[-1].monday == date(2027, 1, 4) and later[-1].encoded == 0
    assert later[-1].label == "2027-W01"


def test_the_dashboard_reads_late_residences_from_the_one_definition(conn):
    loaded = dashboard.load(conn, TODAY)
    assert loaded.late == lateness.late_residences(conn, TODAY)
    assert loaded.late and all(r.planned_date < TODAY.isoformat() for r in loaded.late)
    assert loaded.groups == dashboard.every_grouping(conn)
    assert loaded.coverage == dashboard.coverage(conn)
    assert loaded.weeks == dashboard.weekly(conn, TODAY)


def _table_rows(output: str) -> dict[str, list[int]]:
    lines = output.rstrip("\n").split("\n")
    rows = {}
    for line in lines[1:]:
        name, *cells = line.split("\t")
        rows[name] = [int(c.replace("\u202f", "").replace(",", "")) for c in cells]
    return rows


@pytest.mark.parametrize("by", [None, "landlord", "commune", "qpv", "technician"])
def test_report_progress_table_and_json_agree_with_the_dashboard(db, conn, cli, by):
    option = ["--by", by] if by else []
    as_json = cli("report", "progress", *option, "--json")
    assert as_json.exit_code == 0, as_json.output
    objects = json.loads(as_json.output)
    groups = dashboard.progress(conn, by)
    assert [list(o) for o in objects[:1]] == [["name", "id", *FIGURES]]
    assert objects == [{"name": report_progress.group_name(g, by), "id": g.id,
                        **{f: getattr(g, f) for f in FIGURES}} for g in groups]
    assert cli("report", "progress", *option, "--format", "json").output == as_json.output
    table = cli("report", "progress", *option)
    assert table.exit_code == 0, table.output
    assert table.output.split("\n")[0].split("\t")[0] == "Nom"
    assert _table_rows(table.output) == {o["name"]: [o[f] for f in FIGURES] for o in objects}


def test_report_progress_to_a_file_and_in_english(db, cli, tmp_path):
    out = tmp_path / "avancement.json"
    result = cli("report", "progress", "--by", "qpv", "--json", "--out", str(out))
    assert result.exit_code == 0 and result.output == ""
    objects = json.loads(out.read_text(encoding="utf-8"))
    assert objects[-1]["name"] == "hors QPV" and objects[-1]["id"] is None
    english = cli("report", "progress", "--by", "qpv", lang="en")
    assert english.exit_code == 0
    assert english.output.split("\n")[0].startswith("Name\tHalls\tEncoded")
    assert "\noutside QPV\t" in english.output


def test_report_progress_bad_input(db, cli, tmp_path):
    bad = cli("report", "progress", "--by", "building")
    assert bad.exit_code == 2 and "building" in bad.output and "Traceback" not in bad.output
    missing = tmp_path / "nowhere.db"
    result = Cli(missing)("report", "progress")
    assert result.exit_code == 2 and str(missing) in result.output
    assert not missing.exists()  # nothing created
    assert Cli(missing)("goal", "show").exit_code == 2 and not missing.exists()


def test_report_progress_as_csv_and_xlsx_says_what_the_json_says(db, cli, tmp_path):
    """The files a pilot sends as they are: French Excel CSV, and a workbook with typed
    cells — read back here with Python's csv module and openpyxl."""
    import codecs
    import csv
    import io

    import openpyxl

    objects = json.loads(cli("report", "progress", "--by", "qpv", "--json").output)
    wanted = [[o["name"], *(o[f] for f in FIGURES)] for o in objects]
    as_csv = tmp_path / "avancement.csv"
    assert cli("report", "progress", "--by", "qpv", "--format", "csv",
               "--out", str(as_csv)).exit_code == 0
    data = as_csv.read_bytes()
    assert data.startswith(codecs.BOM_UTF8)
    rows = list(csv.reader(io.StringIO(data[len(codecs.BOM_UTF8):].decode("utf-8"), newline=""),
                           delimiter=";"))
    assert rows[0][:2] == ["Nom", "Halls"] and len(rows[0]) == 1 + len(FIGURES)
    assert [[r[0], *(int(c.replace("\u202f", "").replace(" ", "")) for c in r[1:])]
            for r in rows[1:]] == wanted
    as_xlsx = tmp_path / "avancement.xlsx"
    assert cli("report", "progress", "--by", "qpv", "--format", "xlsx",
               "--out", str(as_xlsx)).exit_code == 0
    sheet = openpyxl.load_workbook(as_xlsx).active
    cells = [[c.value for c in row] for row in sheet.iter_rows()]
    header = next(i for i, row in enumerate(cells) if row[:2] == ["Nom", "Halls"])
    assert [row[:1 + len(FIGURES)] for row in cells[header + 1:] if row[0] is not None] == wanted
    assert cli("report", "progress", "--format", "xlsx").exit_code == 2  # a workbook is a file


def test_a_technicians_database_counts_its_own_residences(db, conn, tmp_path):
    """On a laptop that holds a subset (here: the residences of one work order), the
    figures are that subset's, and still add up."""
    keep = {r for (r,) in conn.execute(
        "SELECT j.value FROM work_orders w, json_each(w.residence_ids) j "
        "WHERE w.technician = 'Karim Benali'")}
    copy = tmp_path / "laptop.db"
    shutil.copy(db, copy)
    laptop = sqlite3.connect(copy)
    laptop.execute("DELETE FROM halls WHERE residence_id NOT IN (SELECT value FROM json_each(?)) "
                   "OR residence_id IS NULL", (json.dumps(sorted(keep)),))
    # a laptop gets its subset through merges, which bring the derived status tables
    # up to date (journal.flush); a raw DELETE has to ask for it
    journal.flush(laptop)
    laptop.commit()
    (territory,) = dashboard.progress(laptop)
    technicians = dashboard.progress(laptop, "technician")
    expected = conn.execute(
        "SELECT count(*) FROM halls WHERE residence_id IN (SELECT value FROM json_each(?))",
        (json.dumps(sorted(keep)),)).fetchone()[0]
    assert territory.halls == expected == sum(g.halls for g in technicians)
    assert {g.name for g in technicians} <= {"Karim Benali", "Zoé Tardive"}
    laptop.close()


def test_the_screens_first_late_residences_are_those_of_the_calendar(conn):
    """`late_first` (what the screen reads) counts them all and lists the longest overdue,
    as `late_residences` (the calendar's) orders them."""
    every = lateness.late_residences(conn, TODAY)
    assert len(every) > 3
    assert lateness.late_first(conn, TODAY, 3) == (len(every), every[:3])
    assert lateness.late_first(conn, TODAY, len(every) + 10) == (len(every), every)
    assert lateness.late_first(conn, date(2000, 1, 1), 3) == (0, [])
