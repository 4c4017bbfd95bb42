"""Authorisations in the TUI, driven like a user: the wizard refuses an unauthorised
residence at the compatibility step (saying by whom and when) and proposes the decided
windows; the residence panel and its decision dialog; the picker's warning; the
dashboard's line and list."""

from __future__ import annotations

import json
from datetime import date

import pytest
from textual.widgets import Checkbox, DataTable, Input, Label, OptionList, Static

import tinyterritory
from sync_world import World
from tui_wait import settle, until
from vigikfield.domain import authorisations as auths
from vigikfield.domain import cards, wizard
from vigikfield.hardware.kit import Hardware
from vigikfield.hardware.sim_reader import SimReader
from vigikfield.screens.authorisation import AuthorisationDialog
from vigikfield.screens.authorisations_list import AuthorisationsScreen
from vigikfield.screens.dashboard import DashboardScreen
from vigikfield.screens.dialogs import ChoiceDialog
from vigikfield.screens.hall import HallScreen
from vigikfield.screens.residence import ResidenceScreen
from vigikfield.screens.work_orders import PickerScreen, WorkOrdersScreen
from vigikfield.tui import make_app

TODAY = date(2026, 12, 1)
CARD = {"atr": "3B8F8001804F0CA000000306030001000000006A", "uid": "04A1B2C3D4E5F6"}


def _ops(store) -> int:
    return store.conn.execute("SELECT count(*) FROM ops").fetchone()[0]


def _territory(store):
    """tinyterritory; Les Alouettes refused since, Plein Ciel's grant expired, Les Lilas
    with no decision."""
    ids = tinyterritory.build(store)
    ids["lilas"] = store.create("residences", {"name": "Les Lilas", "landlord_id": ids["habitat77"],
                                               "commune_id": ids["melun"]})
    ids["li_a"] = store.create("halls", {"residence_id": ids["lilas"], "label": "A",
                                         "vigik": "compatible"})
    auths.record(store, ids["alouettes"], by="M. Dupont (gardien chef)", decision="refused",
                 decided_on="2026-10-12")
    auths.record(store, ids["plein_ciel"], by="Mme Roux", decided_on="2026-10-05",
                 until="2026-11-15")
    return ids


def _app(store, tmp_path):
    reader = SimReader(cards=[CARD])
    info = reader.insert(CARD)
    cards.enroll(store, info.fingerprint, "Habitat 77", "Police — code inter-bailleurs")
    return make_app(store, hardware=Hardware(reader=reader), labels_dir=tmp_path / "labels",
                    card_timeout=2.0, today=TODAY)


@pytest.mark.parametrize("hall, says", [
    ("li_a", "Aucune autorisation du bailleur pour cette résidence"),
    ("al_a", "Encodage refusé par M. Dupont (gardien chef) le 12/10/2026"),
    ("pc_1", "Autorisation de Mme Roux du 05/10/2026 expirée le 15/11/2026"),
])
async def test_the_wizard_refuses_at_the_compatibility_step(store, tmp_path, hall, says):
    ids = _territory(store)
    app = _app(store, tmp_path)
    before = _ops(store)
    async with app.run_test(size=(100, 40)) as pilot:
        app.open_hall(ids[hall])
        await until(pilot, lambda: isinstance(app.screen, HallScreen))
        await settle(pilot)
        assert says in app.screen.panel_text()  # said before anything is pressed
        await pilot.press("enter")  # compatible: refused, in the same words
        await settle(pilot)
        assert app.screen.state.step == "compatibility"
        shown = [n.message for n in app._notifications]
        assert any(says.lower() in m.lower() for m in shown), shown
        assert not app.screen.card_reading
    assert _ops(store) == before
    assert wizard.open_hall(store, ids[hall]).encoding is None


