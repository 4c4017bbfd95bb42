"""Every bad bundle is refused with its reason, exit code 1, and the master left as it was."""

from __future__ import annotations

import shutil
import uuid
import sqlite3
from pathlib import Path

import pytest
import vigikfield_sync as sync
from sync_world import World, canonical, receipts_count
from vigikfield.domain import hlc
from vigikfield.domain.journal import op_hash
from vigikfield.domain.schema import SCHEMA_VERSION
from vigikfield.domain.store import Store
from vigikfield_sync import bundle, keys


def _edit(world: World, tech: Store, **fields) -> Path:
    tech.update("halls", world.hall, fields)
    return world.export(tech)


def _altered(src: Path, sql: str, params: tuple = ()) -> Path:
    out = src.with_name("altered-" + src.name)
    shutil.copyfile(src, out)
    conn = sqlite3.connect(out)
    conn.execute(sql, params)
    conn.commit()
    conn.close()
    return out


def truncated(world, tech):
    good = _edit(world, tech, notes="B1")
    out = good.with_name("truncated.vfb")
    out.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    return out


def not_sqlite(world, tech):
    out = world.root / "notes.vfb"
    out.write_text("hall B: 12 logements\n" * 50)
    return out


def no_manifest(world, tech):
    out = world.root / "plain.sqlite"
    conn = sqlite3.connect(out)
    conn.execute("CREATE TABLE halls (id TEXT)")
    conn.commit()
    conn.close()
    return out


def bad_signature(world, tech):
    good = _edit(world, tech, notes="B1")
    return _altered(good, "UPDATE manifest SET value = '2020-01-01' WHERE key = 'created_at'")


def unknown_key(world, tech):
    stranger = sync.prepare(Store(world.root / "stranger.db", actor="x"))
    stranger.conn.execute("UPDATE device SET project_id = ?", (world.pilot.project_id,))
    stranger.create("communes", {"name": "Dammarie"})
    return world.export(stranger)


def revoked_key(world, tech):
    path = _edit(world, tech, notes="B1")
    sync.trust_revoke(world.pilot, "tech1")
    return path


def op_altered(world, tech):
    good = _edit(world, tech, notes="B1")
    return _altered(good, "UPDATE ops SET value = '\"B9\"' WHERE field = 'notes'")


def op_altered_and_rehashed(world, tech):
    good = _edit(world, tech, notes="B1")
    conn = sqlite3.connect(good)
    row = conn.execute("SELECT * FROM ops WHERE field = 'notes'").fetchone()
    conn.close()
    forged = (*row[:7], '"B9"', *row[8:11])
    return _altered(good, "UPDATE ops SET value = ?, hash = ? WHERE op_id = ?",
                    ('"B9"', op_hash(row[11], forged), row[0]))


def _signed(world, tech, rows, **manifest) -> Path:
    path = world.root / "crafted.vfb"
    base = {"kind": "export", "project_id": world.pilot.project_id, "device_id": tech.device_id,
            "role": "technician", "schema_version": SCHEMA_VERSION, "created_at": "now"}
    bundle.write(path, rows, {**base, **manifest}, keys.signing_key(tech))
    return path


def _tech_rows(tech):
    return tech.conn.execute(
        "SELECT * FROM ops WHERE device_id = ? ORDER BY seq", (tech.device_id,)).fetchall()


def other_project(world, tech):
    tech.update("halls", world.hall, {"notes": "B1"})
    return _signed(world, tech, _tech_rows(tech), project_id="another-project")


def newer_schema(world, tech):
    tech.update("halls", world.hall, {"notes": "B1"})
    return _signed(world, tech, _tech_rows(tech), schema_version=SCHEMA_VERSION + 1)


def zero_ops(world, tech):
    return _signed(world, tech, [])


def chain_skip(world, tech):
    _edit(world, tech, notes="B1")  # day 1, never merged
    return _edit(world, tech, notes="B2")


