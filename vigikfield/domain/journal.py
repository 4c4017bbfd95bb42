"""The op log (DESIGN.md §5): append, hash-chain, replay, materialise, verify.

One op = one field of one entity set to one value. Ops of a device form a
chain: ``seq`` counts 1, 2, 3... and each op's ``hash`` covers its content and
the previous op's hash. State tables are the materialised view: per field,
the op with the greatest ``(hlc, device_id)`` wins.

Nothing here opens or commits transactions: callers (the store's services,
the merge) own them, so state and ops are always written together.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from dataclasses import field as _field
from typing import Any

from . import hlc as hlc_clock
from .model import ENTITIES, ORDER

GENESIS = "0" * 64
OP_COLUMNS = (
    "op_id", "device_id", "seq", "hlc", "entity", "entity_id", "field",
    "value", "base", "actor", "reason", "prev_hash", "hash",
)


@dataclass(frozen=True, slots=True)
class Change:
    """Set `field` of `entity`/`entity_id` to `value`. `new` skips the base lookup."""

    entity: str
    entity_id: str
    field: str
    value: Any
    new: bool = False


@dataclass(frozen=True, slots=True)
class Problem:
    """The first thing `verify` found wrong, in words a person can act on.

    `key` names the catalog message ``journal.problem.<key>``, `values` fills it;
    the text is made when shown (`text`), in the reader's language.
    """

    kind: str  # chain | state
    key: str
    values: dict[str, Any] = _field(default_factory=dict)
    op_id: str | None = None
    entity: str | None = None
    entity_id: str | None = None
    field: str | None = None

    def text(self, hall_code: str | None = None) -> str:
        """The message; `hall_code` (the hall the row is about) names the row by it."""
        from ..i18n import t

        entity = t(f"entity.{self.entity}") if self.entity else ""
        if hall_code and self.entity == "halls":
            row = t("journal.row.hall", code=hall_code)
        elif hall_code:
            row = t("journal.row.of_hall", entity=entity, id=(self.entity_id or "")[:8],
                    code=hall_code)
        else:
            row = t("journal.row.plain", entity=entity, id=self.entity_id or "")
        label = t(f"field.{self.entity}.{self.field}") if self.field else ""
        return t(f"journal.problem.{self.key}", row=row, field=label, **self.values)

    @property
    def message(self) -> str:
        return self.text()


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def encode_value(value: Any) -> str:
    """An op's value as canonical JSON (one shared encoder: `json.dumps` builds one a call)."""
    return _ENCODER.encode(value)


