"""Issue 9's attacks, each built for real (signatures included) and refused at merge.

Every refusal: the reason's catalog key, the pilot's database byte-for-byte
unchanged, `journal verify` sound. Ops are forged "with the project's own
API": `journal.append` on the technician's laptop, which skips the store's
rights check as a thief editing the database would.
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import time
import uuid
from pathlib import Path

import pytest
import vigikfield_sync as sync
from sync_world import World
from vigikfield.domain import hlc, journal
from vigikfield.domain.journal import Change, op_hash
from vigikfield.domain.schema import SCHEMA_VERSION
from vigikfield.domain.store import Store
from vigikfield_sync import bundle, keys


def forge(store: Store, changes: list[Change]) -> None:
    """Write ops behind the store's back (no rights check): what a thief could do."""
    store.conn.execute("PRAGMA foreign_keys = OFF")  # a thief need not keep references true
    try:
        with store.transaction() as conn:
            journal.append(conn, store.device_id, changes, actor=store.actor)
    finally:
        store.conn.execute("PRAGMA foreign_keys = ON")


def frozen(store: Store) -> str:
    """The database file's bytes (after a checkpoint), as a digest."""
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return hashlib.sha256(Path(store.path).read_bytes()).hexdigest()


def refused(world: World, path: Path, key: str, kind: str = "export", store: Store | None = None):
    target = store or world.pilot
    before = frozen(target)
    (outcome,) = sync.merge_files(target, [path], kind)
    assert outcome.error is not None, "accepted"
    assert outcome.error.key == key, str(outcome.error)
    assert frozen(target) == before
    assert journal.verify(target.conn) is None
    assert "sync.error" not in str(outcome.error) and "rights." not in str(outcome.error)
    return outcome.error


def signed(world: World, signer: Store, rows: list[tuple], name: str = "crafted.vfb",
           **manifest) -> Path:
    path = world.root / name
    base = {"kind": "export", "project_id": world.pilot.project_id, "device_id": signer.device_id,
            "role": "pilot", "schema_version": SCHEMA_VERSION, "created_at": "now"}
    bundle.write(path, rows, {**base, **manifest}, keys.signing_key(signer))
    return path


def chain(device: str, start_seq: int, prev: str, ops: list[tuple]) -> list[tuple]:
    """Rows continuing a chain: ops are (hlc, entity, entity_id, field, value_json)."""
    rows = []
    for seq, (stamp, entity, entity_id, field, value) in enumerate(ops, start_seq):
        partial = (str(uuid.uuid4()), device, seq, stamp, entity, entity_id, field, value,
                   None, "x", None)
        digest = op_hash(prev, partial)
        rows.append((*partial, prev, digest))
        prev = digest
    return rows


def head(store: Store, device: str) -> tuple[int, str]:
    return store.conn.execute(
        "SELECT seq, hash FROM ops WHERE device_id = ? ORDER BY seq DESC LIMIT 1",
        (device,)).fetchone() or (0, journal.GENESIS)


# -- a technician's signed bundle may not change what it has no right to ----------------

def _card(tech):
    return tech.conn.execute("SELECT id FROM service_cards").fetchone()[0]


def _order(tech):
    return tech.conn.execute("SELECT id FROM work_orders").fetchone()[0]


FORBIDDEN = {
    "card_revoked": lambda w, t: [Change("service_cards", _card(t), "status", "revoked")],
    "site_level": lambda w, t: [Change("residences", w.residence, "site_level", 1)],
    "residence_moved": lambda w, t: [Change("residences", w.residence, "landlord_id",
                                            str(uuid.uuid4()))],
    "landlord_renamed": lambda w, t: [Change("landlords", w.landlord, "name", "Autre")],
    "project_changed": lambda w, t: [Change("projects", w.pilot.project_id, "name", "X")],
    "card_enrolled": lambda w, t: [Change("service_cards", new, f, v, new=True) for new in
                                   [str(uuid.uuid4())] for f, v in (
                                       ("landlord_id", w.landlord), ("fingerprint", "BAD0"),
                                       ("service", "police"), ("status", "active"))],
    "work_order_cancelled": lambda w, t: [Change("work_orders", _order(t), "status", "cancelled")],
    "hall_renamed": lambda w, t: [Change("halls", w.hall, "label", "Z")],
}


