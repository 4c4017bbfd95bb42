"""`vigikfield encode`: the wizard's scriptable twin, same validation."""

from __future__ import annotations

import json

import tinyterritory
from vigikfield.domain import progress


def _code(store, ids, key):
    return store.get("halls", ids[key])["code"]


def _ops(store):
    return store.conn.execute("SELECT count(*) FROM ops").fetchone()[0]


def test_encoded_with_windows(store, cli):
    ids = tinyterritory.build(store)
    result = cli("encode", _code(store, ids, "al_a"), "--outcome", "encoded",
                 "--days", "Lu-Sa", "--window", "06:00-20:00", "--window", "22:00-02:00",
                 "--note", "par téléphone")
    assert result.exit_code == 0, result.output
    rows = {r.id: r.status for r in progress.hall_rows(store.conn, ids["alouettes"])}
    assert rows[ids["al_a"]] == "encoded"
    enc = store.conn.execute("SELECT days, windows, step, notes FROM encodings "
                             "WHERE hall_id = ?", (ids["al_a"],)).fetchone()
    assert enc[0] == "1111110" and json.loads(enc[1]) == [["06:00", "20:00"], ["22:00", "02:00"]]
    assert enc[2:] == ("done", "par téléphone")
    assert cli("journal", "verify").exit_code == 0


def test_failed_and_no_access_need_a_reason(store, cli):
    ids = tinyterritory.build(store)
    before = _ops(store)
    result = cli("encode", _code(store, ids, "al_a"), "--outcome", "failed")
    assert result.exit_code == 2 and "--reason" in result.output
    assert _ops(store) == before
    assert cli("encode", _code(store, ids, "al_a"), "--outcome", "failed",
               "--reason", "memory_full").exit_code == 0
    assert cli("encode", _code(store, ids, "al_b"), "--outcome", "no-access",
               "--reason", "gardien absent").exit_code == 0
    rows = {r.id: r.status for r in progress.hall_rows(store.conn, ids["alouettes"])}
    assert rows == {ids["al_a"]: "failed", ids["al_b"]: "no_access"}


def test_bad_input_writes_nothing(store, cli):
    ids = tinyterritory.build(store)
    code = _code(store, ids, "al_a")
    before = _ops(store)
    for args in (
        ["ZZZZZZZ", "--outcome", "encoded"],
        [code, "--outcome", "encoded", "--window", "06:00-12:00", "--window", "11:00-13:00"],
        [code, "--outcome", "encoded", "--window", "25:00-26:00"],
        [code, "--outcome", "encoded", "--window", "a", "--window", "b", "--window", "c",
         "--window", "d"],
        [code, "--outcome", "encoded", "--card", "0000-1111-2222-3333"],
    ):
        result = cli("encode", *args)
        assert result.exit_code == 2, (args, result.output)
        assert result.exception is None or isinstance(result.exception, SystemExit)
    assert _ops(store) == before


def test_incompatible(store, cli):
    ids = tinyterritory.build(store)
    assert cli("encode", _code(store, ids, "pc_2"), "--outcome", "incompatible").exit_code == 0
    assert store.get("halls", ids["pc_2"])["vigik"] == "incompatible"
