"""A DataTable whose columns give way by priority when the terminal is narrow.

Some columns keep their natural width (the residence's progress); the others
(`give_way`, in the order they give way, each with the width it keeps at the
least) shrink one after the other until the row fits, their text cut with an
ellipsis. Widths follow the table's size; cells are never rewritten for it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from rich.cells import cell_len
from rich.measure import Measurement
from rich.text import Text
from textual import events
from textual.widgets import DataTable


class Cut:
    """A cell's text, cut with an ellipsis to its column's width (plain text, no markup)."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __str__(self) -> str:
        return self.text

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Cut) and other.text == self.text

    def __hash__(self) -> int:
        return hash(self.text)

    def __rich_console__(self, console, options):
        yield Text(self.text, no_wrap=True, overflow="ellipsis", end="")

    def __rich_measure__(self, console, options) -> Measurement:
        width = cell_len(self.text)
        return Measurement(width, width)


class FittedTable(DataTable):
    """A DataTable with keyed columns, some of which give way (`give_way`: key -> least width)."""

    def __init__(self, give_way: Mapping[str, int], **kwargs) -> None:
        super().__init__(**kwargs)
        self.give_way = dict(give_way)
        self.natural: dict[str, int] = {}

    def add_keyed_columns(self, labels: Mapping[str, str]) -> None:
        for key, label in labels.items():
            width = self.give_way.get(key)
            self.add_column(Text(label), key=key, width=None if width is None else cell_len(label))
            if width is not None:
                self.natural[key] = cell_len(label)

    def cell(self, column: str, text: str) -> str | Cut:
        return Cut(text) if column in self.give_way else text

    def cells(self, columns: Iterable[str], texts: Iterable[str]) -> list[str | Cut]:
        return [self.cell(c, v) for c, v in zip(columns, texts)]

    def measure(self, texts: Mapping[str, Iterable[str]]) -> None:
        """The natural width of each column, from all the texts it will show (the
        table measures its cells only once idle, too late for the first frame)."""
        for key, values in texts.items():
            label = cell_len(str(self.columns[key].label))  # type: ignore[call-overload]
            self.natural[key] = max(label, max((cell_len(v) for v in set(values)), default=0))

    def widths(self, room: int) -> dict[str, int]:
        """Widths of the columns that give way, so that the whole row fits in `room` cells."""
        padding = 2 * self.cell_padding
        fixed = sum(max(c.content_width, self.natural.get(k.value, 0)) + padding
                    for k, c in self.columns.items() if k.value not in self.give_way)
        free = room - fixed - padding * len(self.give_way)
        widths = {k: self.natural.get(k, 0) for k in self.give_way}
        for key, least in self.give_way.items():  # in the order they give way
            excess = sum(widths.values()) - free
            if excess <= 0:
                break
            widths[key] = max(min(least, widths[key]), widths[key] - excess)
        return widths

    def fit(self) -> None:
        """Set the widths of the columns that give way to the table's present width."""
        if not self.size.width:
            return
        room = self.size.width - self.styles.scrollbar_size_vertical
        changed = False
        for key, width in self.widths(room).items():
            column = self.columns.get(key)  # type: ignore[call-overload]
            if column is not None and column.width != width:
                column.width, changed = width, True
        if changed:
            # Textual's own resize path: the cached cell renders are for the old widths
            self._clear_caches()
            self._require_update_dimensions = True
            self.refresh()

    def on_resize(self, event: events.Resize) -> None:
        self.fit()
