"""The demo territory: what `vigikfield demo --no-ui` creates, and that it is deterministic."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from vigikfield.cli import build_cli
from vigikfield.domain import demo, hallcode
from vigikfield.domain.model import ORDER
from vigikfield.domain.identity import fingerprint

INSEE = {"77288": "Melun", "77285": "Le Mée-sur-Seine", "77152": "Dammarie-lès-Lys",
         "77445": "Savigny-le-Temple", "77296": "Moissy-Cramayel"}


def _run(path: Path, *args: str):
    return CliRunner().invoke(build_cli(), ["--db", str(path), *args])


@pytest.fixture(scope="module")
def territory(tmp_path_factory) -> Path:
    """One demo database for the tests that only read it."""
    folder = tmp_path_factory.mktemp("demo")
    path = folder / "demo.db"
    with pytest.MonkeyPatch.context() as env:  # the user's own home stays untouched
        env.setenv("VIGIKFIELD_HOME", str(folder))
        result = _run(path, "demo", "--no-ui")
    assert result.exit_code == 0, result.output
    return path


@pytest.fixture
def conn(territory) -> sqlite3.Connection:
    connection = sqlite3.connect(f"file:{territory}?mode=ro", uri=True)
    yield connection
    connection.close()


def _one(conn: sqlite3.Connection, sql: str, *params) -> object:
    return conn.execute(sql, params).fetchone()[0]


def _dump(path: Path) -> dict[str, list[tuple]]:
    """Every entity table, rows ordered by id: the state, without the ops' own ids."""
    conn = sqlite3.connect(path)
    try:
        return {t: conn.execute(f"SELECT * FROM {t} ORDER BY id").fetchall() for t in ORDER}
    finally:
        conn.close()


def test_demo_creates_the_melun_territory(conn):
    assert dict(conn.execute("SELECT insee, name FROM communes")) == INSEE
    assert _one(conn, "SELECT count(*) FROM landlords") == 11
    assert _one(conn, "SELECT count(*) FROM landlords WHERE phone LIKE '01 64 __ __ __'") == 11
    assert _one(conn, "SELECT sum(dwellings) FROM halls") == 11_466
    assert _one(conn, "SELECT sum(dwellings) FROM residences") == 11_466
    assert _one(conn, """SELECT count(*) FROM residences r WHERE dwellings !=
                         (SELECT sum(dwellings) FROM halls WHERE residence_id = r.id)""") == 0
    assert 900 <= _one(conn, "SELECT count(*) FROM halls") <= 1100
    assert _one(conn, "SELECT count(*) FROM qpvs") == 8
    assert _one(conn, "SELECT count(*) FROM police_offices") == 8
    assert _one(conn, "SELECT count(*) FROM projects") == 1
    assert {r[0] for r in conn.execute("SELECT site_level FROM residences")} == {None, 1, 2, 3, 4}
    assert _one(conn, "SELECT count(*) FROM residences WHERE site_level IS NULL") > \
        _one(conn, "SELECT count(*) FROM residences") / 2
    vigik = dict(conn.execute("SELECT vigik, count(*) FROM halls GROUP BY vigik"))
    assert set(vigik) == {"compatible", "incompatible", "unknown"}
    assert vigik["compatible"] > vigik["unknown"] > 0 and vigik["incompatible"] > 0


def test_every_hall_has_a_valid_unique_code_and_compatible_ones_a_centrale(conn):
    codes = [r[0] for r in conn.execute("SELECT code FROM halls")]
    assert all(hallcode.is_valid(c) for c in codes) and len(set(codes)) == len(codes)
    assert _one(conn, """SELECT count(*) FROM halls h WHERE vigik != 'incompatible'
                         AND NOT EXISTS (SELECT 1 FROM centrales WHERE hall_id = h.id)""") == 0
    assert _one(conn, """SELECT count(*) FROM centrales c JOIN halls h ON h.id = c.hall_id
                         WHERE h.vigik = 'incompatible'""") == 0
    capacities = {r[0] for r in conn.execute(
        "SELECT capacity FROM centrales c JOIN halls h ON h.id = c.hall_id "
        "WHERE h.vigik = 'compatible'")}
    assert {255, 1000, 3000} <= capacities


