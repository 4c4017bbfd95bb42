"""`vigikfield hw check`: what hardware is there, what is missing, how to fix it.

Each finding is a message key with its values and a level: ``ok``, ``info``
(worth knowing) or ``problem`` (something the technician must fix before the
matching feature works). Nothing here waits more than a moment.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from .errors import HardwareError, PcscdDown, PcscMissing


@dataclass(frozen=True, slots=True)
class Finding:
    level: str       # ok | info | problem
    key: str
    values: dict


def _finding(level: str, key: str, **values: object) -> Finding:
    return Finding(level, key, values)


def pcsc_findings() -> list[Finding]:
    try:
        from .pcsc import _Context, scard
        s = scard()
        with _Context() as ctx:
            names = ctx.readers()
            if not names:
                return [_finding("problem", "hw.check.no_reader")]
            found = []
            for name in names:
                _, state, atr = ctx.state(name, s.SCARD_STATE_UNAWARE, 0)
                if state & s.SCARD_STATE_PRESENT:
                    found.append(_finding("ok", "hw.check.reader_card", reader=name, atr=atr.hex().upper()))
                else:
                    found.append(_finding("ok", "hw.check.reader_empty", reader=name))
            return found
    except PcscMissing:
        return [_finding("problem", "hw.check.pcsc_missing")]
    except PcscdDown:
        return [_finding("problem", "hw.check.pcscd_down")]
    except HardwareError as exc:
        return [_finding("problem", "hw.check.pcsc_error", error=str(exc))]


def serial_findings() -> list[Finding]:
    from serial.tools import list_ports

    ports = sorted(list_ports.comports(), key=lambda p: p.device)
    if not ports:
        return [_finding("info", "hw.check.no_serial")]
    found = []
    for port in ports:
        described = port.description and port.description not in ("n/a", port.device)
        label = f" ({port.description})" if described else ""
        if os.access(port.device, os.R_OK | os.W_OK):
            found.append(_finding("ok", "hw.check.serial_ok", port=port.device, label=label))
        else:
            found.append(_finding("problem", "hw.check.serial_denied", port=port.device,
                                  label=label, user=os.environ.get("USER", "$USER")))
    return found


def config_findings() -> list[Finding]:
    from .factory import HardwareConfig

    config = HardwareConfig.from_env()
    return [_finding("info", "hw.check.config", reader=config.reader,
                     centrale=config.centrale, scanner=config.scanner)]


def check() -> list[Finding]:
    return config_findings() + pcsc_findings() + serial_findings()
