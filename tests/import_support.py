"""Helpers for the import tests: inventory files written by the test, database snapshots."""

from __future__ import annotations

import sqlite3
from pathlib import Path

SEED_HEADER = ("Bailleur;Communes;Code INSEE;Adresses;Entrée;Nb. logements;"
               "Résidence équipée de Vigik ou compatible Vigik;"
               "Résidence non équipée de Vigik ou non compatible Vigik;Latitude;Longitude")


def write(path: Path, lines: list[str], *, sep: str = ";", encoding: str = "utf-8",
          newline: str = "\n") -> Path:
    """Lines written as given (cells already joined with `sep` placeholders '|')."""
    text = newline.join(line.replace("|", sep) for line in lines) + newline
    path.write_bytes(text.encode(encoding))
    return path


def basic(path: Path, **kw) -> Path:
    """Two residences, three halls, the usual French columns."""
    return write(path, [
        "Bailleur|Commune|Code INSEE|Résidence|Entrée|Nb logements|Vigik",
        "Habitat 77|Melun|77288|Les Mézereaux|A|12|oui",
        "Habitat 77|Melun|77288|Les Mézereaux|B|20|non",
        "Habitat 77|Le Mée-sur-Seine|77285|Plein Ciel|1|8|",
    ], **kw)


def snapshot(db: Path) -> dict[str, list[tuple]]:
    """Every row of every table, sorted: equal snapshots = same database content."""
    conn = sqlite3.connect(db)
    try:
        tables = [name for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {t: sorted(conn.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr)
                for t in tables}
    finally:
        conn.close()


def count(db: Path, table: str) -> int:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        conn.close()


def rows(db: Path, sql: str, *params) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()
