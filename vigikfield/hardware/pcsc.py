"""PC/SC backend (pyscard): a real reader through pcscd.

Uses pyscard's `scard` layer directly so that every call has a bound:
``SCardGetStatusChange`` waits with a timeout (events, not polling), and
connect/transmit, which PC/SC cannot time out, run in a helper thread we stop
waiting for. pyscard's `CardMonitor` is not used for events: it is a process
singleton whose stop waits up to 60 s and which prints tracebacks when pcscd
goes away; the watch below is the same `SCardGetStatusChange` loop, cancelled
at once with ``SCardCancel``.

pyscard is an optional extra (``pip install -e .[pcsc]``); it is imported on
first use, and its absence is the typed error `PcscMissing`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from .errors import (
    CardError, CardRemoved, DeviceTimeout, HardwareError, NoCard, NoReader, PcscdDown,
    PcscMissing, ReaderBusy,
)
from .reader import GET_UID, CardEvent, CardInfo, CardReader, Watch

PNP = "\\\\?PnP?\\Notification"


def scard() -> Any:
    """pyscard's `smartcard.scard`, or PcscMissing with how to install it."""
    try:
        from smartcard import scard as module
    except ImportError as exc:
        raise PcscMissing() from exc
    return module


def _u32(value: int) -> int:
    return value & 0xFFFFFFFF


def error_for(hresult: int, reader: str | None = None) -> HardwareError:
    """The typed error for a PC/SC result code."""
    s = scard()
    code = _u32(hresult)
    by_code: dict[int, HardwareError] = {
        _u32(s.SCARD_E_NO_SERVICE): PcscdDown(),
        _u32(s.SCARD_E_SERVICE_STOPPED): PcscdDown(),
        _u32(s.SCARD_E_NO_READERS_AVAILABLE): NoReader(),
        _u32(s.SCARD_E_UNKNOWN_READER): NoReader("hw.err.unknown_reader", reader=reader or ""),
        _u32(s.SCARD_E_READER_UNAVAILABLE): NoReader("hw.err.unknown_reader", reader=reader or ""),
        _u32(s.SCARD_E_NO_SMARTCARD): NoCard(),
        _u32(s.SCARD_W_REMOVED_CARD): CardRemoved(),
        _u32(s.SCARD_E_TIMEOUT): DeviceTimeout(),
        _u32(s.SCARD_E_SHARING_VIOLATION): ReaderBusy(),
    }
    if code in by_code:
        return by_code[code]
    return CardError(code=f"0x{code:08X}", detail=s.SCardGetErrorMessage(hresult))


