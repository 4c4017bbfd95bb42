"""How a service card is recognised: its fingerprint.

Domain knowledge (the card registry, the demo's cards and the readers all use
it). vigikfield identifies cards, it never reads or stores Vigik keys. The
fingerprint is derived from the card's UID (PC/SC ``GET DATA``) when it gives
one, else from its ATR and whatever else it answered (`extra`).
"""

from __future__ import annotations

import hashlib


def fingerprint(atr: bytes, uid: bytes | None, extra: bytes = b"") -> str:
    """16 hex digits in groups of four, e.g. ``3F2A-9C01-77B4-E0D5``."""
    basis = b"uid:" + uid if uid else b"atr:" + atr + b"|" + extra
    digest = hashlib.sha256(basis).hexdigest()[:16].upper()
    return "-".join(digest[i : i + 4] for i in range(0, 16, 4))
