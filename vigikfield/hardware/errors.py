"""Typed hardware errors whose text is the plain message a technician reads.

Every backend raises only these (and `ProtocolError`, a subclass); callers catch
`HardwareError`, print `str(exc)` and exit 1. The message is looked up in the
current language when it is shown, so the key and its values are kept.
"""

from __future__ import annotations

from ..i18n import TranslatedError


class HardwareError(TranslatedError):
    """Base: a device problem the user can act on."""

    key = "hw.err.generic"


# -- card reader ---------------------------------------------------------------
class PcscMissing(HardwareError):
    """pyscard is not installed: say how to enable PC/SC."""
    key = "hw.err.pcsc_missing"


class PcscdDown(HardwareError):
    key = "hw.err.pcscd_down"


class NoReader(HardwareError):
    key = "hw.err.no_reader"


class NoCard(HardwareError):
    key = "hw.err.no_card"


class CardRemoved(HardwareError):
    key = "hw.err.card_removed"


class ReaderBusy(HardwareError):
    key = "hw.err.reader_busy"


class CardError(HardwareError):
    key = "hw.err.card_error"


class DeviceTimeout(HardwareError):
    key = "hw.err.timeout"


# -- centrale link ---------------------------------------------------------------
class LinkError(HardwareError):
    """The centrale or its adapter: anything that went wrong on the line."""
    key = "hw.err.link"


class PortUnavailable(LinkError):
    key = "hw.err.port_unavailable"


class NoAnswer(LinkError):
    key = "hw.err.no_answer"


class Garbled(LinkError):
    key = "hw.err.garbled"


class Unplugged(LinkError):
    key = "hw.err.unplugged"


class DeviceRefused(LinkError):
    """The unit answered with an error code (memory full, unknown service...)."""
    key = "hw.err.refused"

    def __init__(self, code: int, detail: str = "") -> None:
        self.code = code
        super().__init__(f"hw.err.code_{code}" if f"hw.err.code_{code}" in _KNOWN_CODES
                         else "hw.err.refused", code=code, detail=detail)


class MemoryFull(DeviceRefused):
    pass


class NeedsStatement(LinkError):
    """Manual link: the technician has not said yet what the centrale did."""
    key = "hw.err.needs_statement"


_KNOWN_CODES = {f"hw.err.code_{c}" for c in (10, 11, 12, 13, 20, 21, 22, 30)}
