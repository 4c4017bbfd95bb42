"""The maintenance checklist screen shows and edits the reader's Vigik Plus readiness and
last yearly maintenance (each change with its reason; a bad date writes nothing)."""

from __future__ import annotations

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
