"""The command palette's main actions (Ctrl+P), in the current language."""

from __future__ import annotations

from textual.command import DiscoveryHit, Hit, Hits, Provider

from .i18n import t


class MainActions(Provider):
    """Help, search, next pending hall, back to the route, quit."""

    def _commands(self):
        app = self.app
        screen = app.screen
        commands = [
            (t("palette.help"), app.action_help, t("palette.help_help")),
            (t("palette.route"), lambda: app.pop_screen() if len(app.screen_stack) > 1 else None,
             t("palette.route_help")),
            (t("palette.quit"), app.exit, t("palette.quit_help")),
            (t("palette.sync"), app.open_sync, t("palette.sync_help")),
            (t("palette.dashboard"), app.open_dashboard, t("palette.dashboard_help")),
            (t("palette.costs"), app.open_costs, t("palette.costs_help")),
            (t("palette.lookup"), app.action_lookup, t("palette.lookup_help")),
            (t("palette.checklist"), app.open_checklist, t("palette.checklist_help")),
        ]
        if hasattr(screen, "action_focus_search"):
            commands.append((t("palette.search"), screen.action_focus_search, t("palette.search_help")))
        if hasattr(screen, "action_next_pending"):
            commands.append((t("palette.next"), screen.action_next_pending, t("palette.next_help")))
        return commands

    async def discover(self) -> Hits:
        for name, callback, help_text in self._commands():
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, callback, help_text in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)
