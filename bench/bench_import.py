"""Inventory import speed: a 130,000-hall CSV into a fresh database, against raw inserts.

The floor is what SQLite alone needs to store the same result: the state rows
(landlords … halls, FTS triggers included, same schema) and the op rows the
import wrote, inserted with plain `executemany` in one transaction into a
fresh database. The ratio is import time / floor time (lower is better; goal
<= 3). A second line compares with inserting the state rows only, i.e. what
the op log costs on top of a bare table load.

BENCH_QUICK=1 runs 10,000 halls instead.
"""

from __future__ import annotations

import csv
import os
import random
import time
from pathlib import Path

from vigikfield.domain import import_plan, importer
from vigikfield.domain.journal import OP_COLUMNS
from vigikfield.domain.model import ENTITIES
from vigikfield.domain.store import Store

HEADER = ["Bailleur", "Commune", "Code INSEE", "Résidence", "Adresse", "Entrée",
          "Nb. logements", "Compatible Vigik", "Marque", "Modèle", "QPV",
          "Latitude", "Longitude"]
BRANDS = {"Urmet": ["1050/SF", "Yokis"], "Intratone": ["Module GSM", "Platine"],
          "Noralsy": ["Baticode", "Vision"], "Cdvi": ["Digicode", "Axess"]}


def write_inventory(path: Path, halls: int, seed: int = 77) -> None:
    """A realistic French export: cp1252, `;`, CRLF, decimal commas, ~4 halls a residence."""
    rng = random.Random(seed)
    landlords = [f"Bailleur {n:02d} Habitat" for n in range(20)]
    communes = [(f"Commune {n:03d}-sur-Seine", f"{77000 + n:05d}") for n in range(500)]
    with path.open("w", encoding="cp1252", newline="") as fh:
        out = csv.writer(fh, delimiter=";", lineterminator="\r\n")
        out.writerow(HEADER)
        written = residence = 0
        while written < halls:
            residence += 1
            landlord = rng.choice(landlords)
            commune, insee = rng.choice(communes)
            street = f"{rng.randint(1, 200)} rue des Érables {residence}"
            qpv = f"Quartier {residence % 40}" if residence % 5 == 0 else ""
            lat, lon = 48.5 + rng.random(), 2.3 + rng.random()
            brand = rng.choice(list(BRANDS))
            for entrance in "ABCDEFGH"[: rng.randint(1, 7)]:
                if written == halls:
                    break
                out.writerow([
                    landlord, commune, insee, f"Résidence n°{residence}", street, entrance,
                    rng.randint(4, 60), rng.choice(["oui", "non", "X", ""]), brand,
                    rng.choice(BRANDS[brand]), qpv,
                    f"{lat:.5f}".replace(".", ","), f"{lon:.5f}".replace(".", ","),
                ])
                written += 1


def _dump(store: Store) -> tuple[dict[str, tuple[str, list[tuple]]], list[tuple]]:
    state = {}
    for table in import_plan.TABLES + ("projects",):
        names = ("id", *ENTITIES[table])
        sql = (f"INSERT INTO {table} ({', '.join(names)}) "
               f"VALUES ({', '.join('?' * len(names))})")
        state[table] = (sql, store.conn.execute(
            f"SELECT {', '.join(names)} FROM {table} ORDER BY rowid").fetchall())
    ops = store.conn.execute(f"SELECT {', '.join(OP_COLUMNS)} FROM ops ORDER BY rowid").fetchall()
    return state, ops


def _raw_insert(path: Path, state: dict, ops: list[tuple] | None) -> float:
    """Seconds to insert the rows with plain executemany into a fresh database."""
    fresh = Store(path)
    conn = fresh.conn
    conn.execute(f"PRAGMA cache_size = {import_plan.WRITE_CACHE}")  # as the import does
    order = ["projects", *import_plan.TABLES]
    start = time.perf_counter()
    conn.execute("BEGIN IMMEDIATE")
    for table in order:
        sql, rows = state[table]
        conn.executemany(sql, rows)
    if ops is not None:
        conn.executemany(
            f"INSERT INTO ops ({', '.join(OP_COLUMNS)}) VALUES ({', '.join('?' * len(OP_COLUMNS))})",
            ops)
    conn.execute("COMMIT")
    elapsed = time.perf_counter() - start
    fresh.close()
    return elapsed


def _remove(workdir: Path) -> None:
    for name in ("import.db", "floor-full.db", "floor-state.db"):
        for suffix in ("", "-wal", "-shm"):
            (workdir / (name + suffix)).unlink(missing_ok=True)


def run(workdir: Path) -> list[dict]:
    halls = 10_000 if os.environ.get("BENCH_QUICK") else 130_000
    workdir.mkdir(parents=True, exist_ok=True)
    source = workdir / f"inventory-{halls}.csv"
    write_inventory(source, halls)
    _remove(workdir)
    store = Store(workdir / "import.db", actor="bench")
    start = time.perf_counter()
    parsed = importer.parse(source)
    summary = import_plan.run(store, parsed, source.name)
    elapsed = time.perf_counter() - start
    assert summary.halls == halls and not parsed.problems
    state, ops = _dump(store)
    store.close()
    full = _raw_insert(workdir / "floor-full.db", state, ops)
    bare = _raw_insert(workdir / "floor-state.db", state, None)
    _remove(workdir)  # ~1 GB of databases at full size: not worth keeping
    source.unlink()
    rate = halls / elapsed
    return [
        {"name": f"import {halls} halls CSV vs raw inserts of state+op rows "
                 "(ratio = time / floor time)",
         "value": round(rate), "unit": "rows/s", "floor": round(halls / full),
         "ratio": round(elapsed / full, 2), "goal": "<= 3"},
        {"name": f"import {halls} halls CSV vs raw inserts of state rows only "
                 "(ratio = time / floor time; the op log's cost shows here)",
         "value": round(rate), "unit": "rows/s", "floor": round(halls / bare),
         "ratio": round(elapsed / bare, 2), "goal": "information"},
    ]


if __name__ == "__main__":
    import tempfile

    for result in run(Path(tempfile.mkdtemp(prefix="bench-import-"))):
        print(result)
