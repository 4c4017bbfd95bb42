"""The three calendars: planned against done by ISO week, the late items in red, and the
dates planned on a day off (domain/calendar.py, docs/calendar.md).

"Today" is given to the screen (the app reads the clock, tests give a date):
the screen never reads the clock. The figures are read in a worker.
"""

from __future__ import annotations

from datetime import date

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Footer, Header, Static, TabbedContent, TabPane

from ..domain.calendar import CALENDARS, Calendars, Item
from ..i18n import format_date, format_number, t
from ..widgets.fitted import FittedTable
from ..widgets.translated import TranslatedScreen

WEEK_COLUMNS = ("week", "week_start", "working_days", "planned", "done", "late", "holidays")
WEEK_GIVE_WAY = {"holidays": 10}
ITEM_COLUMNS = ("calendar", "item", "planned_date", "days_late", "who", "day_off")
ITEM_GIVE_WAY = {"day_off": 9, "who": 12, "item": 16, "calendar": 6}
# headers of the screen's own (narrower than the report's)
HEADERS = {"calendar": "calendar.col_calendar_short", "days_late": "calendar.col_days_late_short",
           "day_off": "calendar.col_day_off_short"}
TABS = (*CALENDARS, "late", "off_days")
LATE = "bold red"
NUMBERS = {"working_days", "planned", "done", "late", "days_late"}


def _cells(table: FittedTable, columns: tuple[str, ...], texts: tuple[str, ...],
           late: bool, late_column: str) -> list:
    """The row's cells: numbers to the right, the delay in red when late."""
    cells = table.cells(columns, texts)
    for i, column in enumerate(columns):
        if column in NUMBERS:
            cells[i] = Text(texts[i], justify="right",
                            style=LATE if late and column == late_column else "")
    return cells


class CalendarScreen(TranslatedScreen):
    """One tab per calendar (its weeks), one for the late items, one for the days off."""

    HELP = "help.calendar"
    BINDINGS = [
        Binding("1", "show_tab('encoding')", "calendar.key_encoding", id="calendar.encoding",
                show=False),
        Binding("2", "show_tab('replacements')", "calendar.key_replacements",
                id="calendar.replacements", show=False),
        Binding("3", "show_tab('stations')", "calendar.key_stations", id="calendar.stations",
                show=False),
        Binding("4", "show_tab('late')", "calendar.key_late", id="calendar.late"),
        Binding("5", "show_tab('off_days')", "calendar.key_off_days", id="calendar.off_days",
                show=False),
        Binding("escape", "app.pop_screen", "calendar.key_back", id="calendar.back"),
    ]

    calendars: Calendars | None = None

    class Loaded(Message):
        def __init__(self, calendars: Calendars) -> None:
            super().__init__()
            self.calendars = calendars

    def __init__(self, today: date) -> None:
        super().__init__()
        self.today = today

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(t("calendar.loading"), id="calendar-summary", classes="summary")
        with TabbedContent(id="calendar-tabs"):
            for name in CALENDARS:
                with TabPane(t(f"calendar.tab_{name}"), id=f"tab-{name}"):
                    yield FittedTable(WEEK_GIVE_WAY, id=f"weeks-{name}", cursor_type="row",
                                      zebra_stripes=True)
            for name in ("late", "off_days"):
                with TabPane(t(f"calendar.tab_{name}", count="…"), id=f"tab-{name}"):
                    yield FittedTable(ITEM_GIVE_WAY, id=f"items-{name}", cursor_type="row",
                                      zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        for name in CALENDARS:
            self.query_one(f"#weeks-{name}", FittedTable).add_keyed_columns(
                {c: t(f"calendar.col_{c}") for c in WEEK_COLUMNS})
        for name in ("late", "off_days"):
            self.query_one(f"#items-{name}", FittedTable).add_keyed_columns(
                {c: t(HEADERS.get(c, f"calendar.col_{c}")) for c in ITEM_COLUMNS})
        self.query_one("#weeks-encoding", FittedTable).focus()
        self.load()

    @work(thread=True, exclusive=True, group="calendar-load", exit_on_error=False)
    def load(self) -> None:
        from ..domain import calendar

        self.post_message(self.Loaded(calendar.build(self.app.store.conn, self.today)))

    def on_calendar_screen_loaded(self, message: Loaded) -> None:
        self.calendars = result = message.calendars
        late = {name: result.totals(name)[2] for name in CALENDARS}
        self.query_one("#calendar-summary", Static).update(t(
            "calendar.summary", today=format_date(result.today),
            department=result.department or "-",
            encoding=format_number(late["encoding"]),
            replacements=format_number(late["replacements"]),
            stations=format_number(late["stations"])))
        for name in CALENDARS:
            self._fill_weeks(name, result)
        self._fill_items("late", result.late)
        self._fill_items("off_days", result.off_days)
        tabs = self.query_one("#calendar-tabs", TabbedContent)
        for name, items in (("late", result.late), ("off_days", result.off_days)):
            tabs.get_tab(f"tab-{name}").label = t(f"calendar.tab_{name}", count=len(items))

    def _fill_weeks(self, name: str, result: Calendars) -> None:
        table = self.query_one(f"#weeks-{name}", FittedTable)
        table.clear()
        rows = [(w.week, format_date(w.week_start), format_number(w.working_days),
                 format_number(w.planned), format_number(w.done), format_number(w.late),
                 w.holidays) for w in result.weeks.get(name, [])]
        table.measure({c: [r[i] for r in rows] for i, c in enumerate(WEEK_COLUMNS)})
        for w, texts in zip(result.weeks.get(name, []), rows):
            table.add_row(*_cells(table, WEEK_COLUMNS, texts, w.late > 0, "late"))
        table.fit()

    def _fill_items(self, name: str, items: list[Item]) -> None:
        table = self.query_one(f"#items-{name}", FittedTable)
        table.clear()
        rows = [(t(f"calendar.tab_{i.calendar}"), i.item, format_date(i.planned_date),
                 "" if i.days_late is None else format_number(i.days_late),
                 i.who or "", i.day_off or "") for i in items]
        table.measure({c: [r[i] for r in rows] for i, c in enumerate(ITEM_COLUMNS)})
        for item, texts in zip(items, rows):
            table.add_row(*_cells(table, ITEM_COLUMNS, texts, item.days_late is not None,
                                  "days_late"))
        table.fit()

    def action_show_tab(self, name: str) -> None:
        self.query_one("#calendar-tabs", TabbedContent).active = f"tab-{name}"
        kind = "items" if name in ("late", "off_days") else "weeks"
        self.query_one(f"#{kind}-{name}", FittedTable).focus()
