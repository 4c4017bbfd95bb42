"""Merge algebra (hypothesis): any bundles, any order, with repeats → one state, one conflict list."""

from __future__ import annotations

import itertools

import pytest
import vigikfield_sync as sync
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sync_world import World, canonical
from vigikfield.domain import journal
from vigikfield.domain.journal import Change

_names = itertools.count()


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """Three technicians, three days of concurrent work, incremental and cumulative bundles."""
    w = World(tmp_path_factory.mktemp("sync-world"))
    t1, t2, t3 = (w.technician(n) for n in ("tech1", "tech2", "tech3"))
    w.pilot.update("halls", w.hall, {"model": "M15"}, reason="recount by phone")
    incremental, cumulative = [], []
    t1.update("halls", w.hall, {"notes": "B1", "model": "M14"})
    t2.update("halls", w.hall, {"notes": "B2", "model": "M14"})
    new_centrale = t3.create("centrales", {"hall_id": w.hall2, "brand": "Urmet"})
    t3.update("halls", w.hall2, {"notes": "porte forcée"})
    incremental += [w.export(t) for t in (t1, t2, t3)]
    cumulative += [w.export(t, everything=True) for t in (t1, t3)]
    t1.update("halls", w.hall, {"notes": "B1 bis"})
    t1.create("encodings", {"hall_id": w.hall, "centrale_id": w.centrale, "outcome": "encoded"})
    t2.update("halls", w.hall2, {"notes": "RAS"})
    t3.update("centrales", w.centrale, {"capacity": 3000})
    t3.update("centrales", new_centrale, {"capacity": 6})
    incremental += [w.export(t) for t in (t1, t2, t3)]
    cumulative += [w.export(t, everything=True) for t in (t1, t2, t3)]
    t2.update("halls", w.hall2, {"notes": "porte forcée"})  # now agrees with tech3
    incremental.append(w.export(t2))
    cumulative.append(w.export(t2, everything=True))
    w.incremental, w.cumulative = incremental, cumulative
    reference = w.master_copy("reference")
    outcomes = sync.merge_files(reference, incremental + cumulative)
    assert all(o.error is None for o in outcomes)
    w.reference = canonical(reference)
    w.reference_conflicts = [(c.entity, c.entity_id, c.field, c.a.op_id, c.b.op_id)
                             for c in sync.list_conflicts(reference)]
    assert len(w.reference_conflicts) >= 2  # the scenario has real conflicts
    assert journal.verify(reference.conn) is None
    reference.close()
    return w


def _conflicts(store):
    return [(c.entity, c.entity_id, c.field, c.a.op_id, c.b.op_id)
            for c in sync.list_conflicts(store)]


PROPERTY = settings(max_examples=25, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow,
                                           HealthCheck.function_scoped_fixture])


@PROPERTY
@given(data=st.data())
def test_any_sequence_then_everything_gives_one_state(world, data):
    pool = world.incremental + world.cumulative
    picks = data.draw(st.lists(st.sampled_from(pool), min_size=1, max_size=10))
    master = world.master_copy(f"m{next(_names)}")
    try:
        for path in picks:
            sync.merge_files(master, [path])  # a bundle that skips ahead is refused, harmlessly
        assert journal.verify(master.conn) is None
        sync.merge_files(master, list(reversed(pool)))
        assert canonical(master) == world.reference
        assert _conflicts(master) == world.reference_conflicts
    finally:
        master.close()


@PROPERTY
@given(data=st.data())
def test_cumulative_bundles_commute_and_repeat(world, data):
    picks = data.draw(st.lists(st.sampled_from(world.cumulative), min_size=1, max_size=8))
    one_by_one = world.master_copy(f"a{next(_names)}")
    at_once = world.master_copy(f"b{next(_names)}")
    try:
        for path in picks:
            (outcome,) = sync.merge_files(one_by_one, [path])
            assert outcome.error is None
        sync.merge_files(at_once, sorted(set(picks)))
        assert canonical(one_by_one) == canonical(at_once)
        assert _conflicts(one_by_one) == _conflicts(at_once)
    finally:
        one_by_one.close()
        at_once.close()


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    """Bundles of allowed work and bundles that smuggle one forbidden op among allowed ones."""
    w = World(tmp_path_factory.mktemp("sync-mixed"))
    card = w.pilot.conn.execute("SELECT id FROM service_cards").fetchone()[0]
    smuggled = [
        Change("residences", w.residence, "site_level", 1),
        Change("service_cards", card, "status", "revoked"),
        Change("halls", w.hall, "label", "Z"),
        Change("landlords", w.landlord, "name", "Autre"),
    ]
    allowed, forbidden = [], []
    for n, bad in enumerate(smuggled):
        honest, thief = w.technician(f"honest{n}"), w.technician(f"thief{n}")
        honest.update("halls", w.hall, {"notes": f"vu {n}"})
        honest.update("centrales", w.centrale, {"capacity": 100 + n})
        allowed.append(w.export(honest))
        thief.update("halls", w.hall2, {"notes": f"volé {n}"})
        with thief.transaction() as conn:  # behind the store's back, as a thief would
            journal.append(conn, thief.device_id, [bad], actor=thief.actor)
        forbidden.append(w.export(thief))
        honest.update("halls", w.hall2, {"brand": f"B{n}"})
        allowed.append(w.export(honest))  # the honest chain goes on
    reference = w.master_copy("mixed-reference")
    assert all(o.error is None for o in sync.merge_files(reference, allowed))
    w.allowed, w.forbidden = allowed, forbidden
    w.reference = canonical(reference)
    reference.close()
    return w


@PROPERTY
@given(data=st.data())
def test_forbidden_bundles_never_change_the_state_beyond_the_allowed_ones(mixed, data):
    pool = mixed.allowed + mixed.forbidden
    picks = data.draw(st.lists(st.sampled_from(pool), min_size=1, max_size=12))
    master = mixed.master_copy(f"x{next(_names)}")
    try:
        for path in picks:
            (outcome,) = sync.merge_files(master, [path])
            if path in mixed.forbidden:
                assert outcome.error is not None and outcome.error.key == "forbidden_op"
        sync.merge_files(master, pool)  # everything, in any order: the forbidden ones refused
        assert canonical(master) == mixed.reference
        assert journal.verify(master.conn) is None
    finally:
        master.close()
