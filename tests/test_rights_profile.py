"""Profiles (who, which role, which landlord) and the one rights table, enforced by the store."""

from __future__ import annotations

import json

import pytest
import vigikfield_sync as sync
from sync_world import World
from vigikfield.app import VigikApp
from vigikfield.domain import rights
from vigikfield.domain.journal import Change
from vigikfield.domain.model import ENTITIES
from vigikfield.domain.profile import ProfileError
from vigikfield.domain.rights import RightsError
from vigikfield.domain.store import Store


def test_every_field_of_the_model_is_in_the_rights_table():
    assert set(rights.RIGHTS) == set(ENTITIES)
    for entity, fields in ENTITIES.items():
        assert set(rights.RIGHTS[entity]) == set(fields), entity
        for field, roles in rights.RIGHTS[entity].items():
            assert "pilot" in roles and roles <= {"pilot", "technician", "maintenance"}
    assert not rights.may_write("technician", "residences", "site_level")
    assert not rights.may_write("maintenance", "residences", "site_level")


def test_every_field_has_a_name_in_both_languages():
    from vigikfield import i18n

    for lang in i18n.LANGUAGES:
        catalog = i18n.catalog(lang)
        for entity, fields in ENTITIES.items():
            assert f"entity.{entity}" in catalog
            for field in fields:
                assert f"field.{entity}.{field}" in catalog, (lang, entity, field)


def test_the_actor_is_the_profiles_name_never_the_login(tmp_path, monkeypatch):
    monkeypatch.delenv("VIGIKFIELD_ACTOR")
    store = Store(tmp_path / "t.db")
    store.set_profile(name="Claire Dumont", role="pilot")
    store.create("communes", {"name": "Melun"})
    assert store.conn.execute("SELECT DISTINCT actor FROM ops").fetchall() == [("Claire Dumont",)]
    store.close()
    again = Store(tmp_path / "t.db")
    assert again.actor == "Claire Dumont" and again.role == "pilot"


def test_without_a_name_nobody_is_recorded_not_the_login(tmp_path, monkeypatch):
    import getpass

    monkeypatch.delenv("VIGIKFIELD_ACTOR")
    store = Store(tmp_path / "t.db")
    store.create("communes", {"name": "Melun"})
    (actor,) = store.conn.execute("SELECT actor FROM ops").fetchone()
    assert actor is None and actor != getpass.getuser()


def test_profile_cli_show_set_and_locked_roles(cli):
    shown = cli("profile", "show", "--json")
    assert shown.exit_code == 0
    (info,) = json.loads(shown.output)
    assert info["role"] == "pilot" and info["role_set"] is False
    assert cli("profile", "set", "--name", "Karim Benali", "--role", "technician").exit_code == 0
    refused = cli("profile", "set", "--role", "pilot")
    assert refused.exit_code == 2 and "seul un profil pilote" in refused.output
    assert "Karim Benali" in cli("profile", "show").output
    assert cli("profile", "set", "--name", " ").exit_code == 2
    assert cli("profile", "set", "--role", "maintenance").exit_code == 2  # locked too


def test_maintenance_profile_needs_a_known_landlord(store):
    store.ensure_project("P")
    landlord = store.create("landlords", {"name": "Habitat 77", "project_id": store.project_id})
    with pytest.raises(ProfileError):
        store.set_profile(role="maintenance")
    store.set_profile(role="maintenance", landlord_id=landlord, name="Mme Martin")
    assert store.profile.landlord_id == landlord


def test_first_work_order_makes_a_named_technician(tmp_path):
    world = World(tmp_path)
    tech = world.technician("Karim")
    assert tech.profile.role == "technician" and tech.profile.name == "Karim"


def test_store_refuses_a_technicians_write_outside_its_rights_and_writes_nothing(tmp_path):
    world = World(tmp_path)
    tech = world.technician("tech1")
    (before,) = tech.conn.execute("SELECT count(*) FROM ops").fetchone()
    for entity, entity_id, field, value in (
        ("residences", world.residence, "site_level", 1),
        ("halls", world.hall, "label", "Z"),
        ("landlords", world.landlord, "name", "X"),
    ):
        with pytest.raises(RightsError) as caught:
            tech.update(entity, entity_id, {field: value, **(
                {"notes": "rides along"} if entity == "halls" else {})})
        assert rights.field_name(entity, field) in str(caught.value)
    assert tech.conn.execute("SELECT count(*) FROM ops").fetchone() == (before,)
    tech.update("halls", world.hall, {"vigik": "compatible", "brand": "Urmet"})  # observed on site


