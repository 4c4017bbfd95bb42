"""The landlord's checklist from the command line: stories end to end, rights, bad input."""

from __future__ import annotations

import json

import pytest
import tinyterritory
from conftest import Cli
from sync_world import World
from vigikfield.domain import hallcode, progress


def _ops(store) -> int:
    return store.conn.execute("SELECT count(*) FROM ops").fetchone()[0]


def _json(result) -> object:
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def _key(cli: Cli) -> str:
    done = cli("device", "show", "--public-key")
    assert done.exit_code == 0, done.output
    return done.output.strip()


def test_replaced_centrale_story_end_to_end(tmp_path):
    world = World(tmp_path)
    pilot = Cli(world.pilot.path)
    tech_store = world.technician("Karim")
    tech = Cli(tech_store.path)
    code = world.pilot.get("halls", world.hall)["code"]
    # 1. Karim encodes hall B; the pilot merges it
    assert tech("encode", code, "--outcome", "encoded").exit_code == 0
    first = tmp_path / "karim-1.vfb"
    assert tech("bundle", "export", "--out", first).exit_code == 0
    assert pilot("bundle", "merge", first).exit_code == 0
    assert _json(pilot("hall", "show", code, "--json"))[0]["status"] == "encoded"
    # 2. Habitat 77's maintenance laptop gets its checklist and replaces the vandalised centrale
    maint = Cli(tmp_path / "maint.db")
    assert maint("trust", "add", _key(pilot), "--name", "pilote", "--role", "pilot").exit_code == 0
    assert pilot("trust", "add", _key(maint), "--name", "Mme Martin", "--role", "maintenance",
                 "--landlord", "Habitat 77").exit_code == 0
    assert pilot("bundle", "maintenance", "--landlord", "Habitat 77",
                 "--out", tmp_path / "m.vfb").exit_code == 0
    assert maint("bundle", "import", tmp_path / "m.vfb").exit_code == 0
    assert maint("profile", "set", "--name", "Mme Martin").exit_code == 0
    done = maint("hall", "replace-centrale", code, "--brand", "Urmet", "--model", "Fortissimo",
                 "--serial", "U-77", "--reason", "centrale vandalisée")
    assert done.exit_code == 0, done.output
    assert maint("bundle", "export", "--out", tmp_path / "maint-1.vfb").exit_code == 0
    merged = pilot("bundle", "merge", tmp_path / "maint-1.vfb")
    assert merged.exit_code == 0, merged.output
    shown = _json(pilot("hall", "show", code, "--json"))[0]
    assert shown["status"] != "encoded" and shown["brand"] == "Urmet"
    # 3. the pilot's next work order: Karim's route shows the hall to encode
    assert pilot("bundle", "workorder", "--technician", "Karim", "--residence", "Les Mézereaux",
                 "--out", tmp_path / "wo-2.vfb").exit_code == 0
    assert tech("bundle", "import", tmp_path / "wo-2.vfb").exit_code == 0
    rows = {r.code: r for r in progress.hall_rows(tech_store.conn, world.residence)}
    assert rows[code].status in ("compatible", "to_check") and rows[code].brand == "Urmet"
    # 4. Karim encodes the new centrale; the pilot merges it
    assert tech("encode", code, "--outcome", "encoded").exit_code == 0
    assert tech("bundle", "export", "--out", tmp_path / "karim-2.vfb").exit_code == 0
    assert pilot("bundle", "merge", tmp_path / "karim-2.vfb").exit_code == 0
    # 5. the history shows both centrales and both encodings
    shown = _json(pilot("hall", "show", code, "--json"))[0]
    assert shown["status"] == "encoded"
    centrales = {c["id"]: c for c in shown["centrales"]}
    assert len(centrales) == 2
    (active,) = [c for c in centrales.values() if c["active"]]
    assert (active["brand"], active["serial"]) == ("Urmet", "U-77")
    assert [a["counts"] for a in shown["attempts"]] == [False, True]
    history = _json(pilot("journal", "show", code, "--json"))
    closed = [h for h in history if h["entity"] == "centrales" and h["field"] == "active"
              and h["new"] == 0]
    assert closed and closed[0]["actor"] == "Mme Martin"
    assert closed[0]["reason"] == "centrale vandalisée"
    outcomes = [h for h in history if h["entity"] == "encodings" and h["field"] == "outcome"]
    assert [h["new"] for h in outcomes] == ["encoded", "encoded"]
    assert {h["actor"] for h in outcomes} == {"Karim"}
    assert pilot("journal", "verify").exit_code == 0


