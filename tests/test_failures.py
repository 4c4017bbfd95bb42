"""Access-failure reports (issue 15, part 2): a report puts the hall "to verify" on every
view until it is closed; the failure rate per landlord and per month matches a count
made here independently; repeated failures; month and year boundaries."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date

import pytest

import tinyterritory
from tinyterritory import uid
from vigikfield.domain import failures, progress, scope
from vigikfield.domain.failures import FailureError

TODAY = date(2026, 12, 1)


def _code(store, hall_id: str) -> str:
    return store.conn.execute("SELECT code FROM halls WHERE id = ?", (hall_id,)).fetchone()[0]


def _ops(store) -> int:
    return store.conn.execute("SELECT count(*) FROM ops").fetchone()[0]


def _encode(store, ids, hall: str, when: str) -> None:
    centrale = store.create("centrales", {"hall_id": ids[hall], "active": 1},
                            entity_id=uid(hall + "-c"))
    store.create("encodings", {"centrale_id": centrale, "hall_id": ids[hall],
                               "outcome": "encoded", "encoded_at": when, "door_opened": 1,
                               "step": "done", "technician": "Karim"})


def _verify(rows: list[dict], code: str) -> int:
    return next(h["to_verify"] for h in rows if h["code"] == code)


def test_a_report_puts_the_hall_to_verify_everywhere_until_it_is_closed(store, cli):
    ids = tinyterritory.build(store)
    code = _code(store, ids["mez_a"])
    assert _verify(json.loads(cli("hall", "list", "--json").output), code) == 0

    done = cli("report-failure", code.lower(), "--service", "Police Nationale",
               "--what", "badge refusé", "--when", "2026-11-20", "--by", "Brigadier Durand",
               "--details", "porte du hall A")
    assert done.exit_code == 0, done.output
    listed = json.loads(cli("hall", "list", "--json").output)
    assert _verify(listed, code) == 1
    assert next(h["status"] for h in listed if h["code"] == code) == "encoded"  # still encoded
    assert json.loads(cli("hall", "show", code, "--json").output)[0]["to_verify"] == 1
    assert "à vérifier" in cli("hall", "list").output
    # the technician's route and residence rows, the maintenance checklist
    row = next(r for r in progress.residences(store.conn) if r.id == ids["mezereaux"])
    assert row.to_verify == 1
    assert [h.to_verify for h in progress.hall_rows(store.conn, ids["mezereaux"])
            if h.id == ids["mez_a"]] == [True]
    assert scope.hall(store, ids["mez_a"]).to_verify == 1
    assert scope.residence(store, ids["mezereaux"]).to_verify == 1
    # the report as written
    (report,) = json.loads(cli("failure", "list", "--open", "--json").output)
    assert (report["code"], report["service"], report["what"], report["reported_on"],
            report["reported_by"], report["closure"]) == (
        code, "police_nationale", "badge_refused", "2026-11-20", "Brigadier Durand", None)

    # re-encoding the hall does not close it by itself
    store.create("encodings", {"centrale_id": uid("enc1c"), "hall_id": ids["mez_a"],
                               "outcome": "encoded", "door_opened": 1, "step": "done",
                               "encoded_at": "2026-11-25T09:00:00+00:00"})
    assert _verify(json.loads(cli("hall", "list", "--json").output), code) == 1

    closed = cli("failure", "close", code, "--how", "re-encoded", "--on", "2026-11-25",
                 "--by", "Karim", "--note", "centrale reprogrammée")
    assert closed.exit_code == 0, closed.output
    assert _verify(json.loads(cli("hall", "list", "--json").output), code) == 0
    assert next(r for r in progress.residences(store.conn) if r.id == ids["mezereaux"]).to_verify == 0
    assert json.loads(cli("failure", "list", "--open", "--json").output) == []
    assert scope.hall(store, ids["mez_a"]).to_verify == 0
    (report,) = json.loads(cli("failure", "list", "--hall", code, "--json").output)
    assert (report["closure"], report["closed_on"], report["closed_by"], report["closure_note"]) \
        == ("re_encoded", "2026-11-25", "Karim", "centrale reprogrammée")
    # a closed report is not closed again
    again = cli("failure", "close", report["id"][:8], "--how", "repaired")
    assert again.exit_code == 2 and "déjà clos" in again.output
    none_open = cli("failure", "close", code, "--how", "repaired")
    assert none_open.exit_code == 2 and code in none_open.output


@pytest.mark.parametrize("args, said", [
    (["report-failure", "ZZZZZZZ", "--service", "pompiers", "--what", "badge refusé"], "ZZZZZZZ"),
    (["report-failure", "{code}", "--service", "la poste", "--what", "badge refusé"],
     "police nationale, police municipale, gendarmerie, pompiers, SAMU"),
    (["report-failure", "{code}", "--service", "pompiers", "--what", "fumée"], "badge refusé"),
    (["report-failure", "{code}", "--service", "pompiers", "--what", "other",
      "--when", "2099-01-01"], "2099-01-01"),
    (["report-failure", "{code}", "--service", "pompiers", "--what", "other",
      "--when", "31/02/2026"], "31/02/2026"),
    (["failure", "close", "{code}", "--how", "prayed"], "ré-encodé"),
    (["failure", "close", "nothing-like-this", "--how", "repaired"], "nothing-like-this"),
])
def test_bad_input_is_exit_2_and_writes_nothing(store, cli, args, said):
    ids = tinyterritory.build(store)
    code = _code(store, ids["al_a"])
    failures.report(store, ids["al_a"], "samu", "door_broken", date(2026, 11, 3), "Dr Petit",
                    today=TODAY)
    before = _ops(store)
    result = cli(*[a.format(code=code) for a in args])
    assert result.exit_code == 2, result.output
    assert said in result.output
    assert "Traceback" not in result.output
    assert _ops(store) == before


def test_names_in_french_and_english_and_the_closure_dates(store):
    ids = tinyterritory.build(store)
    assert failures.choice("service", "Sapeurs-Pompiers") == "pompiers"
    assert failures.choice("service", "fire brigade") == "pompiers"
    assert failures.choice("service", "POLICE MUNICIPALE") == "police_municipale"
    assert failures.choice("what", "Centrale hors service") == "centrale_dead"
    assert failures.choice("what", "reader damaged") == "reader_damaged"
    assert failures.choice("closure", "non reproduit") == "not_reproduced"
    report_id = failures.report(store, ids["al_a"], "gendarmerie", "lecteur endommagé",
                                date(2026, 11, 10), "Adjudant Roux", today=TODAY)
    with pytest.raises(FailureError) as before:
        failures.close(store, report_id, "repaired", date(2026, 11, 9), "M. Blanc", today=TODAY)
    assert before.value.key == "before_report"
    with pytest.raises(FailureError) as future:
        failures.close(store, report_id, "repaired", date(2026, 12, 2), "M. Blanc", today=TODAY)
    assert future.value.key == "future"
    failures.close(store, report_id, "repaired", date(2026, 11, 10), "M. Blanc", today=TODAY)
    with pytest.raises(FailureError) as twice:
        failures.close(store, report_id, "not_reproduced", TODAY, "M. Blanc", today=TODAY)
    assert twice.value.key == "already_closed"


def _territory(store):
    """Reports across a year boundary (Dec 2025 / Jan 2026) and a month boundary
    (31 Jan / 1 Feb); halls encoded at known days."""
    ids = tinyterritory.build(store)   # mez_a encoded on 2026-11-02
    _encode(store, ids, "al_a", "2025-12-15T10:00:00+00:00")
    _encode(store, ids, "mez_b", "2026-01-31T23:30:00+00:00")
    _encode(store, ids, "al_b", "2026-02-01T08:00:00+00:00")
    reports = [  # hall, day, closed
        ("al_a", date(2025, 12, 31), True), ("al_a", date(2026, 1, 1), False),
        ("mez_b", date(2026, 1, 31), True), ("al_b", date(2026, 2, 1), False),
        ("mez_a", date(2026, 11, 20), False), ("pc_1", date(2026, 11, 21), False),
        ("al_a", date(2024, 11, 30), True),  # too old to count as repeated
    ]
    for hall, day, closed in reports:
        rid = failures.report(store, ids[hall], "police_nationale", "badge_refused", day,
                              "Brigadier Durand", today=TODAY)
        if closed:
            failures.close(store, rid, "not_reproduced", day, "M. Blanc", today=TODAY)
    return ids


def test_the_rate_per_landlord_matches_an_independent_count(store, cli):
    _territory(store)
    listed = json.loads(cli("failure", "list", "--json").output)
    halls = json.loads(cli("hall", "list", "--json").output)
    reports = Counter(r["landlord"] for r in listed)
    opened = Counter(r["landlord"] for r in listed if r["closure"] is None)
    reported = Counter(landlord for landlord, _ in {(r["landlord"], r["code"]) for r in listed})
    encoded = Counter(h["landlord"] for h in halls if h["status"] == "encoded")
    result = cli("report", "failures", "--json", "--today", TODAY.isoformat())
    assert result.exit_code == 0, result.output
    got = json.loads(result.output)
    rows = {r["landlord"]: r for r in got["landlords"]}
    for landlord in ("Habitat 77", "Les Foyers de Seine-et-Marne"):
        row = rows[landlord]
        assert (row["reports"], row["open"], row["encoded_halls"], row["halls_reported"]) == (
            reports[landlord], opened[landlord], encoded[landlord], reported[landlord])
        if encoded[landlord]:
            assert row["reports_per_100_encoded"] == f"{100 * reports[landlord] / encoded[landlord]:.2f}"
    assert (rows["Habitat 77"]["reports"], rows["Habitat 77"]["encoded_halls"]) == (6, 4)
    assert rows["Habitat 77"]["reports_per_100_encoded"] == "150.00"
    assert rows["Les Foyers de Seine-et-Marne"]["reports_per_100_encoded"] is None  # none encoded
    total = got["landlords"][-1]
    assert total["landlord"] is None and total["reports"] == len(listed) == 7
    # straight SQL on the tables: the reports of each landlord
    sql = dict(store.conn.execute(
        "SELECT l.name, count(*) FROM failure_reports f JOIN halls h ON h.id = f.hall_id "
        "JOIN residences r ON r.id = h.residence_id JOIN landlords l ON l.id = r.landlord_id "
        "GROUP BY l.name"))
    assert {k: v["reports"] for k, v in rows.items() if v["reports"] and k} == sql


def test_the_rate_per_month_across_a_month_and_a_year_boundary(store, cli):
    _territory(store)
    got = json.loads(cli("report", "failures", "--by", "month", "--json",
                         "--today", TODAY.isoformat()).output)
    months = {(r["month"], r["landlord"]): r for r in got["months"]}
    h77 = "Habitat 77"
    # Dec 2025: al_a's report on the 31st; al_a encoded on the 15th (1 hall)
    assert (months[("2025-12", h77)]["reports"], months[("2025-12", h77)]["encoded_halls"]) == (1, 1)
    # Jan 2026: the 1st (al_a) and the 31st (mez_b, encoded that evening, UTC): 2 halls
    jan = months[("2026-01", h77)]
    assert (jan["reports"], jan["halls_reported"], jan["encoded_halls"]) == (2, 2, 2)
    # Feb 2026: al_b, encoded on the 1st
    assert (months[("2026-02", h77)]["reports"], months[("2026-02", h77)]["encoded_halls"]) == (1, 3)
    # Nov 2026: mez_a encoded on the 2nd: 4 halls; pc_1 (Foyers) failed: no encoded hall
    assert months[("2026-11", h77)]["encoded_halls"] == 4
    foyers = months[("2026-11", "Les Foyers de Seine-et-Marne")]
    assert (foyers["reports"], foyers["encoded_halls"], foyers["reports_per_100_encoded"]) == (1, 0, None)
    assert sum(r["reports"] for r in got["months"]) == 7
    # before the end of a month, its denominator stops today
    mid = json.loads(cli("report", "failures", "--by", "month", "--json",
                         "--today", "2026-01-15").output)
    assert [(r["month"], r["reports"], r["encoded_halls"]) for r in mid["months"]] == [
        ("2024-11", 1, 0), ("2025-12", 1, 1), ("2026-01", 1, 1)]


def test_repeated_failures_in_the_last_twelve_months(store, cli):
    ids = _territory(store)
    got = json.loads(cli("report", "failures", "--json", "--today", TODAY.isoformat()).output)
    assert [(r["code"], r["reports"], r["open"]) for r in got["repeated"]] == [
        (_code(store, ids["al_a"]), 2, 1)]  # the 2024 report is out of the window
    # 12 months back from 30 Dec 2026: 31 Dec 2025 still counts; a day later it does not
    assert len(failures.repeated(store.conn, date(2026, 12, 30))) == 1
    assert failures.repeated(store.conn, date(2026, 12, 31)) == []
    assert failures.months_back(date(2028, 2, 29), 12) == date(2027, 3, 1)
    assert failures.months_back(date(2026, 3, 31), 1) == date(2026, 3, 1)


def test_report_failures_in_every_format_and_in_report_all(store, cli, tmp_path):
    _territory(store)
    table = cli("report", "failures", "--today", TODAY.isoformat())
    assert table.exit_code == 0 and "Habitat 77" in table.output and "150,0 %" in table.output
    english = cli("report", "failures", "--by", "month", lang="en")
    assert english.exit_code == 0 and "reports per 100 encoded halls" in english.output
    for fmt in ("csv", "xlsx"):
        out = tmp_path / f"failures.{fmt}"
        assert cli("report", "failures", "--format", fmt, "--out", out).exit_code == 0
        assert out.stat().st_size > 0
    every = json.loads(cli("report", "all", "--json").output)
    assert {"failures.landlords", "failures.months", "failures.repeated"} <= set(every)
    listing = cli("failure", "list", lang="en")
    assert "badge refused" in listing.output and "national police" in listing.output
