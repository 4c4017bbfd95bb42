"""The pilot's dashboard: territory totals, coverage against the goal (QPV and outside),
one table per grouping with a bar per row, halls encoded per week, late residences.

Every figure is read in a worker through `domain.dashboard` (SQL aggregates over
the ``hall_status`` view, the counts it keeps per residence): the territory and
the grouping shown first, then the rest of the screen; another grouping is read
in a worker when it is first chosen, and refilled from what was read after that.
No SQL here. The screen shows this database's figures whatever the
role (a technician's laptop holds its work orders' residences), and no
confidential field.
"""

from __future__ import annotations

from datetime import date

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Footer, Header, Input, Label, Sparkline, Static, Tab, Tabs
from textual.timer import Timer
from textual.worker import Worker, WorkerState

from ..domain import authorisations, dashboard, names
from ..domain.dashboard import GROUPINGS, Coverage, Dashboard, Group
from ..domain.lateness import LateResidence, late_first
from ..domain.upkeep import FIGURES, Figures
from ..i18n import format_date, format_number, t
from ..widgets.fitted import FittedTable
from ..widgets.translated import TranslatedScreen
from .authorisations_list import summary as authorisations_summary

# The groups' columns: all of them when the terminal is wide enough, else the
# narrow set (failed and no access together as "to review", like a residence's status).
WIDE = ("name", "bar", "encoded", "percent", "failed", "no_access", "incompatible",
        "door_not_tested", "pending", "dwellings_covered")
NARROW = ("name", "bar", "encoded", "attention", "incompatible", "pending", "dwellings_covered")
WIDE_FROM = 118  # columns of the terminal
GROUP_GIVE_WAY = {"name": 8}
LATE_COLUMNS = ("residence", "landlord", "technician", "planned", "halls")
LATE_GIVE_WAY = {"landlord": 8, "technician": 8, "residence": 12}
BAR = 12  # cells of a row's bar (NARROW_BAR in the narrow set)
NARROW_BAR = 8

# A bar's segments, in order: (figure, character, style).
SEGMENTS = (("encoded", "█", "green"), ("attention", "█", "red"),
            ("incompatible", "▒", "dark_orange"), ("pending", "░", "grey50"))
TOTAL = "*total*"  # the row key of the territory's row (group ids are UUIDs or names)
WEEK_CELLS = 3  # cells of the sparkline per week


def split(counts: list[int], width: int) -> list[int]:
    """`width` cells shared among `counts` in proportion (largest remainders), a
    non-zero count getting at least one cell when there is room."""
    total = sum(counts)
    if not total:
        return [0] * len(counts)
    exact = [c * width / total for c in counts]
    cells = [int(x) for x in exact]
    for i in sorted(range(len(counts)), key=lambda i: exact[i] - cells[i], reverse=True):
        if sum(cells) >= width:
            break
        cells[i] += 1
    for i, c in enumerate(counts):  # a thin share still shows
        if c and not cells[i]:
            biggest = max(range(len(cells)), key=cells.__getitem__)
            if cells[biggest] > 1:
                cells[biggest] -= 1
                cells[i] = 1
    return cells


def bar(group: Group, width: int = BAR) -> Text:
    """Encoded, to review (failed, no access), incompatible, still to do: one bar."""
    counts = [group.encoded, group.failed + group.no_access, group.incompatible, group.pending]
    text = Text(no_wrap=True, end="")
    for (_, char, style), cells in zip(SEGMENTS, split(counts, width)):
        text.append(char * cells, style=style)
    return text


def coverage_bar(area: Coverage, width: int = BAR) -> Text:
    done = min(width, round(width * area.covered / area.goal)) if area.goal else 0
    return Text.assemble(("█" * done, "green"), ("░" * (width - done), "grey50"))


def percent(part: int, whole: int) -> str:
    return format_number(100 * part / whole, 1) if whole else "–"


def group_name(group: Group, by: str | None) -> str:
    return group.name or t(f"dashboard.none.{by or 'territory'}")


