"""The campaign's costs on one screen: what `vigikfield report costs` shows — planned and
incurred, HT and TTC, by item and by payer, the prices « à renseigner » flagged — and
the parameters, which the pilot edits here (docs/costs.md).

The figures are read in a worker through `domain.costs.report`; the rows are the
report's own sheet (`commands.report_costs.sheet`) and its cells the terminal
table's (`exports.writers.text_value`), so the screen and the report cannot
differ. Editing a parameter goes through `domain.costs.set_parameter`, as
`costs set` does: the same parsing of French numbers (« 1 234,56 »), the same
rights (pilot only), an op of the journal. No SQL here; no confidential field.
"""

from __future__ import annotations

from decimal import Decimal

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Footer, Header, Input, Static, TabbedContent, TabPane

from ..domain import rights
from ..domain.cost_defaults import MONEY, PAYER, PERCENT
from ..domain.profile import PILOT
from ..i18n import TranslatedError, format_money, format_number, t
from ..widgets.fitted import FittedTable
from ..widgets.translated import TranslatedModal, TranslatedScreen

VIEWS = ("item", "payer")  # the report's two sheets (`report costs --by`)
TABS = (*VIEWS, "params")
# Columns that give way when the terminal is narrow, in that order, with the width they keep.
GIVE_WAY = {"note": 6, "item": 8, "payer": 8}
# Below WIDE_FROM columns of terminal the tables show the money only (the report's
# figures, without unit prices, counts and notes: the rows to fill are in colour).
WIDE_FROM = 120
NARROW = ("payer", "item", "planned_ht", "planned_ttc", "incurred_ht", "incurred_ttc")
# the screen's own, shorter headers (the others are the report's)
HEADERS = {"unit_ht": "desk.costs.head_unit_ht", "planned_count": "desk.costs.head_planned_count",
           "incurred_count": "desk.costs.head_incurred_count"}
TO_FILL = "dark_orange"
PARAM_COLUMNS = ("param", "name", "value", "source")
PARAM_GIVE_WAY = {"source": 12, "name": 14}
NUMERIC = ("money", "integer")
TOTAL = "total"  # the row key of the report's total row


def cell_texts(sheet, columns) -> list[tuple[str, list[str]]]:
    """(row key, texts) of a report sheet, each cell of `columns` as the terminal table
    shows it (`report costs`)."""
    from ..exports.writers import text_value

    rows = []
    for n, row in enumerate(sheet.rows):
        key = TOTAL if row.get("payer_kind") == "total" else str(n)
        rows.append((key, [text_value(c, row.get(c.key)) or "-" for c in columns]))
    return rows


def typed(setting) -> str:
    """A parameter's value as the pilot would type it again (empty: the default)."""
    value = setting.value
    if setting.is_default or value is None:
        return ""
    if setting.parameter.unit == PAYER:
        return t(f"costs.payer.{value}")
    exact = Decimal(value.numerator) / value.denominator
    places = max(0, -exact.normalize().as_tuple().exponent)
    if setting.parameter.unit == MONEY:
        places = max(places, 2)
    return format_number(exact, places)


