"""A profile bound to one landlord: reads filtered in the store, the pilot's maintenance
bundle, the maintenance laptop's bundles merged or refused at the pilot's."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest
import vigikfield_sync as sync
from sync_world import World
from vigikfield.domain import checklist, journal, scope
from vigikfield.domain.halls import NoHall
from vigikfield.domain.journal import Change
from vigikfield.domain.rights import RightsError
from vigikfield.domain.store import Store
from vigikfield_sync import keys


class Desk:
    """The pilot's world with a second landlord, and a maintenance laptop of Habitat 77
    that imported the pilot's maintenance bundle (and is trusted by the pilot)."""

    def __init__(self, root: Path) -> None:
        self.world = World(root)
        p = self.pilot = self.world.pilot
        self.other = p.create("landlords", {"name": "Les Foyers de Seine",
                                            "project_id": p.project_id})
        commune = p.conn.execute("SELECT id FROM communes").fetchone()[0]
        self.foreign_res = p.create("residences", {"name": "Autre", "landlord_id": self.other,
                                                   "commune_id": commune, "site_level": 4})
        self.foreign_hall = p.create("halls", {"residence_id": self.foreign_res, "label": "Z"})
        p.create("service_cards", {"landlord_id": self.other, "fingerprint": "beef",
                                   "service": "poste"})
        self.maint = sync.prepare(Store(root / "maint.db", actor="Mme Martin"))
        sync.trust_add(self.maint, keys.key_text(p), "pilote", "pilot")
        sync.trust_add(p, keys.key_text(self.maint), "maintenance Habitat 77", "maintenance",
                       landlord_id=self.world.landlord)
        self.bundle = root / "maintenance.vfb"
        sync.maintenance(p, self.bundle, landlord_id=self.world.landlord)
        (outcome,) = sync.merge_files(self.maint, [self.bundle], "workorder")
        assert outcome.error is None, outcome.error

    def code(self, store: Store, hall_id: str) -> str:
        return store.get("halls", hall_id)["code"]


@pytest.fixture
def desk(tmp_path) -> Desk:
    return Desk(tmp_path)


def frozen(store: Store) -> str:
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return hashlib.sha256(Path(store.path).read_bytes()).hexdigest()


def test_the_import_makes_a_maintenance_laptop_bound_to_the_landlord(desk):
    m = desk.maint
    assert m.profile.role == "maintenance" and m.profile.landlord_id == desk.world.landlord
    assert m.actor == "Mme Martin"


def test_the_maintenance_bundle_holds_only_its_landlord_and_no_secret(desk):
    rows = sqlite3.connect(desk.bundle).execute("SELECT entity, entity_id, field FROM ops").fetchall()
    ids = {entity_id for _, entity_id, _ in rows}
    assert desk.world.residence in ids and desk.world.hall in ids and desk.world.centrale in ids
    assert not {desk.other, desk.foreign_res, desk.foreign_hall} & ids
    fields = {(entity, field) for entity, _, field in rows}
    assert ("residences", "site_level") not in fields
    assert not [e for e, _ in fields if e == "service_cards"]
    assert ("encodings", "card_fingerprint") not in fields
    m = desk.maint.conn
    assert m.execute("SELECT count(*) FROM residences WHERE site_level IS NOT NULL").fetchone() == (0,)
    assert m.execute("SELECT count(*) FROM service_cards").fetchone() == (0,)
    assert m.execute("SELECT count(*) FROM landlords").fetchone() == (1,)


