"""Find halls by code, address, residence, commune or landlord (FTS5).

Case and accents are ignored (the index uses ``remove_diacritics``). A query
that is a valid hall code — typed, or read off a label — returns that hall
first; then the full-text matches, best (bm25) first.
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass

from . import hallcode

_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True, slots=True)
class Hit:
    hall_id: str
    code: str
    label: str | None
    address: str | None
    residence: str | None
    commune: str | None
    landlord: str | None

    def line(self) -> str:
        cells = (self.code, self.label, self.residence, self.address, self.commune, self.landlord)
        return "\t".join("" if c is None else str(c) for c in cells)


def fts_query(text: str) -> str | None:
    """Each word as a quoted prefix term, all required; None when no word."""
    words = _WORD.findall(text)
    if not words:
        return None
    return " ".join(f'"{w}"*' for w in words)


_SELECT = """SELECT h.id, h.code, h.label, coalesce(h.address, r.address), r.name, c.name, l.name
FROM halls h
LEFT JOIN residences r ON r.id = h.residence_id
LEFT JOIN communes c ON c.id = r.commune_id
LEFT JOIN landlords l ON l.id = r.landlord_id"""


# Rank and cut in the FTS table first, then join only the rows kept: joining
# every match before sorting costs a lookup per match ("de" matches most halls).
_RANKED = _SELECT.replace(
    "FROM halls h",
    """FROM (SELECT rowid AS hit, bm25(halls_fts, 10.0, 5.0, 2.0, 3.0, 1.0, 1.0) AS score
      FROM halls_fts WHERE halls_fts MATCH ? ORDER BY score LIMIT ?) f
JOIN halls h ON h.rowid = f.hit""",
) + "\nORDER BY f.score"


def code_candidate(text: str) -> str | None:
    """The hall code in `text`, if it is one (a label's first line, or typed)."""
    first = text.strip().splitlines()[0] if text.strip() else ""
    code = hallcode.normalise(first)
    return code if hallcode.is_valid(code) else None


def search(conn: sqlite3.Connection, text: str, limit: int = 50) -> list[Hit]:
    hits: list[Hit] = []
    seen: set[str] = set()
    code = code_candidate(text)
    if code:
        row = conn.execute(_SELECT + " WHERE h.code = ?", (code,)).fetchone()
        if row:
            hits.append(Hit(*row))
            seen.add(row[0])
    query = fts_query(text if not code else text.strip().splitlines()[0])
    if query and len(hits) < limit:
        rows = conn.execute(_RANKED, (query, limit + 1)).fetchall()
        for row in rows:
            if row[0] not in seen and len(hits) < limit:
                hits.append(Hit(*row))
                seen.add(row[0])
    return hits


def statuses_of(conn: sqlite3.Connection, hall_ids: list[str]) -> dict[str, str]:
    """Each hall's status (the ``hall_status`` view, the one definition), by hall id."""
    if not hall_ids:
        return {}
    return dict(conn.execute(
        "SELECT hall_id, status FROM hall_status WHERE hall_id IN (SELECT value FROM json_each(?))",
        (json.dumps(hall_ids),)))
