"""The demo territory's readers: Vigik Plus readiness and maintenance dates drawn with
their own generator, so every other field of the territory is as before."""

from __future__ import annotations

import sqlite3
from datetime import date

from vigikfield.domain import demo, upkeep
from vigikfield.domain.model import ENTITIES, ORDER
from vigikfield.domain.store import Store

UPKEEP = ("vigik_plus", "last_maintenance")


def _state(path) -> dict[str, list[tuple]]:
    """Every entity's fields but the two drawn here, rows ordered by id."""
    conn = sqlite3.connect(path)
    try:
        out = {}
        for table in ORDER:
            columns = ["id", *(c for c in ENTITIES[table] if c not in UPKEEP)]
            out[table] = conn.execute(
                f"SELECT {', '.join(columns)} FROM {table} ORDER BY id").fetchall()
        return out
    finally:
        conn.close()


def _demo(path) -> Store:
    store = Store(path)
    assert demo.ensure(store)
    return store


def test_the_demo_draws_readiness_and_maintenance_apart(tmp_path, monkeypatch):
    store = _demo(tmp_path / "with.db")
    today = demo.CAMPAIGN_START
    figures = upkeep.territory(store.conn, today)
    assert 0 < figures.ready < figures.halls and figures.not_ready and figures.unknown
    assert figures.overdue and figures.up_to_date and figures.never
    latest = store.conn.execute("SELECT max(last_maintenance) FROM halls").fetchone()[0]
    assert date.fromisoformat(latest) <= today
    store.close()
    with monkeypatch.context() as patch:  # the same territory without the readers' upkeep
        patch.setattr(demo._Builder, "upkeep", lambda self: None)
        _demo(tmp_path / "without.db").close()
    assert _state(tmp_path / "with.db") == _state(tmp_path / "without.db")
    bare = sqlite3.connect(tmp_path / "without.db")
    assert bare.execute("SELECT count(*) FROM halls WHERE vigik_plus IS NOT NULL "
                        "OR last_maintenance IS NOT NULL").fetchone() == (0,)
    bare.close()
