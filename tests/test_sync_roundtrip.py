"""Pilot → technicians → pilot: work orders, exports, merge, conflicts, resolution, keys."""

from __future__ import annotations

import json
import sqlite3

import vigikfield_sync as sync
from sync_world import World
from vigikfield.domain import journal
from vigikfield_sync import keys


def test_two_technicians_same_hall_one_conflict_identical_edits_none(tmp_path):
    world = World(tmp_path)
    t1, t2 = world.technician("tech1"), world.technician("tech2")
    t1.update("halls", world.hall, {"notes": "B1", "model": "M14", "vigik": "compatible"})
    t2.update("halls", world.hall, {"notes": "B2", "model": "M14", "vigik": "compatible"})
    b1, b2 = world.export(t1), world.export(t2)
    master = world.pilot
    outcomes = sync.merge_files(master, [b1, b2])
    assert [o.error for o in outcomes] == [None, None]
    found = sync.list_conflicts(master)
    assert [(c.entity, c.entity_id, c.field) for c in found] == [("halls", world.hall, "notes")]
    (conflict,) = found
    assert {conflict.a.value, conflict.b.value} == {"B1", "B2"}
    assert {conflict.a.device, conflict.b.device} == {"tech1", "tech2"}
    assert {conflict.a.actor, conflict.b.actor} == {"tech1", "tech2"}
    assert "B" in conflict.description and "Les Mézereaux" in conflict.description
    assert master.get("halls", world.hall)["notes"] == conflict.a.value  # A = current winner
    assert master.get("halls", world.hall)["model"] == "M14"
    assert journal.verify(master.conn) is None


def test_technician_edit_on_top_of_pilot_is_no_conflict_but_pilot_edit_meanwhile_is(tmp_path):
    world = World(tmp_path)
    t1 = world.technician("tech1")
    t1.update("halls", world.hall, {"notes": "digicode HS", "model": "X13"})
    world.pilot.update("halls", world.hall, {"model": "X15"})
    sync.merge_files(world.pilot, [world.export(t1)])
    (conflict,) = sync.list_conflicts(world.pilot)
    assert conflict.field == "model"
    assert world.pilot.get("halls", world.hall)["notes"] == "digicode HS"


def test_resolution_is_an_op_that_travels_and_clears_the_conflict(tmp_path, cli):
    world = World(tmp_path)
    t1, t2 = world.technician("tech1"), world.technician("tech2")
    t1.update("halls", world.hall, {"model": "M13"})
    t2.update("halls", world.hall, {"model": "M16"})
    sync.merge_files(world.pilot, [world.export(t1), world.export(t2)])
    cli.db_path = world.pilot.path
    listed = cli("conflicts", "list", "--json")
    assert listed.exit_code == 0
    (entry,) = json.loads(listed.output)
    assert entry["field"] == "model"
    result = cli("conflicts", "resolve", entry["id"][:6], "--keep", "M15")
    assert result.exit_code == 0, result.output
    assert cli("conflicts", "list").output.strip() == "Aucun conflit à arbitrer."
    assert world.pilot.get("halls", world.hall)["model"] == "M15"
    assert cli("journal", "verify").exit_code == 0
    # the decision leaves with the pilot's next bundle
    out = tmp_path / "pilot-out.vfb"
    sync.export(world.pilot, out)
    ops = sqlite3.connect(out).execute("SELECT field, value FROM ops").fetchall()
    assert ("model", '"M15"') in ops
    # a later, unrelated merge does not bring it back
    t1.update("halls", world.hall, {"notes": "ok"})
    sync.merge_files(world.pilot, [world.export(t1)])
    assert sync.list_conflicts(world.pilot) == []
    assert cli("conflicts", "resolve", entry["id"], "--keep", "A").exit_code == 2


def test_work_order_carries_no_confidential_field_unless_asked(tmp_path):
    world = World(tmp_path)
    plain = world.technician("tech1")
    fields = {r[0] for r in plain.conn.execute("SELECT field FROM ops")}
    assert "site_level" not in fields
    # the registry's fingerprints travel: the card is checked on site, offline
    assert "fingerprint" in fields
    assert plain.get("residences", world.residence)["site_level"] is None
    assert plain.get("halls", world.far_hall) is None  # only the chosen residences
    assert plain.get("service_cards", plain.conn.execute(
        "SELECT id FROM service_cards").fetchone()[0])["service"] == "poste"
    assert journal.verify(plain.conn) is None  # the pilot's partial chain is tolerated
    assert sync.role(plain) == "technician"
    told = world.technician("tech2", confidential=True)
    assert told.get("residences", world.residence)["site_level"] == 3
    # a technician's bundle carries its own ops only: nothing confidential it received
    told.update("halls", world.hall, {"notes": "vu"})
    bundle = world.export(told, everything=True)
    rows = sqlite3.connect(bundle).execute("SELECT device_id, field FROM ops").fetchall()
    assert {r[0] for r in rows} == {told.device_id}
    assert not {r[1] for r in rows} & {"site_level", "fingerprint", "card_fingerprint"}


