"""The work-order list reads each residence's counts from `residence_counts` (the
aggregate of hall_status the database keeps): a residence is done by
`lateness.DONE_COUNTS_SQL` exactly when DONE_SQL over its hall_status rows says so,
and the list's figures and states are those of straight SQL over hall_status —
after the demo's data, and after an encoding recorded since."""

from __future__ import annotations

import json
from datetime import date

import pytest

from vigikfield.domain import lateness
from vigikfield.domain import work_orders as wo
from vigikfield.domain.store import Store

TODAY = date(2026, 12, 1)


@pytest.fixture
def pilot(demo_store) -> Store:
    """The pilot's copy of the demo territory (conftest.demo_store)."""
    return demo_store


def _done_both_ways(conn) -> tuple[dict, dict]:
    over_halls = dict(conn.execute(
        f"SELECT hs.residence_id, {lateness.DONE_SQL} FROM hall_status hs "
        f"WHERE hs.residence_id IS NOT NULL GROUP BY hs.residence_id"))
    over_counts = dict(conn.execute(
        f"SELECT k.residence_id, {lateness.DONE_COUNTS_SQL} FROM residence_counts k "
        f"WHERE k.residence_id != ''"))
    return over_halls, over_counts


def _straight(conn, order_id: str) -> tuple[int, int, bool]:
    """(halls, encoded, every residence done) of an order, over hall_status."""
    (ids,) = conn.execute("SELECT residence_ids FROM work_orders WHERE id = ?",
                          (order_id,)).fetchone()
    ids = json.loads(ids)
    marks = ", ".join("?" * len(ids))
    halls, encoded = conn.execute(
        f"SELECT count(*), coalesce(sum(status = 'encoded'), 0) FROM hall_status "
        f"WHERE residence_id IN ({marks})", ids).fetchone()
    done = dict(conn.execute(
        f"SELECT hs.residence_id, {lateness.DONE_SQL} FROM hall_status hs "
        f"WHERE hs.residence_id IN ({marks}) GROUP BY hs.residence_id", ids))
    return halls, encoded, bool(ids) and all(done.get(r) for r in ids)


def _check_list(conn) -> list:
    found = wo.orders(conn, TODAY)
    for order in found:
        halls, encoded, done = _straight(conn, order.id)
        assert (order.halls, order.encoded) == (halls, encoded), order
        assert (order.state == "done") == (done and order.state != "closed"), order
    return found


def test_done_over_the_counts_is_done_over_the_halls(pilot):
    over_halls, over_counts = _done_both_ways(pilot.conn)
    assert over_counts == over_halls
    assert 0 < sum(over_halls.values()) < len(over_halls)  # some done, some not


def test_the_list_follows_an_encoding_recorded_since(pilot):
    conn = pilot.conn
    before = {o.id: o for o in _check_list(conn)}
    assert {o.state for o in before.values()} >= {"late"}
    # encode a pending hall of the first order's residences: the counts follow (triggers)
    order = next(iter(before.values()))
    (ids,) = conn.execute("SELECT residence_ids FROM work_orders WHERE id = ?",
                          (order.id,)).fetchone()
    marks = ", ".join("?" * len(json.loads(ids)))
    hall_id, centrale_id = conn.execute(
        f"SELECT hs.hall_id, c.id FROM hall_status hs JOIN centrales c ON c.hall_id = hs.hall_id "
        f"WHERE hs.residence_id IN ({marks}) AND hs.status IN ('to_check', 'compatible') "
        f"AND c.active = 1 LIMIT 1", json.loads(ids)).fetchone()
    pilot.create("encodings", {"hall_id": hall_id, "centrale_id": centrale_id,
                               "outcome": "encoded", "technician": "Zoé",
                               "encoded_at": "2026-11-30T10:00:00+00:00", "door_opened": 1})
    after = {o.id: o for o in _check_list(conn)}
    assert after[order.id].encoded == order.encoded + 1
    assert _done_both_ways(conn)[0] == _done_both_ways(conn)[1]