def state_value(value: Any) -> Any:
    """How a field's value is stored in its state column."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (list, dict)):
        return encode_value(value)
    return value


def op_hash(prev_hash: str, op: tuple) -> str:
    """SHA-256 over the previous hash and every column but the hashes.

    The text hashed is the previous hash and the columns op_id .. reason,
    joined by U+001F, None as "" (docs/bundle-format.md). The f-string below
    is that join spelt out, three times faster; a None among the columns
    that are NOT NULL (only in a forged op) takes the general path.
    """
    op_id, device_id, seq, stamp, entity, entity_id, field, value, base, actor, reason = op[:11]
    if None in (op_id, device_id, seq, stamp, entity, entity_id, field):
        text = "\x1f".join("" if v is None else str(v) for v in (prev_hash, *op[:11]))
    else:
        text = (
            f"{prev_hash}\x1f{op_id}\x1f{device_id}\x1f{seq}\x1f{stamp}\x1f{entity}\x1f"
            f"{entity_id}\x1f{field}\x1f{'' if value is None else value}\x1f"
            f"{'' if base is None else base}\x1f{'' if actor is None else actor}\x1f"
            f"{'' if reason is None else reason}"
        )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


_RANDOM_BITS = 0x3F_FFFF_FFFF_FFFF  # the 54 random bits of an op id


def op_ids(stamps: list[tuple[int, int]]) -> list[str]:
    """Op ids for these (ms, counter) clock stamps: UUIDv7, time-ordered.

    RFC 9562 layout: 48-bit Unix ms, version 7, then the HLC counter as a
    "fixed-length dedicated counter" (its high 12 bits in rand_a, low 8 bits
    at the head of rand_b), then 54 random bits. One device's ids grow with
    its clock, so inserting them into the ops primary key appends instead of
    scattering; the random tail keeps ids of different devices apart.
    """
    noise = memoryview(os.urandom(8 * len(stamps))).cast("Q").tolist()
    ids: list[str] = []
    head_ms = -1
    head = ""
    for (ms, counter), bits in zip(stamps, noise):
        if ms != head_ms:
            head_ms, head = ms, f"{ms >> 16:08x}-{ms & 0xFFFF:04x}-7"
        rand = bits & _RANDOM_BITS
        ids.append(
            f"{head}{counter >> 8:03x}-{0x8000 | (counter & 0xFF) << 6 | rand >> 48:04x}"
            f"-{rand & 0xFFFF_FFFF_FFFF:012x}"
        )
    return ids


def _chunks(items: list, size: int = 500) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


_CONFIDENTIAL_NS = uuid.UUID("6f1d3c52-3b8e-5d2a-9a57-0c3f4e1b2a90")


def confidential_chain(device_id: str) -> str:
    """The id of a device's second chain, which holds its confidential ops only.

    Confidential fields (model.CONFIDENTIAL) are written there so that the
    device's main chain, which work orders carry in part, shows no gap where
    a confidential op was left out: nothing tells which residences are
    classified. The chain travels only in work orders made with
    `--include-confidential`.
    """
    return str(uuid.uuid5(_CONFIDENTIAL_NS, device_id))


def current_ops(
    conn: sqlite3.Connection, keys: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], dict[str, str]]:
    """(entity, entity_id) -> field -> winning op_id, a few queries for many entities."""
    by_entity: dict[str, list[str]] = {}
    for entity, entity_id in keys:
        by_entity.setdefault(entity, []).append(entity_id)
    winners: dict[tuple[str, str], dict[str, str]] = {}
    for entity, ids in by_entity.items():
        for chunk in _chunks(ids):
            marks = ", ".join("?" * len(chunk))
            for entity_id, field, op_id in conn.execute(
                f"SELECT entity_id, field, op_id FROM ops WHERE entity = ? "
                f"AND entity_id IN ({marks}) ORDER BY hlc, device_id",
                (entity, *chunk),
            ):
                winners.setdefault((entity, entity_id), {})[field] = op_id
    return winners


def append(
    conn: sqlite3.Connection,
    device_id: str,
    changes: Iterable[Change],
    *,
    actor: str | None,
    reason: str | None = None,
    chain: str | None = None,
) -> list[tuple]:
    """Write `changes` as ops of this device and apply them to the state tables.

    `chain` names another chain of this device's (its confidential ops, see
    `confidential_chain`): the ops carry that id and continue that chain,
    while the clock stays the device's own. Must run inside the caller's
    transaction. Returns the op rows written.
    """
    changes = list(changes)
    if not changes:
        return []
    for change in changes:
        fields = ENTITIES.get(change.entity)
        if fields is None or change.field not in fields:
            raise ValueError(f"unknown field {change.entity}.{change.field}")
    chain_id = chain or device_id
    head = conn.execute(
        "SELECT seq, hash FROM ops WHERE device_id = ? ORDER BY seq DESC LIMIT 1",
        (chain_id,),
    ).fetchone()
    seq, prev = head if head else (0, GENESIS)
    (clock,) = conn.execute("SELECT hlc FROM device WHERE id = ?", (device_id,)).fetchone()
    stamps = list(hlc_clock.ticks(clock, len(changes)))
    ids = op_ids(stamps)
    encode = hlc_clock.encode
    bases = current_ops(conn, {(c.entity, c.entity_id): None for c in changes if not c.new})
    no_base: dict[str, str] = {}
    rows: list[tuple] = []
    for change, (ms, counter), op_id in zip(changes, stamps, ids):
        base = None
        if not change.new:
            base = bases.get((change.entity, change.entity_id), no_base).get(change.field)
        seq += 1
        partial = (
            op_id, chain_id, seq, encode(ms, counter), change.entity, change.entity_id,
            change.field, _ENCODER.encode(change.value), base, actor, reason,
        )
        digest = op_hash(prev, partial)
        rows.append((*partial, prev, digest))
        prev = digest
    clock = rows[-1][3]
    conn.executemany(
        f"INSERT INTO ops ({', '.join(OP_COLUMNS)}) VALUES ({', '.join('?' * len(OP_COLUMNS))})",
        rows,
    )
    conn.execute("UPDATE device SET hlc = ? WHERE id = ?", (clock, device_id))
    _apply(conn, changes)
    flush(conn)
    return rows


def flush(conn: sqlite3.Connection) -> None:
    """Bring the derived status tables up to date with the state just written (the halls
    and residences its triggers noted: kept.FLUSH), inside the writer's transaction."""
    from .kept import FLUSH

    if (conn.execute("SELECT 1 FROM hall_dirty LIMIT 1").fetchone()
            or conn.execute("SELECT 1 FROM residence_dirty LIMIT 1").fetchone()):
        for sql in FLUSH:
            conn.execute(sql)