def test_the_kit_s_five_service_cards_are_enrolled(conn):
    assert len(demo.DEMO_CARDS) == 5
    rows = conn.execute("""SELECT l.name, s.fingerprint, s.service, s.status
                           FROM service_cards s JOIN landlords l ON l.id = s.landlord_id""")
    enrolled = {(name, fp, service, status) for name, fp, service, status in rows}
    expected = set()
    for card in demo.DEMO_CARDS:
        assert card["fingerprint"] == fingerprint(bytes.fromhex(card["atr"]),
                                                  bytes.fromhex(card["uid"]))
        expected.add((card["landlord"], card["fingerprint"], "Police — code inter-bailleurs",
                      "active"))
    assert enrolled == expected


def test_a_campaign_is_in_progress(conn):
    outcomes = dict(conn.execute("SELECT outcome, count(*) FROM encodings GROUP BY outcome"))
    compatible = _one(conn, "SELECT count(*) FROM halls WHERE vigik = 'compatible'")
    assert 0.2 * compatible <= outcomes["encoded"] <= 0.3 * compatible
    assert 0 < outcomes["failed"] < outcomes["encoded"] / 4
    assert 0 < outcomes["no_access"] < outcomes["encoded"] / 4
    reasons = {r[0] for r in conn.execute(
        "SELECT failure_reason FROM encodings WHERE outcome = 'failed'")}
    assert reasons <= {"memory_full", "card_refused", "unreachable"} and reasons
    # an encoding uses the card of the hall's landlord, in an authorised residence
    assert _one(conn, """SELECT count(*) FROM encodings e
        JOIN halls h ON h.id = e.hall_id JOIN residences r ON r.id = h.residence_id
        JOIN centrales c ON c.id = e.centrale_id AND c.hall_id = h.id
        JOIN service_cards s ON s.fingerprint = e.card_fingerprint
        WHERE e.outcome = 'encoded' AND s.landlord_id = r.landlord_id
          AND r.authorized_by IS NOT NULL AND e.days IS NOT NULL
          AND e.door_opened = 1 AND e.label_attached = 1
          AND e.encoded_at BETWEEN '2026-10-01' AND '2026-12-01'""") == outcomes["encoded"]
    windows = {r[0] for r in conn.execute(
        "SELECT windows FROM encodings WHERE outcome = 'encoded'")}
    assert json.dumps([["00:00", "24:00"]], separators=(",", ":")) in windows
    orders = conn.execute("SELECT technician, residence_ids FROM work_orders").fetchall()
    assert len(orders) == len({t for t, _ in orders}) == _one(
        conn, "SELECT count(DISTINCT technician) FROM encodings")
    assert all(json.loads(ids) for _, ids in orders)


def test_running_demo_twice_changes_nothing(cli):
    assert cli("demo", "--no-ui").exit_code == 0
    conn = sqlite3.connect(cli.db_path)
    before = _one(conn, "SELECT count(*) FROM ops")
    state = _dump(cli.db_path)
    again = cli("demo", "--no-ui")
    assert again.exit_code == 0 and "déjà présent" in again.output
    assert _one(conn, "SELECT count(*) FROM ops") == before
    assert _dump(cli.db_path) == state


def test_two_fresh_databases_hold_the_same_territory(territory, cli):
    assert cli("demo", "--no-ui").exit_code == 0
    first, second = _dump(territory), _dump(cli.db_path)
    assert first == second
    assert len(first["halls"]) > 0


def test_journal_is_sound_after_the_demo(territory):
    result = _run(territory, "journal", "verify")
    assert result.exit_code == 0, result.output


def test_search_finds_a_demo_hall_by_its_code_first(territory, conn):
    code = _one(conn, "SELECT code FROM halls ORDER BY id LIMIT 1")
    for typed in (code, code.lower(), f"{code[:3]}-{code[3:]}"):
        result = _run(territory, "search", typed)
        assert result.exit_code == 0, result.output
        assert result.output.splitlines()[0].split("\t")[0] == code
    result = _run(territory, "search", "dammarie les lys")
    assert result.exit_code == 0
    assert all("Dammarie-lès-Lys" in line for line in result.output.splitlines())
