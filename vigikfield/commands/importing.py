"""`vigikfield import FILE`: a landlord's inventory into the territory, all or nothing."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import click

from .base import EXIT_BAD_INPUT, EXIT_FAILED, Context, fail
from ..i18n import t

ENTITY_KEYS = ("landlords", "communes", "qpvs", "residences", "halls")


def problem_text(file_name: str, problem) -> str:
    """`file:line: column «X»: message`, or as much of it as the problem knows."""
    message = t(problem.key, **problem.values)
    if problem.line is None:
        return t("import.at_file", file=file_name, message=message)
    if problem.column is None:
        return t("import.at_line", file=file_name, line=problem.line, message=message)
    return t("import.at_cell", file=file_name, line=problem.line, column=problem.column,
             message=message)


def _counts(counter) -> str:
    return ", ".join(t(f"import.n_{table}", n=counter[table])
                     for table in ENTITY_KEYS if counter[table])


def print_summary(file_name: str, parsed, summary, dry_run: bool) -> None:
    echo = click.echo
    echo(t("import.summary_dry" if dry_run else "import.summary", file=file_name,
           residences=summary.residences, halls=summary.halls, dwellings=summary.dwellings))
    echo(t("import.summary_vigik", compatible=summary.vigik["compatible"],
           incompatible=summary.vigik["incompatible"], unknown=summary.vigik["unknown"]))
    if not summary.ops:
        echo(t("import.no_change"))
    else:
        if summary.project_created:
            echo(t("import.project_created_dry" if dry_run else "import.project_created"))
        if summary.created:
            echo(t("import.created_dry" if dry_run else "import.created",
                   what=_counts(summary.created)))
        if summary.updated:
            echo(t("import.updated_dry" if dry_run else "import.updated",
                   what=_counts(summary.updated)))
        for _table, label, name, old, new in summary.details:
            echo(t("import.detail", what=label, field=t(f"import.field.{name}"),
                   old="∅" if old is None else old, new=new))
        if summary.updated_fields > len(summary.details):
            echo(t("import.more_changes", n=summary.updated_fields - len(summary.details)))
        echo(t("import.ops_dry" if dry_run else "import.ops", n=summary.ops))
    if summary.kept:
        echo(t("import.kept", n=len(summary.kept)))
        for code, label in summary.kept[:20]:
            echo(f"  {code}\t{label}")
        if len(summary.kept) > 20:
            echo(t("import.kept_more", n=len(summary.kept) - 20))
    if parsed.ignored:
        echo(t("import.ignored", columns=", ".join(f"« {c} »" for c in parsed.ignored)))


def register(cli: click.Group) -> None:
    @cli.command("import", help=t("import.help"))
    @click.argument("file", type=click.Path(path_type=Path))
    @click.option("--landlord", metavar=t("import.metavar_name"), help=t("import.opt_landlord"))
    @click.option("--dry-run", is_flag=True, help=t("import.opt_dry_run"))
    @click.pass_obj
    def import_(obj: Context, file: Path, landlord: str | None, dry_run: bool) -> None:
        from ..domain import importer, tabular
        from ..domain.import_plan import ImportProblems, run
        from ..domain.store import Store

        name = file.name
        try:
            parsed = importer.parse(file, landlord)
        except tabular.TabularError as exc:
            fail(t("import.at_file", file=file, message=str(exc)), EXIT_BAD_INPUT)
        try:
            if parsed.problems:
                raise ImportProblems(parsed.problems)
            if dry_run and not obj.db_path.exists():
                store = Store(":memory:", actor="dry-run")  # compare with an empty territory
                summary = run(store, parsed, name, dry_run=True)
                store.close()
            else:
                summary = run(obj.store(), parsed, name, dry_run=dry_run)
        except ImportProblems as exc:
            for problem in exc.problems:
                click.echo(problem_text(str(file), problem), err=True)
            fail(t("import.refused", n=len(exc.problems)), EXIT_BAD_INPUT)
        except sqlite3.OperationalError as exc:  # locked by another import, disk full...
            fail(t("import.db_error", error=exc), EXIT_FAILED)
        print_summary(name, parsed, summary, dry_run)
