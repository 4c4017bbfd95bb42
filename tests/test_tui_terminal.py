"""The app in a real terminal (tmux): one hall completed by keys; kill -9 mid-wizard: the
restart opens on that hall, at the step reached."""

from __future__ import annotations

import os
import signal

import pytest

import tinyterritory
from tmux_term import Tmux, vigikfield_command
from vigikfield.domain import progress, wizard
from vigikfield.domain.store import Store

pytestmark = pytest.mark.slow


@pytest.fixture
def territory(tmp_path, isolated_home):
    db = tmp_path / "field.db"
    store = Store(db)
    ids = tinyterritory.build(store)
    code = store.get("halls", ids["al_a"])["code"]
    store.close()
    env = {"VIGIKFIELD_DB": str(db), "VIGIKFIELD_HOME": str(isolated_home),
           "VIGIKFIELD_READER": "none", "VIGIKFIELD_ACTOR": "karim", "TERM": "xterm-256color",
           "PATH": os.environ.get("PATH", "")}
    return db, ids, code, env


def _search(term: Tmux, code: str) -> None:
    """Type the code in the search box and Enter. Keys sent while the terminal is
    still answering the app's start-up queries can be swallowed, so the typing is
    checked on screen and tried again (bounded)."""
    term.wait_for("Les Mézereaux")
    for _ in range(5):
        term.keys("/")
        term.type(code.lower())
        try:
            term.wait_for(code.lower(), timeout=3)
            break
        except AssertionError:
            term.keys("Escape")
    term.keys("Enter")


def _open_hall(term: Tmux, code: str) -> None:
    _search(term, code)
    term.wait_for("Logo Vigik")


def test_one_hall_completed_in_a_real_terminal(territory):
    db, ids, code, env = territory
    term = Tmux(vigikfield_command(), env)
    try:
        _open_hall(term, code)
        term.keys("Enter")                      # compatible
        term.wait_for("Aucun lecteur")          # no reader configured: override with a reason
        term.keys("o")
        term.wait_for("pourquoi continuer")
        term.type("lecteur oublié")
        term.keys("Enter")
        term.wait_for("Voyant vert")
        term.keys("Enter")                      # encoded, 24 h
        term.wait_for("badge agent")
        term.keys("Enter")                      # door opened
        term.wait_for("imprimer")
        term.keys("Enter")                      # label
        screen = term.wait_for("Hall terminé")
        assert "encodé" in screen
        term.keys("Escape")                     # back to the residence (nothing else pending: route)
        term.keys("C-q")
    finally:
        term.close()
    store = Store(db)
    rows = {r.id: r.status for r in progress.hall_rows(store.conn, ids["alouettes"])}
    assert rows[ids["al_a"]] == "encoded"
    enc = wizard.open_hall(store, ids["al_a"]).history[-1]
    assert enc["card_override"] == "lecteur oublié" and enc["technician"] == "karim"
    store.close()


def test_kill_9_mid_wizard_resumes_at_the_step_reached(territory):
    db, ids, code, env = territory
    term = Tmux(vigikfield_command(), env)
    try:
        _open_hall(term, code)
        term.keys("Enter")
        term.wait_for("Aucun lecteur")
        term.keys("o")
        term.wait_for("pourquoi continuer")
        term.type("lecteur HS")
        term.keys("Enter")
        term.wait_for("Voyant vert")            # the card step is confirmed: saved
        os.kill(term.pane_pid(), signal.SIGKILL)
    finally:
        term.close()
    store = Store(db)
    assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    from vigikfield.domain import journal

    assert journal.verify(store.conn) is None
    assert wizard.open_hall(store, ids["al_a"]).step == "encoding"
    store.close()
    term = Tmux(vigikfield_command(), env)
    try:
        # the app reopens by itself on the hall in progress, at the step reached
        screen = term.wait_for("Voyant vert")
        assert "Logo Vigik" not in screen and code in screen
        term.keys("Escape")                     # the route is underneath
        term.wait_for("Les Mézereaux")
        _search(term, code)                     # and opening the hall again resumes too
        screen = term.wait_for("Voyant vert")
        assert "Logo Vigik" not in screen
        term.keys("C-q")
    finally:
        term.close()
