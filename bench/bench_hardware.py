"""Hardware round trips, each against a raw floor measured in the same run.

- card check: `PcscReader.read()` + registry lookup, through a private pcscd
  with vpcd and a virtual card process; floor: raw pyscard SCardConnect +
  SCardTransmit(GET DATA) + SCardDisconnect on an open context.
- add-service: `SerialLink.add_service` (ADD then VERIFY) on the simulator
  subprocess over its pty; floor: one raw write/readline echo on a pty pair.

BENCH_QUICK=1 runs a few rounds only. Needs pcscd and vsmartcard-vpcd
(scripts/bootstrap.sh installs them).
"""

from __future__ import annotations

import os
import select
import statistics
import subprocess
import sys
import threading
import time
import tty
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))   # the private pcscd and virtual card helpers


def _stats(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return statistics.median(ordered) * 1000, p95 * 1000


def _time(fn, rounds: int) -> list[float]:
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return samples


def _rows(name: str, samples: list[float], floor: list[float], goal: str) -> list[dict]:
    median, p95 = _stats(samples)
    floor_median, floor_p95 = _stats(floor)
    return [
        {"name": f"{name} median", "value": round(median, 3), "unit": "ms",
         "floor": round(floor_median, 3), "ratio": round(median / floor_median, 2), "goal": goal},
        {"name": f"{name} p95", "value": round(p95, 3), "unit": "ms",
         "floor": round(floor_p95, 3), "ratio": round(p95 / floor_p95, 2), "goal": goal},
    ]


def bench_card_check(workdir: Path, rounds: int) -> list[dict]:
    from hwkit.pcscd import PrivatePcscd
    from smartcard import scard as s

    from vigikfield.domain import cards
    from vigikfield.domain.store import Store
    from vigikfield.hardware.pcsc import PcscReader

    daemon = PrivatePcscd()
    daemon.start()
    store = Store(workdir / "bench-hardware.db")
    try:
        store.create("landlords", {"name": "Habitat 77"})
        with daemon.card(uid="04A1B2C3D4E5F6"):
            reader = PcscReader()
            cards.enroll(store, reader.read().fingerprint, "Habitat 77", "Police")

            def check() -> None:
                assert cards.check(store.conn, reader.read(daemon.reader).fingerprint).ok

            _, ctx = s.SCardEstablishContext(s.SCARD_SCOPE_USER)

            def raw() -> None:
                _, card, protocol = s.SCardConnect(ctx, daemon.reader, s.SCARD_SHARE_SHARED,
                                                   s.SCARD_PROTOCOL_T0 | s.SCARD_PROTOCOL_T1)
                s.SCardTransmit(card, protocol, [0xFF, 0xCA, 0, 0, 0])
                s.SCardDisconnect(card, s.SCARD_LEAVE_CARD)

            check(), raw()    # warm up
            floor = _time(raw, rounds)
            samples = _time(check, rounds)
            s.SCardReleaseContext(ctx)
    finally:
        store.close()
        daemon.cleanup()
    return _rows("card check round trip (pcscd+vpcd)", samples, floor, "<= 3")


def bench_add_service(rounds: int) -> list[dict]:
    import serial

    from vigikfield.domain.windows import Schedule
    from vigikfield.hardware.serial_link import SerialLink

    # floor: raw echo of one line on a pty pair
    master, slave = os.openpty()
    tty.setraw(slave)
    stop = threading.Event()

    def echo() -> None:
        while not stop.is_set():
            if select.select([master], [], [], 0.1)[0]:
                os.write(master, os.read(master, 4096))

    thread = threading.Thread(target=echo, daemon=True)
    thread.start()
    port = serial.Serial(os.ttyname(slave), 9600, timeout=2)
    line = b"$01 ADD Police;1111111;00:00-24:00*00\r\n"
    floor = _time(lambda: (port.write(line), port.readline()), rounds)
    port.close()
    stop.set()
    thread.join()
    os.close(master)
    os.close(slave)

    process = subprocess.Popen([sys.executable, "-m", "vigikfield", "simulate", "centrale",
                                "--model", "VX-3000"], stdout=subprocess.PIPE, text=True)
    try:
        path = process.stdout.readline().strip()
        link = SerialLink(path, timeout=5)
        schedules = [Schedule.parse("Mo-Su", ["00:00-24:00"]),
                     Schedule.parse("Mo-Sa", ["06:00-20:00"])]
        counter = iter(range(10**6))
        link.identify()
        samples = _time(lambda: link.add_service("Police", schedules[next(counter) % 2]), rounds)
        link.close()
    finally:
        process.terminate()
        process.wait(10)
    return _rows("add-service round trip (simulator pty, ADD+VERIFY)", samples, floor, "<= 8")


def run(workdir: Path) -> list[dict]:
    rounds = 10 if os.environ.get("BENCH_QUICK") else 200
    return bench_card_check(workdir, rounds) + bench_add_service(rounds)


if __name__ == "__main__":
    import tempfile

    for row in run(Path(tempfile.mkdtemp())):
        print(row)
