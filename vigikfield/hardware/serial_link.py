"""The serial centrale driver (pyserial): docs/serial-protocol.md over a port.

Every exchange is bounded: the request is written with a write timeout, the
answer awaited until a deadline, then the typed error says what happened —
nothing came (`NoAnswer`), only unreadable bytes came (`Garbled`), the port
went away (`Unplugged`), the unit said no (`DeviceRefused`, `MemoryFull`).
After an unplug the next call reopens the port, waiting up to
`reconnect_timeout` for it to come back (USB adapters re-enumerate).
"""

from __future__ import annotations

import errno
import termios
import time

from ..domain.windows import Schedule, WindowError
from .centrale import AddResult, CentraleInfo, CentraleLink, ServiceEntry
from .errors import (
    DeviceRefused, Garbled, LinkError, MemoryFull, NoAnswer, PortUnavailable, Unplugged,
)
from .protocol import MEMORY_FULL, REPLY, REQUEST, UNKNOWN_SERVICE, Frame, FrameReader, encode


def _serial():
    import serial  # a base dependency; imported here to keep imports of the package light

    return serial


def entry_from(fields: tuple[str, ...]) -> ServiceEntry:
    """``name;native;days;windows`` → ServiceEntry (Garbled if the unit talks nonsense)."""
    if len(fields) != 4:
        raise Garbled()
    name, native, days, windows = fields
    try:
        schedule = Schedule.parse(days, [w for w in windows.split(",") if w])
    except WindowError:
        raise Garbled() from None
    return ServiceEntry(name, native == "1", schedule)


class SerialLink(CentraleLink):
    """A programming adapter on `port` (e.g. /dev/ttyUSB0)."""

    def __init__(self, port: str, timeout: float = 2.0, reconnect_timeout: float = 3.0,
                 baudrate: int = 9600) -> None:
        self.port_name = port
        self.timeout = timeout
        self.reconnect_timeout = reconnect_timeout
        self.baudrate = baudrate
        self._port = None
        self._seq = 0

    # -- the line -----------------------------------------------------------------
    def _open(self):
        serial = _serial()
        deadline = time.monotonic() + self.reconnect_timeout
        while True:
            try:
                self._port = serial.Serial(self.port_name, self.baudrate, timeout=0.1,
                                           write_timeout=self.timeout, exclusive=True)
                return self._port
            except (serial.SerialException, OSError) as exc:
                code = getattr(exc, "errno", None)
                if code in (errno.EACCES, errno.EPERM):
                    raise PortUnavailable("hw.err.port_permission", port=self.port_name) from None
                if code in (errno.EAGAIN, errno.EBUSY) or "lock" in str(exc):
                    raise PortUnavailable("hw.err.port_busy", port=self.port_name) from None
                if time.monotonic() >= deadline:
                    raise PortUnavailable(port=self.port_name, detail=str(exc)) from None
                time.sleep(0.1)  # an unplugged adapter re-enumerating: check again shortly

    def close(self) -> None:
        if self._port is not None:
            try:
                self._port.close()
            except OSError:
                pass
            self._port = None

    def exchange(self, word: str, *fields: str) -> tuple[list[Frame], Frame]:
        """Send one request; return the ``+`` lines and the final OK frame."""
        serial = _serial()
        port = self._port or self._open()
        self._seq = (self._seq + 1) % 256
        seq = self._seq
        reader = FrameReader()
        lines: list[Frame] = []
        received = 0
        try:
            port.reset_input_buffer()   # stale answers to a request we gave up on
            port.write(encode(Frame(REQUEST, seq, word, tuple(fields))))
            port.flush()
            deadline = time.monotonic() + self.timeout
            while (remaining := deadline - time.monotonic()) > 0:
                port.timeout = min(0.2, remaining)
                chunk = port.read(max(1, port.in_waiting))
                received += len(chunk)
                for frame in reader.feed(chunk):
                    if frame.start != REPLY or frame.seq != seq:
                        continue
                    if frame.word == "+":
                        lines.append(frame)
                        deadline = time.monotonic() + self.timeout  # a long list keeps coming
                    elif frame.word == "OK":
                        return lines, frame
                    elif frame.word == "ERR":
                        raise self._refusal(frame)
        except (serial.SerialException, OSError, termios.error) as exc:
            self.close()
            if isinstance(exc, serial.SerialTimeoutException):
                raise NoAnswer(port=self.port_name, seconds=self.timeout) from None
            raise Unplugged(port=self.port_name) from None
        if reader.rejected or received:
            raise Garbled(port=self.port_name)
        raise NoAnswer(port=self.port_name, seconds=self.timeout)

    @staticmethod
    def _refusal(frame: Frame) -> LinkError:
        try:
            code = int(frame.fields[0])
        except (IndexError, ValueError):
            return Garbled()
        detail = frame.fields[1] if len(frame.fields) > 1 else ""
        return MemoryFull(code, detail) if code == MEMORY_FULL else DeviceRefused(code, detail)

    # -- operations -----------------------------------------------------------------
    def identify(self) -> CentraleInfo:
        _, ident = self.exchange("IDENT")
        if len(ident.fields) != 6:
            raise Garbled(port=self.port_name)
        brand, model, firmware, serial_no, capacity, used = ident.fields
        lines, _ = self.exchange("LIST")
        services = tuple(entry_from(line.fields) for line in lines)
        try:
            return CentraleInfo(brand, model, firmware, serial_no, int(capacity), int(used), services)
        except ValueError:
            raise Garbled(port=self.port_name) from None

    def add_service(self, name: str, schedule: Schedule) -> AddResult:
        windows = ",".join(str(w) for w in schedule.windows)
        _, reply = self.exchange("ADD", name, schedule.days, windows)
        outcome = reply.fields[0] if reply.fields else "added"
        return AddResult(outcome, self.verify_service(name))

    def verify_service(self, name: str) -> ServiceEntry | None:
        try:
            _, reply = self.exchange("VERIFY", name)
        except DeviceRefused as exc:
            if exc.code == UNKNOWN_SERVICE:
                return None
            raise
        return entry_from(reply.fields)

    def events(self) -> list[tuple[str, str]]:
        """The unit's event log (most recent last)."""
        lines, _ = self.exchange("LOG")
        return [(f.fields[0], f.fields[1]) for f in lines if len(f.fields) == 2]