def group_cells(group: Group, by: str | None, width: int = BAR) -> dict[str, object]:
    return {
        "name": group_name(group, by), "bar": bar(group, width),
        "encoded": f"{format_number(group.encoded)}/{format_number(group.halls)}",
        "percent": f"{percent(group.encoded, group.encodable)} %",
        "failed": format_number(group.failed), "no_access": format_number(group.no_access),
        "attention": format_number(group.failed + group.no_access),
        "incompatible": format_number(group.incompatible),
        "door_not_tested": format_number(group.door_not_tested),
        "pending": format_number(group.pending),
        "dwellings_covered": f"{format_number(group.dwellings_covered)}/"
                             f"{format_number(group.dwellings)}",
    }


LATE_SHOWN = 200  # late residences listed on the screen; the title counts them all
# Groups listed in the table: a territory's 20,000 residences would take the screen
# many seconds to fill; past this, a line counts them all and `/` filters by name.
GROUPS_SHOWN = 200
FILTER_PAUSE = 0.15  # seconds without a key before the filter refills the table


def folded(groups: list[Group], by: str) -> list[str]:
    """Each group's name as `matching` compares it (case, accents and spaces aside)."""
    return [names.fold(group_name(g, by)) for g in groups]


def matching(groups: list[Group], folds: list[str], text: str) -> list[Group]:
    """The groups whose name holds `text` (case, accents and spaces aside); `folds`:
    `folded(groups)`, worked out once per grouping rather than at every key."""
    wanted = names.fold(text)
    return [g for g, f in zip(groups, folds) if wanted in f] if wanted else groups


