"""Closing a work order: C on the TUI's list (confirmed, the pilot's), and
`vigikfield workorder close ID` / `workorder list`. Either way an op of the journal,
the order no longer makes its residences late, and any other profile is refused
with nothing written; an unknown id is exit 2."""

from __future__ import annotations

import json
from datetime import date

from textual.widgets import DataTable, OptionList

import tinyterritory
from conftest import Cli
from tui_wait import settle, until
from vigikfield.domain import lateness
from vigikfield.domain.store import Store
from vigikfield.screens.dialogs import ChoiceDialog
from vigikfield.screens.work_orders import WorkOrdersScreen
from vigikfield.tui import make_app

TODAY = date(2026, 12, 1)
KARIM, ZOE = tinyterritory.uid("wo1"), tinyterritory.uid("wo2")


def _territory(store: Store) -> dict[str, str]:
    """The tiny territory with two open orders: Karim's, late (20 November), and Zoé's."""
    ids = tinyterritory.build(store)
    store.create("work_orders", {
        "project_id": store.project_id, "technician": "Karim", "planned_date": "2026-11-20",
        "residence_ids": [ids["mezereaux"], ids["plein_ciel"]], "status": "issued",
    }, entity_id=KARIM)
    store.create("work_orders", {
        "project_id": store.project_id, "technician": "Zoé", "planned_date": "2027-01-11",
        "residence_ids": [ids["alouettes"]], "status": "issued",
    }, entity_id=ZOE)
    return ids


def _status(store: Store, order_id: str) -> str:
    return store.conn.execute("SELECT status FROM work_orders WHERE id = ?",
                              (order_id,)).fetchone()[0]


def _ops(store: Store) -> int:
    return store.conn.execute("SELECT count(*) FROM ops").fetchone()[0]


async def _list(pilot) -> WorkOrdersScreen:
    app = pilot.app
    await settle(pilot)
    app.push_screen(WorkOrdersScreen(today=TODAY))
    await until(pilot, lambda: isinstance(app.screen, WorkOrdersScreen)
                and app.screen.query_one("#orders", DataTable).row_count == 2)
    return app.screen


def _states(screen: WorkOrdersScreen) -> list[str]:
    table = screen.query_one("#orders", DataTable)
    return [str(table.get_row_at(i)[4]) for i in range(table.row_count)]


async def _answer(pilot, choice: str) -> None:
    app = pilot.app
    await until(pilot, lambda: isinstance(app.screen, ChoiceDialog))
    options = app.screen.query_one(OptionList)
    options.highlighted = options.get_option_index(choice)
    await pilot.press("enter")
    await settle(pilot)


async def test_c_closes_the_highlighted_order_once_confirmed_as_an_op(store, db_path):
    _territory(store)
    assert [r.planned_date for r in lateness.late_residences(store.conn, TODAY)] == \
        ["2026-11-20", "2026-11-20"]
    app = make_app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _list(pilot)
        assert _states(screen) == ["en retard", "émis"]
        await pilot.press("c")
        await until(pilot, lambda: isinstance(app.screen, ChoiceDialog))
        assert "Karim" in app.screen.question and "20/11/2026" in app.screen.question
        before = _ops(store)
        await _answer(pilot, "no")  # kept open: nothing written
        assert isinstance(app.screen, WorkOrdersScreen) and _ops(store) == before
        await pilot.press("c")
        await _answer(pilot, "yes")
        await until(pilot, lambda: _states(screen) == ["clos", "émis"])
        assert any("clos" in n.message for n in app._notifications)
        # closed already: said, nothing asked, nothing written
        after = _ops(store)
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, WorkOrdersScreen) and _ops(store) == after
        assert any("déjà clos" in n.message for n in app._notifications)
    assert _status(store, KARIM) == "closed" and _status(store, ZOE) == "issued"
    (op,) = store.conn.execute(
        "SELECT field, value, actor, reason FROM ops WHERE entity = 'work_orders' "
        "AND entity_id = ? AND field = 'status' ORDER BY hlc DESC LIMIT 1", (KARIM,)).fetchall()
    assert op[:2] == ("status", json.dumps("closed"))
    assert op[3] == "reason.work_order_closed"
    # a closed order makes nobody late any more (the one definition of lateness)
    assert lateness.late_residences(store.conn, TODAY) == []


async def test_another_profile_cannot_close_an_order_from_the_list(store):
    _territory(store)
    store.set_profile(role="technician")
    before = _ops(store)
    app = make_app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await _list(pilot)
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, WorkOrdersScreen)
        shown = [n.message for n in app._notifications]
        assert any("Le profil technicien ne peut pas modifier" in m for m in shown), shown
    assert _ops(store) == before and _status(store, KARIM) == "issued"