def test_device_show_trust_and_key_file(tmp_path, cli, db_path):
    result = cli("device", "show")
    assert result.exit_code == 0 and "pilot" in result.output
    key_file = db_path.with_name(db_path.name + ".key")
    assert key_file.stat().st_mode & 0o777 == 0o600
    public = cli("device", "show", "--public-key").output.strip()
    assert public.startswith("ed25519:") and len(public) == 8 + 64 + 1 + 36  # key@device
    other = tmp_path / "other.pub"
    other.write_text("ed25519:" + "ab" * 32 + "\n")
    assert cli("trust", "add", str(other), "--name", "tech1", "--role", "technician").exit_code == 0
    assert cli("trust", "add", "ab" * 32, "--name", "again", "--role", "technician").exit_code == 2
    assert cli("trust", "add", "not-a-key", "--name", "x", "--role", "technician").exit_code == 2
    assert cli("trust", "revoke", "tech1").exit_code == 0
    listed = cli("trust", "list", lang="en").output
    assert "tech1" in listed and "revoked" in listed
    assert cli("trust", "revoke", "nobody").exit_code == 2


def test_cli_round_trip_prints_what_it_did(tmp_path, cli):
    world = World(tmp_path)
    tech = world.technician("tech1")
    tech.update("halls", world.hall, {"notes": "B bis"})
    cli.db_path = tech.path
    out = tmp_path / "day1.vfb"
    result = cli("bundle", "export", "--out", out)
    assert result.exit_code == 0 and "1 opération" in result.output
    assert "Rien de nouveau" in cli("bundle", "export", "--out", tmp_path / "x.vfb").output
    cli.db_path = world.pilot.path
    first = cli("bundle", "merge", out)
    assert first.exit_code == 0 and "1 opération(s) nouvelle(s)" in first.output
    again = cli("bundle", "merge", out)
    assert again.exit_code == 0 and "0 opération(s) nouvelle(s), 1 déjà connue(s)" in again.output
    (receipt, _) = sync.receipts(world.pilot)[:2]
    assert receipt.signer == "tech1" and receipt.duplicate_ops == 1
    assert (world.pilot.path.parent / "pilot.db.bundles" / f"{receipt.bundle_sha256}.vfb").exists()
    order = tmp_path / "wo.vfb"
    made = cli("bundle", "workorder", "--technician", "Ali", "--residence", "Plein Ciel",
               "--date", "2026-12-01", "--out", order)
    assert made.exit_code == 0, made.output
    assert cli("bundle", "workorder", "--technician", "Ali", "--residence", "Nulle Part",
               "--out", order).exit_code == 2
    assert cli("bundle", "merge", order).exit_code == 1  # a work order is imported, not merged


def test_public_key_parsing_accepts_file_and_prefix(tmp_path):
    raw = "cd" * 32
    path = tmp_path / "k.pub"
    path.write_text(f"ed25519:{raw}\n")
    assert keys.parse_public(str(path)) == raw
    assert keys.parse_public(f"ED25519:{raw.upper()}") == raw


def test_three_way_edit_lists_each_loser_and_settling_one_keeps_the_other_open(tmp_path):
    world = World(tmp_path)
    techs = [world.technician(f"tech{n}") for n in (1, 2, 3)]
    for n, tech in enumerate(techs, 1):
        tech.update("halls", world.hall, {"vigik": ("compatible", "incompatible", "unknown")[n - 1]})
    sync.merge_files(world.pilot, [world.export(t) for t in techs])
    found = sync.list_conflicts(world.pilot)
    assert len(found) == 2 and len({c.a.op_id for c in found}) == 1  # one winner, two others
    sync.resolve(world.pilot, found[0].id, "B")
    assert world.pilot.get("halls", world.hall)["vigik"] == found[0].b.value
    (left,) = sync.list_conflicts(world.pilot)
    assert left.b.op_id == found[1].b.op_id and left.a.value == found[0].b.value
    sync.resolve(world.pilot, left.id, left.a.value)
    assert sync.list_conflicts(world.pilot) == []
    assert journal.verify(world.pilot.conn) is None
