"""Days and time windows (plages horaires) a centrale holds per service.

A schedule is a days mask (7 characters, Monday first: ``"1111110"`` = Monday
to Saturday) and 1 to 3 windows ``hh:mm-hh:mm``. A window may cross midnight
(``22:00-06:00``: it belongs to the day it starts on); ``00:00-24:00`` is the
whole day. Day names are accepted in French (Lu Ma Me Je Ve Sa Di) and English
(Mo Tu We Th Fr Sa Su), as ranges (``Mo-Sa``, ``Sa-Mo`` wraps) or lists
(``Mo,We,Fr``), or as the mask itself.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime

from ..i18n import TranslatedError, language

MAX_WINDOWS = 3
DAY = 24 * 60
_NAMES = {
    "en": ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"),
    "fr": ("Lu", "Ma", "Me", "Je", "Ve", "Sa", "Di"),
}
_INDEX = {name.lower(): i for names in _NAMES.values() for i, name in enumerate(names)}
_TIME = re.compile(r"^\s*(\d{1,2})[:hH](\d{2})\s*$")


class WindowError(TranslatedError, ValueError):
    """Input that is not a valid schedule; `str()` says why in plain words."""

    exit_code = 2  # bad input (i18n.EXIT_BAD_INPUT)


def parse_days(text: str) -> str:
    """``"Mo-Sa"`` → ``"1111110"``; also lists, French names and 7-digit masks."""
    text = text.strip()
    if re.fullmatch(r"[01]{7}", text):
        if text == "0000000":
            raise WindowError("windows.no_day", text=text)
        return text
    if not text:
        raise WindowError("windows.no_day", text=text)
    days = [False] * 7
    for part in text.replace(";", ",").split(","):
        ends = [p.strip().lower()[:2] for p in re.split(r"\s*[-–]\s*", part.strip())]
        if len(ends) not in (1, 2) or any(e not in _INDEX for e in ends):
            raise WindowError("windows.bad_days", text=text)
        first, last = _INDEX[ends[0]], _INDEX[ends[-1]]
        day = first
        while True:
            days[day] = True
            if day == last:
                break
            day = (day + 1) % 7
    return "".join("1" if d else "0" for d in days)


def format_days(mask: str, lang: str | None = None) -> str:
    """``"1111110"`` → ``"Lu-Sa"`` (or ``"Mo-Sa"``); lists when not contiguous."""
    names = _NAMES[lang or language()]
    on = [i for i, c in enumerate(mask) if c == "1"]
    if len(on) == 7:
        return f"{names[0]}-{names[6]}"
    if on and on == list(range(on[0], on[-1] + 1)) and len(on) > 2:
        return f"{names[on[0]]}-{names[on[-1]]}"
    return ",".join(names[i] for i in on)


def _minutes(text: str, source: str) -> int:
    match = _TIME.match(text)
    if not match:
        raise WindowError("windows.bad_time", text=source)
    hours, minutes = int(match[1]), int(match[2])
    if minutes > 59 or hours > 24 or (hours == 24 and minutes):
        raise WindowError("windows.bad_time", text=source)
    return hours * 60 + minutes


@dataclass(frozen=True, slots=True)
class Window:
    """From `start` to `end` in minutes since midnight; end < start crosses midnight."""

    start: int
    end: int

    @classmethod
    def parse(cls, text: str) -> Window:
        parts = re.split(r"\s*[-–]\s*", text.strip())
        if len(parts) != 2:
            raise WindowError("windows.bad_window", text=text)
        window = cls(_minutes(parts[0], text), _minutes(parts[1], text))
        if window.length == 0:
            raise WindowError("windows.empty", text=text)
        return window

    @property
    def length(self) -> int:
        if self.start == 0 and self.end == DAY:
            return DAY
        return (self.end - self.start) % DAY

    @property
    def crosses_midnight(self) -> bool:
        return self.end < self.start

    def spans(self) -> list[tuple[int, int]]:
        """Half-open minute ranges on a two-day line (day 0 then day 1)."""
        return [(self.start, self.start + self.length)]

    def __str__(self) -> str:
        def hhmm(m: int) -> str:
            return f"{m // 60:02d}:{m % 60:02d}"
        return f"{hhmm(self.start)}-{hhmm(self.end)}"


@dataclass(frozen=True, slots=True)
class Schedule:
    """A days mask and 1-3 non-overlapping windows: what a centrale stores per service."""

    days: str
    windows: tuple[Window, ...]

    @classmethod
    def parse(cls, days: str, windows: list[str] | tuple[str, ...]) -> Schedule:
        return cls.build(parse_days(days), [Window.parse(w) for w in windows])

    @classmethod
    def build(cls, days: str, windows: list[Window]) -> Schedule:
        if not windows:
            raise WindowError("windows.none")
        if len(windows) > MAX_WINDOWS:
            raise WindowError("windows.too_many", count=len(windows), max=MAX_WINDOWS)
        ordered = sorted(windows, key=lambda w: w.start)
        for i, a in enumerate(ordered):
            for b in ordered[i + 1:]:
                if _overlap(a, b):
                    raise WindowError("windows.overlap", first=str(a), second=str(b))
        return cls(days, tuple(ordered))

    def is_open(self, when: datetime) -> bool:
        """Would a door with this schedule open at `when`? (midnight crossing included)"""
        minute = when.hour * 60 + when.minute
        today, yesterday = when.weekday(), (when.weekday() - 1) % 7
        for w in self.windows:
            if self.days[today] == "1" and w.start <= minute < w.start + w.length:
                return True
            if self.days[yesterday] == "1" and minute + DAY < w.start + w.length:
                return True
        return False

    @property
    def wire(self) -> str:
        """``1111110;06:00-20:00`` — the serial protocol's form."""
        return f"{self.days};{','.join(str(w) for w in self.windows)}"

    @classmethod
    def from_wire(cls, text: str) -> Schedule:
        days, _, windows = text.partition(";")
        return cls.parse(days, [w for w in windows.split(",") if w])

    def to_json(self) -> str:
        """The `encodings.windows` form: a JSON list of ["hh:mm", "hh:mm"]."""
        return json.dumps([str(w).split("-") for w in self.windows])

    def describe(self) -> str:
        return f"{format_days(self.days)} {', '.join(str(w) for w in self.windows)}"


def _overlap(a: Window, b: Window) -> bool:
    """Do two windows share a minute on any day (both repeat every 24 h)?"""
    for sa, ea in a.spans():
        for sb, eb in b.spans():
            for shift in (-DAY, 0, DAY):
                if sa < eb + shift and sb + shift < ea:
                    return True
    return False
