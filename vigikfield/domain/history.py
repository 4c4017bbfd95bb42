"""A hall's history: its own ops and those of its centrales and encodings."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone

from . import hlc, journal


def when(stamp: str) -> str:
    """An HLC stamp as ISO 8601 UTC, to the second (for machines: JSON; people
    see it through `i18n.format_datetime`)."""
    ms, _ = hlc.decode(stamp)
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).isoformat(timespec="seconds")


def hall_history(conn: sqlite3.Connection, code: str) -> list[dict] | None:
    """Oldest first; None when no hall has this code."""
    row = conn.execute("SELECT id FROM halls WHERE code = ?", (code,)).fetchone()
    if row is None:
        return None
    hall_id = row[0]
    centrales = [r[0] for r in conn.execute("SELECT id FROM centrales WHERE hall_id = ?", (hall_id,))]
    encodings = [r[0] for r in conn.execute("SELECT id FROM encodings WHERE hall_id = ?", (hall_id,))]
    rows = (
        journal.history(conn, "halls", [hall_id])
        + journal.history(conn, "centrales", centrales)
        + journal.history(conn, "encodings", encodings)
    )
    rows.sort(key=lambda r: (r["hlc"], r["device_id"]))
    for r in rows:
        r["when"] = when(r["hlc"])
    return rows
