"""The route at 80 columns, its refresh after a hall changed, and search as you type."""

from __future__ import annotations

import tinyterritory
from tui_wait import settle as _settle
from tui_wait import until as _until
from vigikfield.domain import progress, wizard
from vigikfield.screens.hall import HallScreen
from vigikfield.screens.residence import ResidenceScreen
from vigikfield.screens.route import RouteScreen
from vigikfield.tui import make_app
from vigikfield.widgets.fitted import FittedTable


def _twins(store) -> dict[str, str]:
    """The tiny territory and two "Résidence Plessis" in Melun, of two landlords
    whose names are long (what the 80-column route cut to one letter)."""
    ids = tinyterritory.build(store)
    for key, landlord in (("plessis_1", "Les Foyers de Seine-et-Marne"),
                          ("plessis_2", "Trois Moulins Habitat")):
        landlord_id = store.create("landlords", {"name": landlord},
                                   entity_id=tinyterritory.uid(landlord))
        ids[key] = store.create("residences", {
            "name": "Résidence Plessis", "landlord_id": landlord_id,
            "commune_id": ids["melun"], "address": "1 rue du Plessis"},
            entity_id=tinyterritory.uid(key))
        store.create("halls", {"residence_id": ids[key], "label": "A", "dwellings": 9,
                               "vigik": "compatible"}, entity_id=tinyterritory.uid(key + "-a"))
    return ids


def _row_text(app, residence_id: str) -> str:
    """The route's row of a residence as drawn on screen."""
    table = app.screen.query_one("#residences", FittedTable)
    y = table.get_row_index(residence_id) + 1  # under the header
    region = table.region
    strips = app.screen._compositor.render_strips()
    return strips[region.y + y].text[region.x:region.right]


async def test_at_80_columns_two_namesakes_differ_by_their_landlord(store):
    ids = _twins(store)
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await _until(pilot, lambda: app.screen.query_one("#residences").row_count == 5)
        await _settle(pilot)
        first, second = _row_text(app, ids["plessis_1"]), _row_text(app, ids["plessis_2"])
        assert first != second
        assert "Résidence Plessis" in first and "Résidence Plessis" in second  # name kept whole
        assert "Les Foyer" in first and "Trois Mou" in second  # landlords readable, not one letter
        assert "1/1" not in first and "0/1" in first and "0/9" in first  # progress kept whole
        # wider: nothing is cut
        await pilot.resize_terminal(140, 30)
        await _settle(pilot)
        assert "Les Foyers de Seine-et-Marne" in _row_text(app, ids["plessis_1"])


def test_route_snapshot_at_80_columns_with_namesakes(store, snap_compare):
    _twins(store)

    async def run_before(pilot):
        await _until(pilot, lambda: pilot.app.screen.query_one("#residences").row_count == 5)

    assert snap_compare(make_app(store), terminal_size=(80, 24), run_before=run_before)


async def test_back_from_a_hall_the_route_reads_only_the_touched_residence(store):
    ids = tinyterritory.build(store)
    app = make_app(store)
    reads: list[object] = []
    residences = progress.residences

    def counted(conn, only=None):
        reads.append(None if only is None else sorted(only))
        return residences(conn, only=only)

    progress.residences = counted
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            route = app.screen
            table = route.query_one("#residences", FittedTable)
            await _until(pilot, lambda: table.row_count == 3 and not route.loading)
            assert reads == [None]  # the first showing reads the whole route
            row = table.get_row_index(ids["alouettes"])
            assert table.get_row_at(row)[1] == "0/2"
            app.open_residence(ids["alouettes"])
            await _until(pilot, lambda: isinstance(app.screen, ResidenceScreen))
            app.open_hall(ids["al_a"])
            await _until(pilot, lambda: isinstance(app.screen, HallScreen))
            wizard.record_outcome(store, ids["al_a"], "encoded", days="1111111",
                                  windows=[["00:00", "24:00"]])
            await pilot.press("escape")
            await _until(pilot, lambda: isinstance(app.screen, ResidenceScreen))
            await pilot.press("escape")
            await _until(pilot, lambda: isinstance(app.screen, RouteScreen))
            await _settle(pilot)
            assert table.get_row_at(table.get_row_index(ids["alouettes"]))[1] == "1/2"
            assert reads[1:] == [[ids["alouettes"]]]  # that row alone, not the whole route
            # nothing changed: nothing is read
            app.open_residence(ids["mezereaux"])
            await _until(pilot, lambda: isinstance(app.screen, ResidenceScreen))
            await pilot.press("escape")
            await _until(pilot, lambda: isinstance(app.screen, RouteScreen))
            await _settle(pilot)
            assert reads[1:] == [[ids["alouettes"]]]
            # a residence renamed changes the order: the whole route again
            store.update("residences", ids["plein_ciel"], {"name": "Aaa Plein Ciel"})
            app.open_residence(ids["mezereaux"])
            await _until(pilot, lambda: isinstance(app.screen, ResidenceScreen))
            await pilot.press("escape")
            await _until(pilot, lambda: isinstance(app.screen, RouteScreen) and not route.loading
                         and reads[-1] is None)
            await _settle(pilot)
            assert str(table.get_row_at(table.get_row_index(ids["plein_ciel"]))[0]) == "Aaa Plein Ciel"
    finally:
        progress.residences = residences