def _apply(conn: sqlite3.Connection, changes: list[Change]) -> None:
    """Upsert the changed fields into the state tables, parents first."""
    grouped: dict[tuple[str, str], dict[str, Any]] = {}
    for change in changes:
        grouped.setdefault((change.entity, change.entity_id), {})[change.field] = change.value
    batches: dict[tuple[str, tuple[str, ...]], list[tuple]] = {}
    for (entity, entity_id), fields in grouped.items():
        names = tuple(fields)
        batches.setdefault((entity, names), []).append(
            (entity_id, *(state_value(fields[n]) for n in names))
        )
    rank = {name: i for i, name in enumerate(ORDER)}
    for (entity, names), rows in sorted(batches.items(), key=lambda kv: rank[kv[0][0]]):
        conn.executemany(_upsert_sql(entity, names), rows)


def _upsert_sql(entity: str, names: tuple[str, ...]) -> str:
    cols = ", ".join(("id", *names))
    marks = ", ".join("?" * (len(names) + 1))
    sets = ", ".join(f"{n} = excluded.{n}" for n in names)
    return (
        f"INSERT INTO {entity} ({cols}) VALUES ({marks}) "
        f"ON CONFLICT(id) DO UPDATE SET {sets}"
    )


# An entity whose ops outnumber twice its fields has a history: its last ops
# are found by seeks (_LAST_OPS) rather than by reading and sorting them all.
_HISTORY = 2
_SCAN = "SELECT entity_id, field, hlc, device_id, value FROM ops WHERE entity = ?{where}"
# The last ops of each (entity_id, field), and where the field's ops start.
# The GROUP BY reads only idx_ops_target and each pair costs one seek. Several
# rows of a pair share its greatest hlc only when devices wrote at one instant.
_LAST_OPS = """
SELECT k.entity_id, k.field, k.first, o.device_id, o.value
FROM (SELECT entity_id, field, min(hlc) AS first, max(hlc) AS last FROM ops
      WHERE entity = ?1 AND entity_id IN ({marks}) GROUP BY entity_id, field) AS k
CROSS JOIN ops o ON o.entity = ?1 AND o.entity_id = k.entity_id AND o.field = k.field
  AND o.hlc = k.last
"""


def _in(ids: list[str]) -> str:
    return f" AND entity_id IN ({', '.join('?' * len(ids))})"