class CostsScreen(TranslatedScreen):
    """The costs by item, by payer, and the parameters; E edits one (the pilot's)."""

    HELP = "help.costs"
    DEFAULT_CSS = """
    CostsScreen #costs-summary { height: auto; padding: 0 1; }
    CostsScreen #costs-tabs { height: 1fr; }
    CostsScreen FittedTable { height: 1fr; }
    """
    BINDINGS = [
        Binding("1", "show_tab('item')", "desk.costs.key_item", id="costs.item", show=False),
        Binding("2", "show_tab('payer')", "desk.costs.key_payer", id="costs.payer", show=False),
        Binding("3", "show_tab('params')", "desk.costs.key_params", id="costs.params",
                show=False),
        Binding("e", "edit", "desk.costs.key_edit", id="costs.edit"),
        Binding("r", "reload", "desk.costs.key_reload", id="costs.reload"),
        Binding("escape", "app.pop_screen", "desk.costs.key_back", id="costs.back"),
    ]

    report = None  # domain.costs.Report, once read
    wide: bool | None = None  # the set of columns shown

    class Loaded(Message):
        def __init__(self, report) -> None:
            super().__init__()
            self.report = report

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="costs"):
            yield Static(t("desk.costs.loading"), id="costs-summary")
            with TabbedContent(id="costs-tabs"):
                for name in TABS:
                    with TabPane(t(f"desk.costs.tab_{name}"), id=f"tab-{name}"):
                        yield FittedTable(PARAM_GIVE_WAY if name == "params" else GIVE_WAY,
                                          id=f"costs-{name}", cursor_type="row",
                                          zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.title = t("desk.costs.title")
        self.query_one("#costs-params", FittedTable).add_keyed_columns(
            {c: t(f"desk.costs.col_{c}") for c in PARAM_COLUMNS})
        self.query_one("#costs-item", FittedTable).focus()
        self.load()

    @work(thread=True, exclusive=True, group="costs-load", exit_on_error=False)
    def load(self) -> None:
        from ..domain import costs

        self.post_message(self.Loaded(costs.report(self.app.store.conn)))

    def action_reload(self) -> None:
        self.load()

    def on_costs_screen_loaded(self, message: Loaded) -> None:
        self.report = report = message.report
        total = report.total
        lines = [t("desk.costs.summary_planned", ht=format_money(total.planned_ht),
                   ttc=format_money(total.planned_ttc)),
                 t("desk.costs.summary_incurred", ht=format_money(total.incurred_ht),
                   ttc=format_money(total.incurred_ttc))]
        summary = Text("\n".join(lines))
        if report.to_fill:
            summary.append("\n" + t("desk.costs.summary_to_fill", params=", ".join(report.to_fill)),
                           style="bold dark_orange")
        self.query_one("#costs-summary", Static).update(summary)
        self.fill()
        self._fill_params()

    def fill(self) -> None:
        """Both sheets of the report, with the columns the terminal's width allows."""
        from ..commands.report_costs import sheet

        self.wide = self.size.width >= WIDE_FROM
        for by in VIEWS:
            self._fill(by, sheet(self.report, readable=True, by=by))

    def on_resize(self) -> None:
        if self.report is not None and self.wide != (self.size.width >= WIDE_FROM):
            self.fill()

    def _fill(self, by: str, found) -> None:
        table = self.query_one(f"#costs-{by}", FittedTable)
        table.clear(columns=True)
        table.natural.clear()
        shown = [c for c in found.columns if self.wide or c.key in NARROW or
                 (by == "payer" and c.key == "note")]
        columns = [c.key for c in shown]
        table.add_keyed_columns({c.key: t(HEADERS.get(c.key, c.label)) for c in shown})
        rows = cell_texts(found, shown)
        table.measure({c: [texts[i] for _, texts in rows] for i, c in enumerate(columns)})
        for (key, texts), row in zip(rows, found.rows):
            cells = table.cells(columns, texts)
            for i, column in enumerate(shown):
                if column.kind in NUMERIC:
                    cells[i] = Text(texts[i], justify="right", no_wrap=True)
            if key == TOTAL:
                cells = [Text(str(c), style="bold", no_wrap=True,
                              justify=c.justify if isinstance(c, Text) else "left")
                         for c in cells]
            elif row.get("note"):  # a price to fill: said in colour
                cells = [Text(str(c), style=TO_FILL, no_wrap=True, overflow="ellipsis",
                              justify=c.justify if isinstance(c, Text) else "left")
                         for c in cells]
            table.add_row(*cells, key=key)
        table.fit()

    def _fill_params(self) -> None:
        from ..commands.costs import shown, source

        table = self.query_one("#costs-params", FittedTable)
        rows = [(s.parameter.name, [s.parameter.name, t(f"field.projects.{s.parameter.field}"),
                                    shown(s), source(s)])
                for s in self.report.settings.values()]
        table.clear()
        table.measure({c: [texts[i] for _, texts in rows] for i, c in enumerate(PARAM_COLUMNS)})
        for key, texts in rows:
            cells = table.cells(PARAM_COLUMNS, texts)
            if self.report.settings[key].to_fill:
                cells[2] = Text(texts[2], style="bold dark_orange")
            table.add_row(*cells, key=key)
        table.fit()

    # -- tabs ---------------------------------------------------------------------
    def action_show_tab(self, name: str) -> None:
        self.query_one("#costs-tabs", TabbedContent).active = f"tab-{name}"
        self.query_one(f"#costs-{name}", FittedTable).focus()

    @on(TabbedContent.TabActivated, "#costs-tabs")
    def _tab_shown(self, event: TabbedContent.TabActivated) -> None:
        name = str(event.pane.id).removeprefix("tab-")
        self.query_one(f"#costs-{name}", FittedTable).focus()

    # -- editing a parameter ----------------------------------------------------------
    def highlighted_parameter(self) -> str:
        """The parameter under the cursor of the parameters' tab (the first one elsewhere)."""
        table = self.query_one("#costs-params", FittedTable)
        keys = list(self.report.settings)
        if self.query_one("#costs-tabs", TabbedContent).active != "tab-params":
            return keys[0]
        return keys[min(max(table.cursor_row, 0), len(keys) - 1)]

    def action_edit(self) -> None:
        store = self.app.store
        if self.report is None:
            return
        if store.role != PILOT:
            self.notify(str(rights.refuse_field(store.role, "projects", "cost_encoding")),
                        severity="error")
            return
        if self.query_one("#costs-tabs", TabbedContent).active != "tab-params":
            self.action_show_tab("params")
            return  # the pilot picks the parameter first; E again edits it
        name = self.highlighted_parameter()

        def edited(message: str | None) -> None:
            if message:
                self.notify(message)
                self.load()

        self.app.push_screen(ParameterDialog(self.report.settings[name]), edited)

    def on_data_table_row_selected(self, event: FittedTable.RowSelected) -> None:
        if event.data_table.id == "costs-params":
            self.action_edit()


class ParameterDialog(TranslatedModal[str | None]):
    """One parameter's new value, typed the French way; Enter records it (the same checks
    and the same op as `costs set`), Escape cancels. Dismissed with the message saying
    what changed, or None."""

    BINDINGS = [Binding("escape", "cancel", "dialog.key_cancel", id="dialog.cancel")]

    def __init__(self, setting) -> None:
        super().__init__()
        self.setting = setting

    def compose(self) -> ComposeResult:
        from ..commands.costs import shown

        p = self.setting.parameter
        hint = {MONEY: "desk.costs.hint_money", PERCENT: "desk.costs.hint_percent",
                PAYER: "desk.costs.hint_payer"}[p.unit]
        with Vertical(classes="dialog"):
            yield Static(t("desk.costs.edit_question", name=t(f"field.projects.{p.field}"),
                           param=p.name, value=shown(self.setting)), classes="prompt")
            yield Static(t(hint), classes="prompt")
            yield Input(value=typed(self.setting), id="cost-value")
            yield Static("", id="dialog-error", classes="error prompt")

    @on(Input.Submitted, "#cost-value")
    def submit(self, event: Input.Submitted) -> None:
        from ..commands.costs import shown
        from ..domain import costs
        from ..domain.values import BadValue

        try:  # a bad value, not the pilot: said here, nothing written
            before, after = costs.set_parameter(self.app.store, self.setting.parameter.name,
                                                event.value)
        except (TranslatedError, BadValue) as exc:
            self.query_one("#dialog-error", Static).update(str(exc))
            return
        name = t(f"field.projects.{after.parameter.field}")
        if (before.value, before.is_default) == (after.value, after.is_default):
            self.dismiss(t("costs.unchanged", name=name, value=shown(after)))
            return
        key = "costs.saved_default" if after.is_default else "costs.saved"
        self.dismiss(t(key, name=name, value=shown(after), before=shown(before)))

    def action_cancel(self) -> None:
        self.dismiss(None)

