"""Test territory for the sync tests: a pilot database and technicians' databases (one file each)."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import vigikfield_sync as sync
from vigikfield.domain.model import ORDER
from vigikfield.domain.store import Store
from vigikfield_sync import keys


class World:
    """A pilot with a small territory, and technicians who imported its work order."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.pilot = sync.prepare(Store(root / "pilot.db", actor="pilote"))
        p = self.pilot
        p.ensure_project("Melun Val de Seine")
        self.landlord = p.create("landlords", {"name": "Habitat 77", "project_id": p.project_id})
        commune = p.create("communes", {"name": "Melun", "insee": "77288"})
        self.residence = p.create("residences", {
            "name": "Les Mézereaux", "landlord_id": self.landlord, "commune_id": commune,
            "site_level": 3, "dwellings": 40,
        })
        self.other_residence = p.create("residences", {
            "name": "Plein Ciel", "landlord_id": self.landlord, "commune_id": commune,
        })
        for residence in (self.residence, self.other_residence):  # the landlord said yes
            p.create("authorisations", {"residence_id": residence, "decision": "granted",
                                        "decided_by": "M. Dupont (gardien chef)",
                                        "decided_on": "2026-10-01"})
        self.hall = p.create("halls", {"residence_id": self.residence, "label": "B", "dwellings": 12})
        self.hall2 = p.create("halls", {"residence_id": self.residence, "label": "C", "dwellings": 8})
        self.far_hall = p.create("halls", {"residence_id": self.other_residence, "label": "A"})
        self.centrale = p.create("centrales", {"hall_id": self.hall, "brand": "Intratone", "capacity": 255})
        p.create("service_cards", {"landlord_id": self.landlord, "fingerprint": "f00d", "service": "poste"})
        self.technicians: dict[str, Store] = {}
        self.bundles: list[Path] = []

    def technician(self, name: str, *, confidential: bool = False) -> Store:
        """A new device that trusts the pilot, is trusted by it, and imported a work order."""
        tech = sync.prepare(Store(self.root / f"{name}.db", actor=name))
        sync.trust_add(self.pilot, keys.key_text(tech), name, "technician")
        sync.trust_add(tech, keys.key_text(self.pilot), "pilote", "pilot")
        order = self.root / f"wo-{name}.vfb"
        sync.workorder(self.pilot, order, technician=name, residences=["Les Mézereaux"],
                       include_confidential=confidential)
        (outcome,) = sync.merge_files(tech, [order], "workorder")
        assert outcome.error is None, outcome.error
        self.technicians[name] = tech
        return tech

    def export(self, device: Store, *, everything: bool = False) -> Path:
        path = self.root / f"b{len(self.bundles):03d}-{device.actor}.vfb"
        written = sync.export(device, path, everything=everything)
        assert written.ops > 0
        self.bundles.append(path)
        return path

    def master_copy(self, name: str) -> Store:
        """A fresh copy of the pilot's database to merge into (the pilot itself stays untouched)."""
        self.pilot.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        target = self.root / "masters" / f"{name}.db"
        target.parent.mkdir(exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        shutil.rmtree(f"{target}.bundles", ignore_errors=True)
        shutil.copyfile(self.pilot.path, target)
        return sync.prepare(Store(target, actor="pilote"))


def canonical(store_or_path: Store | Path) -> list:
    """Everything replicated or derived from it: ops, state tables, conflicts (without local times)."""
    path = store_or_path.path if isinstance(store_or_path, Store) else store_or_path
    conn = sqlite3.connect(path)
    try:
        dump: list = [sorted(conn.execute("SELECT * FROM ops"))]
        for table in ORDER:
            dump.append((table, sorted(conn.execute(f"SELECT * FROM {table}"))))
        dump.append(sorted(conn.execute(
            "SELECT id, entity, entity_id, field, op_a, op_b, resolved_op FROM sync_conflicts")))
        dump.append(conn.execute("SELECT hlc FROM device").fetchall())
        return dump
    finally:
        conn.close()


def receipts_count(store: Store) -> int:
    return store.conn.execute("SELECT count(*) FROM sync_receipts").fetchone()[0]