def chain_break(world, tech):
    tech.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    twin_path = world.root / "twin.db"
    shutil.copyfile(tech.path, twin_path)
    shutil.copyfile(f"{tech.path}.key", f"{twin_path}.key")
    sync.merge_files(world.pilot, [_edit(world, tech, notes="B1")])
    twin = sync.prepare(Store(twin_path, actor="tech1"))
    return _edit(world, twin, notes="rewritten")  # same device, same seq, other content


def chain_gap_inside(world, tech):
    for label in ("B1", "B2", "B3"):
        tech.update("halls", world.hall, {"notes": label})
    rows = _tech_rows(tech)
    return _signed(world, tech, [rows[0], rows[2]])  # #2 left out


def dangling_reference(world, tech):
    """A well-signed, well-chained op pointing at a hall the pilot never had."""
    seq, prev = tech.conn.execute(
        "SELECT seq, hash FROM ops WHERE device_id = ? ORDER BY seq DESC LIMIT 1",
        (tech.device_id,)).fetchone() or (0, "0" * 64)
    stamp = hlc.tick(None)
    partial = (str(uuid.uuid4()), tech.device_id, seq + 1, stamp, "centrales",
               str(uuid.uuid4()), "hall_id", f'"{uuid.uuid4()}"', None, "tech1", None)
    return _signed(world, tech, [(*partial, prev, op_hash(prev, partial))])


CASES = {
    truncated: "truncated", not_sqlite: "not_sqlite", no_manifest: "no_manifest",
    bad_signature: "bad_signature", unknown_key: "untrusted_key", revoked_key: "revoked_key",
    op_altered: "op_altered", op_altered_and_rehashed: "digest_mismatch",
    other_project: "foreign_project", newer_schema: "newer_schema", zero_ops: "empty",
    chain_skip: "chain_skip", chain_break: "chain_break", chain_gap_inside: "chain_gap_inside",
    dangling_reference: "dangling",
}


@pytest.mark.parametrize("make", list(CASES), ids=[f.__name__ for f in CASES])
def test_bad_bundle_refused_master_unchanged(tmp_path, cli, make):
    world = World(tmp_path)
    tech = world.technician("tech1")
    path = make(world, tech)
    before, receipts = canonical(world.pilot), receipts_count(world.pilot)
    (outcome,) = sync.merge_files(world.pilot, [path])
    assert outcome.error is not None and outcome.error.key == CASES[make]
    assert str(outcome.error) and "sync.error" not in str(outcome.error)
    cli.db_path = world.pilot.path
    result = cli("bundle", "merge", path)
    assert result.exit_code == 1
    assert str(outcome.error).split(":")[0][:20] in result.output
    assert "Traceback" not in result.output
    assert canonical(world.pilot) == before
    assert receipts_count(world.pilot) == receipts
    assert not list((tmp_path / "pilot.db.bundles").glob("*.vfb")) or make in (chain_break, dangling_reference)


def test_same_bundle_twice_is_accepted_with_nothing_new(tmp_path, cli):
    world = World(tmp_path)
    path = _edit(world, world.technician("tech1"), notes="B1")
    cli.db_path = world.pilot.path
    assert cli("bundle", "merge", path).exit_code == 0
    before = canonical(world.pilot)
    again = cli("bundle", "merge", path, path)
    assert again.exit_code == 0
    assert again.output.count("0 opération(s) nouvelle(s)") == 2
    assert canonical(world.pilot) == before


def test_one_bad_bundle_does_not_stop_the_good_ones(tmp_path, cli):
    world = World(tmp_path)
    tech = world.technician("tech1")
    good = _edit(world, tech, notes="B1")
    bad = op_altered(world, world.technician("tech2"))
    cli.db_path = world.pilot.path
    result = cli("bundle", "merge", bad, good)
    assert result.exit_code == 1
    assert world.pilot.get("halls", world.hall)["notes"] == "B1"
    assert "1 lot(s) sur 2 refusé(s)" in result.output