def bounded(fn: Callable[[], Any], timeout: float) -> Any:
    """Run a PC/SC call that has no timeout of its own; DeviceTimeout after `timeout` s."""
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:  # handed back to the caller below
            box["error"] = exc

    worker = threading.Thread(target=target, name="pcsc-call", daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        raise DeviceTimeout()
    if "error" in box:
        raise box["error"]
    return box["value"]


class _Context:
    """One PC/SC context, released on exit."""

    def __init__(self) -> None:
        self.s = scard()
        hresult, self.handle = self.s.SCardEstablishContext(self.s.SCARD_SCOPE_USER)
        if hresult != self.s.SCARD_S_SUCCESS:
            raise error_for(hresult)

    def __enter__(self) -> _Context:
        return self

    def __exit__(self, *exc: object) -> None:
        self.s.SCardReleaseContext(self.handle)

    def readers(self) -> list[str]:
        hresult, names = self.s.SCardListReaders(self.handle, [])
        if _u32(hresult) == _u32(self.s.SCARD_E_NO_READERS_AVAILABLE):
            return []
        if hresult != self.s.SCARD_S_SUCCESS:
            raise error_for(hresult)
        return list(names)

    def pick(self, wanted: str | None) -> str:
        names = self.readers()
        if not names:
            raise NoReader()
        if wanted is None:
            return names[0]
        for name in names:
            if name == wanted or wanted.lower() in name.lower():
                return name
        raise NoReader("hw.err.unknown_reader", reader=wanted)

    def state(self, reader: str, current: int, timeout_ms: int) -> tuple[int, int, bytes]:
        """(hresult, event state, atr) after waiting up to `timeout_ms` for a change."""
        hresult, states = self.s.SCardGetStatusChange(self.handle, timeout_ms, [(reader, current)])
        if hresult != self.s.SCARD_S_SUCCESS:
            return hresult, current, b""
        _, event, atr = states[0]
        return hresult, event, bytes(atr)


class PcscReader(CardReader):
    """A PC/SC reader (USB contactless reader, or vpcd in the tests)."""

    def __init__(self, call_timeout: float = 5.0) -> None:
        self.call_timeout = call_timeout

    def readers(self) -> list[str]:
        with _Context() as ctx:
            return ctx.readers()

    def wait_for_card(self, timeout: float, reader: str | None = None) -> str:
        with _Context() as ctx:
            name = ctx.pick(reader)
            if not self._await(ctx, name, present=True, timeout=timeout):
                raise NoCard()
            return name

    def _await(self, ctx: _Context, name: str, *, present: bool, timeout: float) -> bool:
        """Wait for the reader to hold (or not hold) a card; True if it does in time."""
        s = ctx.s
        hresult, state, _ = ctx.state(name, s.SCARD_STATE_UNAWARE, 0)
        if hresult != s.SCARD_S_SUCCESS:
            raise error_for(hresult, name)
        remaining_ms = max(0, int(timeout * 1000))
        while bool(state & s.SCARD_STATE_PRESENT) != present:
            if remaining_ms <= 0:
                return False
            started = time.monotonic()
            hresult, state, _ = ctx.state(name, state & ~s.SCARD_STATE_CHANGED, remaining_ms)
            if _u32(hresult) == _u32(s.SCARD_E_TIMEOUT):
                return False
            if hresult != s.SCARD_S_SUCCESS:
                raise error_for(hresult, name)
            remaining_ms -= int((time.monotonic() - started) * 1000) + 1
        return True

    def read(self, reader: str | None = None, timeout: float = 5.0) -> CardInfo:
        with _Context() as ctx:
            s = ctx.s
            name = ctx.pick(reader)
            if not self._await(ctx, name, present=True, timeout=timeout):
                raise NoCard()
            hresult, card, protocol = bounded(
                lambda: s.SCardConnect(ctx.handle, name, s.SCARD_SHARE_SHARED,
                                       s.SCARD_PROTOCOL_T0 | s.SCARD_PROTOCOL_T1),
                self.call_timeout)
            if hresult != s.SCARD_S_SUCCESS:
                raise error_for(hresult, name)
            try:
                return self._identify(ctx, name, card, protocol)
            finally:
                s.SCardDisconnect(card, s.SCARD_LEAVE_CARD)

    def _identify(self, ctx: _Context, name: str, card: int, protocol: int) -> CardInfo:
        s = ctx.s
        hresult, _, _, _, atr = s.SCardStatus(card)
        if hresult != s.SCARD_S_SUCCESS:
            raise self._lost(ctx, name, hresult)
        hresult, response = bounded(
            lambda: s.SCardTransmit(card, protocol, list(GET_UID)), self.call_timeout)
        if hresult != s.SCARD_S_SUCCESS:
            raise self._lost(ctx, name, hresult)
        response = bytes(response)
        if len(response) < 2:   # no status word: the card went away mid-exchange
            raise self._lost(ctx, name, s.SCARD_E_NOT_TRANSACTED)
        if len(response) > 2 and response[-2:] == b"\x90\x00":
            return CardInfo(name, bytes(atr), response[:-2])
        # GET DATA refused (6A81, 6D00...): the ATR and that answer identify it.
        return CardInfo(name, bytes(atr), None, response[-2:])

    def _lost(self, ctx: _Context, name: str, hresult: int) -> HardwareError:
        """A failed exchange: CardRemoved if the card left the reader, else the error."""
        try:
            if self._await(ctx, name, present=False, timeout=1.5):
                return CardRemoved()
        except HardwareError as exc:
            return exc
        return error_for(hresult, name)

    def watch(self, callback: Callable[[CardEvent], None],
              reader: str | None = None) -> Watch:
        ctx = _Context()
        stopping = threading.Event()

        def run() -> None:
            s = ctx.s
            try:
                names = [ctx.pick(reader)] if reader else ctx.readers()
                states = [(n, s.SCARD_STATE_UNAWARE) for n in names] + [(PNP, s.SCARD_STATE_UNAWARE)]
                hresult, current = s.SCardGetStatusChange(ctx.handle, 0, states)
                while not stopping.is_set():
                    if hresult != s.SCARD_S_SUCCESS and _u32(hresult) != _u32(s.SCARD_E_TIMEOUT):
                        if _u32(hresult) == _u32(s.SCARD_E_CANCELLED):
                            return
                        callback(CardEvent("lost", "", b""))
                        return
                    previous = {n: st for n, st, _ in current}
                    waiting = [(n, st & ~s.SCARD_STATE_CHANGED) for n, st, _ in current]
                    hresult, changed = s.SCardGetStatusChange(ctx.handle, s.INFINITE, waiting)
                    if hresult != s.SCARD_S_SUCCESS:
                        continue
                    for n, st, atr in changed:
                        was = bool(previous.get(n, 0) & s.SCARD_STATE_PRESENT)
                        now = bool(st & s.SCARD_STATE_PRESENT)
                        if n != PNP and was != now:
                            callback(CardEvent("inserted" if now else "removed", n, bytes(atr)))
                    current = changed
            finally:
                ctx.__exit__()

        thread = threading.Thread(target=run, name="pcsc-watch", daemon=True)
        thread.start()

        def stop() -> None:
            stopping.set()
            ctx.s.SCardCancel(ctx.handle)
            thread.join(2)

        return Watch(stop)
