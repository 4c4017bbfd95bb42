"""Hybrid logical clock: wall-clock milliseconds plus a counter.

Encoded as a fixed-width string so that text order is time order:
``0001732260000000.000000``. `tick` never goes backwards, even if the laptop's
clock does, and `observe` moves it past any clock seen in merged ops — but
never further than `MAX_SKEW_MS` ahead of this laptop's wall clock, so that a
laptop set to 2036 cannot drag everyone's clock into the future.

Stamps from elsewhere (a bundle, a file) are checked with `parse`, `valid`
and `within_bound`; `decode` is the fast path for this device's own stamps.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

MAX_COUNTER = 999_999  # six digits
PATTERN = re.compile(r"[0-9]{16}\.[0-9]{6}")  # the only form of a stamp (ASCII digits)
MIN_MS = 1_577_836_800_000  # 2020-01-01T00:00Z: no op of this tool is older
MAX_SKEW_MS = 24 * 3600 * 1000
"""The most a received op's clock may be ahead of the receiver's wall clock.

Laptops in the field keep roughly the right time (NTP, or a person who set it
within the day), so a day covers time zones set wrong and clocks adrift. An op
further ahead comes from a clock set to the future (or a forged one): obeyed,
it would win every later edit of its field until that date, so it is refused.
"""


def encode(ms: int, counter: int) -> str:
    return f"{ms:016d}.{counter:06d}"


def decode(stamp: str) -> tuple[int, int]:
    """(ms, counter) of a trusted stamp (this device's own): no checks, fast."""
    ms, counter = stamp.split(".")
    return int(ms), int(counter)


def parse(stamp: object) -> tuple[int, int]:
    """(ms, counter) of a stamp from elsewhere; `ValueError` unless it has `PATTERN`'s form."""
    if not isinstance(stamp, str) or not PATTERN.fullmatch(stamp):
        raise ValueError(f"not a clock stamp (16 digits, a dot, 6 digits): {repr(stamp)[:40]}")
    return int(stamp[:16]), int(stamp[17:])


def valid(stamp: object) -> bool:
    """Has `stamp` the form of a clock stamp? (says nothing of its date)"""
    return isinstance(stamp, str) and PATTERN.fullmatch(stamp) is not None


def _now(now_ms: int | None) -> int:
    return int(time.time() * 1000) if now_ms is None else now_ms


def ahead(stamp: str, now_ms: int | None = None) -> int:
    """How many ms `stamp` is past the wall clock (0 when it is not), for messages.

    Raises `ValueError` when `stamp` is not a stamp.
    """
    return max(0, parse(stamp)[0] - _now(now_ms))


def within_bound(stamp: object, now_ms: int | None = None) -> bool:
    """May an op with this stamp be received? A stamp, not before `MIN_MS`, and at
    most `MAX_SKEW_MS` ahead of the wall clock."""
    try:
        ms, _counter = parse(stamp)
    except ValueError:
        return False
    return MIN_MS <= ms <= _now(now_ms) + MAX_SKEW_MS


def _next(last_ms: int, last_counter: int, now: int) -> tuple[int, int]:
    if now > last_ms:
        return now, 0
    if last_counter >= MAX_COUNTER:
        return last_ms + 1, 0
    return last_ms, last_counter + 1


def tick(last: str | None, now_ms: int | None = None) -> str:
    """The next stamp after `last` (a new local event)."""
    now = _now(now_ms)
    if last is None:
        return encode(now, 0)
    return encode(*_next(*decode(last), now))


def ticks(last: str | None, count: int, now_ms: int | None = None) -> Iterator[tuple[int, int]]:
    """`count` successive stamps after `last`, as (ms, counter), for one batch of events.

    The wall clock is read once: the first stamp is `tick(last)`, the others
    advance its counter (rolling into the next millisecond after 999,999), so
    a batch of half a million ops costs one clock read, not half a million.
    """
    now = _now(now_ms)
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


def observe(last: str | None, seen: str, now_ms: int | None = None) -> str:
    """The local clock after seeing a remote stamp.

    The clock moves up to `seen`, but never past the wall clock plus
    `MAX_SKEW_MS`: a stamp further ahead (which the merge refuses anyway)
    moves it only to that bound. It never moves back either: a clock already
    ahead (the laptop's time was turned back since) stays where it is, and
    `tick` goes on from there. Raises `ValueError` when `seen` is not a stamp.
    """
    ms, _counter = parse(seen)
    limit = _now(now_ms) + MAX_SKEW_MS
    if ms > limit:
        seen = encode(limit, 0)
    if last is None or seen > last:
        return seen
    return last
