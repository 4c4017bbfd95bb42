"""labels: print the QR labels of encoded halls as PDF sheets, PNG or SVG."""

from __future__ import annotations

from pathlib import Path

import click

from .base import EXIT_BAD_INPUT, EXIT_FAILED, Context, fail
from ..i18n import t

SUFFIXES = (".pdf", ".png", ".svg")
LAYOUTS = ("a4-3x8", "roll-62mm")  # same as label_render.LAYOUTS, kept here so --help stays light


def register(cli: click.Group) -> None:
    @cli.command("labels", help=t("labels.help"))
    @click.option("--hall", "hall_code", metavar="CODE", help=t("labels.opt_hall"))
    @click.option("--residence", metavar="NAME", help=t("labels.opt_residence"))
    @click.option("--encoded-since", metavar="DATE", help=t("labels.opt_encoded_since"))
    @click.option("--all", "all_halls", is_flag=True, help=t("labels.opt_all"))
    @click.option("--out", type=click.Path(path_type=Path), required=True,
                  help=t("labels.opt_out"))
    @click.option("--layout", type=click.Choice(LAYOUTS), default="a4-3x8",
                  show_default=True, help=t("labels.opt_layout"))
    @click.pass_obj
    def labels(obj: Context, hall_code: str | None, residence: str | None,
               encoded_since: str | None, all_halls: bool, out: Path, layout: str) -> None:
        from ..domain import label_render, labels as payloads

        chosen = [x for x in (hall_code, residence, encoded_since) if x is not None]
        if len(chosen) + int(all_halls) != 1:
            fail(t("labels.one_selector"), EXIT_BAD_INPUT)
        suffix = out.suffix.lower()
        if suffix not in SUFFIXES:
            fail(t("labels.bad_suffix", path=out), EXIT_BAD_INPUT)
        conn = obj.store().conn
        if hall_code is not None:
            label, encoded = payloads.for_hall(conn, hall_code)
            if not encoded:
                click.echo(t("labels.not_encoded", code=label.code), err=True)
            selected = [label]
        elif residence is not None:
            selected = payloads.for_residence(conn, residence)
        elif encoded_since is not None:
            selected = payloads.encoded_since(conn, encoded_since)
        else:
            selected = payloads.every_encoded(conn)

        target = out
        try:
            if suffix == ".pdf":
                label_render.write_pdf(selected, out, layout)
            elif hall_code is not None:
                label_render.write_label(selected[0], out, layout)
            else:
                # Several halls as images: a folder named like --out, one file per hall.
                target = out.with_suffix("")
                target.mkdir(exist_ok=True)
                for label in selected:
                    label_render.write_label(label, target / f"{label.code}{suffix}", layout)
        except OSError as exc:
            fail(t("labels.cannot_write", path=target, error=exc.strerror or exc),
                 EXIT_FAILED)
        key = "labels.written_file" if target == out else "labels.written_folder"
        click.echo(t(key, count=len(selected), path=target))
