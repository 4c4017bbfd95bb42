"""The work-order list's statement has two forms (through the residence index, or one
pass over the halls): they give the same rows, to the name and the state, whichever
residences the orders name; `orders_sql` takes the pass once the orders name a
quarter of the residences, the index below."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest

from vigikfield.domain import demo
from vigikfield.domain import work_orders as wo
from vigikfield.domain.store import Store

TODAY = {"today": "2026-12-01"}


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("orders-forms") / "demo.db"
    store = Store(path)
    demo.ensure(store)
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    return path


@pytest.fixture
def pilot(demo_db, tmp_path) -> Store:
    path = tmp_path / "demo.db"
    shutil.copyfile(demo_db, path)
    store = Store(path)
    yield store
    store.close()


def _both(conn) -> tuple[list, list]:
    return (conn.execute(wo.ORDERS_BY[wo.BY_INDEX], TODAY).fetchall(),
            conn.execute(wo.ORDERS_BY[wo.BY_PASS], TODAY).fetchall())


def _share(conn) -> float:
    named = {r for (ids,) in conn.execute("SELECT residence_ids FROM work_orders")
             for r in json.loads(ids or "[]")}
    return len(named) / conn.execute("SELECT count(*) FROM residences").fetchone()[0]


def test_both_forms_give_the_same_rows_on_the_demo(pilot):
    conn = pilot.conn
    by_index, by_pass = _both(conn)
    assert len(by_index) == 4 and by_index == by_pass
    assert {row[3] for row in by_pass} >= {"late"}  # states are part of what is compared
    assert _share(conn) >= wo.PASS_FROM  # the demo's orders name a third of its residences
    assert wo.orders_sql(conn) == wo.ORDERS_BY[wo.BY_PASS]
    orders = wo.orders(conn, date(2026, 12, 1))
    assert [(o.id, o.halls, o.encoded, o.state) for o in orders] == \
        [(r[0], r[5], r[6], r[3]) for r in by_pass]


def test_few_residences_in_orders_go_through_the_index_with_the_same_rows(pilot):
    conn = pilot.conn
    few = [r for (r,) in conn.execute("SELECT id FROM residences ORDER BY id LIMIT 5")]
    # the demo's orders set aside for this connection: a TEMP table hides them
    conn.execute("CREATE TEMP TABLE work_orders AS SELECT * FROM main.work_orders WHERE 0")
    conn.execute("INSERT INTO temp.work_orders (id, technician, residence_ids, planned_date, "
                 "status) VALUES ('few', 'Zoé', json(?), '2026-11-02', 'issued')",
                 (json.dumps(few),))
    assert _share(conn) < wo.PASS_FROM
    assert wo.orders_sql(conn) == wo.ORDERS_BY[wo.BY_INDEX]
    by_index, by_pass = _both(conn)
    assert by_index == by_pass and len(by_index) == 1
    (order,) = wo.orders(conn, date(2026, 12, 1))
    marks = ", ".join("?" * len(few))
    halls, encoded = conn.execute(
        f"SELECT count(*), coalesce(sum(status = 'encoded'), 0) FROM hall_status "
        f"WHERE residence_id IN ({marks})", few).fetchone()
    assert (order.halls, order.encoded, order.residence_count) == (halls, encoded, 5)
    conn.execute("DROP TABLE temp.work_orders")
