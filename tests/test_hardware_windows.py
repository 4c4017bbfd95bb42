"""Days masks and time windows: parsing, validation, midnight crossing."""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vigikfield import i18n
from vigikfield.domain.windows import Schedule, Window, WindowError, format_days, parse_days


@pytest.mark.parametrize("text, mask", [
    ("Mo-Su", "1111111"), ("Mo-Sa", "1111110"), ("Lu-Ve", "1111100"), ("Mo,We,Fr", "1010100"),
    ("Sa-Mo", "1000011"), ("di", "0000001"), ("1111110", "1111110"), ("Lu-Me, Sa", "1110010"),
])
def test_parse_days(text, mask):
    assert parse_days(text) == mask


@pytest.mark.parametrize("text", ["", "Xx", "Mo-", "0000000", "Mo-We-Fr"])
def test_bad_days(text):
    with pytest.raises(WindowError):
        parse_days(text)


def test_format_days_in_both_languages():
    assert format_days("1111110", "fr") == "Lu-Sa"
    assert format_days("1010100", "en") == "Mo,We,Fr"
    assert format_days("1111111", "en") == "Mo-Su"


def test_windows_and_their_errors():
    assert Window.parse("22:00-06:00").crosses_midnight
    assert Window.parse("00:00-24:00").length == 24 * 60
    for bad, words in [("10:00-10:00", "vide"), ("25:00-26:00", "illisible"),
                       ("10h", "illisible"), ("08:60-09:00", "illisible")]:
        with pytest.raises(WindowError) as err:
            Window.parse(bad)
        assert words in str(err.value)
    with pytest.raises(WindowError, match="chevauchent"):
        Schedule.parse("Mo-Su", ["22:00-06:00", "05:30-07:00"])
    with pytest.raises(WindowError, match="au plus 3"):
        Schedule.parse("Mo", ["01:00-02:00", "03:00-04:00", "05:00-06:00", "07:00-08:00"])
    with pytest.raises(WindowError):
        Schedule.parse("Mo", [])
    i18n.set_language("en")
    with pytest.raises(WindowError, match="overlap"):
        Schedule.parse("Mo-Su", ["00:00-24:00", "10:00-11:00"])


def test_is_open_across_midnight():
    night = Schedule.parse("Mo", ["22:00-06:00"])
    monday, tuesday = datetime(2024, 3, 4, 23, 0), datetime(2024, 3, 5, 5, 59)
    assert night.is_open(monday) and night.is_open(tuesday)
    assert not night.is_open(datetime(2024, 3, 5, 6, 0))
    assert not night.is_open(datetime(2024, 3, 5, 23, 0))   # Tuesday night is not in the mask
    poste = Schedule.parse("Mo-Sa", ["06:00-20:00"])
    assert poste.is_open(datetime(2024, 3, 9, 12, 0)) and not poste.is_open(datetime(2024, 3, 10, 12, 0))


@given(st.lists(st.tuples(st.integers(0, 1439), st.integers(1, 1439)), min_size=1, max_size=3))
def test_accepted_schedules_never_share_a_minute(pairs):
    windows = [Window(s, (s + length) % 1440) for s, length in pairs]
    try:
        schedule = Schedule.build("1111111", windows)
    except WindowError:
        return
    covered = [0] * 1440
    for w in schedule.windows:
        for m in range(w.start, w.start + w.length):
            covered[m % 1440] += 1
    assert max(covered) == 1
    assert Schedule.from_wire(schedule.wire) == schedule
