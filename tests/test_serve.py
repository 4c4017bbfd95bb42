"""`vigikfield serve`: the TUI in a browser tab, behind an access token (issue 14, part 4).

A real server (`vigikfield --db DEMO serve --port 0 --token-file F`, a subprocess
in its own session, killed with its app processes whatever happens), real HTTP
and websocket clients (aiohttp) and Debian's headless chromium driven by
Playwright (``executable_path``, never a downloaded browser). The terminal is
drawn on a canvas: the test knows what the app shows from the bytes the app sends
down the websocket, and what it did from the database.
"""

from __future__ import annotations

import asyncio
import os
import re
import select
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path
from urllib.parse import urlsplit

import aiohttp
import pytest

from vigikfield import i18n
from vigikfield.web import server as web_server

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
TOKEN = "test-token-0123456789abcdefABCDEF"
HANG_GUARD = 60  # seconds: only ever reached when something is broken


# -- the server ------------------------------------------------------------------
def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VIGIKFIELD_")}
    env.update(VIGIKFIELD_HOME=str(home), VIGIKFIELD_CONFIG=str(home / "settings.toml"),
               VIGIKFIELD_READER="none", PYTHONUNBUFFERED="1")
    return env


def _read_until(proc: subprocess.Popen, pattern: str) -> re.Match:
    """Read the server's stdout until `pattern` shows (the hang guard: HANG_GUARD seconds)."""
    seen, deadline = "", time.monotonic() + HANG_GUARD
    while time.monotonic() < deadline:
        ready, _, _ = select.select([proc.stdout], [], [], 1)
        if ready:
            line = proc.stdout.readline()
            if not line:
                break
            seen += line
            found = re.search(pattern, seen)
            if found:
                return found
    raise AssertionError(f"the server never said {pattern!r}; it said:\n{seen}"
                         f"{proc.stderr.read() if proc.poll() is not None else ''}")


class Served:
    def __init__(self, proc: subprocess.Popen, port: int, db: Path) -> None:
        self.proc, self.port, self.db = proc, port, db
        self.base = f"http://127.0.0.1:{port}/"
        self.ws = f"ws://127.0.0.1:{port}/ws"

    def group(self) -> set[int]:
        """The server and every process it started (its session's process group)."""
        pids = set()
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                if fields[0] != "Z" and int(fields[2]) == self.proc.pid:  # state, pgrp
                    pids.add(int(entry.name))
        return pids


