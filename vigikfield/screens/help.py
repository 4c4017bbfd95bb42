"""F1 help: what the screen underneath is for, its own keys first, then the keys that
work everywhere, in the user's language. Textual's generic keys (cursor moves, copy,
page up/down of the focused widget) are summed up in one translated line."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Markdown

from ..i18n import t
from ..widgets.translated import TranslatedModal


def key_table(screen: Screen) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(the screen's own keys, the app's global keys): (key as shown, description).

    Only bindings vigikfield declared (their descriptions come from the catalog);
    the focused widget's and Textual's own bindings are left out.
    """
    from ..app import GLOBAL_BINDINGS

    global_ids = {b.id for b in GLOBAL_BINDINGS}
    own_ids = {b.id for b in type(screen).BINDINGS if isinstance(b, Binding) and b.id}
    own, everywhere, seen = [], [], set()
    for active in screen.active_bindings.values():
        binding = active.binding
        if not binding.description or binding.id in seen or not active.enabled:
            continue
        if binding.id in own_ids and active.node is screen:
            own.append((screen.app.get_key_display(binding), binding.description))
        elif binding.id in global_ids and active.node is screen.app:
            everywhere.append((screen.app.get_key_display(binding), binding.description))
        else:
            continue
        seen.add(binding.id)
    return own, everywhere


def _rows(keys: list[tuple[str, str]]) -> list[str]:
    return [f"| `{k}` | {d} |" for k, d in keys]


class HelpScreen(TranslatedModal):
    """Help for the screen it was opened from."""

    BINDINGS = [
        Binding("escape,f1,q", "dismiss", "help.key_close", id="help.close"),
    ]

    def __init__(self, for_screen: Screen) -> None:
        super().__init__()
        topic = getattr(for_screen, "HELP", "help.route")
        own, everywhere = key_table(for_screen)
        header = [f"| {t('help.col_key')} | {t('help.col_action')} |", "|---|---|"]
        lines = [f"**{t(topic + '_title')}** — {t(topic)}", ""]
        lines += [f"**{t('help.keys')}**", "", *header, *_rows(own), ""]
        lines += [f"**{t('help.everywhere_title')}**", "", *header, *_rows(everywhere), ""]
        lines += [t("help.generic")]
        self.text = "\n".join(lines)

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"):
            yield Markdown(self.text)
