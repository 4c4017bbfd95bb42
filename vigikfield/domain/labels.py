"""What goes on a hall's QR label, and which halls get one.

The label is glued in the hall once its centrale is encoded; anyone in front
of the hall can read it, so it carries only public facts. The payload is
plain text, one fact a line, the hall code FIRST: a handheld scanner types the
first line and `search.code_candidate` jumps to the hall. Then, for a human
with a phone: landlord, residence, address, hall label, date encoded, the
landlord's phone. The SQL below names every column it reads, and none of them
is in `model.NOT_ON_LABELS` (no site level, no card fingerprint, no service
code): a test holds it to that with an SQLite authorizer.

Lines are clipped deterministically so that the QR stays at or below
`MAX_VERSION` at error-correction level Q (see docs/labels.md for why).
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from datetime import date

from ..i18n import EXIT_BAD_INPUT, TranslatedError, format_date, t
from . import hallcode, names
from .names import fold

ERROR_CORRECTION = "Q"   # 25 % of the symbol can be dirty or scratched
MAX_VERSION = 12         # 65 x 65 modules: about 0.45 mm a module on a 70 x 37 label
CAPACITY_BYTES = 203     # byte-mode capacity of version 12 at level Q (ISO/IEC 18004)
ELLIPSIS = "…"

# Longest text (in characters) each line may keep before it is clipped.
LINE_LIMITS = {"landlord": 32, "residence": 32, "address": 48, "hall": 32, "phone": 20}
# When the lines together are still too long for CAPACITY_BYTES, these are
# shortened, longest first; the code, the date and the phone are never cut.
_SHRINKABLE = ("landlord", "residence", "address", "hall")
_SPACES = re.compile(r"\s+")


class LabelError(TranslatedError):
    """A selection that cannot be printed (nothing to print: exit 1); `str()` is the
    catalog message ``labels.<key>`` in the language in force."""

    prefix = "labels."


class LabelInputError(LabelError):
    """A selection the user typed wrong (a bad code, a bad date): exit 2."""

    exit_code = EXIT_BAD_INPUT


@dataclass(frozen=True, slots=True)
class Label:
    """One hall's label: `lines[0]` is the hall code, the rest are for humans."""

    hall_id: str
    code: str
    lines: tuple[str, ...]
    encoded_on: str | None  # ISO date of the encoding shown, None if not encoded

    @property
    def payload(self) -> str:
        return "\n".join(self.lines)


def clip(text: str, limit: int) -> str:
    """`text` on one line, at most `limit` characters, ending in … when cut."""
    flat = _SPACES.sub(" ", text).strip()
    if len(flat) <= limit:
        return flat
    return flat[: max(limit - 1, 0)].rstrip() + ELLIPSIS


def _date_line(encoded_at: str | None) -> str | None:
    if not encoded_at:
        return None
    try:
        date.fromisoformat(encoded_at[:10])
    except ValueError:
        return clip(t("labels.payload.encoded_raw", value=encoded_at), 24)
    return t("labels.payload.encoded", date=format_date(encoded_at))


def _address(address: str | None, commune: str | None) -> str | None:
    """The street address, with the commune when the address does not name it."""
    if not address:
        return commune
    if commune and fold(commune) not in fold(address):
        return f"{address}, {commune}"
    return address


