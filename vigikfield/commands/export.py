"""vigikfield export geojson: the halls on a map, for QGIS and uMap (docs/exports.md)."""

from __future__ import annotations

from pathlib import Path

import click

from .base import Context
from ..i18n import t


def register(cli: click.Group) -> None:
    @cli.group(help=t("export.help"))
    def export() -> None:
        pass

    @export.command("geojson", help=t("export.geojson_help"))
    @click.option("--landlord", metavar="NAME", help=t("export.opt_landlord"))
    @click.option("--commune", metavar="NAME", help=t("export.opt_commune"))
    @click.option("--include-confidential", is_flag=True, help=t("export.opt_confidential"))
    @click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
                  help=t("export.opt_out"))
    @click.pass_obj
    def geojson(obj: Context, landlord: str | None, commune: str | None,
                include_confidential: bool, out: Path) -> None:
        from ..domain import geo, private
        from ..exports import geojson as writer

        placement = geo.placed_halls(obj.store().conn, landlord=landlord, commune=commune,
                                     include_confidential=include_confidential)
        private.write_atomic(out, writer.to_bytes(placement,
                                                  include_confidential=include_confidential))
        click.echo(t("export.geojson_done", count=len(placement.placed), out=out))
        if placement.unplaced:
            shown = ", ".join(placement.unplaced_residences[:8])
            more = len(placement.unplaced_residences) - 8
            click.echo(t("export.unplaced", count=placement.unplaced, residences=shown,
                         more=t("export.more", count=more) if more > 0 else ""), err=True)
        if include_confidential:
            click.echo(t("export.confidential_written"), err=True)
