"""vigikfield report pdf: the committee's one-page progress report (exports/committee_pdf.py)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from ..i18n import t
from .base import Context
from .report import Day


def register(report: click.Group) -> None:
    @report.command("pdf", help=t("committee.help"))
    @click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
                  help=t("committee.opt_out"))
    @click.option("--map", "with_map", is_flag=True, help=t("committee.opt_map"))
    @click.option("--include-confidential", is_flag=True, help=t("committee.opt_confidential"))
    @click.option("--today", type=Day(), metavar="YYYY-MM-DD", help=t("calendar.opt_today"))
    @click.pass_obj
    def pdf(obj: Context, out: Path, with_map: bool, include_confidential: bool,
            today: date | None) -> None:
        from ..domain import committee, private
        from ..exports import committee_pdf

        day = today if today is not None else date.today()  # the clock, read here only
        found = committee.build(obj.store().conn, day, with_map=with_map,
                                include_confidential=include_confidential)
        private.write_atomic(out, committee_pdf.pdf_bytes(found))
        click.echo(t("committee.written", out=out, pages=2 if with_map else 1))
        if include_confidential:
            click.echo(t("export.confidential_written"), err=True)