def test_a_new_residence_with_four_halls_reaches_a_work_order(tmp_path):
    world = World(tmp_path)
    pilot = Cli(world.pilot.path)
    added = pilot("residence", "add", "--landlord", "habitat 77", "--commune", "77288",
                  "--name", "Les Jardins", "--address", "1 rue Neuve", "--dwellings", "40")
    assert added.exit_code == 0, added.output
    codes = []
    for label in ("A", "B", "C", "D"):
        done = pilot("hall", "add", "les jardins", "--label", label, "--dwellings", "10",
                     "--brand", "Intratone", "--model", "2G", "--vigik", "compatible")
        assert done.exit_code == 0, done.output
        codes.append(done.output.split()[1])
    assert len(set(codes)) == 4 and all(hallcode.is_valid(c) for c in codes)
    assert pilot("bundle", "workorder", "--technician", "Lina", "--residence", "Les Jardins",
                 "--out", tmp_path / "wo.vfb").exit_code == 0
    tech = Cli(tmp_path / "lina.db")
    assert tech("trust", "add", _key(pilot), "--name", "pilote", "--role", "pilot").exit_code == 0
    assert tech("bundle", "import", tmp_path / "wo.vfb").exit_code == 0
    listed = _json(tech("hall", "list", "--residence", "Les Jardins", "--json"))
    assert sorted(h["code"] for h in listed) == sorted(codes)
    assert {h["status"] for h in listed} == {"compatible"}
    from vigikfield.domain.store import Store

    lina = Store(tmp_path / "lina.db")
    (row,) = progress.route(lina.conn, "Lina")
    assert (row.name, row.halls, row.dwellings) == ("Les Jardins", 4, 40)
    lina.close()


def test_retire_and_restore_counts_and_route_follow(store, cli):
    ids = tinyterritory.build(store)
    code = store.get("halls", ids["mez_b"])["code"]

    def mezereaux():
        return next(r for r in progress.residences(store.conn) if r.id == ids["mezereaux"])

    before = mezereaux()
    assert (before.halls, before.dwellings) == (3, 30)
    done = cli("hall", "retire", code, "--reason", "démoli")
    assert done.exit_code == 0, done.output
    after = mezereaux()
    assert (after.halls, after.dwellings) == (2, 20)
    assert ids["mez_b"] not in {r.id for r in progress.hall_rows(store.conn, ids["mezereaux"])}
    assert code not in cli("hall", "list").output
    shown = cli("hall", "show", code)
    assert shown.exit_code == 0 and "retiré" in shown.output
    assert _json(cli("hall", "show", code, "--json"))[0]["status"] == "retired"
    again = cli("hall", "retire", code, "--reason", "deux fois")
    assert again.exit_code == 0 and "rien n'est écrit" in again.output
    assert cli("hall", "restore", code, "--reason", "erreur de saisie").exit_code == 0
    assert mezereaux() == before
    reasons = [h["reason"] for h in _json(cli("journal", "show", code, "--json"))
               if h["field"] == "retired"]
    assert reasons == ["démoli", "erreur de saisie"]


def test_edit_writes_one_op_per_changed_field_with_actor_and_reason(store, cli):
    ids = tinyterritory.build(store)
    code = store.get("halls", ids["al_a"])["code"]
    before = _ops(store)
    done = cli("hall", "edit", code, "--brand", "Intratone", "--location", "local vélos",
               "--dwellings", "7", "--reason", "visite du 1er décembre")
    assert done.exit_code == 0, done.output
    rows = store.conn.execute("SELECT field, actor, reason FROM ops ORDER BY rowid").fetchall()
    assert _ops(store) == before + 2  # the brand was already Intratone
    assert rows[-2:] == [("centrale_location", "test", "visite du 1er décembre"),
                         ("dwellings", "test", "visite du 1er décembre")]


