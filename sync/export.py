"""Writing bundles: a device's own ops (`export`) and the pilot's work orders (`workorder`)."""

from __future__ import annotations

import json
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
    ids = []
    for name in names:
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
        "service_cards": _ids(
            store, "SELECT id FROM service_cards WHERE landlord_id IN ({marks})", landlords),
    }


def workorder(store: Store, out: Path, *, technician: str, residences: list[str],
              date: str | None = None, include_confidential: bool = False) -> Written:
    """Record the work order (an op of the pilot) and write its bundle.

    The bundle holds every op, of any device, on the reference entities,
    minus confidential fields unless asked. Being a subset of chains, it is
    checked by signature and per-op hash only (see docs/bundle-format.md).
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
    rows: list[tuple] = []
    for entity, ids in wanted.items():
        hidden = set() if include_confidential else CONFIDENTIAL.get(entity, set())
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            rows += [r for r in store.conn.execute(
                f"SELECT {', '.join(OP_COLUMNS)} FROM ops WHERE entity = ? "
                f"AND entity_id IN ({', '.join('?' * len(chunk))})",
                (entity, *chunk),
            ) if r[6] not in hidden]
    manifest.update(
        work_order_id=order_id, technician=technician,
        residences=json.dumps(residence_ids), include_confidential=int(include_confidential),
    )
    bundle.write(Path(out), rows, manifest, keys.signing_key(store))
    return Written(Path(out), len(rows), None, None)


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