def test_store_scope_of_a_maintenance_profile(tmp_path):
    store = Store(tmp_path / "m.db")
    store.ensure_project("P")
    mine = store.create("landlords", {"name": "Habitat 77", "project_id": store.project_id})
    theirs = store.create("landlords", {"name": "Autre", "project_id": store.project_id})
    commune = store.create("communes", {"name": "Melun"})
    my_res = store.create("residences", {"name": "A", "landlord_id": mine, "commune_id": commune})
    their_res = store.create("residences", {"name": "B", "landlord_id": theirs,
                                            "commune_id": commune})
    their_hall = store.create("halls", {"residence_id": their_res, "label": "X"})
    store.set_profile(role="maintenance", landlord_id=mine, name="Mme Martin")
    hall = store.create("halls", {"residence_id": my_res, "label": "E"})  # a new building
    store.update("halls", hall, {"brand": "Urmet"})
    (before,) = store.conn.execute("SELECT count(*) FROM ops").fetchone()
    with pytest.raises(RightsError):
        store.update("halls", their_hall, {"brand": "Urmet"})
    with pytest.raises(RightsError):
        store.update("halls", hall, {"residence_id": their_res})  # moved out of its landlord
    with pytest.raises(RightsError):
        store.create("halls", {"residence_id": their_res, "label": "F"})
    with pytest.raises(RightsError):
        store.update("residences", my_res, {"site_level": 2})
    assert store.conn.execute("SELECT count(*) FROM ops").fetchone() == (before,)


def test_a_technician_writes_only_its_own_attempts_in_the_store(tmp_path):
    world = World(tmp_path)
    tech = world.technician("tech1")
    foreign = "0b2f8a34-6c1e-4f5a-9d7e-2a4b6c8d0e1f"
    with tech.transaction() as conn:  # an attempt another device started, as a merge would leave
        from vigikfield.domain import journal

        journal.append(conn, tech.device_id,
                       [Change("encodings", foreign, "outcome", "failed", new=True)], actor="x",
                       chain="6f0e4c2a-1b3d-4e5f-8a9b-0c1d2e3f4a5b")
    with pytest.raises(RightsError):
        tech.update("encodings", foreign, {"outcome": "encoded"})
    mine = tech.create("encodings", {"hall_id": world.hall, "outcome": "no_access"})
    tech.update("encodings", mine, {"outcome": "encoded"})


def test_trust_add_requires_a_role_and_binds_devices(tmp_path, cli):
    world = World(tmp_path)
    cli.db_path = world.pilot.path
    tech = Store(tmp_path / "t9.db")
    from vigikfield_sync import keys

    text = keys.key_text(sync.prepare(tech))
    assert cli("trust", "add", text, "--name", "t9").exit_code == 2  # --role is required
    assert cli("trust", "add", text, "--name", "t9", "--role", "maintenance").exit_code == 2
    assert cli("trust", "add", text, "--name", "t9", "--role", "technician").exit_code == 0
    (entry,) = [e for e in json.loads(cli("trust", "list", "--json").output) if e["name"] == "t9"]
    assert entry["role"] == "technician" and entry["device_id"] == tech.device_id
    other = keys.public_hex(sync.prepare(Store(tmp_path / "t10.db")))
    taken = cli("trust", "add", other, "--name", "t10", "--role", "technician",
                "--device", tech.device_id)
    assert taken.exit_code == 2 and "déjà sa clé" in taken.output


async def test_the_header_names_the_person_and_role(tmp_path):
    store = Store(tmp_path / "t.db")
    store.set_profile(name="Sophie Lemaire", role="technician")
    app = VigikApp(store)
    async with app.run_test(size=(100, 30)):
        assert "Sophie Lemaire" in app.title and "technicien" in app.title
