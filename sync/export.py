"""Writing bundles: a device's own ops (`export`) and the pilot's work orders (`workorder`)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from vigikfield.domain import reasons
from vigikfield.domain.journal import OP_COLUMNS
from vigikfield.domain.model import CONFIDENTIAL, NOT_ON_LABELS
from vigikfield.domain.names import residences_called
from vigikfield.domain.schema import SCHEMA_VERSION
from vigikfield.domain.store import Store

from . import bundle, keys, local, renew
from .errors import SyncError

WATERMARK = "exported_seq"


@dataclass(frozen=True, slots=True)
class Written:
    path: Path
    ops: int
    first_seq: int | None
    last_seq: int | None
    work_order_id: str | None = None  # the work order recorded (`workorder`)


def _base_manifest(store: Store, kind: str) -> dict:
    project = store.project_id
    if not project:
        raise SyncError("no_project")
    return {
        "kind": kind, "project_id": project, "device_id": store.device_id,
        "role": local.role(store), "schema_version": SCHEMA_VERSION, "created_at": local.now(),
    }


def export(store: Store, out: Path, *, everything: bool = False) -> Written:
    """This device's own ops not exported yet (or all of them), as one piece of its chain.

    Only the device's own chain travels: ops received from others (a work
    order's reference data, with its confidential fields if the pilot sent
    them) never leave a technician's or maintenance laptop this way.
    """
    local.prepare(store)
    since = 0 if everything else int(local.get_setting(store, WATERMARK, "0") or 0)
    rows = store.conn.execute(
        f"SELECT {', '.join(OP_COLUMNS)} FROM ops WHERE device_id = ? AND seq > ? ORDER BY seq",
        (store.device_id, since),
    ).fetchall()
    if not rows:
        return Written(Path(out), 0, None, None)
    manifest = _base_manifest(store, "export")
    manifest.update(first_seq=rows[0][2], last_seq=rows[-1][2], **renew.manifest_entries(store))
    bundle.write(Path(out), rows, manifest, keys.signing_key(store))
    last = rows[-1][2]
    current = int(local.get_setting(store, WATERMARK, "0") or 0)
    local.set_setting(store, WATERMARK, str(max(current, last)))
    return Written(Path(out), len(rows), rows[0][2], last)


def _find_residences(store: Store, names: list[str]) -> list[str]:
    """The residences named (by name or id), in order, once each.

    Ids are looked up at once (the TUI's picker gives ids: a name look-up
    folds every residence's name, seconds each at 20,000 residences).
    """
    known: set[str] = set()
    for start in range(0, len(names), 500):
        chunk = names[start:start + 500]
        known.update(r for (r,) in store.conn.execute(
            f"SELECT id FROM residences WHERE id IN ({', '.join('?' * len(chunk))})", chunk))
    ids = []
    for name in names:
        if name in known:
            ids.append(name)
            continue
        found = [(rid,) for rid in residences_called(store.conn, name)]
        if not found:
            raise SyncError("no_residence", name=name)
        if len(found) > 1:
            raise SyncError("ambiguous_residence", name=name, count=len(found))
        ids.append(found[0][0])
    return list(dict.fromkeys(ids))


def _ids(store: Store, sql: str, params: list[str]) -> list[str]:
    if not params:
        return []
    marks = ", ".join("?" * len(params))
    return [r[0] for r in store.conn.execute(sql.format(marks=marks), params) if r[0]]


def reference_entities(store: Store, residence_ids: list[str]) -> dict[str, list[str]]:
    """The entities a technician needs for these residences: the residences and what hangs on
    them, the attempts on their halls included."""
    q = "SELECT {col} FROM residences WHERE id IN ({{marks}})"
    landlords = _ids(store, q.format(col="DISTINCT landlord_id"), residence_ids)
    communes = _ids(store, q.format(col="DISTINCT commune_id"), residence_ids)
    qpvs = _ids(store, q.format(col="DISTINCT qpv_id"), residence_ids)
    halls = _ids(store, "SELECT id FROM halls WHERE residence_id IN ({marks})", residence_ids)
    return {
        "projects": [store.project_id],
        "landlords": landlords,
        "communes": communes,
        "qpvs": qpvs,
        "residences": residence_ids,
        "halls": halls,
        "centrales": _ids(store, "SELECT id FROM centrales WHERE hall_id IN ({marks})", halls),
        # the halls' attempts, every device's, and the pilot's settlements of them: the
        # technician sees what happened last time, and the same status as the pilot
        "encodings": _ids(store, "SELECT id FROM encodings WHERE hall_id IN ({marks})", halls),
        # the landlords' decisions: a technician offline is refused an unauthorised residence
        "authorisations": _ids(
            store, "SELECT id FROM authorisations WHERE residence_id IN ({marks})", residence_ids),
        "service_cards": _ids(
            store, "SELECT id FROM service_cards WHERE landlord_id IN ({marks})", landlords),
        # the halls' access-failure reports: the open ones put a hall "to verify" on the
        # route; the closed ones too, so that a closure reaches a laptop holding the report
        "failure_reports": _ids(
            store, "SELECT id FROM failure_reports WHERE hall_id IN ({marks})", halls),
    }


Progress = Callable[[int, int], None]
"""Told (done, total) as a long write goes on; `total` does not change during one write."""

CHUNK = 500  # entity ids read from the op log at a time


def _reference_chunks(wanted: dict[str, list[str]], include_confidential: bool
                      ) -> list[tuple[str, list[str], list[str]]]:
    """(entity, ids, hidden fields) a chunk at a time, for the op log queries below."""
    chunks = []
    for entity, ids in wanted.items():
        hidden = [] if include_confidential else sorted(CONFIDENTIAL.get(entity, set()))
        chunks += [(entity, ids[s:s + CHUNK], hidden) for s in range(0, len(ids), CHUNK)]
    return chunks


def _chunk_sql(what: str, ids: list[str], hidden: list[str]) -> str:
    not_hidden = f" AND field NOT IN ({', '.join('?' * len(hidden))})" if hidden else ""
    return (f"SELECT {what} FROM ops WHERE entity = ? "
            f"AND entity_id IN ({', '.join('?' * len(ids))}){not_hidden}")


def workorder(store: Store, out: Path, *, technician: str, residences: list[str],
              date: str | None = None, include_confidential: bool = False,
              progress: Progress | None = None) -> Written:
    """Record the work order (an op of the pilot) and write its bundle.

    The bundle holds every op, of any device, on the reference entities,
    minus confidential fields unless asked. Being a subset of chains, it is
    checked by signature and per-op hash only (see docs/bundle-format.md).

    `progress` is told (ops read, total) as the ops are read from the op log
    (the total is counted first, on the op log's index alone), then (total,
    total) once the signed file is in place: the unit is one op, the write of
    the file counting as the last one.
    """
    local.prepare(store)
    residence_ids = _find_residences(store, residences)
    manifest = _base_manifest(store, "workorder")
    with store.transaction():
        order_id = store.create("work_orders", {
            "project_id": store.project_id, "technician": technician,
            "residence_ids": residence_ids, "planned_date": date, "status": "issued",
        }, reason=reasons.code("reason.work_order"))
    wanted = reference_entities(store, residence_ids)
    wanted["work_orders"] = [order_id]
    chunks = _reference_chunks(wanted, include_confidential)
    total = 1
    if progress is not None:
        total += sum(store.conn.execute(_chunk_sql("count(*)", ids, hidden),
                                        (entity, *ids, *hidden)).fetchone()[0]
                     for entity, ids, hidden in chunks)
        progress(0, total)
    rows: list[tuple] = []
    for entity, ids, hidden in chunks:
        rows += store.conn.execute(_chunk_sql(", ".join(OP_COLUMNS), ids, hidden),
                                   (entity, *ids, *hidden)).fetchall()
        if progress is not None:
            progress(min(len(rows), total - 1), total)
    manifest.update(
        work_order_id=order_id, technician=technician,
        residences=json.dumps(residence_ids), include_confidential=int(include_confidential),
    )
    bundle.write(Path(out), rows, manifest, keys.signing_key(store))
    if progress is not None:
        progress(total, total)
    return Written(Path(out), len(rows), None, None, order_id)


# The landlord a maintenance bundle is for (manifest): the importing database's
# profile becomes maintenance bound to it (`merge`).
MAINTENANCE_KEY = "maintenance_landlord"


def maintenance_entities(store: Store, landlord_id: str) -> dict[str, list[str]]:
    """What a landlord's maintenance staff hold: its residences, their halls and
    centrales, the attempts on them (for the statuses and the history), the
    communes and QPVs they are in, the landlord and the project. No service card,
    no other landlord."""
    residence_ids = _ids(store, "SELECT id FROM residences WHERE landlord_id IN ({marks})",
                         [landlord_id])
    wanted = reference_entities(store, residence_ids)
    wanted["landlords"] = [landlord_id]
    wanted["service_cards"] = []
    return wanted


def maintenance(store: Store, out: Path, *, landlord_id: str) -> Written:
    """The pilot's bundle for a landlord's maintenance laptop (imported with `bundle import`).

    Every op, of any device, on `maintenance_entities`, minus what anyone in
    front of a hall may not read (`model.NOT_ON_LABELS`: the site level, the
    cards' fingerprints): maintenance never holds the site classification.
    """
    local.prepare(store)
    manifest = _base_manifest(store, "workorder")
    rows: list[tuple] = []
    for entity, ids in maintenance_entities(store, landlord_id).items():
        hidden = NOT_ON_LABELS.get(entity, set()) | CONFIDENTIAL.get(entity, set())
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            rows += [r for r in store.conn.execute(
                f"SELECT {', '.join(OP_COLUMNS)} FROM ops WHERE entity = ? "
                f"AND entity_id IN ({', '.join('?' * len(chunk))})",
                (entity, *chunk),
            ) if r[6] not in hidden]
    manifest[MAINTENANCE_KEY] = landlord_id
    bundle.write(Path(out), rows, manifest, keys.signing_key(store))
    return Written(Path(out), len(rows), None, None)
