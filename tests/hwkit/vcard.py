"""A virtual contactless card for vpcd (vsmartcard), run as its own process.

Killing this process is a real card removal for pcscd. Protocol (DESIGN.md §6):
each message is preceded by its length on 2 bytes, big-endian; a 1-byte message
is a control (00 power off, 01 power on, 02 reset, 04 get ATR, which we answer
with the ATR); anything else is an APDU we answer.

    python -m tests.hwkit.vcard --port 35963 --atr 3B8F8001... --uid 04A1B2C3
    python -m tests.hwkit.vcard --port 35963 --refuse 6A81     # no UID given
    python -m tests.hwkit.vcard --port 35963 --hang            # hangs on GET DATA

On connection it prints ``CONNECTED``; on receiving GET DATA with --hang it
prints ``APDU`` and stops answering (the test then kills it mid-read).
"""

from __future__ import annotations

import argparse
import socket
import struct
import sys
import threading
import time

GET_UID = bytes.fromhex("FFCA000000")
DEFAULT_ATR = "3B8F8001804F0CA000000306030001000000006A"  # a MIFARE Classic 1K via PC/SC


def _recv_exact(sock: socket.socket, size: int) -> bytes | None:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def _send(sock: socket.socket, payload: bytes) -> None:
    sock.sendall(struct.pack(">H", len(payload)) + payload)


def _connect(port: int, deadline: float) -> socket.socket:
    """vpcd may still be starting: retry briefly (bounded), then give up."""
    while True:
        try:
            return socket.create_connection(("127.0.0.1", port), timeout=1)
        except OSError:
            if time.monotonic() > deadline:
                raise
            threading.Event().wait(0.05)  # back off before the next try


def answer(apdu: bytes, uid: bytes | None, refuse: bytes) -> bytes:
    if apdu == GET_UID or (apdu[:4] == GET_UID[:4] and len(apdu) == 5):
        return uid + b"\x90\x00" if uid else refuse
    return b"\x6D\x00"  # instruction not supported


def serve(port: int, atr: bytes, uid: bytes | None, refuse: bytes, hang: bool) -> int:
    sock = _connect(port, time.monotonic() + 10)
    sock.settimeout(None)
    print("CONNECTED", flush=True)
    while True:
        header = _recv_exact(sock, 2)
        if header is None:
            return 0
        (size,) = struct.unpack(">H", header)
        message = _recv_exact(sock, size)
        if message is None:
            return 0
        if size == 1:
            if message[0] == 0x04:
                _send(sock, atr)
            continue  # power on/off, reset: nothing to answer
        if hang and message[:2] == GET_UID[:2]:
            print("APDU", flush=True)
            threading.Event().wait()  # a card that stops answering: the test kills us now
        _send(sock, answer(message, uid, refuse))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=35963)
    parser.add_argument("--atr", default=DEFAULT_ATR)
    parser.add_argument("--uid", default=None, help="hex UID returned to GET DATA")
    parser.add_argument("--refuse", default="6A81", help="status word when no UID")
    parser.add_argument("--hang", action="store_true", help="stop answering at GET DATA")
    args = parser.parse_args(argv)
    uid = bytes.fromhex(args.uid) if args.uid else None
    return serve(args.port, bytes.fromhex(args.atr), uid, bytes.fromhex(args.refuse), args.hang)


if __name__ == "__main__":
    sys.exit(main())
