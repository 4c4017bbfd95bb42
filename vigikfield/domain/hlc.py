"""Hybrid logical clock: wall-clock milliseconds plus a counter.

Encoded as a fixed-width string so that text order is time order:
``0001732260000000.000000``. `tick` never goes backwards, even if the laptop's
clock does, and `observe` moves it past any clock seen in merged ops.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

MAX_COUNTER = 999_999  # six digits


def encode(ms: int, counter: int) -> str:
    return f"{ms:016d}.{counter:06d}"


def decode(stamp: str) -> tuple[int, int]:
    ms, counter = stamp.split(".")
    return int(ms), int(counter)


def _next(last_ms: int, last_counter: int, now: int) -> tuple[int, int]:
    if now > last_ms:
        return now, 0
    if last_counter >= MAX_COUNTER:
        return last_ms + 1, 0
    return last_ms, last_counter + 1


def tick(last: str | None, now_ms: int | None = None) -> str:
    """The next stamp after `last` (a new local event)."""
    now = int(time.time() * 1000) if now_ms is None else now_ms
    if last is None:
        return encode(now, 0)
    return encode(*_next(*decode(last), now))


def ticks(last: str | None, count: int, now_ms: int | None = None) -> Iterator[tuple[int, int]]:
    """`count` successive stamps after `last`, as (ms, counter), for one batch of events.

    The wall clock is read once: the first stamp is `tick(last)`, the others
    advance its counter (rolling into the next millisecond after 999,999), so
    a batch of half a million ops costs one clock read, not half a million.
    """
    now = int(time.time() * 1000) if now_ms is None else now_ms
    if last is None:
        ms, counter = now, 0
    else:
        ms, counter = _next(*decode(last), now)
    for _ in range(count):
        yield ms, counter
        if counter >= MAX_COUNTER:
            ms, counter = ms + 1, 0
        else:
            counter += 1


def observe(last: str | None, seen: str) -> str:
    """The local clock after seeing a remote stamp."""
    if last is None or seen > last:
        return seen
    return last
