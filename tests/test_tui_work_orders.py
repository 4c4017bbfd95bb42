"""The pilot's work orders from the TUI: filter, pick, assign, write the signed bundle
(it verifies, and imported on a technician's laptop gives that route); the list;
refusals in plain words. Snapshots of the list and the picker at 80×24 and 120×40."""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, Select, Static

import tinyterritory
import vigikfield_sync as sync
from sync_world import World
from tui_wait import settle, until
from vigikfield.domain import folders, progress
from vigikfield.domain.store import Store
from vigikfield.screens.work_orders import PickerScreen, WorkOrdersScreen
from vigikfield.tui import make_app
from vigikfield_sync import bundle, keys


def _trusted_technician(world: World, name: str) -> Store:
    """A technician's laptop that trusts the pilot and is trusted by it (no work order yet)."""
    tech = sync.prepare(Store(world.root / f"{name}.db", actor=name))
    sync.trust_add(world.pilot, keys.key_text(tech), name, "technician")
    sync.trust_add(tech, keys.key_text(world.pilot), "pilote", "pilot")
    return tech


async def _open_picker(pilot):
    app = pilot.app
    await settle(pilot)
    await pilot.press("ctrl+o")
    await until(pilot, lambda: isinstance(app.screen, WorkOrdersScreen))
    await pilot.press("n")
    await until(pilot, lambda: isinstance(app.screen, PickerScreen)
                and app.screen.query_one("#candidates", DataTable).row_count > 0)
    return app.screen


def _names(table: DataTable) -> list[str]:
    return [str(table.get_row_at(i)[1]) for i in range(table.row_count)]


def _work_orders(store: Store) -> int:
    return store.conn.execute("SELECT count(*) FROM work_orders").fetchone()[0]


async def test_pick_filter_assign_and_write_gives_the_technician_that_route(tmp_path):
    world = World(tmp_path)
    tech = _trusted_technician(world, "tech1")
    orders_before = _work_orders(world.pilot)
    app = make_app(world.pilot)
    async with app.run_test(size=(120, 40)) as pilot:
        picker = await _open_picker(pilot)
        table = picker.query_one("#candidates", DataTable)
        assert sorted(_names(table)) == ["Les Mézereaux", "Plein Ciel"]
        # priority (site level 3, the pilot's eyes only): Les Mézereaux alone
        picker.query_one("#pick-priority", Select).value = 3
        await until(pilot, lambda: _names(table) == ["Les Mézereaux"])
        await pilot.press("space")
        assert picker.selected == {world.residence: "Les Mézereaux"}
        assert str(table.get_row_at(0)[0]) == "✓"
        picker.query_one("#pick-technician", Input).value = "tech1"
        picker.query_one("#pick-date", Input).value = "2026-12-15"
        await pilot.press("ctrl+o")
        await until(pilot, lambda: isinstance(app.screen, WorkOrdersScreen)
                    and app.screen.query_one("#orders", DataTable).row_count == 1)
        row = [str(c) for c in app.screen.query_one("#orders", DataTable).get_row_at(0)]
        assert row[0] == "tech1" and row[1] == "15/12/2026"
        assert "Les Mézereaux" in row[2] and row[3] == "0 / 2"
    assert _work_orders(world.pilot) == orders_before + 1
    (order,) = world.pilot.conn.execute(
        "SELECT technician, residence_ids, planned_date FROM work_orders").fetchall()
    assert order == ("tech1", json.dumps([world.residence]), "2026-12-15")
    outbox = folders.outbox(world.pilot.path)
    (written,) = list(outbox.glob("*.vfb"))
    assert written.name == "ordre-tech1-2026-12-15.vfb"
    assert os.stat(outbox).st_mode & 0o777 == 0o700
    checked = bundle.read(written)  # signature and every op's hash
    assert checked.manifest["kind"] == "workorder" and checked.manifest["technician"] == "tech1"
    (outcome,) = sync.merge_files(tech, [written], "workorder")
    assert outcome.error is None, outcome.error
    route = progress.route(tech.conn, "tech1")
    assert [r.name for r in route] == ["Les Mézereaux"] and route[0].halls == 2
    # the site level never left the pilot's database
    assert tech.get("residences", world.residence)["site_level"] is None


async def test_wrong_date_or_missing_folder_is_refused_in_words_and_nothing_is_written(tmp_path):
    world = World(tmp_path)
    app = make_app(world.pilot)
    before = _work_orders(world.pilot)
    async with app.run_test(size=(120, 40)) as pilot:
        picker = await _open_picker(pilot)
        message = picker.query_one("#pick-message", Static)
        await pilot.press("ctrl+o")
        assert "au moins une résidence" in str(message.render())
        await pilot.press("space")
        picker.query_one("#pick-technician", Input).value = "tech1"
        picker.query_one("#pick-date", Input).value = "2026-13-45"
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert "2026-13-45" in str(message.render()) and "AAAA-MM-JJ" in str(message.render())
        picker.query_one("#pick-date", Input).value = ""
        usb = tmp_path / "no-such-usb-key"
        picker.query_one("#pick-folder", Input).value = str(usb)
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert f"Le dossier {usb} n'existe pas" in str(message.render())
        if os.geteuid() != 0:  # root writes anywhere
            locked = tmp_path / "locked"
            locked.mkdir(mode=0o500)
            picker.query_one("#pick-folder", Input).value = str(locked)
            await pilot.press("ctrl+o")
            await settle(pilot)
            assert "Impossible d'écrire" in str(message.render())
        assert isinstance(app.screen, PickerScreen)
    assert _work_orders(world.pilot) == before
    assert not folders.outbox(world.pilot.path).exists() or not list(
        folders.outbox(world.pilot.path).iterdir())


