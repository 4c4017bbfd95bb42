"""A simulated centrale: the state a real unit keeps, answering protocol frames.

Native services are preloaded; non-native ones are limited by the model's
capacity; each service has a days mask and up to 3 windows; every change and
refusal goes to an event log. `sim_pty` puts this unit on a pseudo-terminal
with the faults of real life; `links.SimLink` calls it in-process.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime

from ..domain.windows import Schedule, WindowError
from .protocol import (
    BAD_ARGUMENT, MEMORY_FULL, NATIVE_SERVICE, REPLY, UNKNOWN_COMMAND, UNKNOWN_SERVICE,
    Frame,
)

EVERY_DAY = "1111111"


@dataclass(frozen=True, slots=True)
class Model:
    brand: str
    name: str
    firmware: str
    capacity: int     # non-native services


MODELS = {
    m.name: m for m in (
        Model("SIMULEC", "VX-255", "2.4.1", 255),     # a documented model's limit
        Model("SIMULEC", "VX-3000", "3.1.0", 3000),   # the seed's upper figure
        Model("SIMULEC", "VX-4", "1.0.7", 4),         # a small unit: memory fills fast
    )
}
DEFAULT_MODEL = "VX-255"

NATIVE = (
    ("La Poste", "1111110", ["06:00-20:00"]),
    ("Enedis-GRDF", "1111100", ["07:00-20:00"]),
    ("Orange", "1111110", ["07:00-21:00"]),
    ("Police-Gendarmerie", EVERY_DAY, ["00:00-24:00"]),
    ("Pompiers-SDIS", EVERY_DAY, ["00:00-24:00"]),
    ("SAMU", EVERY_DAY, ["00:00-24:00"]),
)


class CentraleUnit:
    """One unit's memory. Thread-safe: the pty server and tests may both look."""

    def __init__(self, model: str = DEFAULT_MODEL, serial: str = "SIM-000001",
                 fill: bool = False) -> None:
        self.model = MODELS[model]
        self.serial = serial
        self.native = {name: Schedule.parse(days, windows) for name, days, windows in NATIVE}
        self.added: dict[str, Schedule] = {}
        self.log: list[tuple[str, str]] = []
        self.lock = threading.Lock()
        if fill:  # a unit whose memory other landlords' services already fill
            for i in range(self.model.capacity):
                self.added[f"Prestataire {i + 1:04d}"] = Schedule.parse("Mo-Fr", ["08:00-18:00"])
        self._event("power on")

    def _event(self, text: str) -> None:
        self.log.append((datetime.now().isoformat(timespec="seconds"), text))

    def _find(self, name: str) -> tuple[str, Schedule, bool] | None:
        for table, native in ((self.native, True), (self.added, False)):
            for key, schedule in table.items():
                if key.casefold() == name.casefold():
                    return key, schedule, native
        return None

    def snapshot(self) -> dict[str, str]:
        """Every service and its schedule, for comparisons in tests."""
        with self.lock:
            return {n: s.wire for n, s in {**self.native, **self.added}.items()}

    # -- protocol ---------------------------------------------------------------
    def handle(self, request: Frame) -> list[Frame]:
        """The reply frames for one request (the last one is OK or ERR)."""
        with self.lock:
            handler = getattr(self, f"_cmd_{request.word.lower()}", None)
            if handler is None:
                return [self._err(request, UNKNOWN_COMMAND, request.word)]
            return handler(request)

    def _ok(self, request: Frame, *fields: str) -> Frame:
        return Frame(REPLY, request.seq, "OK", tuple(fields))

    def _err(self, request: Frame, code: int, text: str) -> Frame:
        return Frame(REPLY, request.seq, "ERR", (str(code), text))

    def _line(self, name: str, schedule: Schedule, native: bool) -> tuple[str, ...]:
        return (name, "1" if native else "0", schedule.days,
                ",".join(str(w) for w in schedule.windows))

    def _cmd_ping(self, request: Frame) -> list[Frame]:
        return [self._ok(request, "PONG")]

    def _cmd_ident(self, request: Frame) -> list[Frame]:
        m = self.model
        return [self._ok(request, m.brand, m.name, m.firmware, self.serial,
                         str(m.capacity), str(len(self.added)))]

    def _cmd_list(self, request: Frame) -> list[Frame]:
        lines = [Frame(REPLY, request.seq, "+", self._line(n, s, True))
                 for n, s in self.native.items()]
        lines += [Frame(REPLY, request.seq, "+", self._line(n, s, False))
                  for n, s in self.added.items()]
        return lines + [self._ok(request, str(len(lines)))]

    def _cmd_verify(self, request: Frame) -> list[Frame]:
        if len(request.fields) != 1:
            return [self._err(request, BAD_ARGUMENT, "VERIFY name")]
        found = self._find(request.fields[0])
        if found is None:
            return [self._err(request, UNKNOWN_SERVICE, request.fields[0])]
        return [self._ok(request, *self._line(*found))]

    def _cmd_add(self, request: Frame) -> list[Frame]:
        if len(request.fields) != 3 or not request.fields[0].strip():
            return [self._err(request, BAD_ARGUMENT, "ADD name;days;windows")]
        name, days, windows = request.fields
        try:
            schedule = Schedule.parse(days, [w for w in windows.split(",") if w])
        except WindowError as exc:
            return [self._err(request, BAD_ARGUMENT, str(exc))]
        found = self._find(name)
        if found and found[2]:
            self._event(f"refused {name}: native service")
            return [self._err(request, NATIVE_SERVICE, name)]
        if found:
            key, current, _ = found
            if current == schedule:
                return [self._ok(request, "unchanged")]
            self.added[key] = schedule
            self._event(f"updated {key} {schedule.wire}")
            return [self._ok(request, "updated")]
        if len(self.added) >= self.model.capacity:
            self._event(f"refused {name}: memory full")
            return [self._err(request, MEMORY_FULL, f"{len(self.added)}/{self.model.capacity}")]
        self.added[name] = schedule
        self._event(f"added {name} {schedule.wire}")
        return [self._ok(request, "added")]

    def _cmd_log(self, request: Frame) -> list[Frame]:
        lines = [Frame(REPLY, request.seq, "+", entry) for entry in self.log[-50:]]
        return lines + [self._ok(request, str(len(lines)))]
