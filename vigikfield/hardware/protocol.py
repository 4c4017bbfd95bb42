"""The centrale adapter line protocol (docs/serial-protocol.md): framing,
checksum, escaping, and a parser that tolerates noise.

A frame is one line: a start character (``$`` request, ``!`` reply), a
sequence number in 2 hex digits, a word (command or status), optional fields
separated by ``;``, then ``*`` and an XOR checksum in 2 hex digits, then CR LF.

`parse_line` raises only `ProtocolError`; `FrameReader.feed` never raises: it
drops what it cannot read and counts it, so the link can tell "silent" from
"answering garbage".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .errors import HardwareError

REQUEST, REPLY = "$", "!"
MAX_LINE = 512
_ESCAPED = "%;*$!\r\n"
_WORD = re.compile(r"^[A-Z+]{1,8}$")

# error codes carried by ``ERR <code>;<text>``
BAD_CHECKSUM, BAD_FRAME, UNKNOWN_COMMAND, BAD_ARGUMENT = 10, 11, 12, 13
UNKNOWN_SERVICE, MEMORY_FULL, NATIVE_SERVICE, BUSY = 20, 21, 22, 30


class ProtocolError(HardwareError):
    """A line that is not a valid frame (the only error the parser raises)."""

    key = "hw.err.protocol"


@dataclass(frozen=True, slots=True)
class Frame:
    start: str                     # "$" request | "!" reply
    seq: int                       # 0-255, echoed by the reply
    word: str                      # command (IDENT...) or status (OK, ERR, + for more)
    fields: tuple[str, ...] = field(default_factory=tuple)


def checksum(body: bytes) -> int:
    value = 0
    for byte in body:
        value ^= byte
    return value


def escape(text: str) -> str:
    return "".join(f"%{ord(c):02X}" if c in _ESCAPED else c for c in text)


def unescape(text: str) -> str:
    def repl(match: re.Match) -> str:
        return chr(int(match[1], 16))
    if re.search(r"%(?![0-9A-Fa-f]{2})", text):
        raise ProtocolError("hw.err.protocol_escape")
    return re.sub(r"%([0-9A-Fa-f]{2})", repl, text)


def encode(frame: Frame) -> bytes:
    """The bytes of one frame, CR LF included."""
    body = f"{frame.seq:02X} {frame.word}"
    if frame.fields:
        body += " " + ";".join(escape(f) for f in frame.fields)
    raw = body.encode("utf-8")
    return frame.start.encode() + raw + b"*" + f"{checksum(raw):02X}".encode() + b"\r\n"


def parse_line(line: bytes) -> Frame:
    """One line (with or without CR LF) → Frame; ProtocolError if it is not one."""
    line = line.rstrip(b"\r\n")
    if len(line) > MAX_LINE:
        raise ProtocolError("hw.err.protocol_long")
    if len(line) < 7 or line[:1] not in (b"$", b"!"):
        raise ProtocolError("hw.err.protocol_frame")
    star = line.rfind(b"*")
    if star < 0 or len(line) - star != 3:
        raise ProtocolError("hw.err.protocol_frame")
    body, given = line[1:star], line[star + 1:]
    try:
        expected = int(given.decode("ascii"), 16)
    except (UnicodeDecodeError, ValueError):
        raise ProtocolError("hw.err.protocol_frame") from None
    if expected != checksum(body):
        raise ProtocolError("hw.err.protocol_checksum")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise ProtocolError("hw.err.protocol_frame") from None
    seq_text, _, rest = text.partition(" ")
    word, _, payload = rest.partition(" ")
    if len(seq_text) != 2 or not all(c in "0123456789ABCDEFabcdef" for c in seq_text):
        raise ProtocolError("hw.err.protocol_frame")
    if not _WORD.match(word):
        raise ProtocolError("hw.err.protocol_frame")
    fields = tuple(unescape(f) for f in payload.split(";")) if payload else ()
    return Frame(line[:1].decode(), int(seq_text, 16), word, fields)


class FrameReader:
    """Accumulates bytes from the line; yields the valid frames, drops the rest."""

    def __init__(self) -> None:
        self._buffer = bytearray()
        self.rejected = 0   # lines or bytes that were not frames

    def feed(self, data: bytes) -> list[Frame]:
        self._buffer += data
        frames: list[Frame] = []
        while True:
            newline = self._buffer.find(b"\n")
            if newline < 0:
                if len(self._buffer) > MAX_LINE + 2:   # a line that never ends: noise
                    self._buffer.clear()
                    self.rejected += 1
                return frames
            line = bytes(self._buffer[:newline + 1])
            del self._buffer[:newline + 1]
            start = max(line.rfind(b"$"), line.rfind(b"!"))
            if start < 0:
                if line.strip():
                    self.rejected += 1
                continue
            # noise before the start character is skipped; a frame never holds $ or ! itself
            try:
                frames.append(parse_line(line[start:]))
            except ProtocolError:
                self.rejected += 1