async def test_only_the_pilot_issues_and_the_list_shows_the_last_bundle_received(tmp_path):
    world = World(tmp_path)
    tech = world.technician("tech1")  # an order for tech1, imported on its laptop
    tech.update("halls", world.hall, {"notes": "digicode 1234"})
    (outcome,) = sync.merge_files(world.pilot, [world.export(tech)])
    assert outcome.error is None
    app = make_app(world.pilot)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+o")
        await until(pilot, lambda: isinstance(app.screen, WorkOrdersScreen)
                    and app.screen.query_one("#orders", DataTable).row_count == 1)
        row = [str(c) for c in app.screen.query_one("#orders", DataTable).get_row_at(0)]
        assert row[0] == "tech1" and row[4] == "émis"
        assert row[5].endswith("(+1)") and row[5] != "aucun"
    # on the technician's laptop: the list, read-only; N says why, in the store's words
    app = make_app(tech)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+o")
        await until(pilot, lambda: isinstance(app.screen, WorkOrdersScreen)
                    and app.screen.query_one("#orders", DataTable).row_count == 1)
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, WorkOrdersScreen)
        shown = [n.message for n in app._notifications]
        assert any("Le profil technicien ne peut pas modifier" in m for m in shown), shown


def _snapshot_app(store: Store, with_orders: bool):
    ids = tinyterritory.build(store)
    if with_orders:
        store.create("work_orders", {
            "project_id": store.project_id, "technician": "Karim", "planned_date": "2026-11-20",
            "residence_ids": [ids["mezereaux"], ids["plein_ciel"]], "status": "issued",
        }, entity_id=tinyterritory.uid("wo1"))
        store.create("work_orders", {
            "project_id": store.project_id, "technician": "Zoé", "planned_date": "2027-01-11",
            "residence_ids": [ids["alouettes"]], "status": "issued",
        }, entity_id=tinyterritory.uid("wo2"))
    return make_app(store)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
@pytest.mark.parametrize("screen", ["list", "picker"])
def test_snapshot(tmp_path, snap_compare, screen, size):
    store = Store(tmp_path / "terrain.db", actor="pilote")

    async def run_before(pilot):
        app = pilot.app
        await settle(pilot)
        app.push_screen(WorkOrdersScreen(today=date(2026, 12, 1)))
        await until(pilot, lambda: app.screen.query_one("#orders", DataTable).row_count == 2)
        if screen == "picker":
            await pilot.press("n")
            await until(pilot, lambda: isinstance(app.screen, PickerScreen)
                        and app.screen.query_one("#candidates", DataTable).row_count == 3)
            await pilot.press("down", "space")
        await settle(pilot)

    assert snap_compare(_snapshot_app(store, True), terminal_size=size, run_before=run_before)
    store.close()


def test_outbox_and_inbox_sit_beside_the_database():
    db = Path("/data/terrain.db")
    assert folders.outbox(db) == Path("/data/terrain.outbox")
    assert folders.inbox(db) == Path("/data/terrain.inbox")
    assert folders.resolve("terrain.inbox", db) == Path("/data/terrain.inbox")
    assert folders.resolve("/media/usb", db) == Path("/media/usb")
    assert folders.shown(Path("/data/terrain.outbox"), db) == "terrain.outbox"
    assert folders.slug("ordre-Zoé Martin-2026-12-15") == "ordre-zoe-martin-2026-12-15"


@pytest.mark.parametrize("lang", ["fr", "en"])
async def test_the_order_screens_and_their_help_are_translated(tmp_path, lang):
    import re

    from test_tui_screens import _visible_text
    from vigikfield import i18n

    i18n.set_language(lang)
    sections = {key.split(".")[0] for key in i18n.catalog("fr")}
    message_id = re.compile(r"\b(?:%s)\.[a-z0-9_]+(?:\.[a-z0-9_]+)*\b" % "|".join(sorted(sections)))
    store = Store(tmp_path / "terrain.db", actor="pilote")
    app = _snapshot_app(store, True)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+o")
        await until(pilot, lambda: isinstance(app.screen, WorkOrdersScreen)
                    and app.screen.query_one("#orders", DataTable).row_count == 2)
        seen = [_visible_text(app)]
        await pilot.press("f1")
        await until(pilot, lambda: bool(app.screen.query("MarkdownTable")))
        seen.append(_visible_text(app))
        await pilot.press("escape", "n")
        await until(pilot, lambda: isinstance(app.screen, PickerScreen)
                    and app.screen.query_one("#candidates", DataTable).row_count == 3)
        seen.append(_visible_text(app))
        await pilot.press("f1")
        await until(pilot, lambda: bool(app.screen.query("MarkdownTable")))
        seen.append(_visible_text(app))
    for text in seen:
        assert not message_id.findall(text), (lang, message_id.findall(text))
    assert ("Ordres de mission" if lang == "fr" else "Work orders") in seen[0]
    store.close()
