"""The dashboard screen on the demo territory: one key from the route, the same figures
as `report progress --json` and as a count of `hall list --json`, groupings switched
with a key, F1 help, and snapshots at 80 × 24 and 120 × 40."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from conftest import Cli
from tui_wait import settle as _settle
from tui_wait import until as _until
from vigikfield.domain import lateness
from vigikfield.domain.names import fold
from vigikfield.screens.dashboard import TOTAL, DashboardScreen
from vigikfield.screens.help import HelpScreen
from vigikfield.tui import make_app
from vigikfield.widgets.fitted import FittedTable

TODAY = date(2026, 12, 1)


def _loaded(app) -> bool:
    screen = app.screen
    return isinstance(screen, DashboardScreen) and screen.late is not None \
        and screen.query_one("#groups", FittedTable).row_count > 0


def _cells(table: FittedTable) -> dict[str, list[str]]:
    """Row key -> the row's texts as shown."""
    return {str(key.value): [str(c) for c in table.get_row(key)] for key in table.rows}


def _number(text: str) -> int:
    return int(text.replace("\u202f", "").replace(",", ""))


async def test_ctrl_d_from_the_route_shows_the_figures_of_report_progress(demo_store, db_path):
    listed = json.loads(Cli(db_path)("hall", "list", "--json").output)
    by_landlord = json.loads(Cli(db_path)("report", "progress", "--by", "landlord",
                                          "--json").output)
    by_qpv = json.loads(Cli(db_path)("report", "progress", "--by", "qpv", "--json").output)
    app = make_app(demo_store)
    async with app.run_test(size=(140, 40)) as pilot:
        await _until(pilot, lambda: app.screen.query_one("#residences").row_count > 0)
        await pilot.press("ctrl+d")
        await _until(pilot, lambda: _loaded(app))
        screen = app.screen
        table = screen.query_one("#groups", FittedTable)
        columns = [str(k.value) for k in table.columns]
        assert columns[:3] == ["name", "bar", "encoded"] and "door_not_tested" in columns
        rows = _cells(table)
        # the territory's row: a count of `hall list --json`
        statuses = Counter(h["status"] for h in listed)
        total = dict(zip(columns, rows[TOTAL]))
        assert total["encoded"] == f"{statuses['encoded']}/{len(listed):,}".replace(",", "\u202f")
        assert _number(total["failed"]) == statuses["failed"]
        assert _number(total["incompatible"]) == statuses["incompatible"]
        assert _number(total["no_access"]) == statuses["no_access"]
        assert _number(total["pending"]) == statuses["to_check"] + statuses["compatible"]
        covered = sum(h["dwellings"] for h in listed if h["status"] == "encoded")
        assert total["dwellings_covered"].replace("\u202f", "") == \
            f"{covered}/{sum(h['dwellings'] for h in listed)}"
        # each landlord's row: report progress --by landlord --json
        assert len(rows) == len(by_landlord) + 1
        for group in by_landlord:
            shown = dict(zip(columns, rows[group["id"]]))
            assert shown["name"] == group["name"]
            assert shown["encoded"].replace("\u202f", "") == f"{group['encoded']}/{group['halls']}"
            for figure in ("failed", "no_access", "incompatible", "door_not_tested", "pending"):
                assert _number(shown[figure]) == group[figure], (group["name"], figure)
        # 3: the QPV, and the group outside them last
        await pilot.press("3")
        await _settle(pilot)
        assert screen.by == "qpv"
        rows = _cells(table)
        assert [r[0] for key, r in rows.items() if key != TOTAL] == [g["name"] for g in by_qpv]
        assert rows[""][0] == "hors QPV"
        # the coverage, in QPV and outside
        coverage = str(screen.query_one("#dash-coverage").render())
        inside = sum(g["dwellings_covered"] for g in by_qpv if g["id"])
        assert f"{inside:,}".replace(",", "\u202f") in coverage and "sans objectif fixé" in coverage
        # late residences
        assert screen.query_one("#late", FittedTable).row_count == len(screen.late) > 0
        await pilot.press("escape")
        await _settle(pilot)
        assert not isinstance(app.screen, DashboardScreen)


def _progress(db_path: Path, by: str) -> list[dict]:
    return json.loads(Cli(db_path)("report", "progress", "--by", by, "--json").output)


async def _open(pilot) -> DashboardScreen:
    """The dashboard pushed on the app, once it shows its figures."""
    pilot.app.push_screen(DashboardScreen(today=TODAY))
    await _until(pilot, lambda: _loaded(pilot.app))
    return pilot.app.screen


async def test_a_grouping_is_read_when_first_chosen_then_kept(demo_store, db_path):
    """The screen opens with the landlords (and the QPV, for the coverage); the 20,000
    residences of a large territory are read only when their tab is chosen."""
    by_residence = _progress(db_path, "residence")
    app = make_app(demo_store)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await _open(pilot)
        assert set(screen.groups) == {None, "landlord", "qpv"}
        table = screen.query_one("#groups", FittedTable)
        await pilot.press("4")
        await _until(pilot, lambda: "residence" in screen.groups and not table.loading)
        await _settle(pilot)
        rows = _cells(table)
        assert len(rows) == len(by_residence) + 1
        assert [r[0] for key, r in rows.items() if key != TOTAL] == [
            g["name"] or "sans résidence" for g in by_residence]
        for group in by_residence[:20]:
            assert rows[group["id"] or ""][2].replace("\u202f", "") == \
                f"{group['encoded']}/{group['halls']}"
        kept = screen.groups["residence"]
        await pilot.press("1")
        await pilot.press("4")  # read once: the same list, no second reading
        await _settle(pilot)
        assert screen.groups["residence"] is kept and len(_cells(table)) == len(rows)
        await pilot.press("r")  # reloading forgets it
        await _until(pilot, lambda: screen.groups.get("residence") is not kept
                     and not table.loading and table.row_count == len(rows))