async def test_the_wizard_proposes_the_decided_windows(store, tmp_path):
    ids = _territory(store)
    auths.record(store, ids["lilas"], by="M. Petit", decided_on="2026-11-20", days="1111100",
                 windows=[["08:00", "12:00"], ["14:00", "18:00"]])
    app = _app(store, tmp_path)
    async with app.run_test(size=(100, 40)) as pilot:
        app.open_hall(ids["li_a"])
        await until(pilot, lambda: isinstance(app.screen, HallScreen))
        await settle(pilot)
        assert app.screen.windows_source == "authorisation"
        await pilot.press("enter")  # compatible; the card is read by itself
        await until(pilot, lambda: app.screen.state.step == "encoding")
        text = app.screen.panel_text()
        assert "08:00-12:00" in text and "14:00-18:00" in text
        assert "décidés par le bailleur" in text
        await pilot.press("enter")  # encoded with the proposed windows
        await until(pilot, lambda: app.screen.state.step == "door")
        enc = app.screen.state.encoding
    assert enc["days"] == "1111100"
    assert json.loads(enc["windows"]) == [["08:00", "12:00"], ["14:00", "18:00"]]


async def test_the_residence_panel_and_its_decision_dialog(store, tmp_path):
    ids = _territory(store)
    app = _app(store, tmp_path)
    async with app.run_test(size=(100, 40)) as pilot:
        app.open_residence(ids["alouettes"])
        await until(pilot, lambda: isinstance(app.screen, ResidenceScreen))
        await settle(pilot)
        panel = str(app.screen.query_one("#authorisation", Static).render())
        assert "Encodage refusé par M. Dupont (gardien chef) le 12/10/2026" in panel
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, AuthorisationDialog))
        dialog = app.screen
        dialog.query_one("#auth-by", Input).value = "Mme Roux (directrice d'agence)"
        dialog.query_one("#auth-days", Input).value = "Lu-Sa"
        dialog.query_one("#auth-windows", Input).value = "08:00-12:00, 26:00-27:00"
        dialog.query_one("#auth-note", Input).focus()
        await pilot.press("enter")  # a bad window: said in the dialog, nothing written
        await settle(pilot)
        assert isinstance(app.screen, AuthorisationDialog)
        assert "26:00" in str(dialog.query_one("#auth-error", Static).render())
        dialog.query_one("#auth-windows", Input).value = "08:00-12:00, 14:00-19:00"
        dialog.query_one("#auth-until", Input).value = "2027-06-30"
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ResidenceScreen))
        await settle(pilot)
        panel = str(app.screen.query_one("#authorisation", Static).render())
        assert "Encodage autorisé par Mme Roux (directrice d'agence) le 01/12/2026" in panel
        assert "jusqu'au 30/06/2027" in panel and "14:00-19:00" in panel
        # a refusal carries no windows: refused in the dialog
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, AuthorisationDialog))
        app.screen.query_one("#auth-by", Input).value = "M. Dupont"
        app.screen.query_one("#auth-refused", Checkbox).value = True
        app.screen.query_one("#auth-windows", Input).value = "08:00-12:00"
        app.screen.query_one("#auth-by", Input).focus()
        await pilot.press("enter")
        await settle(pilot)
        assert "refus" in str(app.screen.query_one("#auth-error", Static).render())
        await pilot.press("escape")
    auth = auths.of_residence(store.conn, ids["alouettes"], TODAY)
    assert (auth.state, auth.days, auth.windows, auth.until) == (
        "granted", "1111110", [["08:00", "12:00"], ["14:00", "19:00"]], "2027-06-30")


