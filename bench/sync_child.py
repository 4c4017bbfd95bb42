"""Child process of bench_sync: merge one bundle into a master, report time and peak memory.

`python bench/sync_child.py merge MASTER BUNDLE` runs `vigikfield_sync.merge_files`;
`python bench/sync_child.py floor MASTER BUNDLE` does what SQLite alone needs
(ATTACH, INSERT OR IGNORE INTO ops SELECT * FROM the bundle, one transaction).
Both print one JSON line {"seconds": the merge alone, "new_ops": ops added,
"rss_mb": this process's peak resident memory (VmHWM)}.
"""

from __future__ import annotations

import json
import sqlite3
import sys
import time
from pathlib import Path

from peak import peak_rss_mb  # bench/ is this script's folder


def merge(master: Path, path: Path) -> tuple[float, int]:
    import vigikfield_sync as sync
    from vigikfield.domain.store import Store

    store = Store(master, actor="pilote")
    start = time.perf_counter()
    (outcome,) = sync.merge_files(store, [path])
    elapsed = time.perf_counter() - start
    if outcome.error is not None:
        raise SystemExit(f"refused: {outcome.error}")
    store.close()
    return elapsed, outcome.receipt.new_ops


def floor(master: Path, path: Path) -> tuple[float, int]:
    conn = sqlite3.connect(master, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    start = time.perf_counter()
    conn.execute("ATTACH DATABASE ? AS b", (str(path),))
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("INSERT OR IGNORE INTO ops SELECT * FROM b.ops")
    (added,) = conn.execute("SELECT changes()").fetchone()
    conn.execute("COMMIT")
    conn.execute("DETACH DATABASE b")
    elapsed = time.perf_counter() - start
    conn.close()
    return elapsed, added


if __name__ == "__main__":
    kind, master_path, bundle_path = sys.argv[1:4]
    seconds, added = {"merge": merge, "floor": floor}[kind](Path(master_path), Path(bundle_path))
    print(json.dumps({"seconds": seconds, "new_ops": added, "rss_mb": round(peak_rss_mb(), 1)}))