async def test_a_long_grouping_lists_its_first_groups_and_filters_by_name(
        demo_store, db_path, monkeypatch):
    """A territory's 20,000 residences would take the screen seconds to fill: past
    GROUPS_SHOWN the table lists the first ones, a line counts them all, `/` filters."""
    from vigikfield.screens import dashboard as screen_module

    monkeypatch.setattr(screen_module, "GROUPS_SHOWN", 15)  # the demo: 11 landlords
    by_residence = _progress(db_path, "residence")
    app = make_app(demo_store)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await _open(pilot)
        table = screen.query_one("#groups", FittedTable)
        field = screen.query_one("#groups-filter")
        note = screen.query_one("#groups-note")
        assert not field.display and not note.display  # the landlords: all of them
        await pilot.press("4")
        await _until(pilot, lambda: "residence" in screen.groups and not table.loading)
        await _settle(pilot)
        names = [g["name"] for g in by_residence]
        assert [r[0] for key, r in _cells(table).items() if key != TOTAL] == names[:15]
        assert field.display and note.display
        assert f"Les 15 premiers sur {len(names)}" in str(note.render())
        # "/" then part of a name: the residences holding it, accents and case aside
        wanted = names[27]  # past the first 15
        part = wanted.split()[-1][:4].upper()
        found = [n for n in names if fold(part) in fold(n)]
        await pilot.press("slash")
        assert field.has_focus
        await pilot.press(*part)  # the table is refilled once typing pauses

        def shown() -> list[str]:
            return [r[0] for key, r in _cells(table).items() if key != TOTAL]

        await _until(pilot, lambda: shown() == found[:15])
        assert wanted in found and len(found) < len(names)
        assert f"« {part} » : {len(found)} sur {len(names)}" in str(note.render())
        # Escape clears, Escape again back to the table, Escape again leaves
        await pilot.press("escape")
        await _until(pilot, lambda: shown() == names[:15])
        assert field.value == ""
        await pilot.press("escape")
        assert table.has_focus and isinstance(app.screen, DashboardScreen)
        await pilot.press("1")  # the landlords again: no filter, no line
        await _settle(pilot)
        assert not field.display and not note.display
        await pilot.press("escape")
        await _settle(pilot)
        assert not isinstance(app.screen, DashboardScreen)


async def test_f1_explains_the_dashboard_and_lists_its_keys(demo_store):
    app = make_app(demo_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await _until(pilot, lambda: app.screen.query_one("#residences").row_count > 0)
        app.push_screen(DashboardScreen(today=TODAY))
        await _until(pilot, lambda: _loaded(app))
        await pilot.press("f1")
        await _until(pilot, lambda: isinstance(app.screen, HelpScreen)
                     and bool(app.screen.query("MarkdownTable")))
        assert "Tableau de bord" in app.screen.text and "Technicien" in app.screen.text
        assert "vigikfield goal set" in app.screen.text


async def test_the_goal_set_by_the_pilot_shows_on_the_dashboard(demo_store, db_path):
    assert Cli(db_path)("goal", "set", "--qpv", "1654", "--outside", "267").exit_code == 0
    app = make_app(demo_store)
    async with app.run_test(size=(120, 40)) as pilot:
        app.push_screen(DashboardScreen(today=TODAY))
        await _until(pilot, lambda: _loaded(app))
        coverage = str(app.screen.query_one("#dash-coverage").render())
        assert "/1\u202f654 logements" in coverage and "/267 logements" in coverage
        assert "objectif du pilote" in coverage


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_dashboard_snapshot(demo_store, snap_compare, size):
    async def run_before(pilot):
        app = pilot.app
        await _until(pilot, lambda: app.screen.query_one("#residences").row_count > 0)
        app.push_screen(DashboardScreen(today=TODAY))
        await _until(pilot, lambda: _loaded(app))
        await _settle(pilot)

    assert snap_compare(make_app(demo_store), terminal_size=size, run_before=run_before)


async def test_f1_on_the_route_lists_the_dashboards_key(demo_store):
    app = make_app(demo_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await _until(pilot, lambda: app.screen.query_one("#residences").row_count > 0)
        await pilot.press("f1")
        await _until(pilot, lambda: isinstance(app.screen, HelpScreen))
        assert "| `^d` | Bilan |" in app.screen.text


async def test_a_long_late_list_shows_the_longest_overdue_and_counts_them_all(
        demo_store, monkeypatch):
    """At 130,000 halls thousands of residences may be late: the screen lists the first
    LATE_SHOWN (the longest overdue, in lateness order) and its title counts them all."""
    from vigikfield.screens import dashboard as screen_module

    monkeypatch.setattr(screen_module, "LATE_SHOWN", 5)
    app = make_app(demo_store)
    async with app.run_test(size=(140, 40)) as pilot:
        await _until(pilot, lambda: app.screen.query_one("#residences").row_count > 0)
        await pilot.press("ctrl+d")
        await _until(pilot, lambda: _loaded(app))
        screen = app.screen
        every = lateness.late_residences(demo_store.conn, screen.today)
        assert len(screen.late) == 5 < screen.late_total == len(every)
        table = screen.query_one("#late", FittedTable)
        assert [str(k.value) for k in table.rows] == [r.residence_id for r in every[:5]]
        title = str(screen.query_one("#dash-late-title").render())
        assert f"{len(every)}" in title and "les 5 plus anciennes" in title
