"""The large-scale generator's own paths (generated communes, landlords, cards,
technicians), exercised at a small size: the real idf scale belongs to bench/."""

from __future__ import annotations

import pytest

from vigikfield.domain import demo, hallcode, journal
from vigikfield.domain.demo import Scale

SMALL_IDF = Scale(halls=3_000, dwellings=33_333, communes=60, landlords=40, qpvs=20,
                  police_offices=25, technicians=7, per_site_level=2)


def _one(store, sql: str) -> object:
    return store.conn.execute(sql).fetchone()[0]


def test_a_small_idf_like_territory_is_whole_and_sound(store):
    assert demo.ensure(store, SMALL_IDF) is True
    assert demo.counts(store) == {
        "landlords": 40, "communes": 60, "halls": 3_000, "dwellings": 33_333,
        "residences": _one(store, "SELECT count(*) FROM residences"),
    }
    assert _one(store, "SELECT count(DISTINCT insee) FROM communes") == 60
    assert _one(store, "SELECT count(DISTINCT name) FROM landlords") == 40
    assert _one(store, "SELECT count(*) FROM qpvs") == 20
    assert _one(store, "SELECT count(DISTINCT name) FROM police_offices") == 25
    # the kit's five cards, then one per other landlord
    assert _one(store, "SELECT count(DISTINCT landlord_id) FROM service_cards") == 40
    assert _one(store, "SELECT count(*) FROM work_orders") == 7
    assert _one(store, "SELECT count(DISTINCT technician) FROM encodings") == 7
    assert _one(store, "SELECT min(dwellings) FROM halls") >= 2
    assert _one(store, """SELECT count(*) FROM residences r WHERE dwellings !=
                          (SELECT sum(dwellings) FROM halls WHERE residence_id = r.id)""") == 0
    codes = [r[0] for r in store.conn.execute("SELECT code FROM halls")]
    assert len(set(codes)) == 3_000 and all(hallcode.is_valid(c) for c in codes)
    assert journal.verify(store.conn) is None
    assert demo.ensure(store, SMALL_IDF) is False


def test_an_unknown_scale_is_refused(store):
    with pytest.raises(ValueError, match="planet"):
        demo.ensure(store, "planet")
    assert _one(store, "SELECT count(*) FROM ops") == 0