@pytest.mark.parametrize("args", [
    ("hall", "edit", "{code}", "--brand", "Urmet"),                      # no --reason
    ("hall", "edit", "{code}", "--brand", "Urmet", "--reason", "  "),    # an empty reason
    ("hall", "edit", "{code}", "--reason", "rien"),                      # nothing to change
    ("hall", "edit", "{code}", "--vigik", "maybe", "--reason", "x"),
    ("hall", "edit", "{code}", "--dwellings", "-3", "--reason", "x"),
    ("hall", "edit", "ABC", "--brand", "Urmet", "--reason", "x"),        # not a code
    ("hall", "retire", "{code}"),
    ("hall", "replace-centrale", "{code}", "--brand", "Urmet"),
    ("hall", "re-encode", "{code}", "--reason", ""),
    ("hall", "add", "Nulle Part", "--label", "A"),
    ("hall", "add", "Les Alouettes", "--label", " "),
    ("hall", "add", "Les Alouettes", "--label", "C", "--dwellings", "many"),
    ("residence", "add", "--landlord", "Habitat 77", "--commune", "Atlantis", "--name", "X"),
    ("residence", "add", "--landlord", "Personne", "--commune", "Melun", "--name", "X"),
    ("residence", "add", "--commune", "Melun", "--name", "X"),           # which landlord?
])
def test_bad_input_exits_2_and_writes_nothing(store, cli, args):
    ids = tinyterritory.build(store)
    code = store.get("halls", ids["al_a"])["code"]
    before = _ops(store)
    result = cli(*(a.format(code=code) for a in args))
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert _ops(store) == before


def test_an_unknown_code_is_a_failed_check(store, cli):
    tinyterritory.build(store)
    code = "ABCDEF" + hallcode.check_char("ABCDEF")
    result = cli("hall", "retire", code, "--reason", "x")
    assert result.exit_code == 1 and code in result.output


def test_a_technician_is_refused_every_checklist_change(tmp_path):
    world = World(tmp_path)
    tech_store = world.technician("Karim")
    tech = Cli(tech_store.path)
    code = tech_store.get("halls", world.hall)["code"]
    before = _ops(tech_store)
    for args in (("hall", "edit", code, "--location", "cave", "--reason", "x"),
                 ("hall", "replace-centrale", code, "--reason", "x"),
                 ("hall", "re-encode", code, "--reason", "x"),
                 ("hall", "retire", code, "--reason", "x"),
                 ("hall", "add", "Les Mézereaux", "--label", "E"),
                 ("residence", "add", "--landlord", "Habitat 77", "--commune", "Melun",
                  "--name", "X")):
        result = tech(*args)
        assert result.exit_code == 2 and "technicien" in result.output, (args, result.output)
    assert _ops(tech_store) == before


def test_maintenance_edits_only_its_landlords_halls(store, cli):
    ids = tinyterritory.build(store)
    store.set_profile(role="maintenance", landlord_id=ids["foyers"], name="M. Roche")
    mine = store.get("halls", ids["pc_2"])["code"]
    theirs = store.get("halls", ids["al_a"])["code"]
    assert cli("hall", "edit", mine, "--vigik", "compatible", "--reason", "vu").exit_code == 0
    before = _ops(store)
    refused = cli("hall", "retire", theirs, "--reason", "x")
    assert refused.exit_code == 1 and theirs in refused.output  # no such hall, for it
    assert cli("hall", "add", "Les Alouettes", "--label", "Z").exit_code == 2
    added = cli("residence", "add", "--commune", "Melun", "--name", "Le Clos")  # its landlord
    assert added.exit_code == 0, added.output
    listed = cli("residence", "list")
    assert "Le Clos" in listed.output and "Alouettes" not in listed.output
    assert _ops(store) > before
