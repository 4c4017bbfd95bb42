"""`hall show` and `hall list`: one hall with everything about it, and halls filtered.

Statuses come from the one definition (`status`, the ``hall_status`` view);
residence, landlord and commune names match ignoring case and accents
(`names`). The JSON objects built here are what the commands print: their
keys are documented in the commands' help (docs/cli.md) and stay stable.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any, NamedTuple

from ..i18n import TranslatedError
from . import hallcode, names
from . import status as statuses
from .wizard import parse_card_override

# `hall list`: key -> what it reads (the view, the residence, its landlord and commune)
_LIST_COLUMNS = {"code": "s.code", "label": "s.label", "residence": "r.name",
                 "landlord": "l.name", "commune": "c.name", "dwellings": "s.dwellings",
                 "status": "s.status", "to_verify": "s.to_verify"}
LIST_KEYS = tuple(_LIST_COLUMNS)


class HallQueryError(TranslatedError):
    """A hall code, name or status that does not fit; nothing is shown."""

    prefix = "halls."
    exit_code = 2


class NoHall(HallQueryError):
    """A well-formed code no hall carries (a check that failed, not bad input)."""

    exit_code = 1


class HallLine(NamedTuple):
    code: str
    label: str | None
    residence: str | None
    landlord: str | None
    commune: str | None
    dwellings: int | None
    status: str
    to_verify: int              # 1: an open access-failure report (hall_status)

    def as_json(self) -> dict[str, Any]:
        return dict(zip(LIST_KEYS, self))


# From the view alone (it holds the hall's code and label): halls is read once.
_LIST_FROM = """
FROM hall_status s
LEFT JOIN residences r ON r.id = s.residence_id
LEFT JOIN landlords l ON l.id = r.landlord_id
LEFT JOIN communes c ON c.id = r.commune_id"""
_LIST = "SELECT " + ", ".join(_LIST_COLUMNS.values()) + _LIST_FROM
# The same rows as JSON objects, written by SQLite (130,000 halls: Python's json is slower)
_LIST_JSON = ("SELECT json_object("
              + ", ".join(f"'{key}', {column}" for key, column in _LIST_COLUMNS.items())
              + ")" + _LIST_FROM)
_LIST_ORDER = " ORDER BY l.name, r.name, length(s.label), s.label, s.code"


def _ids(conn: sqlite3.Connection, table: str, name: str, key: str) -> list[str]:
    found = names.called(conn, table, name)
    if not found:
        known = ", ".join(names.known(conn, table)) or "—"
        raise HallQueryError(key, name=name, known=known)
    return found


def listing(conn: sqlite3.Connection, *, residence: str | None = None,
            landlord: str | None = None, commune: str | None = None,
            status: str | None = None) -> list[HallLine]:
    """The halls that pass every filter given, by landlord, residence and label."""
    sql, params = _filtered(conn, _LIST, residence, landlord, commune, status)
    return [HallLine._make(row) for row in conn.execute(sql, params)]


def listing_json(conn: sqlite3.Connection, *, residence: str | None = None,
                 landlord: str | None = None, commune: str | None = None,
                 status: str | None = None) -> list[str]:
    """`listing` as JSON objects (keys `LIST_KEYS`), one text each."""
    sql, params = _filtered(conn, _LIST_JSON, residence, landlord, commune, status)
    return [row[0] for row in conn.execute(sql, params)]


def filtered(conn: sqlite3.Connection, select: str, *, residence: str | None = None,
             landlord: str | None = None, commune: str | None = None,
             status: str | None = None) -> tuple[str, list[Any]]:
    """`select` (which reads ``hall_status s`` with its residence ``r``) narrowed by the
    filters `hall list` takes, and its parameters; names match as everywhere (`names`).
    Raises `HallQueryError` for a name nothing carries."""
    return _filtered(conn, select, residence, landlord, commune, status)


def _filtered(conn: sqlite3.Connection, select: str, residence: str | None,
              landlord: str | None, commune: str | None,
              status: str | None) -> tuple[str, list[Any]]:
    where: list[str] = []
    params: list[Any] = []
    for value, table, column, key in (
        (residence, "residences", "s.residence_id", "no_residence"),
        (landlord, "landlords", "r.landlord_id", "no_landlord"),
        (commune, "communes", "r.commune_id", "no_commune"),
    ):
        if value is None:
            continue
        ids = _ids(conn, table, value, key)
        where.append(f"{column} IN (SELECT value FROM json_each(?))")
        params.append(json.dumps(ids))
    if status is not None:
        if status not in statuses.HALL_STATUSES:
            raise HallQueryError("bad_status", status=status,
                                 known=", ".join(statuses.HALL_STATUSES))
        where.append("s.status = ?")
        params.append(status)
    return select + (" WHERE " + " AND ".join(where) if where else "") + _LIST_ORDER, params


def find_code(conn: sqlite3.Connection, code_text: str) -> str:
    """The id of the hall carrying this code (typed in any case, with spaces)."""
    code = hallcode.normalise(code_text)
    if not hallcode.is_valid(code):
        raise HallQueryError("bad_code", code=code_text)
    row = conn.execute("SELECT id FROM halls WHERE code = ?", (code,)).fetchone()
    if row is None:
        raise NoHall("no_hall", code=code)
    return row[0]


_HALL = """SELECT h.code, h.label, coalesce(h.address, r.address), h.dwellings, h.vigik,
       h.brand, h.model, h.centrale_location, h.notes, r.name, l.name, l.phone, c.name
