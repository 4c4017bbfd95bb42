"""kill -9 in the middle of an import: the database is untouched or fully imported, never half."""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from bench_import import write_inventory  # noqa: E402  the benchmark's realistic generator

HALLS = 10_000


def _state(db: Path) -> tuple[str, int]:
    conn = sqlite3.connect(db)
    try:
        (check,) = conn.execute("PRAGMA integrity_check").fetchone()
        tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master")}
        if not tables:  # killed after the file was created, before the first step's COMMIT
            return check, 0
        (halls,) = conn.execute("SELECT count(*) FROM halls").fetchone()
        return check, halls
    finally:
        conn.close()


def _import(db: Path, source: Path, delay: float | None) -> tuple[str, int, str]:
    """Run `vigikfield import` in its own process; kill -9 it after `delay` seconds."""
    process = subprocess.Popen(
        [sys.executable, "-m", "vigikfield", "--db", str(db), "import", str(source)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        process.wait(timeout=delay)
        outcome = "finished"
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGKILL)
        process.wait()
        outcome = "killed"
    err = process.stderr.read().decode()
    process.stderr.close()
    return outcome, process.returncode, err


@pytest.mark.slow
def test_kill_9_during_import_leaves_nothing_or_everything(tmp_path, cli, db_path):
    source = tmp_path / "inventaire.csv"
    write_inventory(source, HALLS)
    seed = random.randrange(1 << 30)
    rng = random.Random(seed)
    # Drawn up front: when to kill, as fractions of one whole import's duration
    # (measured below), so that the kills land anywhere from start-up to COMMIT.
    fractions = [rng.uniform(0.05, 1.1) for _ in range(6)]
    reference = tmp_path / "reference.db"
    started = time.monotonic()
    outcome, code, err = _import(reference, source, None)
    duration = time.monotonic() - started
    assert (outcome, code) == ("finished", 0), err
    previous = 0
    for fraction in fractions:
        outcome, code, err = _import(db_path, source, fraction * duration)
        context = f"seed {seed}, kill at {fraction:.2f} x {duration:.1f} s, {outcome}: {err}"
        assert outcome == "killed" or code == 0, context
        if not db_path.exists():
            continue  # killed before the database was even created
        check, halls = _state(db_path)
        assert check == "ok", context
        assert halls in (previous, HALLS), context
        verify = cli("journal", "verify")
        assert verify.exit_code == 0, context + verify.output
        previous = halls
    # A kill during a re-import of a fully imported database leaves it full.
    outcome, code, err = _import(reference, source, rng.uniform(0.05, 1.0) * duration)
    assert _state(reference) == ("ok", HALLS), err
