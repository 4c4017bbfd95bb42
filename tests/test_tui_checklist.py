"""The checklist screens of a maintenance profile, label lookup from any screen, snapshots."""

from __future__ import annotations

import os
import time
import tty

import pytest
import tinyterritory
from tui_wait import settle, until
from vigikfield.domain import hlc
from vigikfield.domain.store import Store
from vigikfield.hardware.kit import Hardware
from vigikfield.hardware.scanner import SerialScanner
from vigikfield.screens.checklist import (ChecklistHallScreen, ChecklistHallsScreen,
                                          ChecklistResidencesScreen)
from vigikfield.screens.dialogs import ChoiceDialog, ReasonDialog
from vigikfield.tui import make_app

# Every op of the territory is stamped at this moment (the clock never goes back: a
# database whose clock is ahead of the wall stamps from there), so snapshots are fixed.
FIXED_MS = 1_930_000_000_000  # 2031-02-28


@pytest.fixture
def utc(monkeypatch):
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def maintenance_store(path, *, role="maintenance") -> tuple[Store, dict[str, str]]:
    store = Store(path, actor="pilote")
    store.conn.execute("UPDATE device SET hlc = ?", (hlc.encode(FIXED_MS, 0),))
    ids = tinyterritory.build(store)
    store.update("halls", ids["mez_b"], {"centrale_location": "local poubelles"},
                 reason="visite de repérage")
    if role == "maintenance":
        store.set_profile(role="maintenance", landlord_id=ids["habitat77"], name="Mme Martin")
    elif role == "technician":
        store.set_profile(role="technician", name="Karim")
    store.actor = None  # the profile's name signs from now on
    return store, ids


def code_of(store, hall_id):
    return store.get("halls", hall_id)["code"]


async def _type(pilot, text: str) -> None:
    for char in text:
        await pilot.press("space" if char == " " else char)


async def _answer(pilot, text: str) -> None:
    await until(pilot, lambda: isinstance(pilot.app.screen, ReasonDialog))
    await _type(pilot, text)
    await pilot.press("enter")
    await settle(pilot)


async def test_maintenance_opens_on_its_landlords_residences(tmp_path):
    store, ids = maintenance_store(tmp_path / "m.db")
    app = make_app(store)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, ChecklistResidencesScreen)
        table = app.screen.query_one("#checklist-residences")
        keys = {row.value for row in table.rows}
        assert keys == {ids["mezereaux"], ids["alouettes"]}  # not Plein Ciel (Les Foyers)


async def test_residence_halls_hall_and_each_change_asks_its_reason(tmp_path):
    store, ids = maintenance_store(tmp_path / "m.db")
    app = make_app(store)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#checklist-residences")
        table.move_cursor(row=table.get_row_index(ids["mezereaux"]))
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ChecklistHallsScreen))
        halls = app.screen.query_one("#checklist-halls")
        halls.move_cursor(row=halls.get_row_index(ids["mez_a"]))
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ChecklistHallScreen))
        centrale = store.conn.execute("SELECT id FROM centrales WHERE hall_id = ?",
                                      (ids["mez_a"],)).fetchone()[0]
        await pilot.press("c")
        await _answer(pilot, "vandalisee")
        assert store.get("centrales", centrale)["active"] == 0
        assert "vandalisee" in [str(c) for c in
                                app.screen.query_one("#checklist-history").get_row_at(0)]
        await pilot.press("x")
        await _answer(pilot, "demoli")
        assert store.get("halls", ids["mez_a"])["retired"] == 1
        await pilot.press("x")
        await _answer(pilot, "erreur")
        assert store.get("halls", ids["mez_a"])["retired"] == 0
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, ChoiceDialog))
        options = app.screen.query_one("#choices")
        options.highlighted = [o.id for o in options.options].index("location")
        await pilot.press("enter")
        await _answer(pilot, "cave")  # the value
        await _answer(pilot, "releve")  # the reason
        assert store.get("halls", ids["mez_a"])["centrale_location"] == "cave"
        (actor, reason) = store.conn.execute(
            "SELECT actor, reason FROM ops WHERE field = 'centrale_location' "
            "ORDER BY rowid DESC LIMIT 1").fetchone()
        assert (actor, reason) == ("Mme Martin", "releve")
        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, ReasonDialog))
        await pilot.press("escape")  # cancelled: nothing written
        await settle(pilot)
        assert isinstance(app.screen, ChecklistHallScreen)
        assert store.conn.execute("SELECT count(*) FROM centrales WHERE hall_id = ?",
                                  (ids["mez_a"],)).fetchone() == (2,)


@pytest.mark.parametrize("role, screen", [("maintenance", "ChecklistHallScreen"),
                                          ("technician", "HallScreen")])
async def test_a_typed_label_code_opens_the_hall_from_any_screen(tmp_path, role, screen):
    store, ids = maintenance_store(tmp_path / "m.db", role=role)
    app = make_app(store)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("f1")  # even over the help
        await settle(pilot)
        await pilot.press("ctrl+l")
        await settle(pilot)
        await _type(pilot, code_of(store, ids["al_b"]).lower())
        await pilot.press("enter")
        await until(pilot, lambda: type(app.screen).__name__ == screen)
        assert app.screen.hall_id == ids["al_b"]


