"""The op log's fast paths say exactly what the slow, obvious versions said.

Time-ordered op ids, one clock read a batch and the spelt-out hash are
speed-ups (bench/): these tests pin their behaviour, and the exact messages
of the state check, so that a faster check can be tried against them.
"""

from __future__ import annotations

import hashlib
import sqlite3
import uuid

from vigikfield.domain import hlc, journal
from vigikfield.domain.journal import Change
from vigikfield.domain.store import Store


def _reference_hash(prev_hash: str, op: tuple) -> str:
    """The definition in docs/bundle-format.md, written the obvious way."""
    text = "\x1f".join("" if v is None else str(v) for v in (prev_hash, *op[:11]))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_op_hash_matches_its_definition():
    ops = [
        ("id", "dev", 7, "0001732260000000.000001", "halls", "h", "label", '"Bât. é"',
         None, None, None),
        ("id", "dev", 8, "0001732260000000.000002", "halls", "h", "lat", "48.5",
         "base", "actor", "reason"),
        (None, "dev", 9, None, "halls", "h", "notes", None, None, "a", ""),  # forged
        ("id", "dev", 10, "s", "halls", "h", "x", "1", "b", "a", "r", "prev", "hash"),
    ]
    for op in ops:
        assert journal.op_hash("f" * 64, op) == _reference_hash("f" * 64, op)


def test_ticks_read_the_clock_once_and_never_repeat():
    first = list(hlc.ticks(None, 3, now_ms=1000))
    assert first == [(1000, 0), (1000, 1), (1000, 2)]
    last = hlc.encode(*first[-1])
    assert list(hlc.ticks(last, 2, now_ms=999)) == [(1000, 3), (1000, 4)]  # clock went back
    assert list(hlc.ticks(last, 1, now_ms=5000)) == [(5000, 0)]
    rolled = list(hlc.ticks(hlc.encode(7, 999_998), 3, now_ms=0))
    assert rolled == [(7, 999_999), (8, 0), (8, 1)]
    assert hlc.encode(*next(hlc.ticks(last, 1, now_ms=999))) == hlc.tick(last, now_ms=999)


def test_op_ids_are_uuid7_ordered_by_clock_and_unique():
    stamps = [(1_732_260_000_123, c) for c in range(0, 999_999, 997)] + [(1_732_260_000_124, 0)]
    ids = journal.op_ids(stamps)
    parsed = [uuid.UUID(i) for i in ids]
    assert [str(p) for p in parsed] == ids
    assert all(p.version == 7 and p.variant == uuid.RFC_4122 for p in parsed)
    assert all(p.int >> 80 == ms for p, (ms, _) in zip(parsed, stamps))
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    again = journal.op_ids(stamps)  # same clock on another device: the random tail differs
    assert not set(again) & set(ids)


def test_appended_ops_grow_in_id_and_clock(store):
    project = store.ensure_project("Perf")
    first = store.create("landlords", {"project_id": project, "name": "A", "phone": "01"})
    store.update("landlords", first, {"name": "B"})
    rows = store.conn.execute("SELECT op_id, hlc FROM ops ORDER BY seq").fetchall()
    assert [r[0] for r in rows] == sorted(r[0] for r in rows)
    assert [r[1] for r in rows] == sorted({r[1] for r in rows})
    (clock,) = store.conn.execute("SELECT hlc FROM device").fetchone()
    assert clock == rows[-1][1]
    assert journal.verify(store.conn) is None


def test_bases_name_the_op_each_edit_replaced(store):
    """Bases are looked up for many entities at once: each still gets its own."""
    a = store.create("landlords", {"name": "A", "phone": "01"})
    b = store.create("landlords", {"name": "B"})
    new = store.create("landlords", {"name": "C"})
    before = dict(store.conn.execute(
        "SELECT entity_id || '.' || field, op_id FROM ops WHERE entity = 'landlords'"))
    store.record([Change("landlords", a, "name", "A2"), Change("landlords", b, "name", "B2"),
                  Change("landlords", a, "phone", "02"), Change("landlords", b, "phone", "03"),
                  Change("landlords", new, "name", "C2", new=True)])
    bases = store.conn.execute(
        "SELECT entity_id || '.' || field, base FROM ops ORDER BY seq DESC LIMIT 5").fetchall()
    assert bases[::-1] == [(f"{a}.name", before[f"{a}.name"]), (f"{b}.name", before[f"{b}.name"]),
                           (f"{a}.phone", before[f"{a}.phone"]), (f"{b}.phone", None),
                           (f"{new}.name", None)]


