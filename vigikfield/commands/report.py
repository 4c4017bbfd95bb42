"""vigikfield report …: the pilot's desk figures, in every format (`vigikfield.exports`).

Each report lives in its own module and registers its command on the `report`
group with `register(report)`; every one takes `format_options` and ends with
`emit`, so `--format` and `--out` behave the same for all.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import click

from ..i18n import t

FORMATS = ("table", "csv", "xlsx", "json")


def format_options(fn: Callable) -> Callable:
    """``--format table|csv|xlsx|json`` (table by default) and ``--out FILE``; ``--json``
    is ``--format json`` (every read command has it)."""
    fn = click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path),
                      help=t("report.opt_out"))(fn)
    fn = click.option("--json", "as_json", is_flag=True, help=t("report.opt_json"))(fn)
    fn = click.option("--format", "fmt", type=click.Choice(FORMATS), default="table",
                      show_default=True, help=t("report.opt_format"))(fn)
    return fn


class Day(click.ParamType):
    """A YYYY-MM-DD date (``--today`` of the reports); anything else is bad input (exit 2),
    said in the user's language."""

    name = "date"

    def convert(self, value, param, ctx) -> date:
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value).strip())
        except ValueError:
            self.fail(t("calendar.bad_today", value=value), param, ctx)


def emit(sheets: list, fmt: str, out: Path | None, as_json: bool = False) -> None:
    """Write `sheets` in `fmt` to `out` (stdout when None; XLSX needs a file)."""
    from ..exports import writers

    writers.emit(sheets, "json" if as_json else fmt, out)


# The report modules, in --help order (each: `register(report: click.Group)`).
REPORTS: tuple[str, ...] = ("report_progress", "report_calendar", "report_costs", "report_kit",
                            "report_replacements",
                            "report_failures",
                            "report_vigik_plus",
                            "report_all", "report_pdf",
                            "report_authorisations")


def register(cli: click.Group) -> None:
    import importlib

    @cli.group(help=t("report.help"))
    def report() -> None:
        pass

    for name in REPORTS:
        importlib.import_module(f"{__package__}.{name}").register(report)
