"""The command line: one entry point, `vigikfield`.

Global options come before the command: ``vigikfield --db PATH --lang en search B``.
With no command, the TUI opens on the database. Exit codes: 0 success,
1 a check failed or a device error, 2 bad input (nothing written).
"""

from __future__ import annotations

import sys
import traceback
from datetime import datetime
from pathlib import Path

import click

from . import i18n, paths, settings
from .commands import checklist, click_text, core, encoding, hall, hardware, importing, labels
from .commands import costs, export, goal, landlord, police, profile, report, serve, site
from .commands import authorise, sync
from .commands import failures
from .commands.base import EXIT_BAD_INPUT, EXIT_FAILED, Context, fail
from .domain import private
from .i18n import t

# The command groups, one module per area, registered in this order (--help lists them so).
COMMAND_MODULES = (core, profile, encoding, hall, checklist, importing, landlord, hardware, labels,
                   sync, report, export, site, serve, costs, police, goal,
                   failures, authorise)

__all__ = ["EXIT_BAD_INPUT", "EXIT_FAILED", "Context", "build_cli", "fail", "main"]


def _language_from_argv(argv: list[str]) -> str | None:
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return None


class Group(click.Group):
    """The root group: a `TranslatedError` escaping any command (a refusal of the rights,
    a bad value, a device error...) becomes its message and its exit code, here only."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except i18n.TranslatedError as exc:
            fail(str(exc), exc.exit_code)


def build_cli() -> click.Group:
    """The command tree; help texts are taken in the language in force."""
    click_text.install()

    @click.group("vigikfield", cls=Group, invoke_without_command=True, help=t("cli.help"))
    # --db and --lang win over the settings (file, then VIGIKFIELD_DB / VIGIKFIELD_LANG)
    @click.option("--db", "db", type=click.Path(dir_okay=False, path_type=Path),
                  help=t("cli.opt_db"))
    @click.option("--lang", type=click.Choice(i18n.LANGUAGES), help=t("cli.opt_lang"))
    @click.version_option(package_name="vigikfield")
    @click.pass_context
    def cli(ctx: click.Context, db: Path | None, lang: str | None) -> None:
        chosen = settings.current()
        i18n.set_language(lang or chosen.lang)
        ctx.obj = Context(db or paths.default_db(), explicit=db is not None or chosen.db is not None)
        ctx.call_on_close(ctx.obj.close)
        if ctx.invoked_subcommand is None:
            from .tui import run_tui

            run_tui(ctx.obj.store())

    for module in COMMAND_MODULES:
        module.register(cli)
    return cli


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        i18n.set_language(_language_from_argv(argv) or settings.current().lang)
    except ValueError:
        pass  # click reports the bad choice
    except settings.SettingsError as exc:
        click.echo(str(exc), err=True)
        sys.exit(exc.exit_code)
    cli = build_cli()
    try:
        cli.main(args=argv, prog_name="vigikfield", standalone_mode=True)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # the last net: a message and a log file, never a traceback
        log = paths.log_dir() / "crash.log"
        try:
            private.make_dir(log.parent)
            with private.open_file(log, "a", encoding="utf-8") as fh:  # owner-only
                fh.write(f"--- {datetime.now().isoformat()} {argv}\n{traceback.format_exc()}\n")
        except OSError:
            pass
        click.echo(t("cli.unexpected", error=f"{type(exc).__name__}: {exc}", log=log), err=True)
        sys.exit(EXIT_FAILED)


if __name__ == "__main__":
    main()