def test_changed_since_names_the_residences_touched(store):
    ids = tinyterritory.build(store)
    mark = progress.mark(store.conn)
    assert progress.changed_since(store.conn, mark) == set()
    wizard.record_outcome(store, ids["pc_2"], "no_access", reason="gardien absent")
    assert progress.changed_since(store.conn, mark) == {ids["plein_ciel"]}
    centrale = store.conn.execute("SELECT id FROM centrales WHERE hall_id = ?",
                                  (ids["mez_a"],)).fetchone()[0]
    store.update("centrales", centrale, {"active": 0})  # its attempts stop counting
    assert progress.changed_since(store.conn, mark) == {ids["plein_ciel"], ids["mezereaux"]}
    store.update("halls", ids["al_a"], {"residence_id": ids["mezereaux"]})  # a hall moved
    assert progress.changed_since(store.conn, mark) is None
    # the rows of the touched residences are the rows of the whole route
    whole = {r.id: r for r in progress.residences(store.conn)}
    assert progress.residences(store.conn, only=[ids["plein_ciel"], ids["mezereaux"]]) == [
        whole[ids["mezereaux"]], whole[ids["plein_ciel"]]]


async def test_search_results_follow_the_typing_with_each_halls_status(store):
    ids = tinyterritory.build(store)
    app = make_app(store)
    async with app.run_test(size=(100, 30)) as pilot:
        route = app.screen
        await _until(pilot, lambda: route.query_one("#residences").row_count == 3)
        hits = route.query_one("#hits", FittedTable)
        search_box = route.query_one("#search")
        await pilot.press("slash", *"mezer")  # no Enter
        await _until(pilot, lambda: hits.display and hits.row_count == 3)
        assert app.focused is search_box  # typing goes on in the box
        statuses = {str(hits.get_row(k)[1]): str(hits.get_row(k)[2]) for k in hits.rows}
        assert statuses == {"A": "encodé", "B": "compatible", "C": "incompatible — à remplacer"}
        await pilot.press(*"eaux a")  # narrower: the results follow
        await _until(pilot, lambda: hits.row_count == 1)
        assert str(hits.get_row_at(0)[1]) == "A"
        for _ in "eaux a":
            await pilot.press("backspace")
        await pilot.press(*"zzz")  # nothing matches: the route again, no warning while typing
        await _until(pilot, lambda: not hits.display)
        assert route.query_one("#residences").display
        await pilot.press("enter")  # Enter on no match says so
        await _until(pilot, lambda: bool(app._notifications))
        await pilot.press("escape")
        assert search_box.value == ""
        # Enter on a text: the results take the focus
        await pilot.press("slash", *"plein", "enter")
        await _until(pilot, lambda: hits.display and app.focused is hits)
        assert {str(hits.get_row(k)[1]) for k in hits.rows} == {"1", "2"}
        assert ids["pc_1"] in {k.value for k in hits.rows}


async def test_typing_never_waits_for_the_search(store):
    """The search runs in a worker: keys typed while it runs are all taken."""
    tinyterritory.build(store)
    app = make_app(store)
    async with app.run_test(size=(100, 30)) as pilot:
        route = app.screen
        await _until(pilot, lambda: route.query_one("#residences").row_count == 3)
        await pilot.press("slash", *"les")
        await _until(pilot, lambda: any(w.group == "route-search" for w in app.workers)
                     or route.query_one("#hits").display)
        await pilot.press(*" alouettes")
        assert route.query_one("#search").value == "les alouettes"
        await _until(pilot, lambda: route.query_one("#hits").row_count == 2)
