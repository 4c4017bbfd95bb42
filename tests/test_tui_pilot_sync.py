"""The pilot's sync screen: receipts listed, a conflict shown side by side and settled with one key."""

from __future__ import annotations

from textual.widgets import DataTable

import vigikfield_sync as sync
from sync_world import World
from tui_wait import settle
from vigikfield.domain import journal
from vigikfield.screens.pilot_sync import PilotSyncScreen
from vigikfield.tui import make_app


async def test_conflict_settled_with_one_key(tmp_path):
    world = World(tmp_path)
    t1, t2 = world.technician("tech1"), world.technician("tech2")
    t1.update("halls", world.hall, {"notes": "B1"})
    t2.update("halls", world.hall, {"notes": "B2"})
    master = world.pilot
    sync.merge_files(master, [world.export(t1), world.export(t2)])
    (conflict,) = sync.list_conflicts(master)
    app = make_app(master)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, PilotSyncScreen)
        assert app.screen.query_one("#receipts", DataTable).row_count == 2
        table = app.screen.query_one("#conflicts", DataTable)
        row = table.get_row_at(0)
        assert conflict.a.value in row[2] and conflict.b.value in row[3]
        await pilot.press("b")
        await settle(pilot)
        assert table.row_count == 0
    assert master.get("halls", world.hall)["notes"] == conflict.b.value
    assert sync.list_conflicts(master) == []
    assert journal.verify(master.conn) is None