def _replay_chunk(
    conn: sqlite3.Connection, entity: str, ids: list[str] | None
) -> dict[str, dict[str, Any]]:
    """The state of these entities (None: all), in the order of their first op.

    As a scan of their ops in (hlc, device_id) order would give it: the
    last op of each field wins, and an entity comes where its first op does.
    """
    fields = ENTITIES[entity]
    first: dict[str, tuple[str, str | None]] = {}  # device None: not read yet
    raw: dict[str, dict[str, str]] = {}
    long: list[str] = []
    short = ids
    if ids is not None:
        sizes = conn.execute(
            f"SELECT entity_id, count(*) FROM ops WHERE entity = ?{_in(ids)} GROUP BY entity_id",
            (entity, *ids),
        ).fetchall()
        long = [entity_id for entity_id, n in sizes if n > _HISTORY * len(fields)]
        short = [entity_id for entity_id, n in sizes if n <= _HISTORY * len(fields)]
    if short is None or short:
        where = "" if short is None else _in(short)
        rows = conn.execute(
            _SCAN.format(where=where) + " ORDER BY hlc, device_id", (entity, *(short or ()))
        )
        for entity_id, field, stamp, device_id, value in rows:
            if entity_id not in first:
                first[entity_id] = (stamp, device_id)
                raw[entity_id] = {}
            if field in fields:
                raw[entity_id][field] = value
    if long:
        winners: dict[tuple[str, str], str] = {}
        for entity_id, field, stamp, device_id, value in conn.execute(
            _LAST_OPS.format(marks=", ".join("?" * len(long))), (entity, *long)
        ):
            seen = first.get(entity_id)
            if seen is None:
                raw[entity_id] = {}
            if seen is None or stamp < seen[0]:
                first[entity_id] = (stamp, None)
            pair = (entity_id, field)
            if field in fields and (pair not in winners or device_id > winners[pair]):
                winners[pair] = device_id
                raw[entity_id][field] = value
    decoded: dict[str, Any] = {}  # values repeat a lot (outcomes, flags, parents)
    state = {}
    for entity_id in sorted(first, key=_first_op_order(conn, entity, first)):
        row = state[entity_id] = dict.fromkeys(fields)
        for field, value in raw[entity_id].items():
            if value not in decoded:
                decoded[value] = state_value(json.loads(value))
            row[field] = decoded[value]
    return state


def _first_op_order(conn: sqlite3.Connection, entity: str,
                    first: dict[str, tuple[str, str | None]]) -> Callable[[str], tuple[str, str]]:
    """Sort key: (hlc, device_id) of an entity's first op.

    The device is read only where it decides: where first ops of several
    entities share one clock stamp (only different devices can).
    """
    by_stamp: dict[str, list[str]] = {}
    for entity_id, (stamp, _device) in first.items():
        by_stamp.setdefault(stamp, []).append(entity_id)
    key = {entity_id: (stamp, device or "") for entity_id, (stamp, device) in first.items()}
    for stamp, group in by_stamp.items():
        for entity_id in group if len(group) > 1 else ():
            if first[entity_id][1] is None:
                (device,) = conn.execute(
                    "SELECT min(device_id) FROM ops WHERE entity = ? AND entity_id = ? "
                    "AND hlc = ?", (entity, entity_id, stamp)).fetchone()
                key[entity_id] = (stamp, device)
    return key.__getitem__


def replay(
    conn: sqlite3.Connection, entity: str, ids: Iterable[str] | None = None
) -> dict[str, dict[str, Any]]:
    """The state of `entity` rebuilt from its ops alone (all, or just `ids`).

    Per field the op with the greatest (hlc, device_id) wins. Entities come
    in the order of their first op (chunk by chunk of 500 ids): the order in
    which a merge inserts new rows, which is their rowid order.
    """
    if ids is None:
        return _replay_chunk(conn, entity, None)
    state: dict[str, dict[str, Any]] = {}
    for chunk in _chunks(list(ids)):
        for entity_id, row in _replay_chunk(conn, entity, chunk).items():
            state.setdefault(entity_id, row).update(row)
    return state


