"""Every bad bundle is refused with its reason, exit code 1, and the master left as it was."""

from __future__ import annotations

import shutil
import uuid
import sqlite3
from pathlib import Path

import pytest
import vigikfield_sync as sync
from sync_world import World, canonical, receipts_count
from vigikfield.domain import hlc, journal
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


def chain_break_past_our_head(world, tech):
    """A cumulative bundle whose ops up to our head are another history, going past it."""
    tech.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    twin_path = world.root / "twin.db"
    shutil.copyfile(tech.path, twin_path)
    shutil.copyfile(f"{tech.path}.key", f"{twin_path}.key")
    sync.merge_files(world.pilot, [_edit(world, tech, notes="B1")])
    twin = sync.prepare(Store(twin_path, actor="tech1"))
    twin.update("halls", world.hall, {"notes": "rewritten"})
    twin.update("halls", world.hall, {"notes": "and more"})
    return world.export(twin, everything=True)


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
    chain_skip: "chain_skip", chain_break: "chain_break",
    chain_break_past_our_head: "chain_break", chain_gap_inside: "chain_gap_inside",
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
    folder = tmp_path / "pilot.db.bundles"  # a copy per receipt, none of a refused file
    kept = {p.name for p in folder.iterdir()} if folder.exists() else set()
    assert kept == {Path(r.path).name for r in sync.receipts(world.pilot)}


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


def _manifest_blob(world, tech):
    """A manifest value that is not text at all (a BLOB): nothing the format foresees."""
    good = _edit(world, tech, notes="B1")
    return _altered(good, "UPDATE manifest SET value = X'00ff' WHERE key = 'created_at'")


def _key_not_hex(world, tech):
    good = _edit(world, tech, notes="B1")
    return _altered(good, "UPDATE manifest SET value = 'zz' WHERE key = 'public_key'")


def _not_json(world, tech):
    tech.update("halls", world.hall, {"notes": "B1"})
    rows = _tech_rows(tech)
    partial = (*rows[-1][:7], "{not json", *rows[-1][8:11])
    return _signed(world, tech, [*rows[:-1], (*partial, rows[-1][11], op_hash(rows[-1][11], partial))])


def _ops_without_columns(world, tech):
    good = _edit(world, tech, notes="B1")
    out = _altered(good, "DROP TABLE ops")
    conn = sqlite3.connect(out)
    conn.execute("CREATE TABLE ops (op_id TEXT)")
    conn.execute("INSERT INTO ops VALUES ('x')")
    conn.commit()
    conn.close()
    return out


def test_bad_files_in_the_middle_are_refused_one_by_one_and_the_rest_merged(tmp_path, cli):
    world = World(tmp_path)
    goods, bads = [], []
    for n, make in enumerate((not_sqlite, _manifest_blob, _key_not_hex, _not_json,
                              _ops_without_columns), 1):
        tech = world.technician(f"tech{n}")
        bad = make(world, tech)
        bads.append(bad.rename(bad.with_name(f"bad{n}-{bad.name}")))
        other = world.technician(f"other{n}")
        other.update("halls", world.hall2, {"notes": f"vu {n}"})
        goods.append(world.export(other))
    files = [goods[0], *[p for pair in zip(bads, goods[1:] + [None]) for p in pair if p]]
    cli.db_path = world.pilot.path
    result = cli("bundle", "merge", *files, lang="en")
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    for text in ("Traceback", "Unexpected error", "Erreur inattendue"):
        assert text not in result.output
    lines = result.output.splitlines()
    for bad in bads:
        assert len([line for line in lines if line.startswith(f"{bad}: refused.")]) == 1, bad
    for good in goods:
        assert len([line for line in lines if line.startswith(f"{good}: accepted")]) == 1, good
    assert f"{len(bads)} of {len(files)}" in result.output
    assert journal.verify(world.pilot.conn) is None


def test_any_failure_of_one_file_is_its_refusal(tmp_path):
    world = World(tmp_path)
    techs = [world.technician(f"tech{n}") for n in range(3)]
    paths = []
    for tech in techs:
        tech.update("halls", world.hall, {"notes": tech.actor})
        paths.append(world.export(tech))
    broken = techs[1].device_id

    def checker(manifest):
        if manifest["device_id"] != broken:
            return None

        def check(row):
            raise RuntimeError("a check that breaks")  # no SyncError: an unforeseen failure

        return check

    outcomes = {o.path: o for o in sync.merge_files(world.pilot, paths, checker=checker)}
    assert outcomes[paths[1]].error.key == "bad_content"
    assert "RuntimeError" in str(outcomes[paths[1]].error)
    assert [outcomes[p].error for p in (paths[0], paths[2])] == [None, None]
    assert {p.name for p in (tmp_path / "pilot.db.bundles").iterdir()} == {
        Path(outcomes[p].receipt.path).name for p in (paths[0], paths[2])}


def test_overlap_with_a_chain_held_in_part_is_refused(tmp_path):
    """A work order gave the technician part of the pilot's chain: a bundle overlapping the
    gaps cannot be checked against what is missing, so it is refused, never half merged."""
    world = World(tmp_path)
    tech = world.technician("tech1")
    seqs = [r[0] for r in tech.conn.execute(
        "SELECT seq FROM ops WHERE device_id = ? ORDER BY seq", (world.pilot.device_id,))]
    assert len(seqs) < seqs[-1]  # gaps: the other residence and its hall were left out
    everything = tmp_path / "pilot-all.vfb"
    sync.export(world.pilot, everything, everything=True)
    before = canonical(tech)
    (outcome,) = sync.merge_files(tech, [everything])
    assert outcome.error is not None and outcome.error.key == "chain_break"
    assert canonical(tech) == before