def build(hall_id: str, code: str, *, landlord: str | None = None,
          residence: str | None = None, address: str | None = None,
          hall: str | None = None, encoded_at: str | None = None,
          phone: str | None = None) -> Label:
    """The label of one hall from public facts only; empty facts are left out."""
    texts = {"landlord": landlord, "residence": residence, "address": address,
             "hall": hall}
    limits = dict(LINE_LIMITS)
    phone_line = None
    if phone and phone.strip():
        phone_line = t("labels.payload.phone", phone=clip(phone, limits["phone"]))
    date_line = _date_line(encoded_at)

    def lines() -> list[str]:
        body = [clip(texts[k], limits[k]) for k in _SHRINKABLE if texts[k] and texts[k].strip()]
        return [code, *body, *(x for x in (date_line, phone_line) if x)]

    current = lines()
    present = [k for k in _SHRINKABLE if texts[k] and texts[k].strip()]
    while len("\n".join(current).encode("utf-8")) > CAPACITY_BYTES and present:
        # Shorten the longest shrinkable line by one character; ties go to
        # the first in _SHRINKABLE order, so the result is deterministic.
        longest = max(present, key=lambda k: (len(clip(texts[k], limits[k])),
                                              -_SHRINKABLE.index(k)))
        limits[longest] = min(limits[longest], len(clip(texts[longest], limits[longest]))) - 1
        if limits[longest] <= 1:
            present.remove(longest)  # down to "…": nothing left to cut there
        current = lines()
    on = encoded_at[:10] if encoded_at else None
    return Label(hall_id=hall_id, code=code, lines=tuple(current), encoded_on=on)


# A label says "Encodé le …" only for a hall whose status is encoded (the
# `hall_status` view, docs/statuses.md), with the date of the attempt that decided it.
_SELECT = """SELECT h.id, h.code, l.name, r.name, coalesce(h.address, r.address), c.name, h.label,
       CASE WHEN s.status = 'encoded' THEN s.decided_at END, l.phone, s.status = 'encoded'
FROM halls h
JOIN hall_status s ON s.hall_id = h.id
LEFT JOIN residences r ON r.id = h.residence_id
LEFT JOIN communes c ON c.id = r.commune_id
LEFT JOIN landlords l ON l.id = r.landlord_id"""
_ENCODED = " s.status = 'encoded'"

_ORDER = " ORDER BY l.name, r.name, h.label, h.code"


def _labels(rows: list[tuple]) -> list[Label]:
    return [
        build(hall_id, code, landlord=landlord, residence=residence,
              address=_address(address, commune), hall=label, encoded_at=encoded_at,
              phone=phone)
        for hall_id, code, landlord, residence, address, commune, label, encoded_at, phone, _
        in rows
    ]


def for_hall(conn: sqlite3.Connection, code_text: str) -> tuple[Label, bool]:
    """The label of the hall with this code, and whether the hall is encoded."""
    code = hallcode.normalise(code_text)
    if not hallcode.is_valid(code):
        raise LabelInputError("bad_code", code=code_text)
    rows = conn.execute(_SELECT + " WHERE h.code = ?", (code,)).fetchall()
    if not rows:
        raise LabelError("no_hall", code=code)
    return _labels(rows)[0], bool(rows[0][-1])


def for_residence(conn: sqlite3.Connection, name: str) -> list[Label]:
    """Encoded halls of the residence(s) with this name (case and accents ignored)."""
    ids = names.residences_called(conn, name)
    if not ids:
        raise LabelError("no_residence", name=name)
    marks = ", ".join("?" * len(ids))
    rows = conn.execute(
        _SELECT + f" WHERE{_ENCODED} AND h.residence_id IN ({marks})" + _ORDER,
        ids,
    ).fetchall()
    if not rows:
        raise LabelError("none_encoded_residence", name=name)
    return _labels(rows)


def encoded_since(conn: sqlite3.Connection, since: str) -> list[Label]:
    """Halls whose encoding shown on the label is dated `since` (YYYY-MM-DD) or later."""
    try:
        day = date.fromisoformat(since)
    except ValueError:
        raise LabelInputError("bad_date", value=since) from None
    rows = conn.execute(
        _SELECT + f" WHERE{_ENCODED} AND substr(s.decided_at, 1, 10) >= ?"
        + _ORDER, (day.isoformat(),),
    ).fetchall()
    if not rows:
        raise LabelError("none_since", date=day.isoformat())
    return _labels(rows)


def every_encoded(conn: sqlite3.Connection) -> list[Label]:
    """Every encoded hall of the territory."""
    rows = conn.execute(_SELECT + f" WHERE{_ENCODED}" + _ORDER).fetchall()
    if not rows:
        raise LabelError("none_encoded")
    return _labels(rows)