def materialise(conn: sqlite3.Connection, entity: str, ids: Iterable[str]) -> int:
    """Rewrite the state rows of `ids` from their ops (used by merge and repair).

    Rows already holding exactly their replayed values (same types too) are
    left alone: rewriting them would change nothing but cost page writes and
    the search index's triggers.
    """
    state = replay(conn, entity, ids)
    names = tuple(ENTITIES[entity])
    rows = [(entity_id, *(row[n] for n in names)) for entity_id, row in state.items()]
    stored: dict[str, tuple] = {}
    for chunk in _chunks(list(state)):
        for row in conn.execute(
            f"SELECT id, {', '.join(names)} FROM {entity} "
            f"WHERE id IN ({', '.join('?' * len(chunk))})", chunk
        ):
            stored[row[0]] = row
    changed = [row for row in rows if not _identical(stored.get(row[0]), row)]
    conn.executemany(_upsert_sql(entity, names), changed)
    flush(conn)
    return len(state)


def _identical(have: tuple | None, want: tuple) -> bool:
    return have is not None and all(
        type(a) is type(b) and a == b for a, b in zip(have, want)
    )


def verify_chains(conn: sqlite3.Connection) -> Problem | None:
    """The first op whose chain link or hash is wrong, if any.

    Devices listed in `sync_partial_chains` (chains a work order delivered in
    part, see docs/bundle-format.md) may have gaps: their ops are still
    checked one by one, and linked wherever they follow each other.
    """
    expected_seq: dict[str, int] = {}
    previous: dict[str, str] = {}
    partial: set[str] = set()
    if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'sync_partial_chains'").fetchone():
        partial = {r[0] for r in conn.execute("SELECT device_id FROM sync_partial_chains")}
    cursor = conn.execute(
        f"SELECT {', '.join(OP_COLUMNS)} FROM ops ORDER BY device_id, seq"
    )
    for row in cursor:
        op_id, device_id, seq = row[0], row[1], row[2]
        want_seq = expected_seq.get(device_id, 0) + 1
        want_prev = previous.get(device_id, GENESIS)
        if seq != want_seq and device_id in partial:
            want_prev = row[11]  # a gap the work order left: check this op on its own
        elif seq != want_seq:
            return Problem("chain", "gap", {"op": op_id, "device": device_id,
                                            "before": want_seq - 1, "seq": seq}, op_id=op_id)
        if row[11] != want_prev:
            return Problem("chain", "broken", {"op": op_id, "device": device_id,
                                               "before": seq - 1}, op_id=op_id)
        if op_hash(row[11], row[:11]) != row[12]:
            return Problem("chain", "altered", {"op": op_id}, op_id=op_id, entity=row[4],
                           entity_id=row[5], field=row[6])
        expected_seq[device_id] = seq
        previous[device_id] = row[12]
    return None


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        try:
            return a is not None and b is not None and float(a) == float(b)
        except (TypeError, ValueError):
            return False
    return a == b


def verify_state(conn: sqlite3.Connection) -> Problem | None:
    """The first state row that differs from the replay of the ops, if any."""
    for entity in ORDER:
        fields = tuple(ENTITIES[entity])
        expected = replay(conn, entity)
        seen: set[str] = set()
        for row in conn.execute(f"SELECT id, {', '.join(fields)} FROM {entity} ORDER BY rowid"):
            entity_id = row[0]
            seen.add(entity_id)
            want = expected.get(entity_id)
            if want is None:
                return Problem("state", "added", entity=entity, entity_id=entity_id)
            for name, have in zip(fields, row[1:]):
                if not _same(have, want[name]):
                    return Problem("state", "changed", {"have": repr(have), "want": repr(want[name])},
                                   entity=entity, entity_id=entity_id, field=name)
        missing = set(expected) - seen
        if missing:
            entity_id = sorted(missing)[0]
            return Problem("state", "deleted", entity=entity, entity_id=entity_id)
    return None