async def test_a_wedge_scan_after_ctrl_l_opens_the_wizard_and_its_other_lines_do_nothing(
        tmp_path):
    store, ids = maintenance_store(tmp_path / "t.db", role="technician")
    from vigikfield.domain import labels
    from vigikfield.screens.hall import HallScreen

    label, _ = labels.for_hall(store.conn, code_of(store, ids["al_a"]))
    app = make_app(store)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.open_residence(ids["alouettes"])  # not the route: no search box here
        await settle(pilot)
        await pilot.press("ctrl+l")  # the scanner's prefix
        for line in label.lines:  # "Habitat 77": h, a (no access!), b, i (incompatible)...
            await pilot.press(*[{" ": "space"}.get(c, c) for c in line
                                if c.isascii() and (c.isalnum() or c == " ")], "enter")
        await until(pilot, lambda: isinstance(app.screen, HallScreen))
        await pilot.pause()
        assert app.screen.hall_id == ids["al_a"]
        assert app.screen.state.step == "compatibility"  # no key reached the wizard
        assert len(app.screen_stack) == 3  # route, residence, hall: no dialog left


async def test_another_landlords_code_opens_nothing_for_maintenance(tmp_path):
    store, ids = maintenance_store(tmp_path / "m.db")
    app = make_app(store)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+l")
        await settle(pilot)
        await _type(pilot, code_of(store, ids["pc_1"]))
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ChecklistResidencesScreen))
        assert any(code_of(store, ids["pc_1"]) in str(n.message) for n in app._notifications)


async def test_a_serial_scanner_opens_the_scanned_hall_in_one_step(tmp_path):
    store, ids = maintenance_store(tmp_path / "m.db")
    master, slave = os.openpty()
    tty.setraw(slave)
    scanner = SerialScanner(os.ttyname(slave))
    app = make_app(store, hardware=Hardware(reader=None, scanner=scanner))
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            # the scanner's worker never completes while the app runs: `settle`, which
            # waits for every worker, is not used here; the app is run a frame at a time
            code = code_of(store, ids["mez_c"])
            os.write(master, f"{code}\r\nHabitat 77\r\n".encode())
            for _ in range(500):
                await pilot.pause(0.02)
                if isinstance(app.screen, ChecklistHallScreen):
                    break
            assert isinstance(app.screen, ChecklistHallScreen)
            assert app.screen.hall_id == ids["mez_c"]
            app.workers.cancel_group(app, "scanner")
            for _ in range(25):  # let the hall screen finish mounting before the app exits
                await pilot.pause(0.02)
    finally:
        scanner.close()
        os.close(master)
        os.close(slave)


async def _to_residence(pilot, ids):
    app = pilot.app
    await settle(pilot)
    table = app.screen.query_one("#checklist-residences")
    table.move_cursor(row=table.get_row_index(ids["mezereaux"]))
    await pilot.press("enter")
    await until(pilot, lambda: isinstance(app.screen, ChecklistHallsScreen))


async def _to_hall(pilot, ids):
    await _to_residence(pilot, ids)
    halls = pilot.app.screen.query_one("#checklist-halls")
    halls.move_cursor(row=halls.get_row_index(ids["mez_a"]))
    await pilot.press("enter")
    await until(pilot, lambda: isinstance(pilot.app.screen, ChecklistHallScreen))
    await settle(pilot)


@pytest.mark.parametrize("name", ["residences", "halls", "hall"])
def test_checklist_snapshot(tmp_path, snap_compare, utc, name):
    store, ids = maintenance_store(tmp_path / "m.db")
    store.actor = "pilote"
    from vigikfield.domain import checklist

    checklist.set_retired(store, code_of(store, ids["mez_c"]), True, reason="démoli en 2030")
    checklist.replace_centrale(store, code_of(store, ids["mez_a"]), brand="Urmet", serial="U-77",
                               reason="centrale vandalisée")
    store.actor = None

    async def run_before(pilot):
        if name == "residences":
            await settle(pilot)
        elif name == "halls":
            await _to_residence(pilot, ids)
        else:
            await _to_hall(pilot, ids)

    assert snap_compare(make_app(store), terminal_size=(80, 24), run_before=run_before)


@pytest.mark.parametrize("lang", ["fr", "en"])
async def test_the_checklist_screens_leak_no_message_id(tmp_path, lang):
    import re

    from textual.widgets import DataTable, Static
    from vigikfield import i18n

    sections = {key.split(".")[0] for key in i18n.catalog("fr")}
    message_id = re.compile(r"\b(?:%s)\.[a-z0-9_]+(?:\.[a-z0-9_]+)*\b" % "|".join(sorted(sections)))
    i18n.set_language(lang)
    store, ids = maintenance_store(tmp_path / "m.db")
    app = make_app(store)
    async with app.run_test(size=(100, 30)) as pilot:
        for step in (settle, _to_residence, None):
            if step is settle:
                await settle(pilot)
            elif step is _to_residence:
                await _to_residence(pilot, ids)
            else:
                halls = app.screen.query_one("#checklist-halls")
                halls.move_cursor(row=halls.get_row_index(ids["mez_a"]))
                await pilot.press("enter")
                await until(pilot, lambda: isinstance(app.screen, ChecklistHallScreen))
            parts = [str(w.render()) for w in app.screen.walk_children() if isinstance(w, Static)]
            for table in app.screen.query(DataTable):
                parts += [str(c.label) for c in table.columns.values()]
                parts += [str(c) for i in range(table.row_count) for c in table.get_row_at(i)]
            parts += [a.binding.description for a in app.screen.active_bindings.values()]
            leaks = message_id.findall("\n".join(parts))
            assert not leaks, (lang, type(app.screen).__name__, leaks)