async def test_the_picker_warns_before_assigning_unauthorised_residences(tmp_path):
    world = World(tmp_path)
    p = world.pilot
    auths.record(p, world.other_residence, by="M. Dupont", decision="refused",
                 decided_on="2026-11-02")
    before = p.conn.execute("SELECT count(*) FROM work_orders").fetchone()[0]
    app = make_app(p, today=TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+o")
        await until(pilot, lambda: isinstance(app.screen, WorkOrdersScreen))
        await pilot.press("n")
        await until(pilot, lambda: isinstance(app.screen, PickerScreen)
                    and app.screen.query_one("#candidates", DataTable).row_count == 2)
        picker = app.screen
        picker.selected = {world.residence: "Les Mézereaux", world.other_residence: "Plein Ciel"}
        picker.query_one("#pick-technician", Input).value = "tech1"
        await pilot.press("ctrl+o")
        await until(pilot, lambda: isinstance(app.screen, ChoiceDialog))
        assert "Plein Ciel (refusée)" in app.screen.question
        assert "Les Mézereaux" not in app.screen.question
        await pilot.press("escape")  # not confirmed: nothing written
        await until(pilot, lambda: isinstance(app.screen, PickerScreen))
        assert p.conn.execute("SELECT count(*) FROM work_orders").fetchone()[0] == before
        await pilot.press("ctrl+o")
        await until(pilot, lambda: isinstance(app.screen, ChoiceDialog))
        app.screen.query_one(OptionList).highlighted = 0  # « Les inclure quand même »
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, WorkOrdersScreen)
                    and app.screen.query_one("#orders", DataTable).row_count == 1)
    assert p.conn.execute("SELECT count(*) FROM work_orders").fetchone()[0] == before + 1


async def test_the_dashboard_counts_and_lists_the_residences_waiting(store, tmp_path):
    ids = _territory(store)
    app = _app(store, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        app.push_screen(DashboardScreen(TODAY))
        await until(pilot, lambda: isinstance(app.screen, DashboardScreen) and str(
            app.screen.query_one("#dash-authorisations", Label).render()))
        line = str(app.screen.query_one("#dash-authorisations", Label).render())
        assert "1 accordée(s), 1 en attente, 1 refusée(s), 1 expirée(s)" in line
        await pilot.press("a")
        await until(pilot, lambda: isinstance(app.screen, AuthorisationsScreen)
                    and app.screen.query_one("#auth-table", DataTable).row_count == 3)
        table = app.screen.query_one("#auth-table", DataTable)
        rows = {str(table.get_row_at(i)[0]): [str(c) for c in table.get_row_at(i)]
                for i in range(table.row_count)}
        assert set(rows) == {"Les Lilas", "Les Alouettes", "Plein Ciel"}
        assert rows["Les Alouettes"][3:6] == ["refusée", "M. Dupont (gardien chef)", "12/10/2026"]
        table.move_cursor(row=list(rows).index("Les Lilas"))
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ResidenceScreen))
        assert app.screen.residence_id == ids["lilas"]


async def test_maintenance_records_its_landlords_decision_from_the_checklist(tmp_path):
    from vigikfield.domain.store import Store
    from vigikfield.screens.checklist import ChecklistHallsScreen

    store = Store(tmp_path / "m.db", actor="pilote")
    ids = _territory(store)
    store.set_profile(role="maintenance", landlord_id=ids["habitat77"], name="Mme Martin")
    store.actor = None
    app = make_app(store, today=TODAY)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.push_screen(ChecklistHallsScreen(ids["lilas"]))
        await until(pilot, lambda: isinstance(app.screen, ChecklistHallsScreen))
        await settle(pilot)
        panel = str(app.screen.query_one("#checklist-authorisation", Static).render())
        assert "Aucune autorisation du bailleur" in panel
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, AuthorisationDialog))
        app.screen.query_one("#auth-by", Input).value = "M. Petit (gardien)"
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ChecklistHallsScreen))
        await settle(pilot)
        panel = str(app.screen.query_one("#checklist-authorisation", Static).render())
        assert "Encodage autorisé par M. Petit (gardien) le 01/12/2026" in panel
    auth = auths.of_residence(store.conn, ids["lilas"], TODAY)
    assert (auth.state, auth.decided_by) == ("granted", "M. Petit (gardien)")
    (actor,) = store.conn.execute(
        "SELECT actor FROM ops WHERE entity = 'authorisations' AND entity_id = ? LIMIT 1",
        (auth.authorisation_id,)).fetchone()
    assert actor == "Mme Martin"
    store.close()
