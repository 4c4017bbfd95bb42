"""Benchmarks: each `bench_<area>.py` has `run(workdir) -> list[dict]`; `python -m bench` runs them.

Shared helpers: the quick switch, and a cache of generated databases
(bench/.cache/, git-ignored) so that a 130,000-hall territory is built once
and reused by every bench that needs it, until the code that builds it changes.
"""

from __future__ import annotations

import hashlib
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

CACHE = Path(__file__).resolve().parent / ".cache"


def quick() -> bool:
    """BENCH_QUICK=1: small sizes, for a smoke run."""
    return os.environ.get("BENCH_QUICK", "") not in ("", "0")


def source_key(*modules: ModuleType) -> str:
    """A short digest of the modules' source: a cached database is stale once they change."""
    digest = hashlib.sha256()
    for module in modules:
        digest.update(Path(module.__file__).read_bytes())
    return digest.hexdigest()[:12]


def timed(fn: Callable[[], object]) -> float:
    """Seconds one call of `fn` takes."""
    began = time.perf_counter()
    fn()
    return time.perf_counter() - began


def median_pair(value: Callable[[], object], floor: Callable[[], object],
                repeats: int) -> tuple[float, float]:
    """The medians of `repeats` timings of `value` and of its `floor`, interleaved (a busy
    machine weighs on both alike), after one warming call of each (the page cache, the
    statement cache)."""
    value(), floor()
    values, floors = [], []
    for _ in range(repeats):
        values.append(timed(value))
        floors.append(timed(floor))
    return statistics.median(values), statistics.median(floors)


def _remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def cache_path(name: str, key: str) -> Path:
    return CACHE / f"{name}-{key}.db"


def keep(name: str, key: str, built: Path) -> Path:
    """Move a freshly built, closed database into the cache (dropping stale versions)."""
    CACHE.mkdir(parents=True, exist_ok=True)
    target = cache_path(name, key)
    for old in CACHE.glob(f"{name}-*.db"):
        if old not in (target, built):
            _remove(old)
    if target.exists():
        _remove(built)
    else:
        os.replace(built, target)
    return target


def cached_db(name: str, key: str, build: Callable[[Path], None]) -> Path:
    """The cached database `name` for `key`, built with `build(path)` when missing.

    `build` must leave the database closed (its WAL checkpointed), so that the
    one file is the whole database.
    """
    target = cache_path(name, key)
    if target.exists():
        return target
    CACHE.mkdir(parents=True, exist_ok=True)
    scratch = CACHE / f"{name}-{key}.building.db"
    _remove(scratch)
    build(scratch)
    return keep(name, key, scratch)
