"""Owner-only files: databases and their sidecars, keys, bundles, kept copies, crash logs.

Real files under a permissive umask (0o000: nothing is masked, so any mode
left to the default shows) and the usual 0o022. Labels are public and stay readable.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

import labels_territory as territory
import vigikfield_sync as sync
from sync_world import World
from vigikfield import cli as cli_module
from vigikfield.cli import build_cli
from vigikfield.domain import private
from vigikfield.domain.store import Store
from vigikfield_sync import keys

UMASKS = [0o000, 0o022]


def mode(path: Path | str) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture(params=UMASKS, ids=["umask000", "umask022"])
def umask(request):
    previous = os.umask(request.param)
    yield request.param
    os.umask(previous)


@pytest.fixture
def open_umask():
    """The most permissive umask: every mode vigikfield does not set itself shows as 0666/0777."""
    previous = os.umask(0o000)
    yield
    os.umask(previous)


def sidecars(path: Path) -> list[Path]:
    return [Path(f"{path}{s}") for s in ("-wal", "-shm")]


def test_sqlite_gives_wal_and_shm_the_database_files_mode(tmp_path, umask):
    """What the store relies on: a 0600 database gets 0600 sidecars, without our help."""
    db = tmp_path / "raw.db"
    private.touch(db)
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("CREATE TABLE t (x)")
    assert [mode(p) for p in [db, *sidecars(db)]] == [0o600] * 3
    conn.close()
    loose = tmp_path / "loose.db"  # and what happens without it
    conn = sqlite3.connect(loose, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("CREATE TABLE t (x)")
    assert {mode(p) for p in [loose, *sidecars(loose)]} == {0o644 & ~umask}
    conn.close()


def test_empty_owner_only_file_is_accepted_by_vacuum_into_and_keeps_its_mode(tmp_path, umask):
    mem = sqlite3.connect(":memory:")
    mem.execute("CREATE TABLE t (x)")
    mem.execute("INSERT INTO t VALUES (42)")
    mem.commit()
    target = tmp_path / "t.vfb"
    private.touch(target)
    mem.execute("VACUUM INTO ?", (str(target),))
    assert mode(target) == 0o600
    assert sqlite3.connect(target).execute("SELECT x FROM t").fetchall() == [(42,)]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.vfb"]


def test_new_store_database_sidecars_and_folders_are_owner_only(tmp_path, umask):
    tmp_path.chmod(0o755)
    db = tmp_path / "data" / "deeper" / "territory.db"
    store = Store(db)
    store.ensure_project("Melun")
    assert all(p.exists() for p in sidecars(db))  # WAL files exist while the store is open
    assert [mode(p) for p in [db, *sidecars(db)]] == [0o600] * 3
    assert mode(db.parent) == mode(db.parent.parent) == 0o700
    assert mode(tmp_path) == 0o755  # a folder we did not create is not ours to change
    store.close()


def test_existing_database_and_sidecars_are_tightened_at_open_silently(tmp_path, open_umask, capsys):
    db = tmp_path / "old.db"
    Store(db).close()
    db.chmod(0o666)
    holder = sqlite3.connect(db, isolation_level=None)  # an older process keeps loose sidecars
    holder.execute("CREATE TABLE kept_open (x)")
    for p in sidecars(db):
        p.chmod(0o666)
    store = Store(db)
    assert [mode(p) for p in [db, *sidecars(db)]] == [0o600] * 3
    assert store.conn.execute("SELECT count(*) FROM kept_open").fetchone() == (0,)
    assert capsys.readouterr() == ("", "")
    store.close()
    holder.close()


def test_read_only_database_stays_read_only(tmp_path):
    """Tightening only drops bits: a 0444 database becomes 0400, never writable."""
    db = tmp_path / "ro.db"
    Store(db).close()
    db.chmod(0o444)
    private.prepare_database(db)
    assert mode(db) == 0o400


def test_key_file_is_owner_only_and_a_loose_one_is_tightened(tmp_path, open_umask):
    store = Store(tmp_path / "k.db")
    key = keys.signing_key(store)
    path = keys.key_path(store)
    assert mode(path) == 0o600
    path.chmod(0o644)
    assert keys.signing_key(store).encode() == key.encode()
    assert mode(path) == 0o600
    store.close()


def test_bundles_work_orders_and_kept_copies_are_owner_only(tmp_path, umask):
    world = World(tmp_path / "w")
    tech = world.technician("tech1", confidential=True)
    pilot_copies = Path(f"{tech.path}.bundles")
    assert mode(pilot_copies) == 0o700
    (kept,) = pilot_copies.iterdir()
    assert mode(kept) == 0o600
    assert mode(world.root / "wo-tech1.vfb") == 0o600  # --include-confidential work order
    tech.update("halls", world.hall, {"notes": "B bis"})
    out = world.root / "day1.vfb"
    out.write_bytes(b"an older, world-readable file in the way")
    out.chmod(0o644)
    assert sync.export(tech, out).ops == 1
    assert mode(out) == 0o600
    received = Path(f"{world.pilot.path}.bundles")
    received.mkdir(mode=0o755)  # made loose by an older version
    received.chmod(0o755)
    (outcome,) = sync.merge_files(world.pilot, [out])
    assert outcome.error is None, outcome.error
    assert mode(received) == 0o700
    assert mode(outcome.receipt.path) == 0o600
    leftovers = [p.name for p in world.root.rglob("*") if p.name.endswith(".tmp")]
    assert leftovers == []


def test_labels_stay_readable_by_everyone(cli, store, tmp_path, umask):
    territory.build(store, 2)
    out = tmp_path / "labels.png"
    result = cli("labels", "--residence", "les oeillets", "--out", out)
    assert result.exit_code == 0, result.output
    labels = list((tmp_path / "labels").iterdir())
    assert len(labels) == 2
    assert all(mode(p) == 0o666 & ~umask for p in labels)
    assert all(mode(p) & 0o044 == 0o044 for p in labels)


def test_cli_default_database_and_bundles_are_owner_only(tmp_path, monkeypatch, open_umask):
    home = tmp_path / "fresh-home"
    monkeypatch.setenv("VIGIKFIELD_HOME", str(home))
    runner = CliRunner()
    result = runner.invoke(build_cli(), ["device", "show"])  # no --db: the default data folder
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert mode(home) == 0o700
    assert mode(home / "vigikfield.db") == mode(home / "vigikfield.db.key") == 0o600


def test_cli_bundle_commands_write_owner_only_files(tmp_path, cli, open_umask):
    world = World(tmp_path / "w")
    tech = world.technician("tech1")
    tech.update("halls", world.hall, {"notes": "B bis"})
    cli.db_path = tech.path
    out = tmp_path / "day1.vfb"
    assert cli("bundle", "export", "--out", out).exit_code == 0
    cli.db_path = world.pilot.path
    assert cli("bundle", "merge", out).exit_code == 0
    order = tmp_path / "wo.vfb"
    made = cli("bundle", "workorder", "--technician", "Ali", "--residence", "Plein Ciel",
               "--include-confidential", "--out", order)
    assert made.exit_code == 0, made.output
    received = Path(f"{world.pilot.path}.bundles")
    assert mode(received) == 0o700
    assert {mode(p) for p in [out, order, *received.iterdir()]} == {0o600}


def test_crash_log_is_owner_only(tmp_path, monkeypatch, open_umask):
    home = tmp_path / "logs-home"
    monkeypatch.setenv("VIGIKFIELD_HOME", str(home))

    @click.command()
    def broken() -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(cli_module, "build_cli", lambda: broken)
    with pytest.raises(SystemExit) as exited:
        cli_module.main([])
    assert exited.value.code == cli_module.EXIT_FAILED
    log = home / "crash.log"
    assert "RuntimeError: boom" in log.read_text(encoding="utf-8")
    assert mode(home) == 0o700 and mode(log) == 0o600
    log.chmod(0o644)
    with pytest.raises(SystemExit):
        cli_module.main([])
    assert mode(log) == 0o600
    assert log.read_text(encoding="utf-8").count("RuntimeError: boom") == 2


def test_a_file_in_the_way_of_the_database_folder_is_bad_input_not_a_crash(tmp_path, cli):
    in_the_way = tmp_path / "notes.txt"
    in_the_way.write_text("not a folder")
    cli.db_path = in_the_way / "sub" / "territory.db"
    result = cli("device", "show")
    assert result.exit_code == 2
    assert str(cli.db_path) in result.stderr
    assert not list(Path(os.environ["VIGIKFIELD_HOME"]).rglob("crash.log"))
