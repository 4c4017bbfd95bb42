"""Hybrid logical clock: wall-clock milliseconds plus a counter.

Encoded as a fixed-width string so that text order is time order:
``0001732260000000.000000``. `tick` never goes backwards, even if the laptop's
clock does, and `observe` moves it past any clock seen in merged ops.
"""

from __future__ import annotations

import time


def encode(ms: int, counter: int) -> str:
    return f"{ms:016d}.{counter:06d}"


def decode(stamp: str) -> tuple[int, int]:
    ms, counter = stamp.split(".")
    return int(ms), int(counter)


def tick(last: str | None, now_ms: int | None = None) -> str:
    """The next stamp after `last` (a new local event)."""
    now = int(time.time() * 1000) if now_ms is None else now_ms
    if last is None:
        return encode(now, 0)
    last_ms, last_counter = decode(last)
    if now > last_ms:
        return encode(now, 0)
    if last_counter >= 999_999:
        return encode(last_ms + 1, 0)
    return encode(last_ms, last_counter + 1)


def observe(last: str | None, seen: str) -> str:
    """The local clock after seeing a remote stamp."""
    if last is None or seen > last:
        return seen
    return last
