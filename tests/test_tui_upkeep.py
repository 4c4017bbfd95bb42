"""The maintenance checklist screen shows and edits the reader's Vigik Plus readiness and
last yearly maintenance (each change with its reason; a bad date writes nothing)."""

from __future__ import annotations

import json

from test_tui_checklist import _answer, _type, code_of, maintenance_store
from tui_wait import settle, until
from vigikfield.screens.checklist import ChecklistHallScreen
from vigikfield.screens.dialogs import ChoiceDialog
from vigikfield.tui import make_app


async def _pick(pilot, option: str) -> None:
    await until(pilot, lambda: isinstance(pilot.app.screen, ChoiceDialog))
    options = pilot.app.screen.query_one("#choices")
    options.highlighted = [o.id for o in options.options].index(option)
    await pilot.press("enter")
    await settle(pilot)


def _ops(store) -> int:
    return store.conn.execute("SELECT count(*) FROM ops").fetchone()[0]


async def test_the_checklist_edits_vigik_plus_and_the_last_maintenance(tmp_path):
    store, ids = maintenance_store(tmp_path / "m.db")
    app = make_app(store)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+l")
        await settle(pilot)
        await _type(pilot, code_of(store, ids["mez_a"]))
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ChecklistHallScreen))
        facts = app.screen.query_one("#checklist-facts")
        assert "Vigik Plus : inconnu" in str(facts.render())
        assert "jamais relevé" in str(facts.render())
        # readiness: a choice, then the reason
        await pilot.press("e")
        await _pick(pilot, "vigik_plus")
        await _pick(pilot, "yes")
        await _answer(pilot, "contrat")
        assert store.get("halls", ids["mez_a"])["vigik_plus"] == 1
        # a date that does not exist: refused, nothing written
        before = _ops(store)
        await pilot.press("e")
        await _pick(pilot, "last_maintenance")
        await _answer(pilot, "2024-02-30")
        await _answer(pilot, "visite")
        assert _ops(store) == before
        assert any("2024-02-30" in str(n.message) for n in app._notifications)
        # the leap day: written, shown with its due date (28 February)
        await pilot.press("e")
        await _pick(pilot, "last_maintenance")
        await _answer(pilot, "2024-02-29")
        await _answer(pilot, "visite annuelle")
        assert store.get("halls", ids["mez_a"])["last_maintenance"] == "2024-02-29"
        (actor, reason) = store.conn.execute(
            "SELECT actor, reason FROM ops WHERE field = 'last_maintenance' "
            "ORDER BY rowid DESC LIMIT 1").fetchone()
        assert (actor, reason) == ("Mme Martin", "visite annuelle")
        shown = str(app.screen.query_one("#checklist-facts").render())
        assert "prêt" in shown and "29/02/2024" in shown and "28/02/2025" in shown


async def test_the_dashboard_line_says_the_reports_territory_figures(store, db_path):
    from datetime import date

    import tinyterritory
    from conftest import Cli
    from vigikfield.screens.dashboard import DashboardScreen

    ids = tinyterritory.build(store)
    for key, flag, last in (("mez_a", 1, "2024-02-29"), ("mez_b", 1, "2025-02-01"),
                            ("pc_1", 0, "2024-01-30"), ("al_a", None, "2025-01-15")):
        store.update("halls", ids[key], {"vigik_plus": flag, "last_maintenance": last})
    store.update("halls", ids["mez_b"], {"retired": 1})  # out of every figure
    report = json.loads(Cli(db_path)("report", "vigik-plus", "--today", "2025-03-01",
                                     "--json").output)
    (total,) = [r for r in report["landlords"] if r["row"] == "total"]
    assert (total["halls"], total["ready"], total["overdue"], total["never"]) == (6, 1, 2, 3)
    app = make_app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.push_screen(DashboardScreen(today=date(2025, 3, 1)))
        await until(pilot, lambda: isinstance(app.screen, DashboardScreen)
                    and app.screen.late is not None)
        line = str(app.screen.query_one("#dash-upkeep").render())
    assert line.startswith(f"Vigik Plus : {total['ready']}/{total['halls']} halls prêts "
                           f"({total['dwellings_ready']}/{total['dwellings']} logements)")
    assert f"en retard : {total['overdue']} halls ({total['never']} sans date)" in line
