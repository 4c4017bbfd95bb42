"""The costs screen on the demo territory: Ctrl+B from the route and C from the dashboard
open it; its cells are those of `report costs` (by item and by payer) and its totals
those of `report costs --json`; the pilot edits a price the French way in a dialog,
recorded as an op like `costs set`, and a bad value or another profile is refused with
nothing written; F1 lists its keys; snapshots at 80 × 24 and 120 × 40."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from textual.widgets import Input, Static

from conftest import Cli
from tui_wait import settle, until
from vigikfield.screens.costs import TOTAL, CostsScreen, ParameterDialog
from vigikfield.screens.dashboard import DashboardScreen
from vigikfield.screens.help import HelpScreen
from vigikfield.tui import make_app
from vigikfield.widgets.fitted import FittedTable

NNBSP, NBSP = "\u202f", "\u00a0"


def _loaded(app) -> bool:
    screen = app.screen
    return isinstance(screen, CostsScreen) and screen.report is not None \
        and screen.query_one("#costs-item", FittedTable).row_count > 0


def _rows(table: FittedTable) -> dict[str, dict[str, str]]:
    """Row key -> {column key: text as shown}."""
    columns = [str(k.value) for k in table.columns]
    return {str(key.value): dict(zip(columns, (str(c) for c in table.get_row(key))))
            for key in table.rows}


def _euros(text: str) -> Decimal:
    """« 1 234,56 € » as a Decimal (what the JSON says: "1234.56")."""
    return Decimal(text.replace(NNBSP, "").replace(NBSP, "").rstrip("€ ").replace(",", "."))


async def _open_from_route(pilot):
    app = pilot.app
    await until(pilot, lambda: app.screen.query_one("#residences").row_count > 0)
    await pilot.press("ctrl+b")
    await until(pilot, lambda: _loaded(app))
    return app.screen


def _table_lines(db: Path, *args: str) -> list[list[str]]:
    result = Cli(db)("report", "costs", *args)
    assert result.exit_code == 0, result.output
    return [line.split("\t") for line in result.stdout.splitlines()]


async def test_ctrl_b_shows_the_figures_of_report_costs(demo_store, db_path):
    by_item = json.loads(Cli(db_path)("report", "costs", "--json").stdout)
    by_payer = json.loads(Cli(db_path)("report", "costs", "--by", "payer", "--json").stdout)
    table_lines = _table_lines(db_path)
    app = make_app(demo_store)
    async with app.run_test(size=(160, 50)) as pilot:  # wide: every column of the report
        screen = await _open_from_route(pilot)
        items = _rows(screen.query_one("#costs-item", FittedTable))
        # every cell as `report costs` prints it, row for row (header apart)
        assert [list(r.values()) for r in items.values()] == table_lines[1:]
        total = by_item[-1]
        assert total["payer_kind"] == "total"
        for key in ("planned_ht", "planned_ttc", "incurred_ht", "incurred_ttc"):
            assert _euros(items[TOTAL][key]) == Decimal(total[key]), key
        # the total row is the sum of the rows, as in the report
        assert sum(_euros(r["planned_ttc"]) for k, r in items.items() if k != TOTAL) \
            == Decimal(total["planned_ttc"])
        summary = str(screen.query_one("#costs-summary", Static).render())
        planned = f"{Decimal(total['planned_ht']):,.2f}".replace(",", NNBSP).replace(".", ",")
        assert planned in summary and "kit, service_card, computer" in summary
        # 2: by payer, the rows of `report costs --by payer --json`
        await pilot.press("2")
        await settle(pilot)
        payers = _rows(screen.query_one("#costs-payer", FittedTable))
        assert len(payers) == len(by_payer)
        for shown, row in zip(payers.values(), by_payer):
            assert _euros(shown["incurred_ttc"]) == Decimal(row["incurred_ttc"]), row
        # 3: the parameters, those to fill flagged
        await pilot.press("3")
        await settle(pilot)
        params = _rows(screen.query_one("#costs-params", FittedTable))
        assert list(params) == [p["param"] for p in json.loads(
            Cli(db_path)("costs", "show", "--json").stdout)]
        assert params["kit"]["value"] == "à renseigner"
        assert params["encoding"]["value"] == f"40,00{NBSP}€ HT"


async def test_the_pilot_edits_a_price_the_french_way_recorded_as_an_op(demo_store, db_path):
    ops_before = demo_store.conn.execute("SELECT count(*) FROM ops").fetchone()[0]
    last = demo_store.conn.execute("SELECT max(rowid) FROM ops").fetchone()[0]
    app = make_app(demo_store)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _open_from_route(pilot)
        await pilot.press("3")
        await settle(pilot)
        params = screen.query_one("#costs-params", FittedTable)
        params.move_cursor(row=list(screen.report.settings).index("kit"))
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, ParameterDialog))
        dialog = app.screen
        # a bad value: said in the dialog, which stays open, nothing written
        dialog.query_one("#cost-value", Input).value = "12,345678"
        await pilot.press("enter")
        await settle(pilot)
        error = str(dialog.query_one("#dialog-error", Static).render())
        assert isinstance(app.screen, ParameterDialog) and "au plus 4 décimales" in error
        assert demo_store.conn.execute("SELECT count(*) FROM ops").fetchone()[0] == ops_before
        dialog.query_one("#cost-value", Input).value = "1 234,56"
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, CostsScreen)
                    and app.screen.report is not None
                    and app.screen.report.settings["kit"].value is not None)
        await settle(pilot)
        shown = [n.message for n in app._notifications]
        assert any("1\u202f234,56" in m for m in shown), shown
        items = _rows(screen.query_one("#costs-item", FittedTable))
    (op,) = demo_store.conn.execute(
        "SELECT field, value, reason FROM ops WHERE rowid > ?", (last,)).fetchall()
    assert op[0] == "cost_kit" and json.loads(op[1]) == "1234.56"
    assert op[2] == "reason.costs_set {\"param\": \"kit\"}"
    shown_param = next(p for p in json.loads(Cli(db_path)("costs", "show", "--json").stdout)
                       if p["param"] == "kit")
    assert shown_param["value"] == "1234.56" and shown_param["source"] == "set"
    total = json.loads(Cli(db_path)("report", "costs", "--json").stdout)[-1]
    assert _euros(items[TOTAL]["planned_ht"]) == Decimal(total["planned_ht"])
    assert _euros(items[TOTAL]["planned_ht"]) > Decimal("632850.01")  # the kit now counts


async def test_another_profile_sees_the_costs_but_cannot_edit_them(demo_store, db_path):
    demo_store.set_profile(role="technician")
    ops_before = demo_store.conn.execute("SELECT count(*) FROM ops").fetchone()[0]
    app = make_app(demo_store)
    async with app.run_test(size=(120, 40)) as pilot:
        app.push_screen(CostsScreen())
        await until(pilot, lambda: _loaded(app))
        await pilot.press("3", "e")
        await settle(pilot)
        assert isinstance(app.screen, CostsScreen)
        shown = [n.message for n in app._notifications]
        assert any("Le profil technicien ne peut pas modifier" in m for m in shown), shown
    assert demo_store.conn.execute("SELECT count(*) FROM ops").fetchone()[0] == ops_before


async def test_c_on_the_dashboard_and_f1_list_the_costs(demo_store):
    app = make_app(demo_store)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: app.screen.query_one("#residences").row_count > 0)
        await pilot.press("f1")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen))
        assert "| `^b` | Coûts |" in app.screen.text
        await pilot.press("escape")
        app.push_screen(DashboardScreen(today=date(2026, 12, 1)))
        await until(pilot, lambda: isinstance(app.screen, DashboardScreen)
                    and app.screen.late is not None)
        await pilot.press("c")
        await until(pilot, lambda: _loaded(app))
        await pilot.press("f1")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen)
                    and bool(app.screen.query("MarkdownTable")))
        assert "Coûts de la campagne" in app.screen.text
        assert "vigikfield costs set" in app.screen.text
        await pilot.press("escape", "escape")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_costs_snapshot(demo_store, snap_compare, size):
    async def run_before(pilot):
        app = pilot.app
        await until(pilot, lambda: app.screen.query_one("#residences").row_count > 0)
        app.push_screen(CostsScreen())
        await until(pilot, lambda: _loaded(app))
        await settle(pilot)

    assert snap_compare(make_app(demo_store), terminal_size=size, run_before=run_before)
