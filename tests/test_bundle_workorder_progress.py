"""`vigikfield bundle workorder` draws a progress bar on stderr when it is a terminal (a
real pseudo-terminal here), fed by the same Progress callback the TUI's picker gives
`vigikfield_sync.workorder`; stdout says the same as without it; not a terminal: silent."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
import threading

import tinyterritory
from conftest import Cli
from vigikfield.commands.sync import TerminalProgress
from vigikfield.domain.store import Store


def _read_all(fd: int, into: list[bytes]) -> None:
    while True:
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # EIO: the other side is closed
            return
        if not chunk:
            return
        into.append(chunk)


def _pilot_db(db_path) -> str:
    store = Store(db_path, actor="pilote")
    ids = tinyterritory.build(store)
    store.close()
    return ids["mezereaux"]


def test_not_a_terminal_no_bar_and_stdout_as_before(db_path, cli: Cli, tmp_path):
    residence = _pilot_db(db_path)
    assert TerminalProgress.for_stderr("x") is None  # pytest's stderr is no terminal
    result = cli("bundle", "workorder", "--technician", "Inès", "--residence", residence,
                 "--out", str(tmp_path / "a.vfb"))
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert result.stdout.startswith("Ordre de mission pour Inès (1 résidence(s)) écrit dans ")


def test_on_a_terminal_stderr_has_the_bar_and_stdout_is_unchanged(db_path, tmp_path):
    residence = _pilot_db(db_path)
    command = [sys.executable, "-m", "vigikfield", "--db", str(db_path), "bundle", "workorder",
               "--technician", "Inès", "--residence", residence]
    plain = subprocess.run([*command, "--out", str(tmp_path / "plain.vfb")],
                           capture_output=True, text=True, timeout=120)
    assert plain.returncode == 0 and plain.stderr == "", plain.stderr
    master, slave = pty.openpty()
    seen: list[bytes] = []
    reader = threading.Thread(target=_read_all, args=(master, seen))
    reader.start()
    try:
        shown = subprocess.run([*command, "--out", str(tmp_path / "tty.vfb")], stderr=slave,
                               stdout=subprocess.PIPE, text=True, timeout=120)
    finally:
        os.close(slave)
        reader.join(timeout=60)
        os.close(master)
    assert shown.returncode == 0
    terminal = b"".join(seen).decode()
    assert "Écriture de l'ordre de mission" in terminal and "100%" in terminal
    assert "0%" in terminal  # drawn as it went, from the first op read
    # stdout: the same sentence, only the file's name differs
    assert shown.stdout.replace("tty.vfb", "plain.vfb") == plain.stdout
    assert (tmp_path / "tty.vfb").stat().st_size > 0
