"""The centrale simulator on a real pseudo-terminal, with the faults of real life.

`vigikfield simulate centrale` runs `PtyCentrale.serve()`: it prints the device
path (a stable symlink to the current /dev/pts/N, like socat's ``link=``) on
its first line and answers frames until SIGTERM/SIGINT. Faults:

- ``silent``: reads requests, never answers (a unit switched off behind its adapter);
- ``garbage``: answers bytes that are not frames (wrong baud rate, noise);
- ``full``: memory already full of other services, so ADD is refused;
- ``unplug``: at the first request the port disappears, and comes back 0.5 s later;
- ``slow``: every answer comes 1.5 s late.
"""

from __future__ import annotations

import os
import random
import select
import signal
import tempfile
import time
import tty
from pathlib import Path

from .protocol import REQUEST, FrameReader, encode
from .simulator import CentraleUnit

FAULTS = ("none", "silent", "garbage", "full", "unplug", "slow")
SLOW_DELAY = 1.5
REPLUG_DELAY = 0.5


class PtyCentrale:
    """One simulated unit behind one pseudo-terminal."""

    def __init__(self, unit: CentraleUnit, fault: str = "none", link: Path | None = None) -> None:
        if fault not in FAULTS:
            raise ValueError(fault)
        self.unit, self.fault = unit, fault
        self._own_dir = None if link else Path(tempfile.mkdtemp(prefix="vigikfield-centrale-"))
        self.link = link or self._own_dir / "tty"
        self.master: int | None = None
        self.slave: int | None = None
        self.reader = FrameReader()
        self.pending: list[tuple[float, bytes]] = []   # (due, bytes) answers not yet sent
        self.replug_at: float | None = None
        self.unplugged_once = False
        self.noise = random.Random(1234)
        self._wake_r, self._wake_w = os.pipe()
        self.plug()

    def plug(self) -> None:
        """Open a fresh pty and point the link at it (atomically)."""
        self.master, self.slave = os.openpty()
        tty.setraw(self.slave)   # no echo, no line discipline: bytes as sent
        tmp = self.link.with_name(self.link.name + ".new")
        if tmp.is_symlink():
            tmp.unlink()
        os.symlink(os.ttyname(self.slave), tmp)
        os.replace(tmp, self.link)
        self.reader = FrameReader()

    def unplug(self) -> None:
        for fd in (self.master, self.slave):
            if fd is not None:
                os.close(fd)
        self.master = self.slave = None
        self.link.unlink(missing_ok=True)
        self.pending.clear()
        self.replug_at = time.monotonic() + REPLUG_DELAY

    def stop(self, *_: object) -> None:
        """Signal-safe: wakes the loop, which then exits."""
        os.write(self._wake_w, b"x")

    def serve(self) -> None:
        """Answer until `stop()`; then remove the link."""
        try:
            while True:
                now = time.monotonic()
                dues = [due for due, _ in self.pending] + ([self.replug_at] if self.replug_at else [])
                timeout = max(0.0, min(dues) - now) if dues else None
                fds = [self._wake_r] + ([self.master] if self.master is not None else [])
                readable, _, _ = select.select(fds, [], [], timeout)
                if self._wake_r in readable:
                    return
                if self.master is not None and self.master in readable:
                    self._on_input()
                self._flush_due()
        finally:
            self.link.unlink(missing_ok=True)
            if self._own_dir:
                self._own_dir.rmdir()

    def _flush_due(self) -> None:
        now = time.monotonic()
        if self.replug_at is not None and now >= self.replug_at:
            self.replug_at = None
            self.plug()
        ready = [data for due, data in self.pending if due <= now]
        self.pending = [(due, data) for due, data in self.pending if due > now]
        for data in ready:
            if self.master is not None:
                os.write(self.master, data)

    def _on_input(self) -> None:
        try:
            data = os.read(self.master, 4096)
        except OSError:
            return
        for frame in self.reader.feed(data):
            if frame.start != REQUEST:
                continue
            if self.fault == "unplug" and not self.unplugged_once:
                self.unplugged_once = True
                self.unplug()
                return
            if self.fault == "silent":
                continue
            if self.fault == "garbage":
                self._answer(self._garbage())
                continue
            answer = b"".join(encode(reply) for reply in self.unit.handle(frame))
            self._answer(answer)

    def _answer(self, data: bytes) -> None:
        delay = SLOW_DELAY if self.fault == "slow" else 0.0
        self.pending.append((time.monotonic() + delay, data))

    def _garbage(self) -> bytes:
        noise = bytes(self.noise.randrange(256) for _ in range(40)).replace(b"\n", b"?")
        return noise + b"\r\n!00 OK IDENT*00\r\n" + b"\xff\xfe" * 8 + b"\r\n"


def run(model: str, fault: str, link: Path | None, echo) -> None:
    """The `simulate centrale` command: print the path first, serve until a signal."""
    unit = CentraleUnit(model, fill=(fault == "full"))
    server = PtyCentrale(unit, fault, link)
    signal.signal(signal.SIGTERM, server.stop)
    signal.signal(signal.SIGINT, server.stop)
    echo(str(server.link))
    server.serve()