@pytest.mark.parametrize("attack", list(FORBIDDEN))
def test_forged_op_out_of_a_technicians_rights_refuses_the_whole_bundle(tmp_path, attack, cli):
    world = World(tmp_path)
    tech = world.technician("tech1")
    tech.update("halls", world.hall, {"notes": "allowed"})  # an allowed op rides along
    forge(tech, FORBIDDEN[attack](world, tech))
    path = world.export(tech)
    error = refused(world, path, "forbidden_op")
    assert "tech1" in str(error) and "technicien" in str(error)
    assert world.pilot.get("halls", world.hall)["notes"] is None  # nothing of it entered
    cli.db_path = world.pilot.path
    result = cli("bundle", "merge", path)
    assert result.exit_code == 1 and "refusé en entier" in result.output
    assert "Traceback" not in result.output


def test_card_revoke_on_a_technicians_laptop_is_refused_at_once(tmp_path, cli):
    world = World(tmp_path)
    tech = world.technician("tech1")
    (ops,) = tech.conn.execute("SELECT count(*) FROM ops").fetchone()
    cli.db_path = tech.path
    result = cli("card", "revoke", "F00D", "--reason", "perdue")
    assert result.exit_code == 2, result.output
    assert "technicien" in result.output and "état de la carte" in result.output
    assert tech.conn.execute("SELECT count(*) FROM ops").fetchone() == (ops,)
    assert cli("conflicts", "resolve", "abc", "--keep", "A").exit_code == 2
    assert "pilote" in cli("conflicts", "resolve", "abc", "--keep", "A").output


def test_a_technician_may_not_touch_another_technicians_attempt(tmp_path):
    world = World(tmp_path)
    t1, t2 = world.technician("tech1"), world.technician("tech2")
    attempt = t1.create("encodings", {"hall_id": world.hall, "outcome": "encoded"})
    assert sync.merge_files(world.pilot, [world.export(t1)])[0].error is None
    forge(t2, [Change("encodings", attempt, "outcome", "failed")])
    error = refused(world, world.export(t2), "forbidden_op")
    assert "autre appareil" in str(error)
    assert world.pilot.get("encodings", attempt)["outcome"] == "encoded"


# -- keys speak for their own device only ------------------------------------------------

def _resigned(world: World, owner: Store, other: Store) -> tuple[Path, Path]:
    """`owner`'s genuine bundle, and the same ops signed by `other`'s key for `owner`'s device."""
    owner.update("halls", world.hall, {"notes": "vrai"})
    genuine = world.export(owner)
    rows = sqlite3.connect(genuine).execute(
        f"SELECT {', '.join(journal.OP_COLUMNS)} FROM ops ORDER BY seq").fetchall()
    return genuine, signed(world, other, rows, device_id=owner.device_id, role="technician")


def test_a_key_cannot_resign_another_devices_chain_even_after_that_key_is_revoked(tmp_path):
    world = World(tmp_path)
    t1, t2 = world.technician("tech1"), world.technician("tech2")
    genuine, forged = _resigned(world, t1, t2)
    refused(world, forged, "device_mismatch")  # t2's key is bound to t2's device
    sync.trust_revoke(world.pilot, "tech1")
    refused(world, forged, "device_mismatch")


def test_first_sight_binding_then_no_other_key_for_that_device(tmp_path):
    world = World(tmp_path)
    t1 = world.technician("tech1")
    t2 = sync.prepare(Store(tmp_path / "tech2.db", actor="tech2"))
    sync.trust_add(world.pilot, keys.public_hex(t2), "tech2", "technician")  # no device given
    genuine, forged = _resigned(world, t1, t2)
    refused(world, forged, "device_taken_by")  # tech1's device is bound to tech1's key
    assert sync.merge_files(world.pilot, [genuine])[0].error is None


def test_a_technician_cannot_extend_the_pilots_chain(tmp_path):
    world = World(tmp_path)
    tech = world.technician("tech1")
    pilot_device = world.pilot.device_id
    seq, prev = head(tech, pilot_device)  # the head it received in its work order
    rows = chain(pilot_device, seq + 1, prev, [
        (hlc.tick(None), "halls", world.hall, "notes", '"pilote ?"')])
    forged = signed(world, tech, rows, device_id=pilot_device)
    refused(world, forged, "own_device")