def test_store_reads_for_each_role(desk, tmp_path):
    p, w = desk.pilot, desk.world
    # the pilot sees every landlord and the site levels
    assert {r.id for r in scope.residences(p)} == {w.residence, w.other_residence, desk.foreign_res}
    assert scope.site_levels(p) == {w.residence: 3, desk.foreign_res: 4}
    # a technician: what its work order brought, without the site levels unless sent
    tech = w.technician("Karim")
    assert {r.id for r in scope.residences(tech)} == {w.residence}
    assert scope.site_levels(tech) == {}
    # maintenance, asked directly on a database holding everything (the pilot's own copy
    # made maintenance): nothing of another landlord, never a site level, even its own
    copy = w.master_copy("as-maintenance")
    copy.set_profile(role="maintenance", landlord_id=w.landlord, name="Mme Martin")
    assert {r.id for r in scope.residences(copy)} == {w.residence, w.other_residence}
    assert scope.residence(copy, desk.foreign_res) is None
    assert scope.site_levels(copy) == {}
    assert [h for h in scope.halls(copy) if h.id == desk.foreign_hall] == []
    assert scope.halls(copy, desk.foreign_res) == []
    assert scope.hall(copy, desk.foreign_hall) is None
    with pytest.raises(NoHall):
        scope.find_hall(copy, desk.code(copy, desk.foreign_hall))
    assert scope.centrales(copy, desk.foreign_hall) == []
    assert {h.id for h in scope.halls(copy)} == {w.hall, w.hall2, w.far_hall}
    assert [c.id for c in scope.centrales(copy, w.hall)] == [w.centrale]


def test_maintenance_writes_only_its_landlord_in_the_store(desk):
    m = desk.maint
    code = desk.code(m, desk.world.hall)
    checklist.edit_hall(m, code, {"location": "local vélos"}, "relevé")
    before = m.conn.execute("SELECT count(*) FROM ops").fetchone()
    with pytest.raises(RightsError):
        m.update("residences", desk.world.residence, {"site_level": 1})
    assert m.conn.execute("SELECT count(*) FROM ops").fetchone() == before


def test_its_bundles_carry_only_its_changes_and_merge_at_the_pilot(desk):
    m, p = desk.maint, desk.pilot
    code = desk.code(m, desk.world.hall)
    checklist.replace_centrale(m, code, serial="SN-2", reason="vandalisée")
    added = checklist.add_hall(m, "Les Mézereaux", label="D", dwellings=6, vigik="compatible")
    out = desk.world.root / "from-maint.vfb"
    written = sync.export(m, out)
    devices = {d for (d,) in sqlite3.connect(out).execute("SELECT DISTINCT device_id FROM ops")}
    assert devices == {m.device_id} and written.ops > 0
    (outcome,) = sync.merge_files(p, [out], "export")
    assert outcome.error is None, outcome.error
    assert p.get("halls", added.entity_id)["label"] == "D"
    assert p.get("centrales", desk.world.centrale)["active"] == 0
    (new,) = [c for c in scope.centrales(p, desk.world.hall) if c.active]
    assert new.serial == "SN-2" and new.brand == "Intratone"
    assert journal.verify(p.conn) is None


def test_a_forged_bundle_touching_another_landlord_is_refused_master_unchanged(desk):
    m, p = desk.maint, desk.pilot
    checklist.edit_hall(m, desk.code(m, desk.world.hall), {"brand": "Urmet"}, "relevé")
    assert sync.merge_files(p, [desk.world.export(m)], "export")[0].error is None
    # ops written behind the store's back (a thief editing the laptop's database)
    m.conn.execute("PRAGMA foreign_keys = OFF")
    with m.transaction() as conn:
        journal.append(conn, m.device_id, [Change("halls", desk.foreign_hall, "retired", 1)],
                       actor="Mme Martin", reason="forged")
    m.conn.execute("PRAGMA foreign_keys = ON")
    before = frozen(p)
    (outcome,) = sync.merge_files(p, [desk.world.export(m)], "export")
    assert outcome.error is not None and outcome.error.key == "forbidden_op"
    assert "autre bailleur" in str(outcome.error)
    assert frozen(p) == before
    assert not p.get("halls", desk.foreign_hall)["retired"]


def test_bundle_maintenance_cli(desk, cli, tmp_path):
    cli.db_path = desk.pilot.path
    out = tmp_path / "cli.vfb"
    done = cli("bundle", "maintenance", "--landlord", "habitat 77", "--out", out)
    assert done.exit_code == 0, done.output
    assert "Habitat 77" in done.output and out.exists()
    unknown = cli("bundle", "maintenance", "--landlord", "Nobody", "--out", tmp_path / "x.vfb")
    assert unknown.exit_code == 2 and not (tmp_path / "x.vfb").exists()
