"""The first TUI shell: residences with progress, a search box, French and English."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, Static

import tinyterritory
from tui_wait import until as _until
from vigikfield import i18n
from vigikfield.domain import progress
from vigikfield.screens.hall import HallScreen
from vigikfield.tui import make_app


def test_progress_adds_up(store):
    tinyterritory.build(store)
    rows = {r.name: r for r in progress.residences(store.conn)}
    mez = rows["Les Mézereaux"]
    assert (mez.halls, mez.encoded, mez.incompatible, mez.dwellings, mez.dwellings_covered) == (3, 1, 1, 30, 12)
    assert rows["Plein Ciel"].status == "attention"
    assert rows["Les Alouettes"].status == "pending"
    assert list(rows)[0] == "Les Mézereaux"  # highest site level first
    total = progress.totals(list(rows.values()))
    assert (total.halls, total.encoded, total.dwellings) == (7, 1, 82)


async def test_shell_lists_residences_and_finds_a_hall(store):
    ids = tinyterritory.build(store)
    app = make_app(store)
    async with app.run_test(size=(100, 30)) as pilot:
        table = app.screen.query_one("#residences", DataTable)
        await _until(pilot, lambda: table.row_count == 3)
        assert table.get_row_at(0)[1] == "1/3"
        assert "1/7 halls encodés" in str(app.screen.query_one("#totals", Static).render())
        await pilot.press("slash", *"alouettes", "enter")
        hits = app.screen.query_one("#hits", DataTable)
        assert hits.display and hits.row_count == 2
        await pilot.press("escape")
        assert not hits.display
        # a typed (or scanned) hall code opens the hall at once
        code = store.get("halls", ids["al_b"])["code"]
        await pilot.press("slash", *code.lower(), "enter")
        await _until(pilot, lambda: isinstance(app.screen, HallScreen))
        assert app.screen.hall_id == ids["al_b"]


async def test_a_scanned_label_opens_its_hall_and_its_other_lines_do_nothing(store):
    """A keyboard-wedge scanner types the whole label, an Enter after each line."""
    ids = tinyterritory.build(store)
    from vigikfield.domain import labels

    label, _ = labels.for_hall(store.conn, store.get("halls", ids["al_a"])["code"])
    app = make_app(store)
    async with app.run_test(size=(100, 30)) as pilot:
        await _until(pilot, lambda: app.screen.query_one("#residences").row_count == 3)
        await pilot.press("slash")
        for line in label.lines:  # "Habitat 77" would be h, a (no access!), b, i (incompatible)...
            await pilot.press(*[{" ": "space"}.get(c, c) for c in line if c.isascii() and (c.isalnum() or c == " ")], "enter")
        await _until(pilot, lambda: isinstance(app.screen, HallScreen))
        await pilot.pause()
        assert app.screen.hall_id == ids["al_a"]
        assert app.screen.state.step == "compatibility"  # no key reached the wizard
        assert len(app.screen_stack) == 2  # no dialog opened


@pytest.mark.parametrize("lang", ["fr", "en"])
async def test_shell_speaks_the_chosen_language(store, lang):
    tinyterritory.build(store)
    i18n.set_language(lang)
    app = make_app(store)
    async with app.run_test(size=(100, 30)) as pilot:
        await _until(pilot, lambda: app.screen.query_one("#residences").row_count == 3)
        table = app.screen.query_one("#residences", DataTable)
        headers = [str(c.label) for c in table.columns.values()]
        assert headers[0] == ("Résidence" if lang == "fr" else "Residence")
        descriptions = {active.binding.description for active in app.screen.active_bindings.values()}
        assert ("Chercher" if lang == "fr" else "Search") in descriptions


def test_shell_snapshot(store, snap_compare):
    tinyterritory.build(store)

    async def settle(pilot):
        await _until(pilot, lambda: pilot.app.screen.query_one("#residences").row_count == 3)

    assert snap_compare(make_app(store), terminal_size=(100, 24), run_before=settle)
