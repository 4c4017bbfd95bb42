"""`vigikfield hall show` and `hall list`; names matched ignoring case and accents everywhere."""

from __future__ import annotations

import json

import pytest

import tinyterritory
import vigikfield_sync as sync
from sync_world import World
from vigikfield.commands import hall as hall_command
from vigikfield.domain import halls, names, status, wizard


def _code(store, ids, key):
    return store.get("halls", ids[key])["code"]


def test_list_json_is_a_list_of_objects_with_the_documented_keys(store, cli):
    ids = tinyterritory.build(store)
    result = cli("hall", "list", "--json")
    assert result.exit_code == 0, result.output
    listed = json.loads(result.output)
    assert isinstance(listed, list) and len(listed) == 7
    assert all(tuple(h) == halls.LIST_KEYS for h in listed)
    by_code = {h["code"]: h for h in listed}
    assert by_code[_code(store, ids, "mez_a")] == {
        "code": _code(store, ids, "mez_a"), "label": "A", "residence": "Les Mézereaux",
        "landlord": "Habitat 77", "commune": "Melun", "dwellings": 12, "status": "encoded",
        "to_verify": 0}
    assert by_code[_code(store, ids, "pc_1")]["status"] == "failed"
    assert by_code[_code(store, ids, "pc_2")]["status"] == "to_check"
    # the keys are documented where --help (and docs/cli.md) shows them
    help_text = cli("hall", "list", "--help", lang="en").output
    assert all(key in help_text for key in halls.LIST_KEYS)


@pytest.mark.parametrize("args, keys", [
    (["--residence", "les mezereaux"], {"mez_a", "mez_b", "mez_c"}),
    (["--residence", "LES  MÉZEREAUX"], {"mez_a", "mez_b", "mez_c"}),
    (["--landlord", "les foyers de seine et marne"], set()),
    (["--landlord", "les foyers de seine-et-marne"], {"pc_1", "pc_2"}),
    (["--commune", "le mee-sur-seine"], {"pc_1", "pc_2", "al_a", "al_b"}),
    (["--commune", "77285"], {"pc_1", "pc_2", "al_a", "al_b"}),
    (["--commune", "le mee-sur-seine", "--landlord", "habitat 77"], {"al_a", "al_b"}),
    (["--status", "compatible"], {"mez_b", "al_a", "al_b"}),
    (["--status", "no_access"], set()),
])
def test_list_filters_combine_and_ignore_case_and_accents(store, cli, args, keys):
    ids = tinyterritory.build(store)
    result = cli("hall", "list", *args, "--json")
    if args[:2] == ["--landlord", "les foyers de seine et marne"]:
        assert result.exit_code == 2 and "Les Foyers" in result.output  # known names are listed
        return
    assert result.exit_code == 0, result.output
    assert {h["code"] for h in json.loads(result.output)} == {_code(store, ids, k) for k in keys}


def test_list_refuses_unknown_names_and_statuses(store, cli):
    tinyterritory.build(store)
    for args in (["--residence", "Les Lilas"], ["--commune", "Paris"], ["--status", "done"]):
        result = cli("hall", "list", *args)
        assert result.exit_code == 2, (args, result.output)
        assert "Traceback" not in result.output
    assert "--residence" in cli("hall", "list", "--residence", "Les Lilas").output


def test_list_text_is_one_line_per_hall_with_a_header(store, cli):
    tinyterritory.build(store)
    lines = cli("hall", "list", "--residence", "Les Alouettes").output.splitlines()
    assert lines[0].split("\t") == ["code", "hall", "résidence", "bailleur", "commune",
                                    "logements", "état"]
    assert len(lines) == 3 and lines[1].split("\t")[-1] == "compatible"


def test_show_says_the_status_the_rule_the_centrales_and_the_attempts(store, cli):
    ids = tinyterritory.build(store)
    code = _code(store, ids, "al_a")
    for args in (["--outcome", "no-access", "--reason", "gardien absent"],
                 ["--outcome", "encoded", "--door", "not-tested"],
                 ["--outcome", "no-access", "--reason", "local fermé"]):
        assert cli("encode", code, *args).exit_code == 0
    result = cli("hall", "show", code.lower(), "--json")
    assert result.exit_code == 0, result.output
    (shown,) = json.loads(result.output)
    assert (shown["code"], shown["residence"], shown["landlord"]) == (
        code, "Les Alouettes", "Habitat 77")
    assert (shown["status"], shown["rule"], shown["door_not_tested"]) == (
        "encoded", "outcome", True)
    assert [a["result"] for a in shown["attempts"]] == ["no_access", "encoded", "no_access"]
    assert [a["decisive"] for a in shown["attempts"]] == [False, True, False]
    assert shown["decided_by"] == shown["attempts"][1]["id"]
    assert shown["attempts"][1]["card_override"] == "reason.command_line"
    assert shown["attempts"][1]["windows"] == [["00:00", "24:00"]]
    assert all(a["who"] == "test" and a["when"] for a in shown["attempts"])
    assert len(shown["centrales"]) == 1 and shown["centrales"][0]["active"] is True
    assert shown["conflicts"] == []
    text = cli("hall", "show", code).output
    assert "État : encodé (porte non testée) — règle : le dernier résultat concluant" in text
    assert "Passages (3)" in text and "← décide de l'état" in text
    english = cli("hall", "show", code, lang="en").output
    assert "Status: encoded (door not tested)" in english