def test_a_work_order_is_accepted_from_a_pilot_key_only(tmp_path):
    world = World(tmp_path)
    t1 = world.technician("tech1")
    rows = t1.conn.execute(
        f"SELECT {', '.join(journal.OP_COLUMNS)} FROM ops LIMIT 20").fetchall()
    forged = signed(world, t1, rows, kind="workorder", name="wo-forged.vfb")
    refused(world, forged, "workorder_not_pilot", kind="workorder")
    # and on another technician's laptop, a technician's key is not even trusted
    t2 = world.technician("tech2")
    refused(world, forged, "untrusted_key", kind="workorder", store=t2)
    assert keys.trust_list(t2)[0].role == "pilot"
    with pytest.raises(sync.SyncError) as caught:
        sync.trust_add(t2, keys.key_text(t1), "tech1", "technician")
    assert caught.value.key == "trust_only_pilot_key"


# -- clocks --------------------------------------------------------------------------------

def test_a_laptop_ten_years_ahead_is_refused_and_the_pilots_clock_stays(tmp_path):
    world = World(tmp_path)
    tech = world.technician("tech1")
    future = int(time.time() * 1000) + 10 * 365 * 24 * 3600 * 1000
    tech.conn.execute("UPDATE device SET hlc = ?", (hlc.encode(future, 0),))
    tech.update("halls", world.hall, {"notes": "de 2036"})
    clock = world.pilot.conn.execute("SELECT hlc FROM device").fetchone()
    error = refused(world, world.export(tech), "clock_ahead")
    assert "tech1" in str(error) and "heure" in str(error)
    assert world.pilot.conn.execute("SELECT hlc FROM device").fetchone() == clock
    world.pilot.update("halls", world.hall, {"notes": "pilote"})
    assert world.pilot.get("halls", world.hall)["notes"] == "pilote"


@pytest.mark.parametrize("stamp,key", [("9999999999999999.999999", "clock_ahead"),
                                       ("zzzz", "bad_hlc"), ("0000000000000000.000000", "bad_hlc"),
                                       ("1.2", "bad_hlc")])
def test_forged_clock_stamps_are_refused(tmp_path, stamp, key, cli):
    world = World(tmp_path)
    tech = world.technician("tech1")
    seq, prev = head(tech, tech.device_id)
    rows = chain(tech.device_id, seq + 1, prev, [(stamp, "halls", world.hall, "notes", '"x"')])
    refused(world, signed(world, tech, rows, role="technician"), key)
    cli.db_path = world.pilot.path
    assert cli("conflicts", "list").exit_code == 0
    world.pilot.update("halls", world.hall, {"notes": "pilote"})
    assert world.pilot.get("halls", world.hall)["notes"] == "pilote"


def test_a_clock_within_the_bound_is_accepted_and_observed_no_further(tmp_path):
    world = World(tmp_path)
    tech = world.technician("tech1")
    ahead = int(time.time() * 1000) + 23 * 3600 * 1000
    tech.conn.execute("UPDATE device SET hlc = ?", (hlc.encode(ahead, 0),))
    tech.update("halls", world.hall, {"notes": "fuseau faux"})
    assert sync.merge_files(world.pilot, [world.export(tech)])[0].error is None
    (clock,) = world.pilot.conn.execute("SELECT hlc FROM device").fetchone()
    assert hlc.parse(clock)[0] <= int(time.time() * 1000) + hlc.MAX_SKEW_MS


# -- values --------------------------------------------------------------------------------

@pytest.mark.parametrize("field,value", [("capacity", '{"a":1}'), ("capacity", "{not json"),
                                         ("brand", None), ("active", '"maybe"')])
def test_ops_with_bad_values_are_refused_and_the_next_files_still_merge(tmp_path, field, value,
                                                                       cli):
    world = World(tmp_path)
    t1, t2 = world.technician("tech1"), world.technician("tech2")
    seq, prev = head(t1, t1.device_id)
    rows = chain(t1.device_id, seq + 1, prev,
                 [(hlc.tick(None), "centrales", world.centrale, field, value)])
    bad = signed(world, t1, rows, role="technician")
    refused(world, bad, "bad_op_value")
    t2.update("halls", world.hall2, {"notes": "après"})
    good = world.export(t2)
    cli.db_path = world.pilot.path
    result = cli("bundle", "merge", bad, good)
    assert result.exit_code == 1
    assert "Erreur inattendue" not in result.output and "Traceback" not in result.output
    assert world.pilot.get("halls", world.hall2)["notes"] == "après"
    assert result.output.count("refusé") == 2  # its line, and the summary


