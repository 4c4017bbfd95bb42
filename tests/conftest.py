"""Fixtures shared by every test area: an isolated home, a real SQLite store, the CLI."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from vigikfield import i18n
from vigikfield.cli import build_cli
from vigikfield.domain import demo
from vigikfield.domain.store import Store


@pytest.fixture(autouse=True)
def isolated_home(tmp_path_factory, monkeypatch) -> Path:
    """No test touches the user's real data folder or inherits their settings."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("VIGIKFIELD_HOME", str(home))
    monkeypatch.setenv("VIGIKFIELD_CONFIG", str(home / "settings.toml"))  # none: defaults
    monkeypatch.delenv("VIGIKFIELD_DB", raising=False)
    monkeypatch.delenv("VIGIKFIELD_LANG", raising=False)
    monkeypatch.setenv("VIGIKFIELD_ACTOR", "test")
    i18n.set_language("fr")
    yield home
    i18n.set_language("fr")


@pytest.fixture
def db_path(tmp_path) -> Path:
    return tmp_path / "territory.db"


@pytest.fixture
def store(db_path) -> Store:
    s = Store(db_path)
    yield s
    s.close()


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory) -> Path:
    """The demo territory, built once per test process; never written to (demo_store
    gives each test its own copy)."""
    folder = tmp_path_factory.mktemp("demo-template")
    path = folder / "demo.db"
    with pytest.MonkeyPatch.context() as env:
        env.setenv("VIGIKFIELD_HOME", str(folder))
        store = Store(path)
        demo.ensure(store)
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        store.close()
    return path


@pytest.fixture
def demo_store(demo_template, db_path) -> Store:
    """A copy of the demo territory at `db_path` (what `cli` reads), opened."""
    shutil.copyfile(demo_template, db_path)
    s = Store(db_path)
    yield s
    s.close()


class Cli:
    """Runs `vigikfield --db <db_path> ARGS...` in-process."""

    def __init__(self, db_path: Path) -> None:
        self.db_path = db_path
        self.runner = CliRunner()

    def __call__(self, *args: str, input: str | None = None, lang: str | None = None):
        prefix = ["--db", str(self.db_path)] + (["--lang", lang] if lang else [])
        if lang:  # as `cli.main` does: help texts are built in the language asked for
            i18n.set_language(lang)
        return self.runner.invoke(build_cli(), prefix + [str(a) for a in args], input=input)


@pytest.fixture
def cli(db_path) -> Cli:
    return Cli(db_path)
