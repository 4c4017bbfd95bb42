"""Hall codes: short, unique, human-typable, with a check character.

A code is 6 characters of Crockford's base32 (no I, L, O, U: nothing to
confuse with 1 or 0) followed by one check character computed with the Luhn
mod-32 algorithm, which catches every single-character typo and every swap of
two neighbours (except the pair 0/Z, Luhn's one blind spot). Printed as ``ABC-DEF-G`` is not needed: ``ABCDEFG`` is typed
as is; input is forgiving (lower case, spaces, dashes, I/L read as 1, O as 0).
"""

from __future__ import annotations

import hashlib

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_INDEX = {c: i for i, c in enumerate(ALPHABET)}
_ALIASES = str.maketrans({"I": "1", "L": "1", "O": "0", "U": "V"})
BODY_LENGTH = 6
LENGTH = BODY_LENGTH + 1


def check_char(body: str) -> str:
    """Luhn mod 32 over `body` (already normalised)."""
    factor, total, n = 2, 0, len(ALPHABET)
    for char in reversed(body):
        addend = factor * _INDEX[char]
        factor = 1 if factor == 2 else 2
        total += addend // n + addend % n
    return ALPHABET[(n - total % n) % n]


def normalise(text: str) -> str:
    """Upper case, separators removed, look-alike letters mapped."""
    cleaned = "".join(ch for ch in text.upper() if ch.isalnum())
    return cleaned.translate(_ALIASES)


def is_valid(text: str) -> bool:
    code = normalise(text)
    if len(code) != LENGTH or any(c not in _INDEX for c in code):
        return False
    return check_char(code[:-1]) == code[-1]


def make(entity_id: str, attempt: int = 0) -> str:
    """The code derived from a hall's UUID; `attempt` > 0 on a collision."""
    digest = hashlib.sha256(f"{entity_id}:{attempt}".encode()).digest()
    value = int.from_bytes(digest[:8], "big")
    body = ""
    for _ in range(BODY_LENGTH):
        value, rest = divmod(value, 32)
        body += ALPHABET[rest]
    return body + check_char(body)
