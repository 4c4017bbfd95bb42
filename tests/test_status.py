"""One status per hall (docs/statuses.md): the rule, the door test, resume, the op log's order."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tinyterritory
from vigikfield.domain import journal, labels, progress, status, wizard
from vigikfield.domain.store import Store

# -- attempts as the wizard makes them ----------------------------------------

def _fresh(store: Store, hall_id: str) -> wizard.HallState:
    """A new attempt (another visit), whatever the hall holds already."""
    state = wizard.open_hall(store, hall_id)
    state.encoding, state.history = None, []
    return state


def _programmed(store, hall_id, outcome="encoded"):
    state = wizard.confirm_compatibility(store, _fresh(store, hall_id), "compatible")
    state = wizard.confirm_card(store, state, override_reason="lecteur en panne")
    return wizard.confirm_encoding(store, state, outcome)


def _attempt(store: Store, hall_id: str, kind: str) -> None:
    if kind in ("encoded", "already"):
        state = _programmed(store, hall_id, "encoded" if kind == "encoded" else "already_present")
        wizard.confirm_label(store, wizard.confirm_door(store, state, True), True)
    elif kind == "door_failed":
        wizard.confirm_door(store, _programmed(store, hall_id), False)
    elif kind == "door_not_tested":
        state = wizard.door_not_tested(store, _programmed(store, hall_id), "pas de badge")
        wizard.confirm_label(store, state, True)
    elif kind == "at_door":
        _programmed(store, hall_id)
    elif kind == "failed":
        state = wizard.confirm_compatibility(store, _fresh(store, hall_id), "compatible")
        state = wizard.confirm_card(store, state, override_reason="lecteur en panne")
        wizard.confirm_encoding(store, state, "failed", failure_reason="memory_full")
    elif kind == "incompatible":
        wizard.confirm_compatibility(store, _fresh(store, hall_id), "incompatible")
    elif kind == "no_access":
        wizard.no_access(store, _fresh(store, hall_id), "local fermé")
    elif kind == "no_access_card":
        state = wizard.confirm_compatibility(store, _fresh(store, hall_id), "compatible")
        wizard.no_access(store, state, "gardien absent")
    elif kind == "stopped_card":
        wizard.confirm_compatibility(store, _fresh(store, hall_id), "compatible")
    elif kind == "verify_later":
        wizard.confirm_compatibility(store, _fresh(store, hall_id), "unknown")
    elif kind == "replace":  # the centrale is replaced: a new one will be made
        (centrale,) = store.conn.execute(
            "SELECT id FROM centrales WHERE hall_id = ? AND active = 1", (hall_id,)).fetchone()
        store.update("centrales", centrale, {"active": 0}, reason="replaced")
    else:
        raise AssertionError(kind)


RESULT = {"encoded": "encoded", "already": "encoded", "door_failed": "failed",
          "door_not_tested": "encoded", "at_door": "encoded", "failed": "failed",
          "incompatible": "incompatible", "no_access": "no_access",
          "no_access_card": "no_access", "stopped_card": None, "verify_later": None}
VIGIK = {"incompatible": "incompatible", "verify_later": "unknown"}
KINDS = [*RESULT, "replace"]


def expected(events: list[str], vigik: str) -> tuple[str, bool]:
    """The rule of docs/statuses.md, written out: (status, door not tested)."""
    generation = 0
    counted: list[tuple[str, str]] = []  # (result, kind) of the attempts that count
    for kind in events:
        if kind == "replace":
            generation += 1
            counted = []  # the replaced centrale's attempts no longer count
            continue
        if kind != "no_access":  # every other visit began with the compatibility step
            vigik = VIGIK.get(kind, "compatible")
        if RESULT[kind] is not None:
            counted.append((RESULT[kind], kind))
    if not counted:
        return {"incompatible": "incompatible", "compatible": "compatible"}.get(
            vigik, "to_check"), False
    conclusive = [c for c in counted if c[0] != "no_access"]
    last = counted[-1]
    decided = conclusive[-1] if conclusive and (
        conclusive[-1][0] == "encoded" or last[0] != "no_access") else last
    return decided[0], decided[1] in ("door_not_tested", "at_door")


_halls = itertools.count()


def _new_hall(store: Store, ids: dict, vigik: str = "compatible") -> str:
    return store.create("halls", {"residence_id": ids["alouettes"], "vigik": vigik,
                                  "label": f"H{next(_halls)}", "dwellings": 3})


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    store = Store(tmp_path_factory.mktemp("status") / "status.db", actor="Karim")
    ids = tinyterritory.build(store)
    yield store, ids
    store.close()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(events=st.lists(st.sampled_from(KINDS), max_size=6),
       vigik=st.sampled_from(["compatible", "unknown", "incompatible"]))
def test_any_sequence_of_attempts_gives_the_status_the_rule_says(shared, events, vigik):
    store, ids = shared
    hall = _new_hall(store, ids, vigik)
    done = []
    for kind in events:
        if kind == "replace" and not store.conn.execute(
                "SELECT 1 FROM centrales WHERE hall_id = ? AND active = 1", (hall,)).fetchone():
            continue  # nothing to replace yet
        _attempt(store, hall, kind)
        done.append(kind)
    want, door_not_tested = expected(done, vigik)
    got = status.of_hall(store.conn, hall)
    assert (got.status, got.door_not_tested) == (want, door_not_tested), done
    # the deciding attempt kept by triggers is the one the rule gives from scratch
    assert journal.verify_decided(store.conn) is None, done
    assert journal.verify_counts(store.conn) is None, done
    assert got.rule in status.RULES and (got.decided_by is None) == (got.rule == "compatibility")
    rows = {r.id: r for r in progress.hall_rows(store.conn, ids["alouettes"])}
    assert rows[hall].status == want
    label, encoded = labels.for_hall(store.conn, store.get("halls", hall)["code"])
    assert encoded == (want == "encoded") and (label.encoded_on is not None) == encoded
    # a hall has one active centrale at most, whatever happened
    (active,) = store.conn.execute(
        "SELECT count(*) FROM centrales WHERE hall_id = ? AND active = 1", (hall,)).fetchone()
    assert active <= 1


@pytest.mark.parametrize("events, want, rule", [
    (["encoded", "no_access"], "encoded", "outcome"),
    (["encoded", "stopped_card"], "encoded", "outcome"),
    (["failed", "no_access"], "no_access", "no_access"),
    (["no_access", "encoded"], "encoded", "outcome"),
    (["encoded", "failed"], "failed", "outcome"),
    (["encoded", "door_failed"], "failed", "door_failed"),
    (["door_failed", "no_access"], "no_access", "no_access"),
    (["encoded", "replace"], "compatible", "compatibility"),
    (["encoded", "replace", "no_access"], "no_access", "no_access"),
    (["verify_later"], "to_check", "compatibility"),
    (["incompatible", "no_access"], "no_access", "no_access"),
    (["no_access", "incompatible"], "incompatible", "outcome"),
])
def test_the_rule_case_by_case(store, events, want, rule):
    ids = tinyterritory.build(store)
    hall = _new_hall(store, ids)
    for kind in events:
        _attempt(store, hall, kind)
    got = status.of_hall(store.conn, hall)
    assert (got.status, got.rule) == (want, rule)
    assert expected(events, "compatible")[0] == want  # the oracle agrees with the examples
    assert journal.verify(store.conn) is None


def test_door_failed_is_not_encoded_and_needs_attention(store):
    ids = tinyterritory.build(store)
    state = wizard.confirm_door(store, _programmed(store, ids["al_a"]), False)
    assert state.step == "done"
    enc = state.encoding
    assert (enc["outcome"], enc["failure_reason"], enc["door_opened"]) == (
        "failed", "door_does_not_open", 0)
    got = status.of_hall(store.conn, ids["al_a"])
    assert (got.status, got.rule) == ("failed", "door_failed")
    (residence,) = [r for r in progress.residences(store.conn) if r.id == ids["alouettes"]]
    assert residence.status == "attention"
    label, encoded = labels.for_hall(store.conn, store.get("halls", ids["al_a"])["code"])
    assert not encoded and not any(line.startswith("Encodé") for line in label.lines)


def test_no_access_at_the_door_keeps_the_hall_encoded_door_not_tested(store):
    ids = tinyterritory.build(store)
    state = _programmed(store, ids["al_a"])
    state = wizard.no_access(store, state, "porte condamnée")
    assert state.step == "label" and state.encoding["outcome"] == "encoded"
    assert state.encoding["notes"] == "porte condamnée"
    with pytest.raises(wizard.WizardError):  # at the label step, "no access" no longer applies
        wizard.no_access(store, state, "trop tard")
    got = status.of_hall(store.conn, ids["al_a"])
    assert (got.status, got.door_not_tested) == ("encoded", True)
    (row,) = [r for r in progress.hall_rows(store.conn, ids["alouettes"]) if r.id == ids["al_a"]]
    assert row.status == "encoded" and row.door_not_tested


def test_a_second_visit_resumes_at_the_step_reached_whatever_came_before(store):
    ids = tinyterritory.build(store)
    hall = ids["al_a"]
    wizard.no_access(store, wizard.open_hall(store, hall), "gardien absent")
    state = wizard.open_hall(store, hall)
    assert state.step == "compatibility" and state.encoding is None  # the visit ended
    wizard.confirm_compatibility(store, state, "compatible")
    reopened = wizard.open_hall(store, hall)
    assert reopened.step == "card" and len(reopened.history) == 1
    rows = {r.id: r for r in progress.hall_rows(store.conn, ids["alouettes"], store.own_devices())}
    assert rows[hall].step == "card"
    assert status.of_hall(store.conn, hall).status == "no_access"
    assert status.hall_in_progress(store.conn, store.own_devices()) == hall
    # moving on to another hall: the abandoned one no longer pulls the app back
    wizard.no_access(store, wizard.open_hall(store, ids["al_b"]), "local fermé")
    assert status.hall_in_progress(store.conn, store.own_devices()) is None
    assert wizard.open_hall(store, hall).step == "card"  # still resumed when opened


def test_another_devices_unfinished_attempt_is_not_resumed_here(store, tmp_path):
    ids = tinyterritory.build(store)
    wizard.confirm_compatibility(store, wizard.open_hall(store, ids["al_a"]), "compatible")
    assert wizard.open_hall(store, ids["al_a"]).step == "card"
    assert status.resumable(store.conn, ids["al_a"], {"someone-else"}) is None
    rows = {r.id: r for r in progress.hall_rows(store.conn, ids["alouettes"], {"someone-else"})}
    assert rows[ids["al_a"]].step is None


def test_order_is_the_op_log_never_the_encoded_at_text(store):
    """A later attempt decides even when its text says an earlier time (a laptop's clock or zone)."""
    ids = tinyterritory.build(store)
    hall = _new_hall(store, ids)
    centrale = store.create("centrales", {"hall_id": hall, "active": 1})
    first = store.create("encodings", {"hall_id": hall, "centrale_id": centrale,
                                       "outcome": "failed", "failure_reason": "memory_full",
                                       "encoded_at": "2026-12-02T00:30:00+14:00"})
    later = store.create("encodings", {"hall_id": hall, "centrale_id": centrale,
                                       "outcome": "encoded", "door_opened": 1,
                                       "encoded_at": "2026-12-01T02:00:00-08:00"})
    assert store.get("encodings", first)["encoded_at"] > store.get("encodings", later)["encoded_at"]
    got = status.of_hall(store.conn, hall)
    assert (got.status, got.decided_by) == ("encoded", later)
    assert [a.encoding_id for a in status.attempts(store.conn, hall)] == [first, later]


ZONES = ("Pacific/Kiritimati", "America/Los_Angeles")  # UTC+14, then UTC-8


def test_time_zones_of_the_laptops_do_not_decide(tmp_path, store, cli):
    """Two outcomes recorded by processes in opposite time zones: the later one decides."""
    ids = tinyterritory.build(store)
    code = store.get("halls", ids["al_a"])["code"]
    env = {**os.environ, "VIGIKFIELD_DB": str(store.path)}
    for zone, args in zip(ZONES, (["--outcome", "failed", "--reason", "memory_full"],
                                  ["--outcome", "encoded"])):
        subprocess.run([sys.executable, "-m", "vigikfield", "encode", code, *args],
                       env={**env, "TZ": zone}, check=True, capture_output=True, timeout=60)
    got = status.of_hall(store.conn, ids["al_a"])
    assert got.status == "encoded"
    times = [a.encoded_at for a in status.attempts(store.conn, ids["al_a"])]
    assert all(t.endswith("+00:00") for t in times)  # stored in UTC


def test_local_time_zone_in_process(store, monkeypatch):
    ids = tinyterritory.build(store)
    for zone, kind in zip(ZONES, ("failed", "encoded")):
        monkeypatch.setenv("TZ", zone)
        time.tzset()
        _attempt(store, ids["al_a"], kind)
    monkeypatch.delenv("TZ")
    time.tzset()
    assert status.of_hall(store.conn, ids["al_a"]).status == "encoded"


def test_encode_command_takes_the_door_test(store, cli):
    ids = tinyterritory.build(store)
    code = {k: store.get("halls", ids[k])["code"] for k in ("al_a", "al_b", "mez_b", "pc_1")}
    assert cli("encode", code["al_a"], "--outcome", "encoded").exit_code == 0
    assert cli("encode", code["al_b"], "--outcome", "encoded", "--door", "failed").exit_code == 0
    result = cli("encode", code["mez_b"], "--outcome", "already", "--door", "not-tested")
    assert result.exit_code == 0, result.output
    got = {k: status.of_hall(store.conn, ids[k]) for k in ("al_a", "al_b", "mez_b")}
    assert (got["al_a"].status, got["al_a"].door_not_tested) == ("encoded", False)
    assert (got["al_b"].status, got["al_b"].rule) == ("failed", "door_failed")
    assert (got["mez_b"].status, got["mez_b"].door_not_tested) == ("encoded", True)
    before = store.conn.execute("SELECT count(*) FROM ops").fetchone()
    result = cli("encode", code["pc_1"], "--outcome", "failed", "--reason", "memory_full",
                 "--door", "opened")
    assert result.exit_code == 2 and "--door" in result.output
    assert store.conn.execute("SELECT count(*) FROM ops").fetchone() == before
    assert cli("journal", "verify").exit_code == 0


def test_attempt_clock_is_checked_by_journal_verify(store):
    ids = tinyterritory.build(store)
    store.conn.execute("UPDATE attempt_clock SET started = '0001600000000000.000000' "
                       "WHERE encoding_id = ?", (ids["enc1"],))
    problem = journal.verify(store.conn)
    assert problem is not None and problem.key == "clock" and problem.entity == "encodings"


def test_the_deciding_attempt_kept_by_triggers_is_checked_by_journal_verify(store):
    """A hall_decided row changed behind the app's back (sqlite3 by hand) is found."""
    tinyterritory.build(store)
    (hall, decided, result) = store.conn.execute(
        "SELECT hall_id, encoding_id, result FROM hall_decided LIMIT 1").fetchone()
    assert journal.verify(store.conn) is None
    store.conn.execute("DELETE FROM hall_decided WHERE hall_id = ?", (hall,))
    problem = journal.verify(store.conn)
    assert problem is not None and problem.key == "decided" and problem.entity_id == hall
    assert decided in problem.text()
    store.conn.execute("INSERT INTO hall_decided (hall_id, encoding_id, result) VALUES (?, ?, ?)",
                       (hall, decided, "failed" if result == "encoded" else "encoded"))
    problem = journal.verify(store.conn)
    assert problem is not None and problem.key == "decided" and problem.entity_id == hall


def test_the_residence_counts_kept_by_triggers_are_checked_by_journal_verify(store):
    ids = tinyterritory.build(store)
    assert journal.verify(store.conn) is None
    hall = store.get("halls", ids["al_a"])
    # every change the counts read recounts the residence: retire, dwellings, vigik
    store.update("halls", hall["id"], {"dwellings": 99}, reason="test")
    store.update("halls", ids["al_b"], {"retired": 1}, reason="test")
    assert journal.verify(store.conn) is None
    (halls, dwellings) = store.conn.execute(
        "SELECT halls, dwellings FROM residence_counts WHERE residence_id = ?",
        (hall["residence_id"],)).fetchone()
    assert (halls, dwellings) == store.conn.execute(
        "SELECT count(*), sum(dwellings) FROM halls WHERE residence_id = ? "
        "AND coalesce(retired, 0) = 0", (hall["residence_id"],)).fetchone()
    store.conn.execute("UPDATE residence_counts SET encoded = encoded + 1")
    problem = journal.verify(store.conn)
    assert problem is not None and problem.key == "counts" and problem.entity == "residences"


def test_the_wizard_keeps_showing_the_attempt_it_just_closed(store):
    """Even with another unfinished attempt of this laptop on the hall (an older visit)."""
    ids = tinyterritory.build(store)
    hall = ids["al_a"]
    _attempt(store, hall, "stopped_card")  # an older visit, left at the card step
    state = wizard.confirm_compatibility(store, _fresh(store, hall), "compatible")
    latest = state.encoding["id"]
    state = wizard.no_access(store, state, "gardien absent")
    assert state.encoding["id"] == latest and state.step == "done"
    assert [e["id"] for e in state.history] != [latest] and len(state.history) == 1
    assert wizard.open_hall(store, hall).step == "card"  # the older visit is resumed next
