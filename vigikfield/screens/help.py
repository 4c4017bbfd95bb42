"""F1 help: what the screen underneath is for, and its keys."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Markdown

from ..i18n import t
from ..widgets.translated import TranslatedModal


def key_table(screen: Screen) -> list[tuple[str, str]]:
    """(key as shown, description) for every active binding with a description."""
    rows = []
    seen = set()
    for key, active in screen.active_bindings.items():
        binding = active.binding
        if not binding.description or (binding.description, key) in seen:
            continue
        seen.add((binding.description, key))
        rows.append((screen.app.get_key_display(binding), binding.description))
    return rows


class HelpScreen(TranslatedModal):
    """Help for the screen it was opened from."""

    BINDINGS = [
        Binding("escape,f1,q", "dismiss", "help.key_close", id="help.close"),
    ]

    def __init__(self, for_screen: Screen) -> None:
        super().__init__()
        topic = getattr(for_screen, "HELP", "help.route")
        lines = [f"# {t(topic + '_title')}", "", t(topic), "", f"## {t('help.keys')}", "",
                 f"| {t('help.col_key')} | {t('help.col_action')} |", "|---|---|"]
        lines += [f"| `{k}` | {d} |" for k, d in key_table(for_screen)]
        lines += ["", t("help.everywhere")]
        self.text = "\n".join(lines)

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"):
            yield Markdown(self.text)
