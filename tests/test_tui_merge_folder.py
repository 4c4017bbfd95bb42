"""Merging a folder of bundles from the pilot's sync screen: the good ones merged, a
tampered one refused with the CLI's reason, nothing else changed; conflicts settled
there as before. Snapshots of the screen with a folder at 80×24 and 120×40."""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, Static

import tinyterritory
import vigikfield_sync as sync
from sync_world import World, canonical, receipts_count
from tui_wait import settle, until
from vigikfield.domain import folders
from vigikfield.domain.store import Store
from vigikfield.screens.pilot_sync import PilotSyncScreen
from vigikfield.tui import make_app

FIXED = 1_796_000_000  # 2026-11-29T23:53Z, a fixed file date for the listings


def _tampered(src: Path, out: Path) -> Path:
    """A signed bundle whose op was changed after signing (its hash no longer matches)."""
    shutil.copyfile(src, out)
    conn = sqlite3.connect(out)
    conn.execute("UPDATE ops SET value = '\"B9\"' WHERE field = 'notes'")
    conn.commit()
    conn.close()
    return out


def _inbox_with_bundles(world: World) -> tuple[Path, dict[str, Path]]:
    t1, t2, t3 = (world.technician(n) for n in ("tech1", "tech2", "tech3"))
    t1.update("halls", world.hall, {"notes": "B1"})
    t2.update("halls", world.hall, {"notes": "B2"})   # a conflict with tech1
    t2.update("halls", world.hall2, {"notes": "C2"})
    t3.update("halls", world.hall2, {"notes": "C3"})
    inbox = folders.make_default(folders.inbox(world.pilot.path))
    files = {
        "a-tech1.vfb": shutil.copyfile(world.export(t1), inbox / "a-tech1.vfb"),
        "b-tech2.vfb": shutil.copyfile(world.export(t2), inbox / "b-tech2.vfb"),
        "c-tech3.vfb": _tampered(world.export(t3), inbox / "c-tech3.vfb"),
    }
    for path in files.values():
        os.utime(path, (FIXED, FIXED))
    return inbox, {k: Path(v) for k, v in files.items()}


async def test_merge_a_folder_with_one_tampered_bundle(tmp_path, cli):
    world = World(tmp_path)
    inbox, files = _inbox_with_bundles(world)
    # what the CLI says of the bad file, on a copy of the pilot's database
    cli.db_path = world.master_copy("cli").path
    printed = cli("bundle", "merge", str(files["c-tech3.vfb"]))
    assert printed.exit_code == 1
    (line,) = [x for x in printed.output.splitlines() if "refusé. " in x]
    reason = line.split("refusé. ", 1)[1]
    # the same good bundles merged by the API on another copy: what the pilot must end with
    expected = world.master_copy("api")
    assert [o.error for o in sync.merge_files(
        expected, [files["a-tech1.vfb"], files["b-tech2.vfb"]])] == [None, None]

    master = world.pilot
    app = make_app(master)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, PilotSyncScreen)
                    and app.screen.query_one("#files", DataTable).row_count == 3)
        screen = app.screen
        table = screen.query_one("#files", DataTable)
        assert [str(table.get_row_at(i)[1]) for i in range(3)] == sorted(files)
        table.focus()
        await pilot.press("space", "down", "space", "down", "space")
        assert screen.selected == set(files.values())
        await pilot.press("m")
        await until(pilot, lambda: not screen.merging
                    and screen.query_one("#receipts", DataTable).row_count == 2)
        bar = screen.query_one("#merge-progress")  # advanced by each file's bytes, to the end
        assert bar.total == bar.progress == sum(p.stat().st_size for p in files.values())
        results = {str(table.get_row_at(i)[1]): str(table.get_row_at(i)[4]) for i in range(3)}
        assert results["c-tech3.vfb"] == "refusé"
        assert results["a-tech1.vfb"].startswith("fusionné (+1")
        detail = str(screen.query_one("#file-detail", Static).render())
        assert reason in detail and "c-tech3.vfb : refusé." in detail
        # the cursor on the bad file: its refusal, as the CLI says it
        table.move_cursor(row=2)
        await settle(pilot)
        assert reason in str(screen.query_one("#file-detail", Static).render())
        # the conflict the two good bundles make, settled here as before
        conflicts = screen.query_one("#conflicts", DataTable)
        assert conflicts.row_count == 1
        conflicts.focus()
        await pilot.press("b")
        await until(pilot, lambda: conflicts.row_count == 0)
    assert receipts_count(master) == 2
    assert master.get("halls", world.hall2)["notes"] == "C2"  # tech3's C3 never came in
    (conflict,) = sync.list_conflicts(expected)
    assert master.get("halls", world.hall)["notes"] == conflict.b.value
    # everything else as the two good bundles alone leave it (the settlement aside)
    sync.resolve(expected, conflict.id, "B")
    ours, theirs = canonical(master), canonical(expected)
    assert ours[1:-2] == theirs[1:-2]  # state tables
    settled = {r[0] for r in ours[0]} - {r[0] for r in theirs[0]}
    assert len(settled) == len({r[0] for r in theirs[0]} - {r[0] for r in ours[0]})  # one each


async def test_a_missing_folder_is_said_in_words(tmp_path):
    world = World(tmp_path)
    app = make_app(world.pilot)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, PilotSyncScreen))
        screen = app.screen
        assert os.stat(folders.inbox(world.pilot.path)).st_mode & 0o777 == 0o700
        detail = screen.query_one("#file-detail", Static)
        assert "Aucun lot" in str(detail.render())
        usb = tmp_path / "usb-key"
        field = screen.query_one("#inbox-folder", Input)
        field.value = str(usb)
        field.focus()
        await pilot.press("enter")
        await settle(pilot)
        assert f"Le dossier {usb} n'existe pas" in str(detail.render())
        assert not screen.check_action("merge", ())


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_snapshot_sync_screen_with_a_folder(tmp_path, snap_compare, size):
    store = Store(tmp_path / "terrain.db", actor="pilote")
    tinyterritory.build(store)
    inbox = folders.make_default(folders.inbox(store.path))
    for name, size_kb in (("lot-karim-2026-11-28.vfb", 36), ("lot-zoe-2026-11-29.vfb", 52),
                          ("notes.txt", 1)):
        (inbox / name).write_bytes(b"\0" * size_kb * 1024)
        os.utime(inbox / name, (FIXED, FIXED))

    async def run_before(pilot):
        await settle(pilot)
        pilot.app.open_sync()
        await until(pilot, lambda: pilot.app.screen.query_one("#files", DataTable).row_count == 2)
        pilot.app.screen.query_one("#files", DataTable).focus()
        await pilot.press("space")
        await settle(pilot)

    assert snap_compare(make_app(store), terminal_size=size, run_before=run_before)
    store.close()