def start_server(db: Path, home: Path, token_file: Path) -> Served:
    proc = subprocess.Popen(
        [sys.executable, "-m", "vigikfield", "--db", str(db), "serve", "--port", "0",
         "--token-file", str(token_file)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env(home),
        start_new_session=True)
    try:
        port = int(_read_until(proc, r"http://127\.0\.0\.1:(\d+)/").group(1))
    except BaseException:
        stop_server(proc)
        raise
    return Served(proc, port, db)


def stop_server(proc: subprocess.Popen) -> None:
    """Whatever happened: the server and its app processes (one process group) go."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(timeout=HANG_GUARD)
    for stream in (proc.stdout, proc.stderr):
        stream.close()


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory) -> tuple[Path, Path]:
    home = tmp_path_factory.mktemp("serve-home")
    db = home / "demo.db"
    subprocess.run([sys.executable, "-m", "vigikfield", "--db", str(db), "demo", "--no-ui"],
                   env=_env(home), check=True, capture_output=True, timeout=HANG_GUARD * 2)
    token_file = home / "token"
    token_file.write_text(TOKEN + "\n", encoding="utf-8")
    token_file.chmod(0o600)
    return db, home


@pytest.fixture(scope="module")
def served(demo_db):
    db, home = demo_db
    server = start_server(db, home, home / "token")
    yield server
    stop_server(server.proc)


# -- refusals (plain HTTP and websocket clients) ------------------------------------
async def _status(url: str, **options) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session, session.get(url, **options) as response:
        return response.status, await response.text()


async def _ws_status(url: str, origin: str | None = None, cookie: str | None = None) -> int:
    headers = {"Cookie": cookie} if cookie else {}
    async with aiohttp.ClientSession() as session:
        try:
            async with session.ws_connect(url, origin=origin, headers=headers) as ws:
                await ws.close()
                return 101
        except aiohttp.WSServerHandshakeError as exc:
            return exc.status


def test_page_static_files_and_websocket_refused_without_the_token(served):
    base, ws = served.base, served.ws
    cookie = f"vigikfield-token-{served.port}"
    forbidden = i18n.t("serve.forbidden")
    for url in (base, f"{base}?token=wrong-{TOKEN}", f"{base}?token={TOKEN[:-1]}",
                f"{base}static/js/textual.js", f"{base}static/fonts/", f"{base}download/x",
                f"{base}ws/{TOKEN}x", f"{base}nowhere"):
        status, text = asyncio.run(_status(url))
        assert (status, text.strip()) == (403, forbidden), url
    assert asyncio.run(_status(base, headers={"Cookie": f"{cookie}=nope"}))[0] == 403
    # the websocket: no token, a wrong one, then the right one from another site's page
    assert asyncio.run(_ws_status(ws)) == 403
    assert asyncio.run(_ws_status(f"{ws}/{TOKEN[::-1]}")) == 403
    assert asyncio.run(_ws_status(f"{ws}?token={TOKEN}&width=80", origin="http://evil.example")) \
        == 403
    assert asyncio.run(_ws_status(f"{ws}/{TOKEN}", origin="null")) == 403
    assert asyncio.run(_ws_status(ws, origin="http://evil.example",
                                  cookie=f"{cookie}={TOKEN}")) == 403
    # with the token: the page, its files, and the websocket from the server's own page
    status, page = asyncio.run(_status(f"{base}?token={TOKEN}"))
    assert status == 200 and 'data-ws-path="ws/' + TOKEN in page
    assert asyncio.run(_status(f"{base}static/js/textual.js",
                               headers={"Cookie": f"{cookie}={TOKEN}"}))[0] == 200
    assert asyncio.run(_ws_status(f"{ws}/{TOKEN}", origin=base.rstrip("/"))) == 101


def test_the_page_asks_the_internet_for_nothing_and_sets_a_strict_cookie(served):
    """textual-serve's own page asks Google for a web font: ours names none, and its
    policy lets the browser load nothing from elsewhere."""
    async def fetch():
        async with aiohttp.ClientSession() as session, \
                session.get(f"{served.base}?token={TOKEN}") as response:
            return response.status, response.headers, await response.text()

    status, headers, page = asyncio.run(fetch())
    assert status == 200
    assert re.findall(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", page) == []
    assert "googleapis" not in page
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert headers["Cache-Control"] == "no-store"  # the page holds the token
    cookie = headers["Set-Cookie"]
    assert cookie.startswith(f"vigikfield-token-{served.port}={TOKEN};")
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie


# -- the browser -----------------------------------------------------------------
def _read(db: Path) -> sqlite3.Connection:
    return closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5))


def a_hall_to_check(db: Path) -> tuple[str, str]:
    """A hall the pilot can still record as compatible or not (no attempt decides it)."""
    with _read(db) as conn:
        return conn.execute(
            "SELECT h.id, h.code FROM hall_status s JOIN halls h ON h.id = s.hall_id "
            "WHERE s.status = 'compatible' AND h.vigik = 'compatible' ORDER BY h.code LIMIT 1"
        ).fetchone()


def wait_for_db(db: Path, query: str, params: tuple, want) -> None:
    """Poll the database until `query` answers `want` (the hang guard: HANG_GUARD s)."""
    deadline = time.monotonic() + HANG_GUARD
    got = None
    while time.monotonic() < deadline:
        with _read(db) as conn:
            got = conn.execute(query, params).fetchone()
        if got == want:
            return
        select.select([], [], [], 0.1)  # a tick between polls, not a wait for an effect
    raise AssertionError(f"{query} {params}: {got!r}, wanted {want!r}")


class Screen:
    """What the app drew: the bytes it sent down the page's websocket, in order."""

    def __init__(self, page) -> None:
        self.data = bytearray()
        page.on("websocket", self._watch)
        self.socket = None

    def _watch(self, ws) -> None:
        self.socket = ws
        ws.on("framereceived", self._received)

    def _received(self, payload) -> None:
        self.data += payload if isinstance(payload, bytes) else payload.encode("utf-8")

    def mark(self) -> int:
        return len(self.data)

    def wait_for(self, text: str, since: int) -> None:
        """Until the app draws `text` after `since` (Playwright's wait, not a sleep)."""
        wanted = text.encode("utf-8")
        if wanted in self.data[since:]:
            return
        self.socket.wait_for_event("framereceived", timeout=HANG_GUARD * 1000,
                                   predicate=lambda _: wanted in self.data[since:])


def record_incompatible(page, screen: Screen, code: str) -> None:
    """The edit made in the browser, its keys in one place (a checklist edit may replace
    it): the route's search box (/), the hall's code and Enter open its wizard; at the
    compatibility step, i records the centrale as not Vigik compatible.

    Each key that moves the focus waits for the app to draw its effect: Textual moves
    the focus after the key, so keys sent at once would reach the widget left behind."""
    mark = screen.mark()
    page.focus(".xterm-helper-textarea")  # xterm.js takes the keys there (a click would reach the app)
    screen.wait_for(i18n.t("route.key_sync"), since=mark)  # the app has the focus: its footer
    mark = screen.mark()
    page.keyboard.press("/")
    screen.wait_for(i18n.t("route.search_placeholder")[2:], since=mark)  # redrawn, focused
    page.keyboard.type(code)
    mark = screen.mark()
    page.keyboard.press("Enter")
    screen.wait_for(i18n.t("wizard.panel.compatibility", vigik="")[:24], since=mark)
    page.keyboard.press("i")


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium (scripts/bootstrap.sh)")
def test_the_app_in_chromium_edits_the_database(served, tmp_path):
    from playwright.sync_api import sync_playwright

    hall_id, code = a_hall_to_check(served.db)
    requests: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM))
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 700})
            page.on("request", lambda r: requests.append(r.url))
            page.on("websocket", lambda ws: requests.append(ws.url))
            # refused without the token, and nothing of the app's page is served
            refused = page.goto(served.base)
            assert refused.status == 403
            assert page.locator("#terminal").count() == 0
            assert i18n.t("serve.forbidden") in page.inner_text("body")

            screen = Screen(page)
            assert page.goto(f"{served.base}?token={TOKEN}").status == 200
            page.wait_for_selector("body.-first-byte", timeout=HANG_GUARD * 1000)
            assert page.locator("#terminal canvas").count() >= 1
            screen.wait_for(i18n.t("route.col_residence"), since=0)  # the route's table

            mark = screen.mark()
            record_incompatible(page, screen, code)
            wait_for_db(served.db, "SELECT vigik FROM halls WHERE id = ?", (hall_id,),
                        ("incompatible",))
            screen.wait_for(i18n.t("wizard.outcome.incompatible"), since=mark)  # then drawn
            page.screenshot(path=str(tmp_path / "serve.png"))
        finally:
            browser.close()

    with _read(served.db) as conn:
        # signed by the serving database's profile: the tab runs with its rights
        actor, = conn.execute("SELECT name FROM profile").fetchone()
        assert conn.execute(
            "SELECT actor FROM ops WHERE entity = 'halls' AND entity_id = ? AND field = 'vigik'"
            " ORDER BY seq DESC LIMIT 1", (hall_id,)).fetchone() == (actor,)
        assert conn.execute("SELECT status FROM hall_status WHERE hall_id = ?",
                            (hall_id,)).fetchone() == ("incompatible",)
    # every request the page made went to this server
    assert requests and all(urlsplit(u).scheme in ("http", "ws")
                            and urlsplit(u).netloc == f"127.0.0.1:{served.port}"
                            for u in requests), requests
    assert any(u.startswith(f"ws://127.0.0.1:{served.port}/ws/") for u in requests)


