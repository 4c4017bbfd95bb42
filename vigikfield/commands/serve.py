"""serve: the TUI in a browser tab, behind an access token (docs/serve.md)."""

from __future__ import annotations

from pathlib import Path

import click

from .base import EXIT_BAD_INPUT, Context, fail
from ..i18n import language, t


def register(cli: click.Group) -> None:
    @cli.command(help=t("serve.help"))
    @click.option("--host", default="127.0.0.1", show_default=True, help=t("serve.opt_host"))
    @click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
                  help=t("serve.opt_port"))
    @click.option("--token-file", type=click.Path(dir_okay=False, path_type=Path),
                  help=t("serve.opt_token_file"))
    @click.pass_obj
    def serve(obj: Context, host: str, port: int, token_file: Path | None) -> None:
        from ..web import server, token as tokens

        token = tokens.read_token(token_file) if token_file else tokens.new_token()
        if not obj.db_path.exists():  # each tab would open an empty database
            fail(t("serve.no_db", path=obj.db_path), EXIT_BAD_INPUT)
        obj.store()  # opens it (upgraded if needed) before any tab does
        obj.close()
        web = server.TokenServer(db=obj.db_path.resolve(), lang=language(), token=token,
                                 host=host, port=port)

        def ready(bound: int) -> None:
            url = f"http://{server.url_host(host)}:{bound}/"
            click.echo(t("serve.started", db=obj.db_path, url=url))
            if not server.is_loopback(host):
                click.echo(t("serve.not_loopback", host=host or "*"), err=True)
            if token_file:
                click.echo(t("serve.open_file", url=url, path=token_file))
            else:
                click.echo(t("serve.open_generated", url=f"{url}?token={token}"))
            click.echo(t("serve.stop"))

        web.serve(ready=ready)
        click.echo(t("serve.stopped"))
