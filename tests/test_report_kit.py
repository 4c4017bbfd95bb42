"""The police side and the kit: report kit against straight SQL on the demo, the
service-card check naming the landlords without one, extra cards and badges, and
`police set` (pilot only, values checked, nothing written on a refusal)."""

from __future__ import annotations

import json
import sqlite3

import pytest

from vigikfield.domain import demo, kit
from vigikfield.domain.journal import Change

MELUN = "Commissariat de police de Melun"
WITHOUT_CARD = ["Cités Jardins de Sénart", "Foyer Moissyen", "Résidences de la Brie",
                "Seine-et-Marne Logement", "Toit Melunais", "Trois Rivières Habitat"]


@pytest.fixture
def demo_store(store):
    demo.ensure(store)
    return store


def _kit_json(cli) -> dict:
    result = cli("report", "kit", "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _ops(db) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT count(*) FROM ops").fetchone()[0]


def test_the_kits_contents_are_the_seeds():
    assert {i.key: i.quantity for i in kit.KIT} == {
        "usb_encoder": 1, "administrative_card": 1, "service_card": 5, "agent_badge": 10,
        "charging_software": 1, "usb_cable": 1, "manual": 1}
    assert (kit.SERVICE_CARDS_IN_KIT, kit.AGENT_BADGES_IN_KIT) == (5, 10)
    assert [kit.extra(n, 5) for n in (0, 4, 5, 6, 11)] == [0, 0, 0, 1, 6]


def test_report_kit_against_straight_sql_on_the_demo(demo_store, cli):
    report = _kit_json(cli)
    assert set(report) == {"offices", "kit", "landlords"}
    *offices, total = report["offices"]
    rows = demo_store.conn.execute(
        "SELECT name, stations, stations_installed, station_planned, station_installed, "
        "computers, agent_badges FROM police_offices").fetchall()
    assert {(o["office"], o["stations"], o["stations_installed"], o["station_planned"],
             o["station_installed"], o["computers"], o["agent_badges"]) for o in offices} == \
        set(rows)
    (badges, stations) = demo_store.conn.execute(
        "SELECT sum(agent_badges), sum(stations) FROM police_offices").fetchone()
    assert (total["office"], total["agent_badges"], total["stations"]) == (None, badges, stations)
    contents = {r["item"]: r for r in report["kit"]}
    (landlords,) = demo_store.conn.execute("SELECT count(*) FROM landlords").fetchone()
    assert (contents["service_card"]["in_kit"], contents["service_card"]["needed"],
            contents["service_card"]["extra"]) == (5, landlords, landlords - 5)
    assert (contents["agent_badge"]["needed"], contents["agent_badge"]["extra"]) == (
        badges, badges - 10)
    assert contents["usb_encoder"]["needed"] is None
    cards = dict(demo_store.conn.execute(
        "SELECT l.name, count(s.id) FROM landlords l LEFT JOIN service_cards s "
        "ON s.landlord_id = l.id AND s.status = 'active' GROUP BY l.id"))
    assert {r["landlord"]: r["active_cards"] for r in report["landlords"]} == cards


def test_the_demo_has_three_stations_installed_and_one_late(demo_store):
    offices = {o.name: o for o in kit.offices(demo_store.conn)}
    installed = [o for o in offices.values() if o.stations_installed]
    assert len(installed) == 3 and all(o.station_installed for o in installed)
    late = [o for o in offices.values()
            if o.station_planned and o.station_planned < "2026-12-01" and not o.station_installed]
    assert [o.name for o in late] == ["Commissariat annexe de Dammarie-lès-Lys"]
    assert any(o.station_planned and o.station_planned >= "2027-01-01" for o in offices.values())


