"""kill -9 during a merge: the master stays consistent, and merging again completes it."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
import uuid

import pytest
import vigikfield_sync as sync
from sync_world import World, canonical
from vigikfield.domain.journal import Change


def _wait_until(proc: subprocess.Popen, predicate, timeout: float = 60.0) -> bool:
    """Poll `predicate` while the merge runs, pausing on the process itself (no sleep)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        try:
            proc.wait(timeout=0.002)
            return predicate()
        except subprocess.TimeoutExpired:
            continue
    raise AssertionError("the merge neither progressed nor ended in time")


@pytest.mark.slow
def test_kill_9_during_merge_leaves_master_consistent(tmp_path, cli):
    world = World(tmp_path)
    tech = world.technician("tech1")
    rng = random.Random(6)
    for day in range(16):
        hall_ids = [str(uuid.uuid4()) for _ in range(150)]
        tech.record([Change("centrales", h, f, v, new=True) for h in hall_ids for f, v in
                     (("hall_id", world.hall), ("brand", f"J{day}"), ("capacity", day))])
        tech.update("halls", world.hall, {"notes": f"jour {day}"})
        world.export(tech)
    bundles = list(world.bundles)
    reference = world.master_copy("reference")
    assert all(o.error is None for o in sync.merge_files(reference, bundles))
    expected = canonical(reference)
    reference.close()
    master = world.master_copy("master")
    master.close()
    received = master.path.with_name(master.path.name + ".bundles")
    command = [sys.executable, "-m", "vigikfield", "--db", str(master.path), "bundle", "merge",
               *map(str, bundles)]
    kills = 0
    for attempt in range(4):
        proc = subprocess.Popen(command, env=dict(os.environ), stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE)
        done_before = len(list(received.glob("*.vfb"))) if received.exists() else 0
        target = done_before + rng.randint(1, 4)
        _wait_until(proc, lambda: received.exists()
                    and len(list(received.glob("*.vfb"))) >= min(target, len(bundles)))
        for _ in range(rng.randint(0, 30)):  # a little further into the transaction
            try:
                proc.wait(timeout=0.001)
            except subprocess.TimeoutExpired:
                pass
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait(timeout=60)
        conn = sqlite3.connect(master.path)
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        conn.close()
        cli.db_path = master.path
        verified = cli("journal", "verify")
        assert verified.exit_code == 0, verified.output
    assert kills >= 1
    final = subprocess.run(command, env=dict(os.environ), capture_output=True, text=True,
                           timeout=300)
    assert final.returncode == 0, final.stderr
    assert canonical(master.path) == expected