def test_malformed_ids_are_refused(tmp_path):
    world = World(tmp_path)
    tech = world.technician("tech1")
    seq, prev = head(tech, tech.device_id)
    rows = chain(tech.device_id, seq + 1, prev,
                 [(hlc.tick(None), "halls", "../../etc", "notes", '"x"')])
    refused(world, signed(world, tech, rows, role="technician"), "bad_op_id")


# -- maintenance stays within its landlord -------------------------------------------------

def _maintenance(tmp_path) -> tuple[World, Store, str]:
    """A world with a second landlord's residence, and a maintenance laptop of Habitat 77."""
    world = World(tmp_path)
    p = world.pilot
    other = p.create("landlords", {"name": "Les Foyers de Seine", "project_id": p.project_id})
    commune = p.conn.execute("SELECT id FROM communes").fetchone()[0]
    foreign_res = p.create("residences", {"name": "Autre", "landlord_id": other,
                                          "commune_id": commune})
    maint = sync.prepare(Store(tmp_path / "maint.db", actor="Mme Martin"))
    maint.conn.execute("UPDATE device SET project_id = ?", (p.project_id,))
    sync.trust_add(p, keys.key_text(maint), "maintenance Habitat 77", "maintenance",
                   landlord_id=world.landlord)
    return world, maint, foreign_res


def test_maintenance_writes_only_its_landlords_checklist(tmp_path):
    world, maint, foreign_res = _maintenance(tmp_path)
    p = world.pilot
    foreign_hall = p.create("halls", {"residence_id": foreign_res, "label": "A"})
    new_hall = str(uuid.uuid4())
    forge(maint, [Change("halls", world.hall, "brand", "Urmet"),
                  *(Change("halls", new_hall, f, v, new=True) for f, v in (
                      ("residence_id", world.residence), ("label", "E"), ("code", "ABCDEF1")))])
    assert sync.merge_files(p, [world.export(maint)])[0].error is None
    assert p.get("halls", new_hall)["label"] == "E"
    forge(maint, [Change("halls", foreign_hall, "brand", "Urmet")])
    error = refused(world, world.export(maint), "forbidden_op")
    assert "autre bailleur" in str(error)


def test_maintenance_cannot_move_a_hall_out_of_its_landlord(tmp_path):
    world, maint, foreign_res = _maintenance(tmp_path)
    forge(maint, [Change("halls", world.hall, "residence_id", foreign_res)])
    refused(world, world.export(maint), "forbidden_op")
    forge(maint, [Change("residences", world.residence, "site_level", 1)])
    refused(world, world.export(maint, everything=True), "forbidden_op")


# -- confidential ops leave no trace in a work order --------------------------------------

def test_work_order_seq_numbers_do_not_reveal_classified_residences(tmp_path):
    world = World(tmp_path)  # Les Mézereaux is classified (site level 3)
    p = world.pilot
    p.update("residences", world.other_residence, {"site_level": 2})
    order = tmp_path / "wo.vfb"
    sync.workorder(p, order, technician="t", residences=["Les Mézereaux", "Plein Ciel"])
    rows = sqlite3.connect(order).execute("SELECT device_id, seq, entity_id FROM ops").fetchall()
    carried = {seq for device, seq, _ in rows if device == p.device_id}
    wanted = {entity_id for _, _, entity_id in rows}
    (last,) = p.conn.execute("SELECT max(seq) FROM ops WHERE device_id = ?",
                             (p.device_id,)).fetchone()
    for seq in set(range(1, last + 1)) - carried:  # every hole is an op on another entity
        (entity_id,) = p.conn.execute("SELECT entity_id FROM ops WHERE device_id = ? AND seq = ?",
                                      (p.device_id, seq)).fetchone()
        assert entity_id not in wanted
    assert journal.confidential_chain(p.device_id) not in {d for d, _, _ in rows}
    assert p.get("residences", world.residence)["site_level"] == 3
    told = tmp_path / "wo-told.vfb"
    sync.workorder(p, told, technician="t", residences=["Les Mézereaux"],
                   include_confidential=True)
    devices = {d for (d,) in sqlite3.connect(told).execute("SELECT device_id FROM ops")}
    assert journal.confidential_chain(p.device_id) in devices
    assert journal.verify(p.conn) is None