def test_the_warning_names_the_landlords_without_an_active_card(demo_store, cli):
    result = cli("report", "kit")
    assert result.exit_code == 0
    warning = next(line for line in result.stderr.splitlines() if "sans carte" in line)
    assert warning.endswith(": " + ", ".join(WITHOUT_CARD) + ".") and "6 bailleur(s)" in warning
    assert "11 bailleurs pour 5 cartes de service dans le kit : 6 carte(s)" in result.stderr
    assert "44 badges agents pour 10 dans le kit : 34 badge(s)" in result.stderr
    # a revoked card no longer counts: its landlord is named too
    (card_id,) = demo_store.conn.execute(
        "SELECT s.id FROM service_cards s JOIN landlords l ON l.id = s.landlord_id "
        "WHERE l.name = 'Sénart Logement'").fetchone()
    demo_store.record([Change("service_cards", card_id, "status", "revoked")], reason="test")
    assert kit.needs(demo_store.conn).landlords_without_card == sorted(
        WITHOUT_CARD + ["Sénart Logement"], key=lambda n: n.replace("é", "e").lower())
    assert "Sénart Logement" in cli("report", "kit").stderr


def test_no_warning_when_every_landlord_keeps_a_card(cli, store):
    store.ensure_project("P")
    for n in range(3):
        landlord = store.create("landlords", {"name": f"Bailleur {n}"})
        store.create("service_cards", {"landlord_id": landlord, "fingerprint": f"F{n}",
                                       "status": "active"})
    result = cli("report", "kit")
    assert result.exit_code == 0 and result.stderr == ""
    assert kit.needs(store.conn).extra_service_cards == 0


# --- police set ------------------------------------------------------------------
def test_the_pilot_records_a_police_offices_equipment(demo_store, cli):
    result = cli("police", "set", "commissariat de police de melun", "--stations", "2",
                 "--installed", "1", "--planned", "2027-01-04", "--computers", "2",
                 "--badges", "20")
    assert result.exit_code == 0, result.output
    assert MELUN in result.output and "04/01/2027" in result.output
    row = demo_store.conn.execute(
        "SELECT stations, stations_installed, station_planned, station_installed, computers, "
        "agent_badges FROM police_offices WHERE name = ?", (MELUN,)).fetchone()
    assert row == (2, 1, "2027-01-04", "2026-09-24", 2, 20)
    (reason,) = demo_store.conn.execute(
        "SELECT reason FROM ops WHERE entity = 'police_offices' AND field = 'agent_badges' "
        "ORDER BY hlc DESC").fetchone()
    assert reason == "reason.police_set"
    again = cli("police", "set", "Melun", "--badges", "20")  # ambiguous: two offices in Melun
    assert again.exit_code == 2 and "Police municipale de Melun" in again.output
    same = cli("police", "set", MELUN, "--badges", "20")
    assert same.exit_code == 0 and "rien n'a changé" in same.output


@pytest.mark.parametrize("args, says", [
    (("Commissariat de Paris", "--stations", "1"), "Aucun commissariat"),
    ((MELUN, "--stations", "deux"), "bornes prévues"),
    ((MELUN, "--planned", "31/02/2027"), "date prévue d'installation"),
    ((MELUN, "--installed", "3"), "3 bornes installées pour 1 prévues"),
    ((MELUN,), "Rien à modifier"),
])
def test_police_set_refuses_bad_input_with_exit_2_and_writes_nothing(demo_store, cli, args,
                                                                     says):
    before = _ops(demo_store.path)
    result = cli("police", "set", *args)
    assert result.exit_code == 2 and says in result.output, result.output
    assert _ops(demo_store.path) == before


def test_a_technician_may_not_change_a_police_office(demo_store, cli):
    assert cli("profile", "set", "--name", "Karim Benali", "--role", "technician").exit_code == 0
    before = _ops(demo_store.path)
    result = cli("police", "set", MELUN, "--badges", "99")
    assert result.exit_code == 2 and "Le profil technicien ne peut pas modifier" in result.output
    assert "badges agents" in result.output
    assert _ops(demo_store.path) == before
    assert cli("report", "kit").exit_code == 0


def test_report_all_carries_the_costs_and_the_kit(demo_store, cli):
    result = cli("report", "all", "--json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert {"costs.costs", "kit.offices", "kit.kit", "kit.landlords"} <= set(document)
    assert document["costs.costs"][-1]["payer_kind"] == "total"  # JSON: stable codes
    assert len(document["kit.offices"]) == 8 + 1  # the demo's offices and the total