FROM halls h
LEFT JOIN residences r ON r.id = h.residence_id
LEFT JOIN landlords l ON l.id = r.landlord_id
LEFT JOIN communes c ON c.id = r.commune_id
WHERE h.id = ?"""
_HALL_KEYS = ("code", "label", "address", "dwellings", "vigik", "brand", "model",
              "centrale_location", "notes", "residence", "landlord", "landlord_phone", "commune")


def show(conn: sqlite3.Connection, code_text: str) -> dict[str, Any]:
    """Everything about one hall: itself, its residence and landlord, its status and
    the rule that gave it, its centrales, its attempts (op-log order), open conflicts."""
    hall_id = find_code(conn, code_text)
    hall = dict(zip(_HALL_KEYS, conn.execute(_HALL, (hall_id,)).fetchone()))
    decided = statuses.of_hall(conn, hall_id)
    if decided is None:  # retired (m008): no row in hall_status, out of every count
        decided = statuses.HallStatus(hall_id, statuses.RETIRED, statuses.RETIRED, None, None,
                                      False)
    centrales = [
        {"id": row[0], "brand": row[1], "model": row[2], "serial": row[3], "capacity": row[4],
         "active": row[5] != 0}
        for row in conn.execute(
            "SELECT id, brand, model, serial, capacity, coalesce(active, 1) FROM centrales "
            "WHERE hall_id = ? ORDER BY coalesce(active, 1) DESC, id", (hall_id,))
    ]
    attempts = statuses.attempts(conn, hall_id)
    cards = dict.fromkeys(a.encoding_id for a in attempts)
    for encoding_id, fingerprint, override in conn.execute(
        "SELECT id, card_fingerprint, card_override FROM encodings WHERE hall_id = ?", (hall_id,)
    ):
        cards[encoding_id] = (fingerprint, override)
    return {
        **hall,
        "status": decided.status,
        "rule": decided.rule,
        "decided_by": decided.decided_by,
        "door_not_tested": decided.door_not_tested,
        "to_verify": _to_verify(conn, hall_id),
        "centrales": centrales,
        "attempts": [_attempt_json(a, cards.get(a.encoding_id) or (None, None),
                                   a.encoding_id == decided.decided_by) for a in attempts],
        "conflicts": open_conflicts(conn, hall_id, [c["id"] for c in centrales],
                                    [a.encoding_id for a in attempts]),
    }


def _to_verify(conn: sqlite3.Connection, hall_id: str) -> int:
    row = conn.execute("SELECT to_verify FROM hall_status WHERE hall_id = ?", (hall_id,)).fetchone()
    return int(row[0]) if row else 0


def _attempt_json(a: statuses.Attempt, card: tuple[str | None, str | None],
                  decisive: bool) -> dict[str, Any]:
    return {
        "id": a.encoding_id, "when": a.when, "who": a.technician, "device": a.device_id,
        "outcome": a.outcome, "result": a.result, "reason": a.reason, "door": a.door,
        "card": card[0], "card_override": parse_card_override(card[1])[1],
        "card_refused": parse_card_override(card[1])[0], "days": a.days,
        "windows": json.loads(a.windows) if isinstance(a.windows, str) else a.windows,
        "step": a.step, "counts": a.counts, "decisive": decisive, "encoded_at": a.encoded_at,
        "notes": a.notes,
    }


def open_conflicts(conn: sqlite3.Connection, hall_id: str, centrale_ids: list[str],
                   encoding_ids: list[str]) -> list[dict[str, Any]]:
    """The open conflicts (listed by the merge) on the hall, its centrales, its attempts."""
    if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'sync_conflicts'").fetchone():
        return []  # never merged anything
    targets = [("halls", [hall_id]), ("centrales", centrale_ids), ("encodings", encoding_ids)]
    found = []
    for entity, ids in targets:
        if not ids:
            continue
        rows = conn.execute(
            "SELECT k.id, k.entity, k.entity_id, k.field, a.value, b.value FROM sync_conflicts k "
            "LEFT JOIN ops a ON a.op_id = k.op_a LEFT JOIN ops b ON b.op_id = k.op_b "
            "WHERE k.resolved_op IS NULL AND k.entity = ? "
            "AND k.entity_id IN (SELECT value FROM json_each(?)) ORDER BY k.field, k.id",
            (entity, json.dumps(ids))).fetchall()
        found += [{"id": cid, "entity": ent, "entity_id": eid, "field": field,
                   "a": json.loads(va) if va is not None else None,
                   "b": json.loads(vb) if vb is not None else None}
                  for cid, ent, eid, field, va, vb in rows]
    return found


_HALL_OF = {
    "halls": "SELECT code FROM halls WHERE id = ?",
    "centrales": "SELECT h.code FROM centrales c JOIN halls h ON h.id = c.hall_id WHERE c.id = ?",
    "encodings": "SELECT h.code FROM encodings e JOIN halls h ON h.id = e.hall_id WHERE e.id = ?",
}


def hall_code_of(conn: sqlite3.Connection, entity: str, entity_id: str) -> str | None:
    """The code of the hall an entity is about (a hall, its centrale, an attempt), if any."""
    sql = _HALL_OF.get(entity)
    row = conn.execute(sql, (entity_id,)).fetchone() if sql else None
    return row[0] if row else None
