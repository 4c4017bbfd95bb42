"""Reporting an access failure and closing it from the TUI: the hall screen (wizard),
a label lookup, the maintenance checklist's hall."""

from __future__ import annotations

from test_tui_checklist import code_of, maintenance_store
from tui_wait import settle, until
from vigikfield.domain import failures, progress
from vigikfield.screens.checklist import ChecklistHallScreen
from vigikfield.screens.failure import FailureDialog
from vigikfield.screens.hall import HallScreen
from vigikfield.screens.lookup import LookupDialog
from vigikfield.tui import make_app


async def _type(pilot, text: str) -> None:
    for char in text:
        await pilot.press("space" if char == " " else char)


async def test_report_from_a_label_lookup_then_close_it_from_the_hall_screen(tmp_path):
    store, ids = maintenance_store(tmp_path / "t.db", role="technician")
    app = make_app(store)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+l")
        await until(pilot, lambda: isinstance(app.screen, LookupDialog))
        await _type(pilot, code_of(store, ids["al_a"]).lower())
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, HallScreen))
        assert app.screen.hall_id == ids["al_a"]
        assert any("s signale un échec" in n.message for n in app._notifications)
        await pilot.press("s")
        await until(pilot, lambda: isinstance(app.screen, FailureDialog))
        dialog = app.screen
        dialog.query_one("#failure-service").value = "pompiers"
        dialog.query_one("#failure-what").value = "door_broken"
        dialog.query_one("#failure-text").focus()
        await _type(pilot, "porte forcee")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, HallScreen))
        (report,) = failures.listing(store.conn, open_only=True)
        assert (report["service"], report["what"], report["details"], report["reported_by"]) == (
            "pompiers", "door_broken", "porte forcee", "Karim")
        assert "À vérifier" in str(app.screen.query_one("#step-panel").render())
        assert app.screen.state.step == "compatibility"  # the wizard did not move
        row = next(r for r in progress.residences(store.conn) if r.id == ids["alouettes"])
        assert row.to_verify == 1

        await pilot.press("k")
        await until(pilot, lambda: isinstance(app.screen, FailureDialog))
        app.screen.query_one("#failure-how").value = "not_reproduced"
        app.screen.query_one("#failure-text").focus()
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, HallScreen))
        assert failures.listing(store.conn, open_only=True) == []
        (closed,) = failures.listing(store.conn)
        assert (closed["closure"], closed["closed_by"]) == ("not_reproduced", "Karim")
        assert "À vérifier" not in str(app.screen.query_one("#step-panel").render())


async def test_a_bad_date_is_said_in_the_dialog_and_escape_writes_nothing(tmp_path):
    store, ids = maintenance_store(tmp_path / "t.db", role="technician")
    app = make_app(store)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.open_hall(ids["al_b"])
        await until(pilot, lambda: isinstance(app.screen, HallScreen))
        await pilot.press("s")
        await until(pilot, lambda: isinstance(app.screen, FailureDialog))
        app.screen.query_one("#failure-date").value = "hier"
        app.screen.query_one("#failure-date").focus()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, FailureDialog)
        assert "illisible" in str(app.screen.query_one("#dialog-error").render())
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, HallScreen))
        assert failures.listing(store.conn) == []


async def test_maintenance_reports_from_its_checklist_hall(tmp_path):
    store, ids = maintenance_store(tmp_path / "m.db")
    app = make_app(store)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.open_hall(ids["mez_b"])
        await until(pilot, lambda: isinstance(app.screen, ChecklistHallScreen))
        await pilot.press("s")
        await until(pilot, lambda: isinstance(app.screen, FailureDialog))
        app.screen.query_one("#failure-text").focus()
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ChecklistHallScreen))
        (report,) = failures.listing(store.conn, open_only=True)
        assert (report["code"], report["service"], report["reported_by"]) == (
            code_of(store, ids["mez_b"]), "police_nationale", "Mme Martin")
        assert "À vérifier" in str(app.screen.query_one("#checklist-facts").render())


async def test_the_wizard_ending_encoded_offers_to_close_the_open_reports(store, tmp_path):
    from datetime import date

    from test_tui_wizard import _setup
    from tui_wait import until as _until
    from vigikfield.screens.dialogs import ChoiceDialog

    ids, app, _ = _setup(store, tmp_path)
    failures.report(store, ids["mez_b"], "police_nationale", "badge_refused", date.today(),
                    "Brigadier Durand", today=date.today())
    async with app.run_test(size=(100, 40)) as pilot:
        app.open_hall(ids["mez_b"])
        await until(pilot, lambda: isinstance(app.screen, HallScreen))
        await pilot.press("enter")  # compatible; the card is recognised by itself
        await _until(pilot, lambda: app.screen.state.step == "encoding")
        for step in ("door", "label", "done"):
            await pilot.press("enter")
            await _until(pilot, lambda: isinstance(app.screen, ChoiceDialog)
                         or app.screen.state.step == step)
        await _until(pilot, lambda: isinstance(app.screen, ChoiceDialog))
        assert failures.listing(store.conn, open_only=True)  # still open: not by itself
        await pilot.press("enter")  # the first choice: close them, re-encoded
        await _until(pilot, lambda: isinstance(app.screen, HallScreen))
        (report,) = failures.listing(store.conn)
        assert (report["closure"], report["closed_on"]) == ("re_encoded", date.today().isoformat())
