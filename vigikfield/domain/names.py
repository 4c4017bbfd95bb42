"""Names as people type them: one comparison for residences, landlords, communes.

"les mezereaux", "LES MÉZEREAUX" and "Les  Mézereaux" name the same residence:
case, accents, ligatures and runs of spaces are ignored everywhere a person
names something (labels, work orders, hall lists, the card registry).
"""

from __future__ import annotations

import re
import sqlite3
import unicodedata
from collections.abc import Iterable

_SPACES = re.compile(r"\s+")
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae"})  # not decomposed by Unicode

# table -> the column holding a person's name for its rows (and another they may type)
NAMED = {
    "residences": ("name", None),
    "landlords": ("name", None),
    "communes": ("name", "insee"),
}


def fold(text: str | None) -> str:
    """Lower case without accents, ligatures spelt out, spaces collapsed."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_LIGATURES))
    return _SPACES.sub(" ", "".join(c for c in decomposed if not unicodedata.combining(c))).strip()


def same(a: str | None, b: str | None) -> bool:
    return fold(a) == fold(b)


def matching(rows: Iterable[tuple[str, str | None]], name: str) -> list[tuple[str, str]]:
    """The (id, name) rows whose name is `name`, case and accents ignored."""
    wanted = fold(name)
    return [(row_id, row_name) for row_id, row_name in rows
            if row_name is not None and fold(row_name) == wanted]


def containing(rows: Iterable[tuple[str, str | None]], name: str) -> list[tuple[str, str]]:
    """The (id, name) rows whose name contains `name`, case and accents ignored."""
    wanted = fold(name)
    return [(row_id, row_name) for row_id, row_name in rows
            if row_name is not None and wanted in fold(row_name)]


def called(conn: sqlite3.Connection, table: str, name: str) -> list[str]:
    """Ids of the rows of `table` (residences, landlords, communes) named `name`.

    The id itself is accepted too, and for communes the INSEE code.
    """
    column, other = NAMED[table]
    extra = f", {other}" if other else ""
    ids: list[str] = []
    for row in conn.execute(f"SELECT id, {column}{extra} FROM {table}"):
        if row[0] == name or (row[1] is not None and fold(row[1]) == fold(name)) \
                or (other and row[2] is not None and row[2] == name.strip()):
            ids.append(row[0])
    return ids


def known(conn: sqlite3.Connection, table: str, limit: int = 8) -> list[str]:
    """A few names of `table`, sorted: to say what exists when a name matches nothing."""
    column, _ = NAMED[table]
    return [r[0] for r in conn.execute(
        f"SELECT DISTINCT {column} FROM {table} WHERE {column} IS NOT NULL "
        f"ORDER BY {column} LIMIT ?", (limit,))]


def residences_called(conn: sqlite3.Connection, name: str) -> list[str]:
    """Ids of the residences named `name` (or with that id): labels, work orders, hall lists."""
    return called(conn, "residences", name)
