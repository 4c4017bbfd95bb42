"""Migrations you can trust: frozen steps, SCHEMA_VERSION derived from them, and a
database made by the previous release upgraded with its data intact."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import tinyterritory
from vigikfield.domain import journal, progress, schema, status, wizard
from vigikfield.domain.model import ENTITIES, ORDER
from vigikfield.domain.store import Store

RELEASE1 = Path(__file__).parent / "data" / "release1.db"


# Columns later steps add (empty in an upgraded database: compared as they were).
ADDED = {"encodings": ("follows", "set_aside"),
         **{table: tuple(c.split()[0] for c in columns) for table, columns in schema.M007_FIELDS}}
ADDED["halls"] = (*ADDED["halls"], "retired", "vigik_plus", "last_maintenance")  # m008, m010


def _raw(path: Path) -> dict[str, list[tuple]]:
    conn = sqlite3.connect(path)
    try:
        dump = {}
        for t in ORDER:
            names = [n for n in _columns(conn, t) if n not in ADDED.get(t, ())]
            # a table a later step adds: absent before the upgrade, empty after it
            dump[t] = sorted(conn.execute(f"SELECT {', '.join(names)} FROM {t}")) if names else []
        dump["ops"] = sorted(conn.execute("SELECT * FROM ops"))
        dump["device"] = conn.execute("SELECT id, name, project_id, hlc FROM device").fetchall()
        return dump
    finally:
        conn.close()


def _schema(conn: sqlite3.Connection) -> list[tuple]:
    return sorted(conn.execute(
        "SELECT type, name, tbl_name, sql FROM sqlite_master "
        "WHERE name NOT LIKE 'sqlite_%' AND name != '_sqlite_migrations'"))


def _columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]


def _upgraded(tmp_path: Path) -> tuple[Path, Store]:
    copy = tmp_path / "release1.db"
    shutil.copyfile(RELEASE1, copy)
    return copy, Store(copy)


def test_release1_database_is_what_the_previous_release_left(tmp_path):
    conn = sqlite3.connect(f"file:{RELEASE1}?mode=ro", uri=True)
    try:
        steps = [r[0] for r in conn.execute("SELECT name FROM _sqlite_migrations ORDER BY rowid")]
        assert steps == ["m001_territory", "m002_wizard_steps"]
        assert not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'profile'").fetchone()
    finally:
        conn.close()


def test_upgrade_keeps_every_row_and_the_journal_stays_sound(tmp_path, cli):
    copy = tmp_path / "release1.db"
    shutil.copyfile(RELEASE1, copy)
    before = _raw(copy)
    store = Store(copy)
    steps = [r[0] for r in store.conn.execute("SELECT name FROM _sqlite_migrations ORDER BY rowid")]
    assert steps == [m.name for m in schema.migrations._migrations]
    assert journal.verify(store.conn) is None
    (halls,) = store.conn.execute("SELECT count(*) FROM halls").fetchone()
    assert halls == 7
    store.close()
    assert _raw(copy) == before  # same halls, same ops, same device and clock
    cli.db_path = copy
    result = cli("journal", "verify")
    assert result.exit_code == 0, result.output
    assert f"{len(before['ops'])} opérations" in result.output


def test_upgraded_schema_is_a_new_databases(tmp_path):
    _, old = _upgraded(tmp_path)
    new = Store(tmp_path / "new.db")
    assert _schema(old.conn) == _schema(new.conn)
    for table in ORDER:
        assert _columns(old.conn, table) == ["id", *ENTITIES[table]], table
    old.close()
    new.close()


def test_upgraded_statuses_follow_the_rule(tmp_path):
    """What the previous release said of these halls, and what the rule says now."""
    _, store = _upgraded(tmp_path)
    uid = tinyterritory.uid
    got = {key: status.of_hall(store.conn, uid(key)) for key in
           ("mez_a", "mez_b", "mez_c", "pc_1", "pc_2", "al_a", "al_b")}
    assert {k: v.status for k, v in got.items()} == {
        "mez_a": "encoded",
        "mez_b": "encoded",       # a later visit without access does not undo it (was no_access)
        "mez_c": "incompatible",
        "pc_1": "encoded",        # the later attempt by the op log (was failed: +14:00 text won)
        "pc_2": "no_access",
        "al_a": "encoded",
        "al_b": "failed",         # the door did not open (was encoded)
    }
    assert got["al_b"].rule == "door_failed"
    assert got["mez_b"].door_not_tested and not got["al_a"].door_not_tested
    # the visit stopped at the card step after a no-access one resumes at the card step
    assert wizard.open_hall(store, uid("pc_2")).step == "card"
    rows = {r.id: r for r in progress.hall_rows(store.conn, uid("plein_ciel"), store.own_devices())}
    assert rows[uid("pc_2")].step == "card"
    store.close()


def test_first_step_does_not_read_the_live_model(tmp_path, monkeypatch):
    monkeypatch.setitem(ENTITIES, "halls", {**ENTITIES["halls"], "colour": "TEXT"})
    store = Store(tmp_path / "fresh.db")
    assert "colour" not in _columns(store.conn, "halls")
    store.close()


def test_schema_version_counts_the_steps_that_change_what_ops_carry():
    assert schema.SCHEMA_VERSION == len(schema.REPLICATED) == 8
    names = [m.name for m in schema.migrations._migrations]
    assert schema.REPLICATED == [n for n in names if n in schema.REPLICATED]
    assert set(names) - set(schema.REPLICATED) == {"m003_profile", "m005_hall_status",
                                                   "m011_status_table", "m012_decisions_and_upkeep"}
