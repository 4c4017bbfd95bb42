"""Clock stamps from elsewhere are checked and bounded: no laptop drags the clocks into the future."""

from __future__ import annotations

import pytest

from vigikfield.domain import hlc
from vigikfield.domain.journal import Change

NOW = 1_793_000_000_000  # 2026-10-26, a wall clock fixed for the test
HOUR = 3600 * 1000
MALFORMED = ["zzzz", "1.2", "", "0001793000000000", "0001793000000000.00000",
             "0001793000000000.0000000", "001793000000000.000000", "0001793000000000,000000",
             "0001793000000000.000000\n", " 0001793000000000.000000", "+001793000000000.000000",
             "000179300000000٣.000000", None, 1793000000000, b"0001793000000000.000000"]


def test_the_pattern_is_sixteen_digits_a_dot_six_digits():
    assert hlc.PATTERN.pattern == r"[0-9]{16}\.[0-9]{6}"
    assert hlc.parse("0001793000000000.000042") == (NOW, 42)
    assert hlc.parse(hlc.encode(NOW, 999_999)) == (NOW, 999_999)
    assert hlc.valid(hlc.tick(None))


@pytest.mark.parametrize("stamp", MALFORMED)
def test_malformed_stamps_do_not_parse_and_are_not_within_bound(stamp):
    with pytest.raises(ValueError):
        hlc.parse(stamp)
    assert not hlc.valid(stamp)
    assert not hlc.within_bound(stamp, now_ms=NOW)


def test_well_formed_but_implausible_stamps_are_out_of_bound():
    assert hlc.valid("9999999999999999.999999")
    assert not hlc.within_bound("9999999999999999.999999", now_ms=NOW)
    assert hlc.valid("0000000000000000.000000")
    assert not hlc.within_bound("0000000000000000.000000", now_ms=NOW)
    assert not hlc.within_bound(hlc.encode(hlc.MIN_MS - 1, 999_999), now_ms=NOW)
    assert hlc.within_bound(hlc.encode(hlc.MIN_MS, 0), now_ms=NOW)


def test_a_day_ahead_is_the_limit():
    assert hlc.MAX_SKEW_MS == 24 * HOUR
    assert hlc.within_bound(hlc.encode(NOW + 23 * HOUR, 5), now_ms=NOW)
    assert hlc.within_bound(hlc.encode(NOW + 24 * HOUR, 999_999), now_ms=NOW)
    assert not hlc.within_bound(hlc.encode(NOW + 24 * HOUR + 1, 0), now_ms=NOW)
    assert not hlc.within_bound(hlc.encode(NOW + 25 * HOUR, 0), now_ms=NOW)
    assert hlc.within_bound(hlc.encode(NOW - 400 * 24 * HOUR, 0), now_ms=NOW)  # old ops are fine


def test_ahead_says_by_how_much_for_messages():
    assert hlc.ahead(hlc.encode(NOW + 25 * HOUR, 3), now_ms=NOW) == 25 * HOUR
    assert hlc.ahead(hlc.encode(NOW - HOUR, 0), now_ms=NOW) == 0
    assert hlc.ahead("9999999999999999.999999", now_ms=NOW) == 9999999999999999 - NOW
    with pytest.raises(ValueError):
        hlc.ahead("zzzz", now_ms=NOW)


def test_observe_clamps_to_the_bound_and_never_goes_back():
    mine = hlc.encode(NOW, 7)
    assert hlc.observe(mine, hlc.encode(NOW + HOUR, 2), now_ms=NOW) == hlc.encode(NOW + HOUR, 2)
    assert hlc.observe(mine, hlc.encode(NOW - HOUR, 2), now_ms=NOW) == mine
    assert hlc.observe(None, hlc.encode(NOW, 1), now_ms=NOW) == hlc.encode(NOW, 1)
    bound = hlc.encode(NOW + hlc.MAX_SKEW_MS, 0)
    for far in (hlc.encode(NOW + 25 * HOUR, 0), "9999999999999999.999999"):
        assert hlc.observe(mine, far, now_ms=NOW) == bound
        assert hlc.observe(None, far, now_ms=NOW) == bound
    # a clock already past the bound (its laptop's time turned back since) stays where it is
    ahead = hlc.encode(NOW + 30 * HOUR, 4)
    assert hlc.observe(ahead, hlc.encode(NOW + 25 * HOUR, 0), now_ms=NOW) == ahead
    for stamp in ("zzzz", "1.2", None):
        with pytest.raises(ValueError):
            hlc.observe(mine, stamp, now_ms=NOW)


def test_tick_goes_on_from_a_clock_that_is_ahead():
    ahead = hlc.encode(NOW + 30 * HOUR, 4)
    assert hlc.tick(ahead, now_ms=NOW) == hlc.encode(NOW + 30 * HOUR, 5)
    assert hlc.tick(hlc.encode(NOW, 999_999), now_ms=NOW) == hlc.encode(NOW + 1, 0)
    assert hlc.tick(hlc.encode(NOW - HOUR, 9), now_ms=NOW) == hlc.encode(NOW, 0)


def test_a_store_whose_clock_is_ahead_still_writes_in_order(store):
    ahead = hlc.encode(hlc.parse(hlc.tick(None))[0] + 30 * HOUR, 0)
    store.conn.execute("UPDATE device SET hlc = ?", (ahead,))
    landlord = store.create("landlords", {"name": "Habitat 77"})
    store.record([Change("landlords", landlord, "name", "Habitat 77 bis")])
    stamps = [r[0] for r in store.conn.execute("SELECT hlc FROM ops ORDER BY seq")]
    assert stamps == sorted(stamps) and stamps[0] > ahead and all(map(hlc.valid, stamps))
    assert store.get("landlords", landlord)["name"] == "Habitat 77 bis"
