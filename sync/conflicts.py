"""Conflicts (DESIGN.md §5): concurrent edits of one field, from different devices, with different values.

Two ops are concurrent when neither is in the other's ancestry for that
field. An op's parents are its ``base`` (the op it was written on top of)
and, for a pilot's resolution, the ops it settled (``sync_supersedes``, a
local table). The *heads* of a field are its ops that no other op descends
from; the winner is the greatest head by ``(hlc, device_id)``, and every
other head from another device with another value makes one conflict
(side A = the winner, side B = the other head). Conflicts are recomputed
from the op set alone, so they do not depend on the merge order.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from vigikfield.domain import hlc as hlc_clock
from vigikfield.domain import reasons, values
from vigikfield.domain.journal import Change
from vigikfield.domain.profile import PILOT
from vigikfield.domain.rights import RightsError, role_name
from vigikfield.domain.store import Store
from vigikfield.i18n import t

from . import local, outcomes
from .errors import SyncError


def conflict_id(op_a: str, op_b: str) -> str:
    pair = "|".join(sorted((op_a, op_b)))
    return hashlib.sha256(pair.encode()).hexdigest()[:10]


def _marks(items: list) -> str:
    return ", ".join("?" * len(items))


def _links(conn: sqlite3.Connection) -> dict[str, list[str]]:
    """op_id -> the ops it superseded (a pilot's resolutions)."""
    links: dict[str, list[str]] = {}
    for op_id, ancestor in conn.execute("SELECT op_id, ancestor FROM sync_supersedes"):
        links.setdefault(op_id, []).append(ancestor)
    return links


def _heads_of(conn: sqlite3.Connection, entity: str, ids: list[str],
              links: dict[str, list[str]]) -> dict[tuple[str, str], dict[str, tuple]]:
    """(entity_id, field) -> {head op_id: (device_id, hlc, value)}, where heads of devices differ.

    An op's parents are its base and the ops it superseded (a pilot's
    resolution, `links`); only parents among the field's own ops count, so an
    op is an ancestor exactly when it is the parent of one of them, and a head
    otherwise. SQLite hands each field's op ids and bases over as two JSON
    arrays (no Python loop over the history); only the heads of fields with
    several heads are then read, with their devices, clocks and values.
    """
    grouped: dict[tuple[str, str], dict[str, tuple]] = {}
    for start in range(0, len(ids), 500):
        some = ids[start:start + 500]
        # Only fields written more than once can hold ops of two devices: the
        # index alone tells which, so entities written once are not read.
        chunk = [r[0] for r in conn.execute(
            "SELECT DISTINCT entity_id FROM (SELECT entity_id FROM ops WHERE entity = ? "
            f"AND entity_id IN ({_marks(some)}) GROUP BY entity_id, field HAVING count(*) > 1)",
            (entity, *some))]
        if not chunk:
            continue
        wanted: dict[str, tuple[str, str]] = {}
        for entity_id, field, members, bases in conn.execute(
            "SELECT entity_id, field, json_group_array(op_id), json_group_array(base) FROM ops "
            f"WHERE entity = ? AND entity_id IN ({_marks(chunk)}) GROUP BY entity_id, field "
            "HAVING count(*) > 1", (entity, *chunk)
        ):
            members = json.loads(members)
            ancestors = set(json.loads(bases))
            if links:
                for op_id in members:
                    ancestors.update(links.get(op_id, ()))
            tips = [op_id for op_id in members if op_id not in ancestors]
            if len(tips) > 1:  # one head is the winner and conflicts with nothing
                wanted.update(dict.fromkeys(tips, (entity_id, field)))
        heads = list(wanted)
        found: dict[tuple[str, str], dict[str, tuple]] = {}
        for part in range(0, len(heads), 500):
            few = heads[part:part + 500]
            for op_id, device_id, stamp, value in conn.execute(
                f"SELECT op_id, device_id, hlc, value FROM ops WHERE op_id IN ({_marks(few)})", few
            ):
                found.setdefault(wanted[op_id], {})[op_id] = (device_id, stamp, value)
        for key, tips in found.items():
            if len({device_id for device_id, _, _ in tips.values()}) > 1:  # else none is another's
                grouped[key] = tips
    return grouped


def _pairs(heads: dict[str, tuple]) -> list[tuple[str, str]]:
    """Conflicting (winner, other head) pairs among the heads of one field."""
    winner = max(heads, key=lambda h: (heads[h][1], heads[h][0]))
    return [
        (winner, h) for h in sorted(heads)
        if h != winner and heads[h][0] != heads[winner][0] and heads[h][2] != heads[winner][2]
    ]


def detect(conn: sqlite3.Connection, entities: dict[str, set[str]]) -> int:
    """Recompute the open conflicts of these entities (inside the caller's transaction).

    `entities` maps an entity table to the ids whose ops changed; returns the
    number of open conflicts found on them.
    """
    return detect_chunks(conn, ((entity, sorted(entities[entity])) for entity in sorted(entities)))


def detect_chunks(conn: sqlite3.Connection, chunks: Iterable[tuple[str, list[str]]]) -> int:
    """`detect`, fed (entity, ids) a chunk at a time: the same conflicts, bounded memory.

    Conflicts of an entity depend on its own ops only, so any split of the
    ids gives the same result; each id must come in one chunk only.
    """
    found = 0
    stamp = local.now()
    links: dict[str, list[str]] | None = None
    for entity, ids in chunks:
        if not ids:
            continue
        if links is None:
            links = _links(conn)
        if conn.execute("SELECT 1 FROM sync_conflicts LIMIT 1").fetchone():
            for start in range(0, len(ids), 500):
                chunk = ids[start:start + 500]
                conn.execute(
                    f"DELETE FROM sync_conflicts WHERE entity = ? AND entity_id IN "
                    f"({', '.join('?' * len(chunk))}) AND resolved_op IS NULL AND field != ?",
                    (entity, *chunk, outcomes.STATUS))
        for (entity_id, field), heads in sorted(_heads_of(conn, entity, ids, links).items()):
            for op_a, op_b in _pairs(heads):
                conn.execute(
                    "INSERT OR IGNORE INTO sync_conflicts (id, entity, entity_id, field, op_a, "
                    "op_b, detected_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (conflict_id(op_a, op_b), entity, entity_id, field, op_a, op_b, stamp),
                )
                found += 1
        if entity == "encodings":  # attempts changed: their halls' disagreements too
            found += outcomes.detect(conn, outcomes.halls_of(conn, ids), stamp, conflict_id)
    if links is not None:
        found = max(0, found - outcomes.fold(conn))
    return found


@dataclass(frozen=True, slots=True)
class Side:
    """One side of a conflict, as the pilot sees it."""

    op_id: str
    device_id: str
    device: str          # the trusted name of the device, or its id
    actor: str | None
    hlc: str
    when: str            # ISO time taken from the op's clock
    value: Any           # for a hall's disagreeing attempts: the attempt's result
    attempt: dict | None = None  # those attempts: result, reason, door, technician, encoded_at


@dataclass(frozen=True, slots=True)
class Conflict:
    id: str
    entity: str
    entity_id: str
    field: str
    description: str     # e.g. "hall B (7QK4M2X) — Les Mézereaux"
    a: Side              # the value that currently wins
    b: Side


def _device_names(store: Store) -> dict[str, str]:
    names = {store.device_id: t("sync.this_device")}
    for device_id, signer in store.conn.execute(
        "SELECT device_id, signer FROM sync_receipts ORDER BY id"
    ):
        names[device_id] = signer
    return names


def _side(store: Store, op_id: str, names: dict[str, str], field: str) -> Side:
    device_id, actor, stamp, value = store.conn.execute(
        "SELECT device_id, actor, hlc, value FROM ops WHERE op_id = ?", (op_id,)
    ).fetchone()
    ms, _ = hlc_clock.decode(stamp)
    when = datetime.fromtimestamp(ms / 1000, timezone.utc).isoformat(timespec="seconds")
    shown = json.loads(value) if value is not None else None
    attempt = None
    if field == outcomes.STATUS:
        attempt = outcomes.attempt_of(store.conn, op_id)
        shown = attempt.get("result", shown)
    return Side(op_id, device_id, names.get(device_id, device_id[:8]), actor, stamp, when,
                shown, attempt)


def describe(store: Store, entity: str, entity_id: str) -> str:
    """A short description of an entity a person recognises (name, code, residence)."""
    row = store.get(entity, entity_id) or {}
    if entity == "halls":
        residence = store.get("residences", row.get("residence_id") or "") or {}
        return t("sync.describe.hall", label=row.get("label") or "?", code=row.get("code") or "?",
                 residence=residence.get("name") or "?")
    name = next((row[k] for k in ("name", "label", "serial", "technician") if row.get(k)), None)
    return t("sync.describe.other", entity=t(f"entity.{entity}"),
             name=name or entity_id[:8])


def list_conflicts(store: Store, *, include_resolved: bool = False) -> list[Conflict]:
    """Open conflicts (or all), in a stable order."""
    local.prepare(store)
    names = _device_names(store)
    where = "" if include_resolved else "WHERE resolved_op IS NULL"
    rows = store.conn.execute(
        f"SELECT id, entity, entity_id, field, op_a, op_b FROM sync_conflicts {where} "
        "ORDER BY entity, entity_id, field, id"
    ).fetchall()
    return [
        Conflict(cid, entity, entity_id, field, describe(store, entity, entity_id),
                 _side(store, op_a, names, field), _side(store, op_b, names, field))
        for cid, entity, entity_id, field, op_a, op_b in rows
    ]


def find(store: Store, conflict_id_or_prefix: str) -> Conflict:
    matches = [c for c in list_conflicts(store) if c.id.startswith(conflict_id_or_prefix.lower())]
    if len(matches) != 1:
        raise SyncError("no_conflict" if not matches else "ambiguous_conflict",
                        id=conflict_id_or_prefix)
    return matches[0]


def resolve(store: Store, conflict_id_or_prefix: str, keep: Any) -> Conflict:
    """Settle a conflict with side "A", side "B" or a new value, written as an op.

    A new value given as text (the command line) is converted to the field's
    kind (`values.parse_text`); any other value is written as it is. Either is
    checked against the model: `BadValue` when it does not fit. The op travels with this
    device's next bundle; locally it supersedes both sides, so the conflict
    leaves the list.
    """
    if store.role != PILOT:
        raise RightsError("pilot_only", role=role_name(store.role))
    conflict = find(store, conflict_id_or_prefix)
    choice = keep.upper() if isinstance(keep, str) else None
    if conflict.field == outcomes.STATUS:
        return _settle_attempts(store, conflict, choice)
    if choice == "A":
        value = conflict.a.value
    elif choice == "B":
        value = conflict.b.value
    elif isinstance(keep, str):
        value = values.parse_text(conflict.entity, conflict.field, keep)
    else:
        value = keep
    with store.transaction() as conn:
        rows = store.record(
            [Change(conflict.entity, conflict.entity_id, conflict.field, value)],
            reason=reasons.code("sync.resolve_reason", id=conflict.id),
        )
        op_id = rows[0][0]
        conn.executemany("INSERT OR IGNORE INTO sync_supersedes VALUES (?, ?)",
                         [(op_id, conflict.a.op_id), (op_id, conflict.b.op_id)])
        conn.execute(
            "UPDATE sync_conflicts SET resolved_op = ?, resolved_at = ?, resolved_by = ? "
            "WHERE id = ?", (op_id, local.now(), store.actor, conflict.id))
        detect(conn, {conflict.entity: {conflict.entity_id}})
    return conflict


def _settle_attempts(store: Store, conflict: Conflict, choice: str | None) -> Conflict:
    """Keep one of two disagreeing attempts: the other is set aside (an op of the pilot)."""
    if choice not in ("A", "B"):
        raise SyncError("keep_attempt", id=conflict.id)
    kept, dropped = (conflict.a, conflict.b) if choice == "A" else (conflict.b, conflict.a)
    reason = t("sync.resolve_reason", id=conflict.id)
    with store.transaction() as conn:
        rows = store.record(
            [Change("encodings", dropped.attempt["encoding_id"], "set_aside", 1)], reason=reason)
        # the hall's compatibility the two visits noted is settled with it (one decision)
        heads = _heads_of(conn, "halls", [conflict.entity_id], _links(conn)).get(
            (conflict.entity_id, "vigik"), {})
        if len(heads) > 1:
            vigik = "incompatible" if kept.value == "incompatible" else "compatible"
            (op,) = store.record([Change("halls", conflict.entity_id, "vigik", vigik)],
                                 reason=reason)
            conn.executemany("INSERT OR IGNORE INTO sync_supersedes VALUES (?, ?)",
                             [(op[0], head) for head in heads])
        conn.execute(
            "UPDATE sync_conflicts SET resolved_op = ?, resolved_at = ?, resolved_by = ? "
            "WHERE id = ?", (rows[0][0], local.now(), store.actor, conflict.id))
        outcomes.detect(conn, [conflict.entity_id], local.now(), conflict_id)
    return conflict