def _world(store: Store) -> dict[str, str]:
    landlord = store.create("landlords", {"name": "Habitat 77"})
    commune = store.create("communes", {"name": "Melun", "insee": "77288"})
    residence = store.create("residences", {
        "name": "Les Mézereaux", "landlord_id": landlord, "commune_id": commune,
        "windows": {"windows": [["08:00", "12:00"]], "days": "1000000"}, "lat": 48.5, "dwellings": 3,
    })
    halls = [store.create("halls", {"residence_id": residence, "label": f"B{n}",
                                    "dwellings": 12}) for n in range(3)]
    return {"residence": residence, "hall": halls[1], "last_hall": halls[2]}


def _tamper(store: Store, sql: str, *params) -> journal.Problem | None:
    raw = sqlite3.connect(store.path)
    raw.execute(sql, params)
    raw.commit()
    raw.close()
    return journal.verify_state(store.conn)


def test_state_check_passes_what_the_replay_passes(store):
    world = _world(store)
    store.record([Change("halls", world["hall"], "notes", None)], reason="cleared")
    assert journal.verify_state(store.conn) is None
    # same value, other spelling: a float as text, an int as a real — replay says equal
    assert _tamper(store, "UPDATE residences SET lat = '48.5', dwellings = 3.0") is None


def test_state_check_names_the_first_bad_field(store):
    world = _world(store)
    hall, residence = world["hall"], world["residence"]
    # a number written into a TEXT column comes back as text: the replay never passed it
    # (the store refuses such a value: written here past its check, as a forged op would be)
    with store.transaction() as conn:
        journal.append(conn, store.device_id, [Change("halls", hall, "label", 5)], actor="x")
    problem = journal.verify_state(store.conn)
    assert (problem.key, problem.entity_id, problem.field, problem.values) == (
        "changed", hall, "label", {"have": "'5'", "want": "5"})
    store.record([Change("halls", hall, "label", "B1")])
    problem = _tamper(store, "UPDATE halls SET dwellings = CAST('12' AS BLOB) WHERE id = ?", hall)
    assert (problem.key, problem.field, problem.values) == (
        "changed", "dwellings", {"have": "b'12'", "want": "12"})
    problem = _tamper(store, "UPDATE halls SET notes = 'x', label = NULL WHERE id = ?",
                      world["last_hall"])
    assert problem.entity_id == hall  # rowid order: the first row is reported first
    _tamper(store, "UPDATE halls SET dwellings = 12 WHERE id = ?", hall)
    problem = journal.verify_state(store.conn)
    assert (problem.entity_id, problem.field, problem.values) == (
        world["last_hall"], "label", {"have": "None", "want": "'B2'"})
    # a parent is checked before its children; the same JSON, not spelt canonically
    problem = _tamper(store, "UPDATE residences SET windows = ? WHERE id = ?",
                      '{"days": "1000000", "windows": [["08:00", "12:00"]]}', residence)
    assert problem.entity == "residences" and problem.field == "windows"


def test_state_check_finds_rows_added_or_deleted_behind_the_back(store):
    world = _world(store)
    problem = _tamper(store, "INSERT INTO communes (id, name) VALUES ('zz', 'Ghost')")
    assert (problem.key, problem.entity, problem.entity_id) == ("added", "communes", "zz")
    _tamper(store, "DELETE FROM communes WHERE id = 'zz'")
    problem = _tamper(store, "DELETE FROM halls WHERE id IN (?, ?)",
                      world["hall"], world["last_hall"])
    first = min(world["hall"], world["last_hall"])
    assert (problem.key, problem.entity_id) == ("deleted", first)