# -- stopping --------------------------------------------------------------------
async def _open_tab_then_stop(served: Served) -> set[int]:
    """A tab's app runs (its first bytes came); SIGTERM; the server closes the tab."""
    async with aiohttp.ClientSession() as session:
        async with session.ws_connect(f"{served.ws}/{TOKEN}?width=80&height=24") as ws:
            await ws.send_json(["resize", {"width": 80, "height": 24}])
            async with asyncio.timeout(HANG_GUARD):
                async for message in ws:
                    if message.type == aiohttp.WSMsgType.BINARY and len(message.data) > 10:
                        break
            running = served.group()
            served.proc.send_signal(signal.SIGTERM)
            async with asyncio.timeout(HANG_GUARD):
                async for _ in ws:
                    pass  # until the server closes the tab
    return running


def test_sigterm_stops_the_server_and_its_tabs(demo_db):
    db, home = demo_db
    served = start_server(db, home, home / "token")
    try:
        running = asyncio.run(_open_tab_then_stop(served))
        assert len(running) >= 2  # the server and the tab's app
        assert served.proc.wait(timeout=HANG_GUARD) == 0
        deadline = time.monotonic() + HANG_GUARD
        while served.group() and time.monotonic() < deadline:
            select.select([], [], [], 0.1)
        assert served.group() == set()
        assert i18n.t("serve.stopped") in served.proc.stdout.read()
    finally:
        stop_server(served.proc)


