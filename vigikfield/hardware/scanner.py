"""QR label scanners: both kinds deliver the hall code read off a label.

*Keyboard wedge*: the scanner types the label text and Enter into whatever has
focus; `WedgeScanner.feed()` takes the typed text and returns the hall codes of
completed lines. *Serial*: the scanner sends one line per scan on a (USB)
serial port; `SerialScanner.read()` waits for one, with a timeout.
"""

from __future__ import annotations

import queue
import time
from abc import ABC, abstractmethod

from ..domain.search import code_candidate
from .errors import PortUnavailable, Unplugged


def hall_code(text: str) -> str | None:
    """The hall code a scanned label carries, or None when it is not a label of ours."""
    return code_candidate(text.replace("\r", "\n"))


class Scanner(ABC):
    """Something that yields the text of scanned QR labels."""

    @abstractmethod
    def read(self, timeout: float) -> str | None:
        """The next scanned text, or None if nothing was scanned in `timeout` seconds."""

    def read_code(self, timeout: float) -> str | None:
        """The next scan that is a hall code; other scans are skipped."""
        deadline = time.monotonic() + timeout
        while (remaining := deadline - time.monotonic()) > 0:
            text = self.read(remaining)
            if text is None:
                return None
            code = hall_code(text)
            if code:
                return code
        return None

    def close(self) -> None:
        """Release the device (nothing by default)."""


class WedgeScanner(Scanner):
    """A keyboard-wedge scanner: the UI passes what was typed; lines end with Enter."""

    def __init__(self) -> None:
        self._partial = ""
        self._lines: queue.Queue[str] = queue.Queue()

    def feed(self, typed: str) -> list[str]:
        """Typed text in; hall codes of the lines it completes out."""
        self._partial += typed.replace("\r\n", "\n").replace("\r", "\n")
        *done, self._partial = self._partial.split("\n")
        codes = []
        for line in done:
            if line.strip():
                self._lines.put(line)
                code = hall_code(line)
                if code:
                    codes.append(code)
        return codes

    def read(self, timeout: float) -> str | None:
        try:
            return self._lines.get(timeout=max(0.0, timeout))
        except queue.Empty:
            return None


class SerialScanner(Scanner):
    """A scanner on a serial port, one line per scan (CR, LF or CR LF)."""

    def __init__(self, port: str, baudrate: int = 9600) -> None:
        import serial

        self.port_name = port
        try:
            self._port = serial.Serial(port, baudrate, timeout=0.1)
        except (serial.SerialException, OSError) as exc:
            raise PortUnavailable(port=port, detail=str(exc)) from None
        self._buffer = b""

    def read(self, timeout: float) -> str | None:
        import serial

        deadline = time.monotonic() + timeout
        while True:
            self._buffer = self._buffer.replace(b"\r", b"\n")
            while b"\n" in self._buffer:
                line, self._buffer = self._buffer.split(b"\n", 1)
                if line.strip():
                    return line.decode("utf-8", errors="replace").strip()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            try:
                self._port.timeout = min(0.2, remaining)
                self._buffer += self._port.read(max(1, self._port.in_waiting))
            except (serial.SerialException, OSError):
                raise Unplugged(port=self.port_name) from None

    def close(self) -> None:
        self._port.close()
