"""A private pcscd with the vpcd driver, per test process, and virtual cards for it.

Each pytest worker gets its own pcscd: its own socket (passed the systemd way,
``LISTEN_FDS``, so the system's /run/pcscd/pcscd.comm is never touched) and its
own vpcd port (``DEVICENAME /dev/null:<port>`` in a private reader.conf.d), so
two workers — or a system pcscd — never clash. The client library is pointed at
the socket with ``PCSCLITE_CSOCK_NAME``; it reads it once per process, so it is
set before any PC/SC call and kept for the whole session.
"""

from __future__ import annotations

import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# libpcsclite reads PCSCLITE_CSOCK_NAME once per process, at its first call:
# point it at this process's private socket as soon as the helpers are
# imported (test collection), before any test can touch PC/SC.
PROCESS_DIR = Path(tempfile.gettempdir()) / f"vf-pcsc-{os.getpid()}"
os.environ["PCSCLITE_CSOCK_NAME"] = str(PROCESS_DIR / "pcscd.comm")

VPCD_DRIVER = "/usr/lib/pcsc/drivers/serial/libifdvpcd.so"
VCARD = Path(__file__).with_name("vcard.py")
LAUNCHER = """
import os, socket, sys
path, conf = sys.argv[1], sys.argv[2]
sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
sock.bind(path)
sock.listen(64)
if sock.fileno() != 3:
    os.dup2(sock.fileno(), 3)
os.set_inheritable(3, True)
os.environ["LISTEN_FDS"] = "1"
os.environ["LISTEN_PID"] = str(os.getpid())
os.execvp("pcscd", ["pcscd", "--foreground", "--config", conf])
"""


def _free_port_pair() -> int:
    """A port p with p and p+1 free (vpcd opens one per slot)."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        if port >= 65535:
            continue
        try:
            with socket.socket() as second:
                second.bind(("127.0.0.1", port + 1))
            return port
        except OSError:
            continue
    raise RuntimeError("no free port pair for vpcd")


def wait_line(stream, expected: str, timeout: float) -> bool:
    """Read lines from a child's stdout until `expected` (bounded by select)."""
    deadline = time.monotonic() + timeout
    while (remaining := deadline - time.monotonic()) > 0:
        ready, _, _ = select.select([stream], [], [], remaining)
        if not ready:
            return False
        line = stream.readline()
        if not line:
            return False
        if line.strip() == expected:
            return True
    return False


class VirtualCard:
    """One card process on the vpcd slot; `kill()` is pulling the card off."""

    def __init__(self, port: int, reader: str, *, uid: str | None, atr: str | None,
                 refuse: str, hang: bool):
        self.reader = reader
        args = [sys.executable, str(VCARD), "--port", str(port), "--refuse", refuse]
        if uid:
            args += ["--uid", uid]
        if atr:
            args += ["--atr", atr]
        if hang:
            args.append("--hang")
        self.process = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
        if not wait_line(self.process.stdout, "CONNECTED", 10):
            self.kill()
            raise RuntimeError("virtual card could not reach vpcd")

    def __enter__(self) -> VirtualCard:
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()

    def remove(self) -> None:
        """Pull the card off and wait until pcscd has seen it go."""
        from vigikfield.hardware.pcsc import PcscReader, _Context

        self.kill()
        with _Context() as ctx:
            if not PcscReader()._await(ctx, self.reader, present=False, timeout=10):
                raise RuntimeError("pcscd still sees the card")

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        self.process.wait(5)
        if not self.process.stdout.closed:
            self.process.stdout.close()


class PrivatePcscd:
    """pcscd + vpcd for one test session."""

    def __init__(self) -> None:
        self.dir = PROCESS_DIR
        self.dir.mkdir(exist_ok=True)
        self.socket = Path(os.environ["PCSCLITE_CSOCK_NAME"])
        self.process: subprocess.Popen | None = None
        self.port = 0
        self.reader = "Virtual PCD 00 00"

    def start(self) -> None:
        for _ in range(5):   # a port taken between our probe and vpcd's bind: try another
            self.port = _free_port_pair()
            conf = self.dir / "reader.conf.d"
            conf.mkdir(exist_ok=True)
            (conf / "vpcd").write_text(
                f'FRIENDLYNAME "Virtual PCD"\nDEVICENAME /dev/null:{self.port}\n'
                f"LIBPATH {VPCD_DRIVER}\nCHANNELID {self.port}\n")
            self.socket.unlink(missing_ok=True)
            self.process = subprocess.Popen(
                [sys.executable, "-c", LAUNCHER, str(self.socket), str(conf)],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if self._reader_up(10):
                return
            self.stop()
        raise RuntimeError("pcscd with vpcd did not come up")

    def _reader_up(self, timeout: float) -> bool:
        from vigikfield.hardware.errors import HardwareError
        from vigikfield.hardware.pcsc import PcscReader

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                # connecting blocks until pcscd has loaded its readers: no spin
                return self.reader in PcscReader().readers()
            except HardwareError:
                select.select([], [], [], 0.1)  # pcscd still starting
        return False

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def card(self, uid: str | None = "04A1B2C3D4E5F6", atr: str | None = None,
             refuse: str = "6A81", hang: bool = False, wait: bool = True) -> VirtualCard:
        """Lay a virtual card on the reader; with `wait`, until pcscd sees it."""
        from vigikfield.hardware.pcsc import PcscReader

        card = VirtualCard(self.port, self.reader, uid=uid, atr=atr, refuse=refuse, hang=hang)
        if wait:
            PcscReader().wait_for_card(10, self.reader)
        return card

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)
