"""Builds tests/data/release1.db with the code of the previous release (commit 4f6b988).

    git worktree add /tmp/old 4f6b988
    PYTHONPATH=/tmp/old:/tmp/old/tests python tests/data/make_release1_db.py tests/data/release1.db

Run with the old code only (it uses that release's API). The halls it leaves,
with what that release said of them and what the status rule says now, are
listed in tests/test_schema_upgrade.py.
"""

from __future__ import annotations

import os
import sqlite3
import sys
import time
from pathlib import Path

import tinyterritory
from vigikfield.domain import wizard
from vigikfield.domain.store import Store


def _zone(name: str) -> None:
    os.environ["TZ"] = name
    time.tzset()


def main(out: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{out}{suffix}").unlink(missing_ok=True)
    store = Store(out, actor="Karim", device_name="release1-laptop")
    ids = tinyterritory.build(store)
    # al_a: the common case, door opened, label attached
    state = wizard.confirm_compatibility(store, wizard.open_hall(store, ids["al_a"]), "compatible")
    state = wizard.confirm_card(store, state, override_reason="lecteur en panne")
    state = wizard.confirm_encoding(store, state, "encoded")
    state = wizard.confirm_door(store, state, True)
    wizard.confirm_label(store, state, True)
    # al_b: programmed, the door did not open; that release went on to the label
    state = wizard.confirm_compatibility(store, wizard.open_hall(store, ids["al_b"]), "compatible")
    state = wizard.confirm_card(store, state, override_reason="lecteur en panne")
    state = wizard.confirm_encoding(store, state, "encoded")
    state = wizard.confirm_door(store, state, False)
    wizard.confirm_label(store, state, True)
    # mez_b: encoded by phone, then a visit that found the room locked
    wizard.record_outcome(store, ids["mez_b"], "encoded")
    wizard.no_access(store, wizard.open_hall(store, ids["mez_b"]), "local fermé")
    # pc_2: no access, then a second visit stopped at the card step
    wizard.no_access(store, wizard.open_hall(store, ids["pc_2"]), "gardien absent")
    state = wizard.open_hall(store, ids["pc_2"])
    state.encoding, state.history = None, []
    wizard.confirm_compatibility(store, state, "compatible")
    # pc_1: failed on a laptop at UTC+14, encoded a moment later on one at UTC-8
    _zone("Pacific/Kiritimati")
    wizard.record_outcome(store, ids["pc_1"], "failed", reason="memory_full")
    _zone("America/Los_Angeles")
    wizard.record_outcome(store, ids["pc_1"], "encoded", door_opened=True)
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    conn = sqlite3.connect(out)
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.execute("VACUUM")
    conn.close()


if __name__ == "__main__":
    main(Path(sys.argv[1]))
