"""Sync merge speed: 50 bundles x 2,000 ops into masters of 10^4 and 10^6 ops.

Floor: what SQLite alone needs to take the same rows — ATTACH each bundle and
``INSERT OR IGNORE INTO ops SELECT * FROM bundle.ops``, one transaction per
bundle, on a copy of the same master, in the same run. The merge does more
(private copy, signature, per-op hashes, the receiver's per-op checks of
rights, clocks and values, chain continuity, re-materialising the touched
entities, conflict detection, receipt), and the ratio says how much
(time / floor time, lower is better). Re-merging the same bundles must cost
at most half the first merge; the cost per op at 10^6 must stay within 1.5x
the cost at 10^4 (the cost follows the bundle, not the master).

One big bundle: a technician's 2,000,000 signed ops (200,000 encodings)
merged into a fresh copy of the pilot's base, in a child process
(bench/sync_child.py): its peak memory (VmHWM; floor: the raw ATTACH +
INSERT OR IGNORE child's), goal <= 500 MB whatever the bundle's size, and
its time vs that raw floor.

BENCH_QUICK=1: 20 bundles, masters of 10^4 and 10^5 ops, a big bundle of
200,000 ops.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import vigikfield_sync as sync
from vigikfield.domain import hlc as hlc_clock
from vigikfield.domain import journal
from vigikfield.domain.journal import Change
from vigikfield.domain.schema import SCHEMA_VERSION
from vigikfield.domain.store import Store
from vigikfield_sync import bundle, keys

OPS_PER_BUNDLE = 2_000
TECHNICIANS = 10
BIG_BUNDLE = 2_000_000
CHILD = Path(__file__).resolve().parent / "sync_child.py"


def _fresh(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", ".key"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    shutil.rmtree(f"{path}.bundles", ignore_errors=True)


def _base(workdir: Path) -> tuple[Store, list[str], str]:
    """The pilot before any bulk: a project, 20 residences of 10 halls, trusted technicians."""
    _fresh(workdir / "base.db")
    pilot = sync.prepare(Store(workdir / "base.db", actor="pilote"))
    pilot.ensure_project("bench")
    landlord = pilot.create("landlords", {"name": "Bailleur", "project_id": pilot.project_id})
    commune = pilot.create("communes", {"name": "Melun", "insee": "77288"})
    residences = [pilot.create("residences", {"name": f"R{n}", "landlord_id": landlord,
                                              "commune_id": commune}) for n in range(20)]
    for r in residences:
        pilot.create("authorisations", {"residence_id": r, "decision": "granted",
                                        "decided_by": "M. Dupont", "decided_on": "2026-10-01"})
        for h in range(10):
            pilot.create("halls", {"residence_id": r, "label": f"H{h}", "dwellings": 10})
    return pilot, residences, landlord


def _bundles(workdir: Path, pilot: Store, residences: list[str], count: int) -> list[Path]:
    """`count` bundles of 2,000 ops from 10 technicians: new encodings, and edits of shared halls."""
    rng = random.Random(6)
    techs = []
    for n in range(TECHNICIANS):
        _fresh(workdir / f"tech{n}.db")
        tech = sync.prepare(Store(workdir / f"tech{n}.db", actor=f"tech{n}"))
        sync.trust_add(pilot, keys.public_hex(tech), f"tech{n}")
        sync.trust_add(tech, keys.public_hex(pilot), "pilote", "pilot")
        order = workdir / f"wo{n}.vfb"
        sync.workorder(pilot, order, technician=f"tech{n}", residences=residences[:4])
        sync.merge_files(tech, [order], "workorder")
        techs.append(tech)
    halls = [r[0] for r in techs[0].conn.execute("SELECT id FROM halls")]
    paths = []
    for i in range(count):
        tech = techs[i % TECHNICIANS]
        changes: list[Change] = []
        edits = [Change("halls", rng.choice(halls), "notes", f"note {rng.randint(0, 3)}")
                 for _ in range(200)]
        while len(changes) < OPS_PER_BUNDLE - len(edits):
            enc = str(uuid.uuid4())
            changes += [Change("encodings", enc, f, v, new=True) for f, v in (
                ("hall_id", rng.choice(halls)), ("outcome", "encoded"), ("days", "1111111"),
                ("windows", [["00:00", "24:00"]]), ("technician", tech.actor),
                ("encoded_at", "2026-11-22T10:00:00+00:00"), ("door_opened", 1),
                ("label_attached", 1), ("notes", "ok"), ("failure_reason", None))]
        with tech.transaction():
            tech.record(changes[: OPS_PER_BUNDLE - len(edits)])
            for edit in edits:
                tech.record([edit])
        path = workdir / f"bundle{i:02d}.vfb"
        written = sync.export(tech, path)
        assert written.ops == OPS_PER_BUNDLE
        paths.append(path)
    for tech in techs:
        tech.close()
    return paths


def _grow(pilot: Store, target_ops: int) -> None:
    """Bulk ops of the pilot (encodings of its halls) until the master holds `target_ops`."""
    hall = pilot.conn.execute("SELECT id FROM halls LIMIT 1").fetchone()[0]
    (have,) = pilot.conn.execute("SELECT count(*) FROM ops").fetchone()
    while have < target_ops:
        batch = min(50_000, target_ops - have)
        changes = []
        while len(changes) < batch:
            enc = str(uuid.uuid4())
            changes += [Change("encodings", enc, f, v, new=True) for f, v in (
                ("hall_id", hall), ("outcome", "encoded"), ("days", "1111110"),
                ("technician", "pilote"), ("encoded_at", "2026-01-01T08:00:00+00:00"))]
        with pilot.transaction() as conn:
            journal.append(conn, pilot.device_id, changes[:batch], actor="pilote")
        have += batch


def _copy(src: Path, dst: Path) -> Path:
    _fresh(dst)
    shutil.copyfile(src, dst)
    return dst


def _floor(master: Path, bundles: list[Path]) -> float:
    conn = sqlite3.connect(master, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    start = time.perf_counter()
    for path in bundles:
        conn.execute("ATTACH DATABASE ? AS b", (str(path),))
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT OR IGNORE INTO ops SELECT * FROM b.ops")
        conn.execute("COMMIT")
        conn.execute("DETACH DATABASE b")
    elapsed = time.perf_counter() - start
    conn.close()
    return elapsed


def _merge(master: Path, bundles: list[Path]) -> tuple[float, float]:
    store = Store(master, actor="pilote")
    (before,) = store.conn.execute("SELECT count(*) FROM ops").fetchone()
    start = time.perf_counter()
    outcomes = sync.merge_files(store, bundles)
    first = time.perf_counter() - start
    assert all(o.error is None for o in outcomes), [str(o.error) for o in outcomes if o.error]
    start = time.perf_counter()
    sync.merge_files(store, bundles)
    again = time.perf_counter() - start
    (after,) = store.conn.execute("SELECT count(*) FROM ops").fetchone()
    assert after == before + len(bundles) * OPS_PER_BUNDLE
    store.close()
    return first, again


def _big_bundle(workdir: Path, pilot: Store, residences: list[str], ops: int) -> Path:
    """`ops` signed ops of one technician (encodings of 10 fields), built row by row.

    The rows are made as `journal.append` makes them (UUIDv7 ids, HLC
    stamps, hash chain) without a database in between, and written by
    `bundle.write` as `bundle export` would.
    """
    _fresh(workdir / "bigtech.db")
    tech = sync.prepare(Store(workdir / "bigtech.db", actor="bigtech"))
    sync.trust_add(pilot, keys.public_hex(tech), "bigtech")
    sync.trust_add(tech, keys.public_hex(pilot), "pilote", "pilot")
    order = workdir / "wo-big.vfb"
    sync.workorder(pilot, order, technician="bigtech", residences=residences[:4])
    sync.merge_files(tech, [order], "workorder")
    halls = [r[0] for r in tech.conn.execute("SELECT id FROM halls ORDER BY id")]
    rng = random.Random(7)
    stamps = list(hlc_clock.ticks(None, ops))
    ids = journal.op_ids(stamps)
    fields = (("hall_id", None), ("outcome", "encoded"), ("days", "1111111"),
              ("windows", [["08:00", "20:00"]]), ("technician", "bigtech"),
              ("encoded_at", "2026-11-22T10:00:00+00:00"), ("door_opened", 1),
              ("label_attached", 1), ("notes", "ok"), ("failure_reason", None))
    values = {name: journal.encode_value(value) for name, value in fields}
    rows: list[tuple] = []
    prev = journal.GENESIS
    device = tech.device_id
    for n, ((ms, counter), op_id) in enumerate(zip(stamps, ids)):
        name = fields[n % len(fields)][0]
        if n % len(fields) == 0:
            entity_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            values["hall_id"] = journal.encode_value(rng.choice(halls))
        partial = (op_id, device, n + 1, hlc_clock.encode(ms, counter), "encodings", entity_id,
                   name, values[name], None, "bigtech", None)
        digest = journal.op_hash(prev, partial)
        rows.append((*partial, prev, digest))
        prev = digest
    path = workdir / "big.vfb"
    bundle.write(path, rows, {
        "kind": "export", "project_id": pilot.project_id, "device_id": device,
        "role": "technician", "schema_version": SCHEMA_VERSION, "created_at": "bench",
        "first_seq": 1, "last_seq": ops}, keys.signing_key(tech))
    tech.close()
    return path


def _child(kind: str, master: Path, path: Path) -> dict:
    done = subprocess.run([sys.executable, str(CHILD), kind, str(master), str(path)],
                          capture_output=True, text=True, timeout=3600, cwd=CHILD.parent)
    if done.returncode:
        raise RuntimeError(f"sync_child {kind} failed: {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _big_rows(workdir: Path, pilot: Store, residences: list[str], ops: int) -> list[dict]:
    """Merge one big bundle into a fresh master in a child: peak memory, and time vs the floor."""
    path = _big_bundle(workdir, pilot, residences, ops)
    pilot.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    fresh = workdir / "fresh.db"
    _copy(pilot.path, fresh)
    raw = _child("floor", _copy(fresh, workdir / "big-floor.db"), path)
    merged = _child("merge", _copy(fresh, workdir / "big-master.db"), path)
    assert merged["new_ops"] == raw["new_ops"] == ops, (merged, raw)
    label = f"{ops:,}"
    return [
        {"name": f"peak memory merging one signed {label}-op bundle into a fresh master "
                 "(VmHWM of the child; floor = the raw ATTACH + INSERT OR IGNORE child's)",
         "value": merged["rss_mb"], "unit": "MB", "floor": raw["rss_mb"],
         "ratio": round(merged["rss_mb"] / raw["rss_mb"], 2), "goal": "value <= 500"},
        {"name": f"merge one signed {label}-op bundle into a fresh master vs raw ATTACH + "
                 "INSERT OR IGNORE (ratio = time / floor time)",
         "value": round(ops / merged["seconds"]), "unit": "ops/s",
         "floor": round(ops / raw["seconds"]),
         "ratio": round(merged["seconds"] / raw["seconds"], 2), "goal": "<= 3"},
    ]


def run(workdir: Path) -> list[dict]:
    quick = bool(os.environ.get("BENCH_QUICK"))
    count = 20 if quick else 50
    sizes = (10_000, 100_000) if quick else (10_000, 1_000_000)
    big = BIG_BUNDLE // 10 if quick else BIG_BUNDLE
    workdir.mkdir(parents=True, exist_ok=True)
    pilot, residences, _ = _base(workdir)
    big_rows = _big_rows(workdir, pilot, residences, big)
    bundles = _bundles(workdir, pilot, residences, count)
    ops = count * OPS_PER_BUNDLE
    results: list[dict] = []
    per_op: dict[int, float] = {}
    floor_per_op: dict[int, float] = {}
    for size in sizes:
        _grow(pilot, size)
        pilot.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        label = f"10^{len(str(size)) - 1}"
        floor = _floor(_copy(pilot.path, workdir / "floor.db"), bundles)
        first, again = _merge(_copy(pilot.path, workdir / "master.db"), bundles)
        per_op[size] = first / ops
        floor_per_op[size] = floor / ops
        results += [
            {"name": f"merge {count} bundles x {OPS_PER_BUNDLE} ops into a {label}-op master "
                     "vs raw ATTACH + INSERT OR IGNORE (ratio = time / floor time)",
             "value": round(ops / first), "unit": "ops/s", "floor": round(ops / floor),
             "ratio": round(first / floor, 2), "goal": "<= 3"},
            {"name": f"re-merge the same bundles into the {label}-op master "
                     "(ratio = re-merge time / first merge time)",
             "value": round(ops / again), "unit": "ops/s", "floor": round(ops / first),
             "ratio": round(again / first, 2), "goal": "<= 0.5"},
        ]
    small, large = sizes
    results.append({
        "name": f"merge cost per op at a 10^{len(str(large)) - 1}-op master vs a 10^4-op master "
                "(ratio = large / small)",
        "value": round(per_op[large] * 1e6, 2), "unit": "us/op", "floor": round(per_op[small] * 1e6, 2),
        "ratio": round(per_op[large] / per_op[small], 2), "goal": "<= 1.5"})
    results.append({
        "name": f"raw floor cost per op at the 10^{len(str(large)) - 1}-op master vs the 10^4-op "
                "master (ratio = large / small; how much SQLite itself slows down)",
        "value": round(floor_per_op[large] * 1e6, 2), "unit": "us/op",
        "floor": round(floor_per_op[small] * 1e6, 2),
        "ratio": round(floor_per_op[large] / floor_per_op[small], 2), "goal": "information"})
    size_bytes = sum(p.stat().st_size for p in bundles)
    raw = _raw_bytes(bundles[0])
    results.append({
        "name": "bundle bytes per op (floor = the op rows' own text, ratio = file / text)",
        "value": round(size_bytes / ops, 1), "unit": "bytes/op", "floor": round(raw, 1),
        "ratio": round(size_bytes / ops / raw, 2), "goal": "information"})
    pilot.close()
    return results + big_rows


def _raw_bytes(path: Path) -> float:
    conn = sqlite3.connect(path)
    rows = conn.execute("SELECT * FROM ops").fetchall()
    conn.close()
    return sum(sum(len(str(v)) for v in row if v is not None) for row in rows) / len(rows)


if __name__ == "__main__":
    print(json.dumps(run(Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/bench_sync")), indent=1))
