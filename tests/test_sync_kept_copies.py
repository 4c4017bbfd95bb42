"""Kept copies: what a merge inserts is exactly what it verified, whatever lies in `<db>.bundles`."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import vigikfield_sync as sync
from sync_world import World, canonical
from vigikfield.domain import hlc, journal
from vigikfield.domain.schema import SCHEMA_VERSION
from vigikfield.domain.store import Store
from vigikfield_sync import bundle, keys
from vigikfield_sync.merge import INCOMING, received_dir


def _forged_copy(genuine: Path, target: Path, extra: list[tuple]) -> None:
    """A hand-made bundle at `target`: the genuine file with its first op rewritten (and
    re-hashed) plus `extra` ops. Its manifest and signature no longer fit: only a merge that
    trusted the file already in the folder would take it."""
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(genuine, target)
    conn = sqlite3.connect(target)
    row = conn.execute("SELECT * FROM ops ORDER BY device_id, seq LIMIT 1").fetchone()
    forged = (*row[:7], '"planted"', *row[8:11])
    conn.execute("UPDATE ops SET value = ?, hash = ? WHERE op_id = ?",
                 (forged[7], journal.op_hash(row[11], forged), row[0]))
    conn.executemany(f"INSERT INTO ops VALUES ({', '.join('?' * 13)})", extra)
    conn.commit()
    conn.close()
    assert target.read_bytes() != genuine.read_bytes()


def _extra_op(device_id: str, seq: int, prev: str, entity: str, entity_id: str, field: str,
              value: str) -> tuple:
    partial = (str(uuid.uuid4()), device_id, seq, hlc.tick(None), entity, entity_id, field,
               value, None, "intrus", None)
    return (*partial, prev, journal.op_hash(prev, partial))


def _only_copies_of_receipts(store: Store) -> None:
    """The received folder holds one `<sha256>.vfb` per receipt, and nothing else."""
    folder = received_dir(store)
    kept = {p.name for p in folder.iterdir()} if folder.exists() else set()
    assert kept == {Path(r.path).name for r in sync.receipts(store)}


def test_planted_file_does_not_replace_the_bundle_merged(tmp_path):
    world = World(tmp_path)
    tech = world.technician("tech1")
    tech.update("halls", world.hall, {"notes": "digicode HS"})
    genuine = world.export(tech)
    reference = world.master_copy("reference")
    (outcome,) = sync.merge_files(reference, [genuine])
    assert outcome.error is None, outcome.error

    master = world.master_copy("planted")
    sha = bundle.file_sha256(genuine)
    last = sqlite3.connect(genuine).execute(
        "SELECT seq, hash FROM ops ORDER BY seq DESC LIMIT 1").fetchone()
    planted = received_dir(master) / f"{sha}.vfb"
    _forged_copy(genuine, planted, [_extra_op(tech.device_id, last[0] + 1, last[1], "halls",
                                              world.hall, "dwellings", "999")])
    (outcome,) = sync.merge_files(master, [genuine])
    assert outcome.error is None, outcome.error
    assert outcome.receipt.new_ops == outcome.receipt.ops
    assert canonical(master) == canonical(reference)
    assert master.get("halls", world.hall)["notes"] == "digicode HS"
    assert master.get("halls", world.hall)["dwellings"] != 999
    assert journal.verify(master.conn) is None
    assert planted.read_bytes() == genuine.read_bytes()
    _only_copies_of_receipts(master)


def test_planted_file_does_not_replace_the_work_order_imported(tmp_path):
    world = World(tmp_path)
    fresh = sync.prepare(Store(tmp_path / "fresh.db", actor="tech9"))
    sync.trust_add(world.pilot, keys.key_text(fresh), "tech9", "technician")
    sync.trust_add(fresh, keys.key_text(world.pilot), "pilote", "pilot")
    order = tmp_path / "wo-tech9.vfb"
    sync.workorder(world.pilot, order, technician="tech9", residences=["Les Mézereaux"])
    fresh.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copyfile(fresh.path, tmp_path / "twin.db")
    twin = sync.prepare(Store(tmp_path / "twin.db", actor="tech9"))
    (outcome,) = sync.merge_files(twin, [order], "workorder")
    assert outcome.error is None, outcome.error

    # The planted copy adds the pilot's confidential site level and a residence the order left out.
    pilot_ops = world.pilot.conn.execute(
        "SELECT * FROM ops WHERE (entity = 'residences' AND field = 'site_level') "
        "OR entity_id = ?", (world.other_residence,)).fetchall()
    assert pilot_ops
    planted = received_dir(fresh) / f"{bundle.file_sha256(order)}.vfb"
    _forged_copy(order, planted, pilot_ops)
    (outcome,) = sync.merge_files(fresh, [order], "workorder")
    assert outcome.error is None, outcome.error
    assert canonical(fresh) == canonical(twin)
    assert fresh.get("residences", world.residence)["site_level"] is None
    assert fresh.get("residences", world.other_residence) is None
    assert journal.verify(fresh.conn) is None
    assert planted.read_bytes() == order.read_bytes()
    _only_copies_of_receipts(fresh)


def test_bundle_merged_again_replaces_a_copy_tampered_with_since(tmp_path):
    world = World(tmp_path)
    tech = world.technician("tech1")
    tech.update("halls", world.hall, {"notes": "vu"})
    genuine = world.export(tech)
    (first,) = sync.merge_files(world.pilot, [genuine])
    kept = Path(first.receipt.path)
    assert kept.read_bytes() == genuine.read_bytes()
    kept.write_bytes(b"not the bundle any more")
    (again,) = sync.merge_files(world.pilot, [genuine])
    assert again.error is None and again.receipt.new_ops == 0
    assert kept.read_bytes() == genuine.read_bytes()
    _only_copies_of_receipts(world.pilot)


def _altered(world: World, tech: Store) -> Path:
    tech.update("halls", world.hall, {"notes": "B1"})
    path = world.export(tech)
    conn = sqlite3.connect(path)
    conn.execute("UPDATE ops SET value = '\"B9\"' WHERE field = 'notes'")
    conn.commit()
    conn.close()
    return path


def _dangling(world: World, tech: Store) -> Path:
    """Refused inside the transaction (a centrale of a hall nobody has), after the copy was made."""
    seq, prev = tech.conn.execute(
        "SELECT seq, hash FROM ops WHERE device_id = ? ORDER BY seq DESC LIMIT 1",
        (tech.device_id,)).fetchone() or (0, journal.GENESIS)
    row = _extra_op(tech.device_id, seq + 1, prev, "centrales", str(uuid.uuid4()), "hall_id",
                    f'"{uuid.uuid4()}"')
    out = world.root / "dangling.vfb"
    bundle.write(out, [row], {
        "kind": "export", "project_id": world.pilot.project_id, "device_id": tech.device_id,
        "role": "technician", "schema_version": SCHEMA_VERSION, "created_at": "now"},
        keys.signing_key(tech))
    return out


@pytest.mark.parametrize("make", [_altered, _dangling], ids=["read", "transaction"])
def test_refused_bundle_leaves_no_copy(tmp_path, make):
    world = World(tmp_path)
    path = make(world, world.technician("tech1"))
    (outcome,) = sync.merge_files(world.pilot, [path])
    assert outcome.error is not None
    assert outcome.error.key == ("op_altered" if make is _altered else "dangling")
    assert received_dir(world.pilot).exists()  # the copy was made, verified, then removed
    _only_copies_of_receipts(world.pilot)


def test_copies_left_by_a_killed_merge_are_swept(tmp_path):
    world = World(tmp_path)
    tech = world.technician("tech1")
    tech.update("halls", world.hall, {"notes": "vu"})
    path = world.export(tech)
    folder = received_dir(world.pilot)
    folder.mkdir()
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True, timeout=60)
    stale = folder / f"{INCOMING}{gone.stdout.strip()}-abc.tmp"
    stale.write_bytes(b"half a copy")
    alive = folder / f"{INCOMING}1-xyz.tmp"  # pid 1 is always running
    alive.write_bytes(b"someone else's copy")
    (outcome,) = sync.merge_files(world.pilot, [path])
    assert outcome.error is None
    assert not stale.exists() and alive.exists()