def test_show_refuses_bad_codes_and_says_when_none_matches(store, cli):
    tinyterritory.build(store)
    assert cli("hall", "show", "ZZ").exit_code == 2
    result = cli("hall", "show", "ZZZZZZZ")
    assert result.exit_code == 2 and "Traceback" not in result.output
    free = store.free_hall_code("00000000-0000-4000-8000-000000000000")
    result = cli("hall", "show", free)
    assert result.exit_code == 1 and free in result.output


def test_show_lists_open_conflicts_on_the_hall(tmp_path, cli):
    world = World(tmp_path)
    t1, t2 = world.technician("tech1"), world.technician("tech2")
    t1.update("halls", world.hall, {"model": "M13"})
    t2.update("halls", world.hall, {"model": "M16"})
    sync.merge_files(world.pilot, [world.export(t1), world.export(t2)])
    cli.db_path = world.pilot.path
    code = world.pilot.get("halls", world.hall)["code"]
    (shown,) = json.loads(cli("hall", "show", code, "--json").output)
    (conflict,) = shown["conflicts"]
    assert (conflict["entity"], conflict["field"]) == ("halls", "model")
    assert {conflict["a"], conflict["b"]} == {"M13", "M16"}
    assert "modèle" in cli("hall", "show", code).output


def test_status_names_are_the_same_everywhere():
    assert hall_command.STATUSES == status.HALL_STATUSES


def test_names_fold_case_accents_ligatures_and_spaces():
    assert names.fold("  Les  MÉZEREAUX ") == names.fold("les mezereaux") == "les mezereaux"
    assert names.same("Les Œillets", "les oeillets")
    assert names.matching([("1", "Dammarie-lès-Lys"), ("2", None)], "DAMMARIE-LES-LYS") == [
        ("1", "Dammarie-lès-Lys")]


def test_work_order_and_labels_find_a_residence_ignoring_case_and_accents(tmp_path, cli):
    world = World(tmp_path)
    cli.db_path = world.pilot.path
    result = cli("bundle", "workorder", "--technician", "Karim", "--residence", "les mezereaux",
                 "--out", tmp_path / "wo.vfb")
    assert result.exit_code == 0, result.output
    wizard.record_outcome(world.pilot, world.hall, "encoded")
    result = cli("labels", "--residence", "LES MEZEREAUX", "--out", tmp_path / "l.pdf")
    assert result.exit_code == 0, result.output
    assert "1 étiquette" in result.output


def test_conflict_settlement_accepts_a_b_in_any_case_and_refuses_bad_values(tmp_path, cli):
    world = World(tmp_path)
    t1, t2 = world.technician("tech1"), world.technician("tech2")
    t1.update("halls", world.hall, {"vigik": "compatible", "model": "M13"})
    t2.update("halls", world.hall, {"vigik": "incompatible", "model": "M16"})
    sync.merge_files(world.pilot, [world.export(t1), world.export(t2)])
    cli.db_path = world.pilot.path
    listed = json.loads(cli("conflicts", "list", "--json").output)
    code = world.pilot.get("halls", world.hall)["code"]
    assert {c["hall_code"] for c in listed} == {code}
    by_field = {c["field"]: c for c in listed}
    before = world.pilot.conn.execute("SELECT count(*) FROM ops").fetchone()
    assert cli("conflicts", "resolve", by_field["vigik"]["id"], "--keep", "peut-être").exit_code == 2
    assert world.pilot.conn.execute("SELECT count(*) FROM ops").fetchone() == before
    assert cli("conflicts", "resolve", by_field["vigik"]["id"], "--keep", "b").exit_code == 0
    assert world.pilot.get("halls", world.hall)["vigik"] == by_field["vigik"]["b"]["value"]
    assert cli("conflicts", "resolve", by_field["model"]["id"], "--keep", "a").exit_code == 0
    assert world.pilot.get("halls", world.hall)["model"] == by_field["model"]["a"]["value"]
    assert cli("journal", "verify").exit_code == 0