class DashboardScreen(TranslatedScreen):
    """The campaign at a glance; 1–5 pick the grouping."""

    HELP = "help.dashboard"
    AUTO_FOCUS = "#groups"
    DEFAULT_CSS = """
    DashboardScreen #dashboard { height: 1fr; }
    DashboardScreen #dash-coverage { height: auto; padding: 0 1; }
    DashboardScreen #dash-weekly-title, DashboardScreen #dash-late-title { padding: 0 1; }
    DashboardScreen #dash-upkeep { height: auto; padding: 0 1; }
    DashboardScreen #dash-authorisations { padding: 0 1; }
    DashboardScreen #dash-weekly { height: 2; margin: 0 1; max-width: 100%; }
    DashboardScreen #groupings { height: 1; }
    DashboardScreen #groupings Underline { display: none; }
    DashboardScreen #groups { height: 2fr; }
    DashboardScreen #groups-note { padding: 0 1; color: $text-muted; }
    DashboardScreen #groups-filter { height: 3; margin: 0 1; }
    DashboardScreen #late { height: 1fr; min-height: 3; }
    """
    BINDINGS = [
        # the tabs show these keys already: the footer keeps its room for the others
        *(Binding(str(n), f"group('{by}')", f"dashboard.by.{by}", id=f"dashboard.by_{by}",
                  show=False) for n, by in enumerate(GROUPINGS, 1)),
        Binding("r", "reload", "dashboard.key_reload", id="dashboard.reload"),
        Binding("c", "app.open_costs", "dashboard.key_costs", id="dashboard.costs"),
        Binding("a", "authorisations", "authorisations.dashboard_open",
                id="dashboard.authorisations"),
        Binding("slash", "filter", "dashboard.key_filter", id="dashboard.filter", show=False),
        Binding("escape", "back", "dashboard.key_back", id="dashboard.back"),
    ]

    by = "landlord"
    data: Dashboard | None = None  # the figures, without the late residences
    late: list[LateResidence] | None = None  # the first LATE_SHOWN of them
    late_total = 0  # every late residence
    loading = False

    class Loaded(Message):
        """Everything the screen opens with, read by one worker and shown at once (one
        layout, one frame: each message apart would lay the screen out again)."""

        def __init__(self, data: Dashboard, upkeep: Figures, authorisations: dict[str, int],
                     late: tuple[int, list[LateResidence]]) -> None:
            super().__init__()
            self.data = data
            self.upkeep = upkeep
            self.authorisations = authorisations
            self.late_total, self.late = late

    class GroupingLoaded(Message):
        def __init__(self, by: str, groups: list[Group]) -> None:
            super().__init__()
            self.by = by
            self.groups = groups

    def __init__(self, today: date | None = None) -> None:
        super().__init__()
        self.given_today = today  # else the app's day (app.today(): --today, or the clock)
        self.wide: bool | None = None
        self.groups: dict[str | None, list[Group]] = {}  # the groupings read so far
        self.folds: dict[str | None, list[str]] = {}  # their names as the filter compares them
        self.filter_timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="dashboard"):
            yield Static(t("dashboard.loading"), id="dash-coverage")
            yield Static("", id="dash-upkeep")
            yield Label("", id="dash-weekly-title")
            yield Sparkline([], id="dash-weekly")
            yield Tabs(*(Tab(f"{n} {t(f'dashboard.by.{by}')}", id=f"tab-{by}")
                         for n, by in enumerate(GROUPINGS, 1)), id="groupings")
            yield Input(placeholder=t("dashboard.filter_placeholder"), id="groups-filter")
            yield FittedTable(GROUP_GIVE_WAY, id="groups", cursor_type="row", zebra_stripes=True)
            yield Label("", id="groups-note")
            yield Label(t("dashboard.loading"), id="dash-late-title")
            yield FittedTable(LATE_GIVE_WAY, id="late", cursor_type="row", zebra_stripes=True)
            yield Label("", id="dash-authorisations")
        yield Footer()

    def on_mount(self) -> None:
        self.today = self.given_today or self.app.today()
        self.title = t("dashboard.title")
        self.query_one("#groups-filter", Input).display = False
        self.query_one("#groups-note", Label).display = False
        late = self.query_one("#late", FittedTable)
        late.add_keyed_columns({c: t(f"dashboard.col.late_{c}") for c in LATE_COLUMNS})
        self.reload()

    # -- loading ------------------------------------------------------------------
    def reload(self) -> None:
        if self.loading:
            return
        self.loading = True
        self.load()

    def action_reload(self) -> None:
        self.reload()

    @work(thread=True, exclusive=True, group="dashboard-load", exit_on_error=False)
    def load(self) -> None:
        """The figures (one statement: the territory, the grouping shown, the QPV's for
        the coverage, the weeks), the Vigik Plus and authorisations lines, the late
        residences: a statement each, shown together (at 130,000 halls, 0.3 s)."""
        conn = self.app.store.conn
        figures = dashboard.load(conn, self.today, late=False, groupings=(self.by,))
        self.post_message(self.Loaded(figures, dashboard.vigik_plus(conn, self.today),
                                      authorisations.counts(conn, self.today),
                                      late_first(conn, self.today, LATE_SHOWN)))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "dashboard-load" and event.state in (
                WorkerState.ERROR, WorkerState.CANCELLED):
            self.loading = False

    @work(thread=True, group="dashboard-grouping", exit_on_error=False)
    def load_grouping(self, by: str) -> None:
        """A grouping not read yet, when it is chosen."""
        self.post_message(self.GroupingLoaded(by, dashboard.progress(self.app.store.conn, by)))

    def on_dashboard_screen_loaded(self, message: Loaded) -> None:
        self.loading = False
        self.data = message.data
        self.groups = dict(message.data.groups)  # a reload forgets the groupings read before
        self.folds = {}
        self.late, self.late_total = message.late, message.late_total
        with self.app.batch_update():
            self.show_totals()
            self.show_weeks()
            self.fill()
            self.show_upkeep(message.upkeep)
            self.query_one("#dash-authorisations", Label).update(
                authorisations_summary(message.authorisations))
            self.show_late()

    def on_dashboard_screen_grouping_loaded(self, message: GroupingLoaded) -> None:
        self.groups[message.by] = message.groups
        self.folds.pop(message.by, None)
        if message.by == self.by:
            self.fill()

    def show_upkeep(self, f: Figures) -> None:
        """Vigik Plus readiness and the yearly maintenance (docs/vigik-plus.md)."""
        self.query_one("#dash-upkeep", Static).update(t(
            "upkeep.dashboard_line", **{k: format_number(getattr(f, k)) for k in FIGURES}))

    def action_authorisations(self) -> None:
        from .authorisations_list import AuthorisationsScreen

        self.app.push_screen(AuthorisationsScreen(self.today))

    # -- what is shown --------------------------------------------------------------
    def show_totals(self) -> None:
        """The territory's name in the header; its coverage in QPV and outside, against the goal."""
        assert self.data is not None
        self.sub_title = group_name(self.data.territory, None)
        areas = self.data.coverage
        texts = {area: t("dashboard.coverage_line", area=t(f"dashboard.coverage_{area}"),
                         covered=format_number(c.covered), goal=format_number(c.goal),
                         percent=percent(c.covered, c.goal)) for area, c in areas.items()}
        width = max(len(x) for x in texts.values())
        lines = []
        for area, c in areas.items():
            line = Text(texts[area].ljust(width) + " ")
            line.append_text(coverage_bar(c))
            source = "dashboard.coverage_goal_set" if c.goal_set else "dashboard.coverage_goal_default"
            line.append(f" {t(source)}", style="grey50")
            lines.append(line)
        if self.data.to_verify:  # open access-failure reports (docs/failures.md)
            lines.append(Text(t("failures.dashboard_to_verify",
                                count=format_number(self.data.to_verify)), style="bold yellow"))
        self.query_one("#dash-coverage", Static).update(Text("\n").join(lines))

    def show_weeks(self) -> None:
        assert self.data is not None
        weeks = self.data.weeks
        title = self.query_one("#dash-weekly-title", Label)
        spark = self.query_one("#dash-weekly", Sparkline)
        if not any(w.encoded for w in weeks):
            title.update(t("dashboard.weekly_none"))
            spark.display = False
            return
        spark.display = True
        spark.styles.width = WEEK_CELLS * len(weeks)
        spark.data = [w.encoded for w in weeks]
        title.update(t("dashboard.weekly", first=weeks[0].label, last=weeks[-1].label,
                       last_count=format_number(weeks[-1].encoded),
                       best=format_number(max(w.encoded for w in weeks))))

    def show_late(self) -> None:
        late, total = self.late or [], self.late_total
        if not total:
            title = t("dashboard.late_none")
        elif total > len(late):
            title = t("dashboard.late_some", count=format_number(total),
                      shown=format_number(len(late)))
        else:
            title = t("dashboard.late", count=format_number(total))
        self.query_one("#dash-late-title", Label).update(title)
        table = self.query_one("#late", FittedTable)
        # the longest overdue first (lateness orders them, the worker read LATE_SHOWN): a
        # screen of thousands of rows helps no one, and a table's every row is measured
        rows = [(r.residence_id, (r.name or "-", r.landlord or "-",
                                  r.technician or t("dashboard.none.technician"),
                                  format_date(r.planned_date), f"{r.encoded}/{r.halls}"))
                for r in late[:LATE_SHOWN]]
        table.clear()
        table.measure({c: [cells[i] for _, cells in rows] for i, c in enumerate(LATE_COLUMNS)})
        for key, cells in rows:
            table.add_row(*table.cells(LATE_COLUMNS, cells), key=key)
        table.fit()
        table.display = bool(rows)

    def fill(self) -> None:
        """The table of the chosen grouping, from what the worker read (no SQL); a grouping
        not read yet is asked for, its table says so until it comes."""
        if self.data is None:
            return
        if self.by not in self.groups:
            self.query_one("#groups", FittedTable).loading = True
            self.load_grouping(self.by)
            return
        self.query_one("#groups", FittedTable).loading = False
        self.wide = self.size.width >= WIDE_FROM
        columns = WIDE if self.wide else NARROW
        table = self.query_one("#groups", FittedTable)
        table.clear(columns=True)
        table.natural.clear()
        heads = {c: t(f"dashboard.head.{c}") for c in columns}
        if not self.wide:  # the cells say covered/all
            heads["dwellings_covered"] = t("dashboard.head.dwellings")
        table.add_keyed_columns(heads)
        width = BAR if self.wide else NARROW_BAR
        total = group_cells(self.data.territory, None, width)
        total["name"] = t("dashboard.total")
        every = self.groups[self.by]
        text = self.filter_text()
        if text and self.by not in self.folds:
            self.folds[self.by] = folded(every, self.by)
        found = matching(every, self.folds.get(self.by, []), text)
        rows = [(g.id or "", group_cells(g, self.by, width)) for g in found[:GROUPS_SHOWN]]
        self.show_groups_note(len(every), len(found), len(rows))
        table.measure({c: [str(cells[c]) for _, cells in [(TOTAL, total), *rows]]
                       for c in columns if c != "bar"})
        table.add_row(*(v if isinstance(v, Text) else
                        Text(str(v), style="bold", no_wrap=True, overflow="ellipsis")
                        for v in (total[c] for c in columns)), key=TOTAL)
        for key, cells in rows:
            table.add_row(*(table.cell(c, v) if isinstance(v, str) else v
                            for c, v in ((c, cells[c]) for c in columns)), key=key)
        table.fit()

    def filter_text(self) -> str:
        field = self.query_one("#groups-filter", Input)
        return field.value if field.display else ""

    def show_groups_note(self, every: int, found: int, shown: int) -> None:
        """The line under the table when not every group is listed, and the filter field
        when there are more groups than the table lists."""
        self.query_one("#groups-filter", Input).display = every > GROUPS_SHOWN
        what = t(f"dashboard.by.{self.by}")
        text = self.filter_text()
        if text:
            note = t("dashboard.groups_matching", text=text, count=format_number(found),
                     every=format_number(every), what=what)
            if found > shown:
                note += t("dashboard.groups_first", shown=format_number(shown))
        elif every > shown:
            note = t("dashboard.groups_some", shown=format_number(shown),
                     count=format_number(every), what=what, by=self.by)
        else:
            note = ""
        label = self.query_one("#groups-note", Label)
        label.update(note)
        label.display = bool(note)

    def action_filter(self) -> None:
        field = self.query_one("#groups-filter", Input)
        if field.display:
            field.focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        """Refilled once typing pauses (filling 200 rows takes the table 0.2 s: at each
        key, fast typing would wait for every one of them)."""
        if event.input.id == "groups-filter":
            if self.filter_timer is not None:
                self.filter_timer.stop()
            self.filter_timer = self.set_timer(FILTER_PAUSE, self.fill)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "groups-filter":
            self.query_one("#groups", FittedTable).focus()

    def action_back(self) -> None:
        """Escape: clears the filter first when typing in it, else goes back."""
        field = self.query_one("#groups-filter", Input)
        if field.has_focus and field.value:
            field.value = ""
        elif field.has_focus:
            self.query_one("#groups", FittedTable).focus()
        else:
            self.app.pop_screen()

    def on_resize(self) -> None:
        if self.data is not None and self.wide != (self.size.width >= WIDE_FROM):
            self.fill()

    # -- groupings --------------------------------------------------------------------
    def action_group(self, by: str) -> None:
        self.query_one("#groupings", Tabs).active = f"tab-{by}"

    def on_tabs_tab_activated(self, event: Tabs.TabActivated) -> None:
        by = str(event.tab.id).removeprefix("tab-")
        if by != self.by:
            self.by = by
            self.query_one("#groups-filter", Input).value = ""  # a name of another grouping
            self.fill()
