"""The calendar screen: opened with Ctrl+E from the route, the same figures as the domain (and
so as `report calendar`), late in red, translated, help, snapshots on the demo."""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

import pytest
from rich.text import Text
from textual.widgets import DataTable, Markdown, Static, TabbedContent

import calendar_territory
from tui_wait import settle, until
from vigikfield import i18n
from vigikfield.domain import calendar, demo
from vigikfield.domain.store import Store
from vigikfield.screens.calendar import CalendarScreen
from vigikfield.tui import make_app

TODAY = date(2027, 1, 5)
DEMO_TODAY = date(2026, 11, 16)   # the demo's campaign began on 5 October 2026


def _loaded(app) -> bool:
    return isinstance(app.screen, CalendarScreen) and app.screen.calendars is not None


async def _open(pilot, today: date) -> CalendarScreen:
    await until(pilot, lambda: pilot.app.screen.query("#residences")
                and pilot.app.screen.query_one("#residences").row_count > 0)
    pilot.app.push_screen(CalendarScreen(today))
    await until(pilot, lambda: _loaded(pilot.app))
    await settle(pilot)
    return pilot.app.screen


def _plain(table: DataTable) -> list[list[str]]:
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


async def test_c_on_the_route_opens_the_calendars_as_of_the_clock(store):
    calendar_territory.build(store)
    app = make_app(store)
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: app.screen.query_one("#residences").row_count > 0)
        await pilot.press("ctrl+e")
        await until(pilot, lambda: _loaded(app))
        assert app.screen.today == date.today()
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, CalendarScreen)


async def test_the_screen_shows_the_domains_figures_late_in_red(store):
    calendar_territory.build(store)
    expected = calendar.build(store.conn, TODAY)
    app = make_app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _open(pilot, TODAY)
        for name in calendar.CALENDARS:
            table = screen.query_one(f"#weeks-{name}", DataTable)
            assert [row[:6] for row in _plain(table)] == [
                [w.week, i18n.format_date(w.week_start), str(w.working_days), str(w.planned),
                 str(w.done), str(w.late)] for w in expected.weeks[name]]
            for i, w in enumerate(expected.weeks[name]):
                cell = table.get_row_at(i)[5]
                assert isinstance(cell, Text) and ("red" in str(cell.style)) == (w.late > 0)
        late = screen.query_one("#items-late", DataTable)
        assert [(row[1], row[3]) for row in _plain(late)] == [
            (i.item, str(i.days_late)) for i in expected.late]
        assert all("red" in str(late.get_row_at(i)[3].style) for i in range(late.row_count))
        off = _plain(screen.query_one("#items-off_days", DataTable))
        assert [row[5] for row in off] == ["samedi", "Saint-Étienne", "Vendredi saint"]
        summary = str(screen.query_one("#calendar-summary", Static).render())
        assert "05/01/2027" in summary and "dép. 77" in summary
        assert "en retard : 5 halls, 1 remplacements, 1 bornes" in summary
        tabs = screen.query_one("#calendar-tabs", TabbedContent)
        assert str(tabs.get_tab("tab-late").label) == "Retards (5)"
        await pilot.press("4")
        assert tabs.active == "tab-late" and app.focused is late
        await pilot.press("3")
        assert tabs.active == "tab-stations"


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
async def test_the_screen_and_its_help_are_translated(store, lang):
    sections = {key.split(".")[0] for key in i18n.catalog("fr")}
    message_id = re.compile(r"\b(?:%s)\.[a-z0-9_]+(?:\.[a-z0-9_]+)*\b" % "|".join(sorted(sections)))
    i18n.set_language(lang)
    calendar_territory.build(store)
    app = make_app(store)
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await _open(pilot, TODAY)
        parts = [str(w.render()) for w in screen.query(Static)]
        for table in screen.query(DataTable):
            parts += [str(c.label) for c in table.columns.values()]
            parts += [" ".join(row) for row in _plain(table)]
        parts += [a.binding.description for a in screen.active_bindings.values()]
        text = "\n".join(parts)
        assert not message_id.findall(text), lang
        assert ("Retour" if lang == "fr" else "Back") in text
        await pilot.press("f1")
        await until(pilot, lambda: bool(app.screen.query(Markdown)))
        source = app.screen.query_one(Markdown).source
        assert i18n.t("help.calendar_title") in source and i18n.t("calendar.key_late") in source
        assert not message_id.findall(source)


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    s = Store(path)
    demo.ensure(s)
    s.close()
    return path


@pytest.mark.parametrize("size, tab", [((80, 24), None), ((120, 40), "4")],
                         ids=["80x24-weeks", "120x40-late"])
def test_calendar_snapshot_on_the_demo(demo_db, tmp_path, snap_compare, size, tab):
    shutil.copy(demo_db, tmp_path / "demo.db")
    store = Store(tmp_path / "demo.db")
    app = make_app(store, demo=True, labels_dir=Path("/var/tmp/vigikfield-labels"))

    async def run_before(pilot):
        await _open(pilot, DEMO_TODAY)
        if tab:
            await pilot.press(tab)
        await settle(pilot)

    try:
        assert snap_compare(app, terminal_size=size, run_before=run_before)
    finally:
        store.close()