def test_workorder_close_on_the_cli(store, cli: Cli):
    _territory(store)
    listed = json.loads(cli("workorder", "list", "--today", "2026-12-01", "--json").stdout)
    assert [(o["id"], o["technician"], o["state"]) for o in listed] == \
        [(KARIM, "Karim", "late"), (ZOE, "Zoé", "issued")]
    table = cli("workorder", "list", "--today", "2026-12-01")
    assert table.exit_code == 0 and table.stdout.splitlines()[0].startswith(KARIM[:8] + "\t")
    before = _ops(store)
    # an unknown id: exit 2, said, nothing written
    unknown = cli("workorder", "close", "nope")
    assert unknown.exit_code == 2 and "Aucun ordre de mission « nope »" in unknown.stderr
    assert _ops(store) == before
    # the first 8 characters, as listed, will do
    done = cli("workorder", "close", KARIM[:8], "--reason", "fin de la tournée")
    assert done.exit_code == 0, done.output
    assert done.stdout.strip() == f"Ordre de mission {KARIM[:8]} (Karim, 20/11/2026) clos."
    assert _status(store, KARIM) == "closed" and _ops(store) == before + 1
    reason = store.conn.execute("SELECT reason FROM ops WHERE entity = 'work_orders' "
                                "AND field = 'status' AND entity_id = ? ORDER BY hlc DESC",
                                (KARIM,)).fetchone()[0]
    assert reason == "fin de la tournée"
    again = cli("workorder", "close", KARIM)
    assert again.exit_code == 0 and "déjà clos" in again.stdout and _ops(store) == before + 1
    listed = json.loads(cli("workorder", "list", "--json").stdout)
    assert [o["state"] for o in listed] == ["closed", "issued"]


def test_workorder_close_is_the_pilots(store, cli: Cli):
    _territory(store)
    store.set_profile(role="technician")
    before = _ops(store)
    refused = cli("workorder", "close", ZOE)
    assert refused.exit_code == 2 and "Traceback" not in refused.output
    assert "Le profil technicien ne peut pas modifier" in refused.stderr
    assert _ops(store) == before and _status(store, ZOE) == "issued"


async def test_the_list_reads_its_orders_once_when_it_opens(store, monkeypatch):
    """At 130,000 halls a read is half a second of SQL on the app's connection: the
    mount and the resume of the first showing share one."""
    from vigikfield.domain import work_orders

    _territory(store)
    reads = []
    real = work_orders.orders
    monkeypatch.setattr(work_orders, "orders", lambda *a, **k: reads.append(1) or real(*a, **k))
    app = make_app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+o")
        await until(pilot, lambda: isinstance(app.screen, WorkOrdersScreen)
                    and app.screen.query_one("#orders", DataTable).row_count == 2)
        await settle(pilot)
        assert len(reads) == 1
        await pilot.press("c")  # a change read again once, after it is written
        await _answer(pilot, "yes")
        await until(pilot, lambda: _states(app.screen)[0] == "clos")
        assert len(reads) == 2


def test_an_id_beginning_two_orders_is_refused_naming_them(store, cli: Cli):
    """Two orders whose ids begin alike: a beginning both share is exit 2, naming both,
    nothing written; one more character picks one."""
    ids = tinyterritory.build(store)
    first, second = "5e1f0c00-aaaa-4000-8000-000000000001", "5e1f0c00-bbbb-4000-8000-000000000002"
    for oid, who in ((first, "Karim"), (second, "Zoé")):
        store.create("work_orders", {
            "project_id": store.project_id, "technician": who, "planned_date": "2026-11-20",
            "residence_ids": [ids["mezereaux"]], "status": "issued"}, entity_id=oid)
    before = _ops(store)
    shared = cli("workorder", "close", first[:8])
    assert shared.exit_code == 2 and "plusieurs ordres de mission" in shared.stderr
    # named by the beginnings that tell them apart
    assert f"({first[:10]}, {second[:10]})" in shared.stderr and "Traceback" not in shared.output
    assert _ops(store) == before and _status(store, first) == _status(store, second) == "issued"
    # the SQL wildcards of LIKE are plain characters here
    assert cli("workorder", "close", "5e1f0c00_").exit_code == 2
    assert cli("workorder", "close", "%").exit_code == 2 and _ops(store) == before
    picked = cli("workorder", "close", first[:10])
    assert picked.exit_code == 0 and _status(store, first) == "closed"
    assert _status(store, second) == "issued"
