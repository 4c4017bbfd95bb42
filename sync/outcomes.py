"""Disagreements about a hall: two technicians' attempts with different conclusive results.

Each attempt is its own `encodings` entity, so two technicians who record
"encoded" and "failed" on one hall never write the same field: the field
conflicts of `conflicts` cannot see them. This module finds them on the
hall's attempts, as the status definition sees them (`hall_attempts`,
docs/statuses.md):

- an attempt **follows** the attempt that decided the hall when it began
  (`encodings.follows`, written by the wizard); following is transitive;
- the *heads* are the conclusive attempts that count (not replaced, not set
  aside) and that no other conclusive attempt follows;
- the winner is the latest head in the op log's order (the one the status
  shows); every other head from another device with another result is a
  conflict on the hall's pseudo-field ``status`` (side A = the winner).

Two attempts neither of which follows the other were made concurrently:
neither technician had seen the other's when recording their own. The same
result from both is no conflict. A settlement (`settle`) sets the attempt it
does not keep aside (`encodings.set_aside`, an op of the pilot that travels
in work orders), so the kept one decides the status on every laptop.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from vigikfield.domain.status import CONCLUSIVE

STATUS = "status"  # the pseudo-field of a hall's disagreeing attempts (sync_conflicts.field)


def halls_of(conn: sqlite3.Connection, encoding_ids: Iterable[str]) -> list[str]:
    ids = sorted(set(encoding_ids))
    halls: set[str] = set()
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        halls.update(r[0] for r in conn.execute(
            f"SELECT DISTINCT hall_id FROM encodings WHERE id IN ({', '.join('?' * len(chunk))}) "
            "AND hall_id IS NOT NULL", chunk))
    return sorted(halls)


def _outcome_op(conn: sqlite3.Connection, encoding_id: str) -> str | None:
    row = conn.execute(
        "SELECT op_id FROM ops WHERE entity = 'encodings' AND entity_id = ? AND field = 'outcome' "
        "ORDER BY hlc DESC, device_id DESC LIMIT 1", (encoding_id,)).fetchone()
    return row[0] if row else None


def pairs(conn: sqlite3.Connection, hall_id: str) -> list[tuple[str, str]]:
    """(winning attempt, disagreeing attempt) pairs of one hall, by encodings id."""
    rows = conn.execute(
        "SELECT a.encoding_id, a.device_id, a.result, a.started, a.counts, e.follows "
        "FROM hall_attempts a JOIN encodings e ON e.id = a.encoding_id WHERE a.hall_id = ?",
        (hall_id,)).fetchall()
    follows = {r[0]: r[5] for r in rows}
    conclusive = {r[0]: r for r in rows if r[4] and r[2] in CONCLUSIVE and r[3] is not None}
    if len(conclusive) < 2:
        return []
    known: set[str] = set()  # attempts some conclusive attempt follows (directly or not)
    for start in conclusive:
        seen, step = {start}, follows.get(start)
        while step is not None and step not in seen:
            known.add(step)
            seen.add(step)
            step = follows.get(step)
    heads = [row for encoding_id, row in conclusive.items() if encoding_id not in known]
    winner = max(heads, key=lambda r: (r[3], r[0]))
    return [(winner[0], row[0]) for row in sorted(heads)
            if row[0] != winner[0] and row[1] != winner[1] and row[2] != winner[2]]


def detect(conn: sqlite3.Connection, hall_ids: list[str], stamp: str,
           conflict_id) -> int:
    """Recompute the open status conflicts of these halls (inside the caller's transaction)."""
    found = 0
    for start in range(0, len(hall_ids), 500):
        chunk = hall_ids[start:start + 500]
        conn.execute(
            f"DELETE FROM sync_conflicts WHERE entity = 'halls' AND field = ? AND entity_id IN "
            f"({', '.join('?' * len(chunk))}) AND resolved_op IS NULL", (STATUS, *chunk))
        for hall_id in chunk:
            for kept, other in pairs(conn, hall_id):
                op_a, op_b = _outcome_op(conn, kept), _outcome_op(conn, other)
                if op_a is None or op_b is None:
                    continue
                conn.execute(
                    "INSERT OR IGNORE INTO sync_conflicts (id, entity, entity_id, field, op_a, "
                    "op_b, detected_at) VALUES (?, 'halls', ?, ?, ?, ?, ?)",
                    (conflict_id(op_a, op_b), hall_id, STATUS, op_a, op_b, stamp))
                found += 1
    return found


def attempt_of(conn: sqlite3.Connection, op_id: str) -> dict:
    """The attempt an outcome op belongs to, as a conflict's side shows it."""
    (encoding_id,) = conn.execute("SELECT entity_id FROM ops WHERE op_id = ?", (op_id,)).fetchone()
    row = conn.execute(
        "SELECT encoding_id, result, reason, door, technician, encoded_at FROM hall_attempts "
        "WHERE encoding_id = ?", (encoding_id,)).fetchone()
    keys = ("encoding_id", "result", "reason", "door", "technician", "encoded_at")
    return dict(zip(keys, row)) if row else {"encoding_id": encoding_id}


# Fields of the hall a visit writes along with its result: while the hall's
# attempts disagree, their disagreement on these is the same one, listed once.
FOLDED = ("vigik",)


def fold(conn: sqlite3.Connection) -> int:
    """Drop the open field conflicts a hall's open status conflict covers; returns how many."""
    marks = ", ".join("?" * len(FOLDED))
    cursor = conn.execute(
        f"DELETE FROM sync_conflicts WHERE entity = 'halls' AND field IN ({marks}) "
        "AND resolved_op IS NULL AND entity_id IN (SELECT entity_id FROM sync_conflicts "
        "WHERE entity = 'halls' AND field = ? AND resolved_op IS NULL)", (*FOLDED, STATUS))
    return cursor.rowcount
