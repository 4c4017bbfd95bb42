"""What a signed bundle may say: the receiver's checks beyond the signature.

A valid signature says who sent a bundle, not what they may change. Before a
bundle's ops enter, the receiver checks, against its OWN records:

- the signer: a trusted, unrevoked key, with the role the receiver gave it
  (`trust add --role`), never the role the bundle claims; work orders only
  from a key trusted as pilot;
- the device: a key speaks for one device only, bound at `trust add --device`
  or at its first accepted bundle; nobody speaks for the receiver's own
  device, nor for a device bound to another key (revoked keys included);
- every op (`op_check`, during the bundle's one streaming pass): well-formed
  ids and clock, a clock at most `hlc.MAX_SKEW_MS` ahead of the receiver's
  wall clock, a known field the signer's role may write (`rights`), a value
  of the field's kind (`values`);
- inside the merge's transaction (`Admission.before_insert`/`after_apply`):
  a technician's ops touch only its own encoding attempts, maintenance's only
  its landlord's residences, halls and centrales.

One op out of bounds refuses the whole bundle, naming the op; nothing enters.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone

from vigikfield.domain import hlc as hlc_clock
from vigikfield.domain import rights, values
from vigikfield.domain.model import ENTITIES
from vigikfield.domain.profile import PILOT
from vigikfield.domain.store import Store
from vigikfield.i18n import t

from . import keys, local, renew
from .errors import SyncError


def _when(ms: int) -> str:
    try:
        return datetime.fromtimestamp(ms / 1000, timezone.utc).strftime("%d/%m/%Y %H:%M UTC")
    except (ValueError, OverflowError, OSError):  # past year 9999
        return t("sync.far_future")


@dataclass
class Admission:
    """The receiver's checks of one bundle, once its signature is known good."""

    store: Store
    signer: keys.Trusted
    manifest: dict
    kind: str
    now_ms: int

    # -- the signer and its device ------------------------------------------
    @classmethod
    def of(cls, store: Store, manifest: dict, kind: str, path=None,
           now_ms: int | None = None) -> Admission:
        """Check the signer's trust, role and device; refuse with a reason."""
        signer = keys.signer_for(store, manifest["key_id"], manifest["public_key"])
        device = manifest["device_id"]
        if kind == "workorder" and signer.role != PILOT:
            raise SyncError("workorder_not_pilot", path=path, name=signer.name,
                            role=rights.role_name(signer.role))
        if not values.is_uuid(device):
            raise SyncError("bad_manifest", path=path, key="device_id")
        if device == store.device_id or device in store.own_devices():
            raise SyncError("own_device", path=path, name=signer.name)
        if signer.device_id is not None and signer.device_id != device:
            raise SyncError("device_mismatch", path=path, name=signer.name,
                            device=device[:8], bound=signer.device_id[:8])
        holder = keys.device_holder(store, device)
        if holder is not None and holder.key_id != signer.key_id:
            raise SyncError("device_taken_by", path=path, name=signer.name, device=device[:8],
                            holder=holder.name)
        now = int(time.time() * 1000) if now_ms is None else now_ms
        admission = cls(store, signer, manifest, kind, now)
        admission.predecessors = admission._succession(path)
        return admission

    predecessors: tuple[str, ...] = ()

    def _succession(self, path) -> tuple[str, ...]:
        """The devices this one took over from (`device renew`), checked, oldest last."""
        device = self.manifest["device_id"]
        known = successions(self.store, device)
        claimed = self.manifest.get(renew.SUCCEEDS)
        if not claimed or claimed in known:
            return known
        old = keys.device_holder(self.store, claimed)
        if old is None or old.role != self.signer.role or old.landlord_id != self.signer.landlord_id:
            raise SyncError("succession_unknown", path=path, device=claimed[:8],
                            name=self.signer.name)
        if old.revoked_at:  # a stolen laptop's key, or a device already taken over
            raise SyncError("succession_revoked", path=path, name=old.name, when=old.revoked_at)
        if not renew.succession_valid(old.public_key, claimed, device, self.signer.public_key,
                                      self.manifest.get(renew.SIGNATURE) or ""):
            raise SyncError("bad_succession", path=path, name=old.name)
        self.new_succession = claimed
        return (claimed, *successions(self.store, claimed))

    new_succession: str | None = None

    @property
    def devices(self) -> set[str]:
        return {self.manifest["device_id"], *self.predecessors}

    # -- every op, in the streaming pass -------------------------------------
    def op_check(self, path=None) -> Callable[[tuple], None]:
        """The check of one op row (the 13 OP_COLUMNS), raising SyncError."""
        role, who = self.signer.role, self.signer.name
        bound = hlc_clock.encode(self.now_ms + hlc_clock.MAX_SKEW_MS, hlc_clock.MAX_COUNTER)
        oldest = hlc_clock.encode(hlc_clock.MIN_MS, 0)
        device = self.manifest["device_id"]
        may = {(e, f): rights.may_write(role, e, f) for e, fs in ENTITIES.items() for f in fs}
        is_uuid, valid_hlc, parse = values.is_uuid, hlc_clock.valid, values.parse_json
        # Values repeat a lot (outcomes, flags, parents): a short value text found good
        # for a field is good again. Bounded, so memory does not grow with the bundle.
        good: set[tuple[str, str, str]] = set()

        def check(row: tuple) -> None:
            op_id, op_device, _seq, stamp, entity, entity_id, field, value, base = row[:9]
            if op_device != device and not is_uuid(op_device):
                raise SyncError("bad_op_id", path=path, op=str(op_id)[:40],
                                value=str(op_device)[:40])
            for ident in (op_id, entity_id) if base is None else (op_id, entity_id, base):
                if not is_uuid(ident):
                    raise SyncError("bad_op_id", path=path, op=str(op_id)[:40],
                                    value=str(ident)[:40])
            if not valid_hlc(stamp) or stamp < oldest:
                raise SyncError("bad_hlc", path=path, op=op_id, value=str(stamp)[:40])
            if stamp > bound:
                ms = hlc_clock.parse(stamp)[0]
                raise SyncError("clock_ahead", path=path, device=who, when=_when(ms),
                                hours=(ms - self.now_ms) // 3_600_000,
                                limit=hlc_clock.MAX_SKEW_MS // 3_600_000)
            allowed = may.get((entity, field))
            if allowed is None:
                raise SyncError("unknown_field", path=path, field=f"{entity}.{field}", op=op_id)
            if not allowed:
                raise SyncError("forbidden_op", path=path, reason=rights.refuse_field(
                    role, entity, field, who=who, entity_id=entity_id))
            if self.kind == "export" and op_device != device:
                raise SyncError("foreign_device_op", path=path, op=op_id)
            key = (entity, field, value)
            if key in good:
                return
            try:
                parse(entity, field, value)
            except values.BadValue as exc:
                raise SyncError("bad_op_value", path=path, op=op_id, reason=exc) from exc
            if len(value) <= 80:  # short values only: the set stays small
                if len(good) > 20_000:
                    good.clear()
                good.add(key)

        return check

    # -- inside the merge's transaction ---------------------------------------
    def _targets(self, schema: str) -> dict[str, set[str]]:
        conn = self.store.conn
        scoped = set(rights.OWN_ONLY.get(self.signer.role, ())) | set(
            rights.LANDLORD_SCOPED.get(self.signer.role, ()))
        targets: dict[str, set[str]] = {}
        for entity in sorted(scoped):
            targets[entity] = {r[0] for r in conn.execute(
                f"SELECT DISTINCT entity_id FROM {schema}.ops WHERE entity = ?", (entity,))}
        return targets

    def guard(self) -> rights.Guard:
        return rights.Guard(self.store.conn, self.signer.role, devices=self.devices,
                            landlord_id=self.signer.landlord_id, who=self.signer.name)

    def before_insert(self, schema: str = "bundle", path=None) -> rights.Guard | None:
        """Ownership and scope of what the attached bundle touches, as the receiver has it now."""
        if self.signer.role == PILOT or self.kind != "export":
            return None
        guard = self.guard()
        try:
            guard.before(self._targets(schema))
        except rights.RightsError as exc:
            raise SyncError("forbidden_op", path=path, reason=exc) from exc
        return guard

    def after_apply(self, guard: rights.Guard | None, path=None) -> None:
        """Scope of what the merge left (entities the bundle created included); binds the key."""
        if guard is not None:
            try:
                guard.after()
            except rights.RightsError as exc:
                raise SyncError("forbidden_op", path=path, reason=exc) from exc
        keys.bind_device(self.store, self.signer, self.manifest["device_id"])
        if self.new_succession is not None:
            record_succession(self.store, self.manifest["device_id"], self.new_succession)
        if self.predecessors:
            link_copies(self.store, self.predecessors)


def successions(store: Store, device: str) -> tuple[str, ...]:
    """The devices `device` took over from, nearest first (recorded at earlier merges)."""
    chain: list[str] = []
    while True:
        row = store.conn.execute("SELECT predecessor FROM sync_successions WHERE device_id = ?",
                                 (device,)).fetchone()
        if row is None or row[0] in chain:
            return tuple(chain)
        chain.append(row[0])
        device = row[0]


def record_succession(store: Store, device: str, predecessor: str) -> None:
    """Remember that `device` succeeds `predecessor`, and stop the predecessor's key:
    its chain forked, nothing more may come from it."""
    store.conn.execute("INSERT OR IGNORE INTO sync_successions (device_id, predecessor) "
                       "VALUES (?, ?)", (device, predecessor))
    store.conn.execute("UPDATE sync_trust SET revoked_at = coalesce(revoked_at, ?) "
                       "WHERE device_id = ?", (local.now(), predecessor))


def link_copies(store: Store, predecessors: tuple[str, ...], schema: str = "bundle") -> None:
    """An op carried over by `device renew` stands for the predecessor's op it copies:
    whatever was written on top of the original is on top of the copy too (no false
    conflict between an edit and the copy of what it edited)."""
    marks = ", ".join("?" * len(predecessors))
    store.conn.execute(
        f"INSERT OR IGNORE INTO sync_supersedes (op_id, ancestor) "
        f"SELECT o.op_id, n.op_id FROM {schema}.ops n JOIN ops o ON o.entity = n.entity "
        f"AND o.entity_id = n.entity_id AND o.field = n.field AND o.hlc = n.hlc "
        f"AND o.value IS n.value AND o.device_id IN ({marks})", predecessors)