# -- a laptop restored from a backup --------------------------------------------------------

def _backup(store: Store, to: Path) -> None:
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for suffix in ("", ".key"):
        shutil.copyfile(f"{store.path}{suffix}", f"{to}{suffix}")


def test_a_restored_laptop_is_refused_with_a_way_back_and_loses_nothing(tmp_path, cli):
    world = World(tmp_path)
    tech = world.technician("tech1")
    attempt = tech.create("encodings", {"hall_id": world.hall, "outcome": "no_access"})
    assert sync.merge_files(world.pilot, [world.export(tech)])[0].error is None
    _backup(tech, tmp_path / "backup.db")
    tech.update("halls", world.hall, {"notes": "lundi"})     # reaches the pilot
    assert sync.merge_files(world.pilot, [world.export(tech)])[0].error is None
    tech.close()
    restored = sync.prepare(Store(tmp_path / "backup.db"))   # the disk died; last week's copy
    restored.update("halls", world.hall2, {"notes": "mardi"})
    restored.update("encodings", attempt, {"outcome": "encoded"})
    fork = world.export(restored)
    error = refused(world, fork, "chain_break")
    assert "device renew" in str(error)
    cli.db_path = restored.path
    renewed = cli("device", "renew")
    assert renewed.exit_code == 0, renewed.output
    key_line = next(w for w in renewed.output.split() if w.startswith("ed25519:"))
    restored.close()
    restored = sync.prepare(Store(tmp_path / "backup.db"))
    cli.db_path = world.pilot.path
    added = cli("trust", "add", key_line, "--name", "tech1 (restauré)", "--role", "technician")
    assert added.exit_code == 0, added.output
    merged = sync.merge_files(world.pilot, [world.export(restored)])
    assert merged[0].error is None, str(merged[0].error)
    assert world.pilot.get("halls", world.hall2)["notes"] == "mardi"
    assert world.pilot.get("encodings", attempt)["outcome"] == "encoded"
    assert world.pilot.get("halls", world.hall)["notes"] == "lundi"
    assert sync.list_conflicts(world.pilot) == []
    assert journal.verify(world.pilot.conn) is None and journal.verify(restored.conn) is None
    old = keys.trusted_by_name(world.pilot, "tech1")
    assert old.revoked_at is not None  # the forked chain's key stops
    refused(world, fork, "revoked_key")


def test_a_stolen_laptops_successor_is_refused(tmp_path):
    world = World(tmp_path)
    tech = world.technician("tech1")
    tech.update("halls", world.hall, {"notes": "x"})
    assert sync.merge_files(world.pilot, [world.export(tech)])[0].error is None
    sync.trust_revoke(world.pilot, "tech1")  # reported stolen
    from vigikfield_sync.renew import renew
    renew(tech)
    tech.update("halls", world.hall, {"notes": "voleur"})
    sync.trust_add(world.pilot, keys.key_text(tech), "inconnu", "technician")
    refused(world, world.export(tech), "succession_revoked")


def test_a_laptop_really_set_to_2036_is_told_to_set_its_date(tmp_path):
    """The technician's own commands run under faketime (the real clock of the process)."""
    import os
    import subprocess
    import sys

    world = World(tmp_path)
    tech = world.technician("tech1")
    code = world.pilot.get("halls", world.hall)["code"]
    out = tmp_path / "from-2036.vfb"
    env = {**os.environ, "FAKETIME_DONT_FAKE_MONOTONIC": "1"}
    for args in (("encode", code, "--outcome", "encoded"), ("bundle", "export", "--out", out)):
        done = subprocess.run(["faketime", "-f", "+3650d", sys.executable, "-m", "vigikfield",
                               "--db", str(tech.path), *map(str, args)],
                              capture_output=True, text=True, env=env, timeout=120)
        assert done.returncode == 0, done.stderr
    (stamp,) = sqlite3.connect(out).execute("SELECT max(hlc) FROM ops").fetchone()
    assert hlc.parse(stamp)[0] > time.time() * 1000 + 9 * 365 * 24 * 3600 * 1000  # really 2036
    error = refused(world, out, "clock_ahead")
    assert "Remettez la date et l'heure du portable" in str(error)
