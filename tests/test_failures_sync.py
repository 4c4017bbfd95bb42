"""Failure reports travel in bundles like any op: a technician's report reaches the pilot's
lists, rate and dashboard; work orders carry the reports of their halls; a maintenance
laptop reporting or closing on another landlord's hall is refused at merge."""

from __future__ import annotations

import json
from datetime import date

import vigikfield_sync as sync
from test_maintenance_profile import Desk, frozen
from sync_world import World
from vigikfield.domain import dashboard, failures, journal, progress
from vigikfield.domain.journal import Change

TODAY = date.today()


def _code(store, hall_id: str) -> str:
    return store.get("halls", hall_id)["code"]


def test_a_technicians_report_reaches_the_pilot(tmp_path, cli):
    world = World(tmp_path / "w")
    tech = world.technician("Inès")
    code = _code(tech, world.hall)
    report_id = failures.report(tech, world.hall, "police municipale", "badge refusé", TODAY,
                                "Agent Leroy", "le badge bipe rouge", today=TODAY)
    assert progress.residences(tech.conn)[0].to_verify == 1  # on the technician's route
    (outcome,) = sync.merge_files(world.pilot, [world.export(tech)], "export")
    assert outcome.error is None, outcome.error
    assert journal.verify(world.pilot.conn) is None

    cli.db_path = world.pilot.path
    (listed,) = json.loads(cli("failure", "list", "--json").output)
    assert (listed["id"], listed["code"], listed["service"], listed["what"],
            listed["reported_by"], listed["to_verify"]) == (
        report_id, code, "police_municipale", "badge_refused", "Agent Leroy", 1)
    rates = json.loads(cli("report", "failures", "--json").output)["landlords"]
    assert [(r["landlord"], r["reports"], r["open"]) for r in rates[:-1]] == [("Habitat 77", 1, 1)]
    assert dashboard.load(world.pilot.conn, TODAY, late=False).to_verify == 1

    # the pilot closes it; the next work order carries the closure to the laptop
    closed = cli("failure", "close", code, "--how", "repaired", "--by", "M. Blanc")
    assert closed.exit_code == 0, closed.output
    assert dashboard.load(world.pilot.conn, TODAY, late=False).to_verify == 0
    order = tmp_path / "wo2.vfb"
    sync.workorder(world.pilot, order, technician="Inès", residences=["Les Mézereaux"])
    (outcome,) = sync.merge_files(tech, [order], "workorder")
    assert outcome.error is None, outcome.error
    assert tech.get("failure_reports", report_id)["closure"] == "repaired"
    assert progress.residences(tech.conn)[0].to_verify == 0


def test_a_work_order_carries_the_reports_of_its_halls(tmp_path):
    world = World(tmp_path / "w")
    p = world.pilot
    mine = failures.report(p, world.hall2, "pompiers", "porte cassée", TODAY, "Sergent Ba",
                           today=TODAY)
    elsewhere = failures.report(p, world.far_hall, "samu", "other", TODAY, "Dr Petit",
                                today=TODAY)
    tech = world.technician("Karim")   # its work order: Les Mézereaux only
    assert tech.get("failure_reports", mine)["service"] == "pompiers"
    assert tech.get("failure_reports", elsewhere) is None
    rows = {h.id: h.to_verify for h in progress.hall_rows(tech.conn, world.residence)}
    assert rows == {world.hall: False, world.hall2: True}


def test_maintenance_reports_on_its_own_halls_and_the_pilot_merges(tmp_path):
    desk = Desk(tmp_path)
    m, p = desk.maint, desk.pilot
    report_id = failures.report(m, desk.world.hall, "gendarmerie", "reader damaged", TODAY,
                                None, today=TODAY)   # by: the profile's actor
    (outcome,) = sync.merge_files(p, [desk.world.export(m)], "export")
    assert outcome.error is None, outcome.error
    assert p.get("failure_reports", report_id)["reported_by"] == "Mme Martin"


def _forged(m, changes) -> None:
    """Ops written behind the store's back (a thief editing the laptop's database)."""
    m.conn.execute("PRAGMA foreign_keys = OFF")
    with m.transaction() as conn:
        journal.append(conn, m.device_id, changes, actor="Mme Martin", reason="forged")
    m.conn.execute("PRAGMA foreign_keys = ON")


def _refused(desk, path) -> None:
    before = frozen(desk.pilot)
    (outcome,) = sync.merge_files(desk.pilot, [path], "export")
    assert outcome.error is not None and outcome.error.key == "forbidden_op", outcome.error
    assert "autre bailleur" in str(outcome.error)
    assert frozen(desk.pilot) == before
    assert journal.verify(desk.pilot.conn) is None


def test_a_forged_report_on_another_landlords_hall_is_refused(tmp_path):
    desk = Desk(tmp_path)
    forged = "0f0f0f0f-0000-4000-8000-000000000001"
    _forged(desk.maint, [
        Change("failure_reports", forged, "hall_id", desk.foreign_hall, new=True),
        Change("failure_reports", forged, "reported_on", TODAY.isoformat(), new=True),
        Change("failure_reports", forged, "service", "police_nationale", new=True),
        Change("failure_reports", forged, "what", "badge_refused", new=True),
    ])
    _refused(desk, desk.world.export(desk.maint))
    assert desk.pilot.get("failure_reports", forged) is None


def test_a_forged_closure_on_another_landlords_report_is_refused(tmp_path):
    desk = Desk(tmp_path)
    p = desk.pilot
    theirs = failures.report(p, desk.foreign_hall, "pompiers", "door_broken", TODAY,
                             "Sergent Ba", today=TODAY)
    _forged(desk.maint, [Change("failure_reports", theirs, "closure", "repaired", new=True),
                         Change("failure_reports", theirs, "closed_on", TODAY.isoformat(),
                                new=True)])
    _refused(desk, desk.world.export(desk.maint))
    assert p.get("failure_reports", theirs)["closure"] is None
    assert dashboard.to_verify(p.conn) == 1
