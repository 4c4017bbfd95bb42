"""`vigikfield serve`'s web server: textual-serve's, behind an access token.

textual-serve (`textual_serve.server.Server`) builds an aiohttp application that
serves a page, its static files and a websocket; each websocket starts one app
process (`command`) and pipes the browser's terminal to it. It has no
authentication. `TokenServer` subclasses it and changes four things:

- `guard`, an aiohttp middleware added to the application textual-serve builds,
  refuses every request (page, static files, websocket, downloads) that does
  not carry the token, with a 403 and a short plain page; a websocket also
  needs an ``Origin`` of this very server when it has one (cross-site websocket
  hijacking: a page elsewhere cannot open it in the user's browser);
- `handle_index` renders our own page (``templates/app_index.html``): no web
  font from the internet (textual-serve's own fonts, served locally), relative
  URLs (it works behind a reverse proxy, TLS included, without a public URL), the
  websocket URL carrying the token (``ws/<token>``), and a cookie (HttpOnly,
  SameSite=Strict) so that the token need not stay in the address bar;
- the app process is ``vigikfield --db THE_DB --lang LANG``: the serving
  database, so its profile, its rights and its actor;
- `serve` binds first and only then says where to connect (port 0: a free
  port, used by the tests), with no access log (URLs carry the token).

It relies on textual-serve's `Server._make_app`, `handle_index` and
`handle_websocket` (pyproject pins the minor version for that reason).
"""

from __future__ import annotations

import asyncio
import ipaddress
import os
import shlex
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import aiohttp_jinja2
from aiohttp import web
from textual_serve.server import Server, to_int

from ..i18n import EXIT_FAILED, TranslatedError, t
from . import token as tokens

TEMPLATES = Path(__file__).parent / "templates"
WILDCARDS = ("", "0.0.0.0", "::")

# What the page may load: only this server (no font, script or socket elsewhere).
# The inline script and styles are the page's own.
CONTENT_POLICY = ("default-src 'self'; script-src 'self' 'unsafe-inline'; "
                  "style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; "
                  "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")


class ServeError(TranslatedError):
    prefix = "serve.error."
    exit_code = EXIT_FAILED


def app_command(db: Path, lang: str) -> str:
    """The shell command textual-serve runs for each tab: this interpreter's vigikfield
    on the serving database (``exec``: the app is the process textual-serve stops)."""
    argv = [sys.executable, "-m", "vigikfield", "--db", str(db), "--lang", lang]
    if os.name == "nt":
        return subprocess.list2cmdline(argv)
    return "exec " + shlex.join(argv)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def url_host(host: str) -> str:
    """The host to write in a URL: a wildcard address is reached on loopback here."""
    if host in WILDCARDS:
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host


def _forbidden(key: str) -> web.Response:
    return web.Response(status=403, text=t(key) + "\n", content_type="text/plain",
                        charset="utf-8", headers={"Cache-Control": "no-store"})


def _same_origin(request: web.Request) -> bool:
    """A browser always sends ``Origin`` on a websocket: it must be this server (as the
    browser reached it, through a proxy too). None: not a browser, nothing to hijack."""
    origin = request.headers.get("Origin")
    if origin is None:
        return True
    return urlsplit(origin).netloc.lower() == (request.host or "").lower()


def _is_https(request: web.Request) -> bool:
    return request.secure or request.headers.get("X-Forwarded-Proto", "").lower() == "https"


class TokenServer(Server):
    """textual-serve's server with an access token on every request."""

    def __init__(self, *, db: Path, lang: str, token: str, host: str = "127.0.0.1",
                 port: int = 8000) -> None:
        super().__init__(app_command(db, lang), host=host, port=port, title="vigikfield",
                         templates_path=TEMPLATES)
        self.token = token
        self.cookie = f"vigikfield-token-{port}"
        self.sessions: set[asyncio.Task] = set()

    # -- the application ------------------------------------------------------
    async def _make_app(self) -> web.Application:
        app = await super()._make_app()
        app.middlewares.append(self.guard)
        # the websocket URL carries the token in its path: textual.js appends
        # "?width=…&height=…" to it, so a query would not survive
        app.router.add_get("/ws/{token}", self.handle_websocket, name="websocket-token")
        return app

    @web.middleware
    async def guard(self, request: web.Request, handler) -> web.StreamResponse:
        offered = (request.match_info.get("token"), request.query.get("token"),
                   request.cookies.get(self.cookie))
        if not any(tokens.matches(o, self.token) for o in offered):
            return _forbidden("serve.forbidden")
        if request.headers.get("Upgrade", "").lower() == "websocket" and not _same_origin(request):
            return _forbidden("serve.forbidden_origin")
        response = await handler(request)
        if not response.prepared:
            response.headers.setdefault("Content-Security-Policy", CONTENT_POLICY)
            response.headers.setdefault("Referrer-Policy", "no-referrer")
            response.headers.setdefault("X-Content-Type-Options", "nosniff")
        return response

    async def handle_index(self, request: web.Request) -> web.Response:
        context = {
            "font_size": to_int(request.query.get("fontsize", "16"), 16),
            "ws_path": f"ws/{self.token}",
            "static": "static/",
            "lang": t("serve.page.lang"),
            "title": t("serve.page.title"),
            "texts": {k: t(f"serve.page.{k}") for k in ("starting", "start", "ended", "restart")},
        }
        response = aiohttp_jinja2.render_template("app_index.html", request, context)
        response.headers["Cache-Control"] = "no-store"  # the page holds the token
        if tokens.matches(request.query.get("token"), self.token):
            response.set_cookie(self.cookie, self.token, path="/", httponly=True,
                                samesite="Strict", secure=_is_https(request))
        return response

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        task = asyncio.current_task()
        self.sessions.add(task)
        try:
            return await super().handle_websocket(request)
        finally:
            self.sessions.discard(task)

    async def on_startup(self, app: web.Application) -> None:
        """textual-serve prints its logo here; `serve` says where to connect once bound."""

    async def on_shutdown(self, app: web.Application) -> None:
        """Each open tab's app is told to quit (textual-serve's handler does it when
        cancelled), so that no app process outlives the server."""
        for task in list(self.sessions):
            task.cancel()
        if self.sessions:
            await asyncio.wait(list(self.sessions), timeout=10)

    # -- running ----------------------------------------------------------------
    def serve(self, debug: bool = False, *, ready: Callable[[int], None] | None = None) -> None:
        """Serve until SIGINT or SIGTERM; `ready(port)` once listening."""
        asyncio.run(self._serve(ready or (lambda port: None)))

    async def _serve(self, ready: Callable[[int], None]) -> None:
        runner = web.AppRunner(await self._make_app(), access_log=None, handle_signals=False,
                               shutdown_timeout=10)
        await runner.setup()
        site = web.TCPSite(runner, self.host or None, self.port)
        try:
            await site.start()
        except OSError as exc:
            await runner.cleanup()
            raise ServeError("cannot_listen", host=self.host, port=self.port,
                             error=exc.strerror or exc) from None
        self.port = runner.addresses[0][1]
        self.cookie = f"vigikfield-token-{self.port}"
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            try:
                loop.add_signal_handler(signum, stop.set)
            except (NotImplementedError, RuntimeError):
                pass  # Windows: Ctrl+C raises KeyboardInterrupt, the CLI exits 130
        ready(self.port)
        try:
            await stop.wait()
        finally:
            await runner.cleanup()