# -- refusals before serving (in-process CLI) ----------------------------------------
@pytest.fixture
def token_file(tmp_path) -> Path:
    path = tmp_path / "token"
    path.write_text(TOKEN, encoding="utf-8")
    path.chmod(0o600)
    return path


@pytest.mark.parametrize("content, mode, key", [
    (TOKEN, 0o640, "token_readable"),
    (TOKEN, 0o604, "token_readable"),
    ("  \n", 0o600, "token_empty"),
    ("short-token", 0o600, "token_weak"),
    ("a token with spaces in it", 0o600, "token_weak"),
])
def test_a_token_file_that_cannot_be_used_is_refused(cli, tmp_path, content, mode, key):
    path = tmp_path / "token"
    path.write_text(content, encoding="utf-8")
    path.chmod(mode)
    result = cli("serve", "--token-file", path)
    assert result.exit_code == 2, result.output
    assert str(path) in result.output
    message = i18n.t(f"serve.error.{key}", path=path, mode=f"{mode:o}", length=16)
    assert message in result.output


def test_a_missing_token_file_or_database_is_refused(cli, token_file, tmp_path):
    missing = tmp_path / "nowhere"
    result = cli("serve", "--token-file", missing)
    assert result.exit_code == 2 and i18n.t("serve.error.token_missing", path=missing) \
        in result.output
    result = cli("serve", "--token-file", token_file)  # no database yet
    assert result.exit_code == 2
    assert i18n.t("serve.no_db", path=cli.db_path) in result.output
    assert not cli.db_path.exists()


def test_a_port_in_use_is_refused(cli, store, token_file):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = cli("serve", "--port", port, "--token-file", token_file)
    assert result.exit_code == 1, result.output
    assert f"127.0.0.1:{port}" in result.output
    assert i18n.t("serve.started", db=cli.db_path, url=f"http://127.0.0.1:{port}/") \
        not in result.output


def test_each_tab_runs_vigikfield_on_the_served_database():
    command = web_server.app_command(Path("/data/terrain 1.db"), "en")
    assert command.startswith("exec ")
    assert command.endswith("-m vigikfield --db '/data/terrain 1.db' --lang en")
    assert web_server.is_loopback("127.0.0.1") and web_server.is_loopback("::1")
    assert not web_server.is_loopback("0.0.0.0") and not web_server.is_loopback("192.168.1.2")
    assert web_server.url_host("0.0.0.0") == "127.0.0.1" and web_server.url_host("::1") == "[::1]"