def verify_clocks(conn: sqlite3.Connection) -> Problem | None:
    """The first attempt whose clock (``attempt_clock``, kept by a trigger) is not its ops'."""
    want = {
        row[0]: row[1:] for row in conn.execute(
            "SELECT entity_id, substr(min(hlc || ' ' || device_id), 1, 23), "
            "substr(min(hlc || ' ' || device_id), 25), max(hlc) "
            "FROM ops WHERE entity = 'encodings' GROUP BY entity_id")
    }
    have = {row[0]: row[1:] for row in conn.execute(
        "SELECT encoding_id, started, device_id, touched FROM attempt_clock")}
    for entity_id in sorted(set(want) | set(have)):
        if want.get(entity_id) != have.get(entity_id):
            return Problem("state", "clock", {"have": repr(have.get(entity_id)),
                                              "want": repr(want.get(entity_id))},
                           entity="encodings", entity_id=entity_id)
    return None


def _kept_differs(conn: sqlite3.Connection, key: str, entity: str, from_scratch: str,
                  kept: str) -> Problem | None:
    """The first row of a table the triggers keep (`kept`: key, then its columns) that is
    not what its definition gives from scratch (`from_scratch`: the same columns)."""
    want = {row[0]: row[1:] for row in conn.execute(from_scratch)}
    have = {row[0]: row[1:] for row in conn.execute(kept)}
    for entity_id in sorted(set(want) | set(have)):
        if want.get(entity_id) != have.get(entity_id):
            return Problem("state", key, {"have": repr(have.get(entity_id)),
                                          "want": repr(want.get(entity_id))},
                           entity=entity, entity_id=entity_id)
    return None


def verify_decided(conn: sqlite3.Connection) -> Problem | None:
    """The first hall whose deciding attempt (``hall_decided``, kept by triggers) is not
    what the status rule gives from scratch."""
    from .kept import DECIDED_ALL, DECIDED_COLUMNS

    return _kept_differs(conn, "decided", "halls", DECIDED_ALL,
                         f"SELECT hall_id, {', '.join(DECIDED_COLUMNS)} FROM hall_decided")


def verify_counts(conn: sqlite3.Connection) -> Problem | None:
    """The first residence whose counts (``residence_counts``, kept by triggers) are not
    the aggregate of its halls' statuses, with the residence's fields kept alongside."""
    from .kept import KEPT_COUNT_COLUMNS, RESIDENCE_COUNTS_ALL, RESIDENCE_FIELDS

    columns = ", ".join((*RESIDENCE_FIELDS, *KEPT_COUNT_COLUMNS))
    return _kept_differs(conn, "counts", "residences", RESIDENCE_COUNTS_ALL,
                         f"SELECT residence_id, {columns} FROM residence_counts")


def verify_decisions(conn: sqlite3.Connection) -> Problem | None:
    """The first residence whose latest authorisation decision (``residence_decision``,
    kept by triggers) is not what the ordering rule gives from scratch."""
    from .kept import DECISION_ALL, DECISION_COLUMNS

    return _kept_differs(
        conn, "decision", "residences", DECISION_ALL,
        f"SELECT residence_id, {', '.join(DECISION_COLUMNS)} FROM residence_decision")


def verify(conn: sqlite3.Connection) -> Problem | None:
    return (verify_chains(conn) or verify_state(conn) or verify_clocks(conn)
            or verify_decided(conn) or verify_counts(conn) or verify_decisions(conn))


def history(conn: sqlite3.Connection, entity: str, entity_ids: list[str]) -> list[dict]:
    """Every op on these entities, oldest first, with the value it replaced."""
    if not entity_ids:
        return []
    marks = ", ".join("?" * len(entity_ids))
    rows = conn.execute(
        f"SELECT op_id, hlc, device_id, actor, entity, entity_id, field, value, reason "
        f"FROM ops WHERE entity = ? AND entity_id IN ({marks}) ORDER BY hlc, device_id",
        (entity, *entity_ids),
    ).fetchall()
    last: dict[tuple[str, str], Any] = {}
    out = []
    for op_id, stamp, device_id, actor, ent, entity_id, field, value, reason in rows:
        new = json.loads(value)
        key = (entity_id, field)
        out.append({
            "op_id": op_id, "hlc": stamp, "device_id": device_id, "actor": actor,
            "entity": ent, "entity_id": entity_id, "field": field,
            "old": last.get(key), "new": new, "reason": reason,
        })
        last[key] = new
    return out
