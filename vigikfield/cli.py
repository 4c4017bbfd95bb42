"""The command line: one entry point, `vigikfield`.

Global options come before the command: ``vigikfield --db PATH --lang en search B``.
With no command, the TUI opens on the database. Exit codes: 0 success,
1 a check failed or a device error, 2 bad input (nothing written).
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import traceback
from datetime import datetime
from pathlib import Path

import click

from . import i18n, paths
from .domain import private
from .i18n import t

EXIT_FAILED = 1
EXIT_BAD_INPUT = 2


class Context:
    """What every command receives: the database path, opened on demand."""

    def __init__(self, db: Path, explicit: bool = True) -> None:
        self.db_path = db
        self.explicit_db = explicit  # False: the default file, not named by the user
        self._store = None

    def store(self):
        if self._store is None:
            from .domain.store import Store, StoreError

            try:
                self._store = Store(self.db_path)
            except StoreError as exc:
                fail(str(exc), EXIT_BAD_INPUT)
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None


def fail(message: str, code: int = EXIT_FAILED) -> None:
    """Print `message` on stderr and exit with `code` (never a traceback)."""
    click.echo(message, err=True)
    raise click.exceptions.Exit(code)


def _language_from_argv(argv: list[str]) -> str | None:
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return None


class Group(click.Group):
    """A command group that turns a translated error escaping a command into its message and
    exit code (a refusal of the rights, a profile change): one place, every command."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except i18n.TranslatedError as exc:
            fail(str(exc), exc.exit_code)


def build_cli() -> click.Group:
    """The command tree; help texts are taken in the language in force."""

    @click.group(cls=Group, invoke_without_command=True, help=t("cli.help"))
    @click.option("--db", "db", type=click.Path(dir_okay=False, path_type=Path),
                  envvar="VIGIKFIELD_DB", help=t("cli.opt_db"))
    @click.option("--lang", type=click.Choice(i18n.LANGUAGES), envvar="VIGIKFIELD_LANG",
                  help=t("cli.opt_lang"))
    @click.version_option(package_name="vigikfield")
    @click.pass_context
    def cli(ctx: click.Context, db: Path | None, lang: str | None) -> None:
        i18n.set_language(lang)
        ctx.obj = Context(db or paths.default_db(), explicit=db is not None)
        ctx.call_on_close(ctx.obj.close)
        if ctx.invoked_subcommand is None:
            from .tui import run_tui

            run_tui(ctx.obj.store())

    from .commands import MODULES

    for name in MODULES:
        module_name = f"vigikfield.commands.{name}"
        if importlib.util.find_spec(module_name) is not None:
            importlib.import_module(module_name).register(cli)
    return cli


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        i18n.set_language(_language_from_argv(argv))
    except ValueError:
        pass  # click reports the bad choice
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
