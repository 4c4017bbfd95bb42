"""The hall wizard's domain side: each step saved, resumed after a restart."""

from __future__ import annotations

import json

import pytest

import tinyterritory
from vigikfield.domain import journal, progress, wizard
from vigikfield.domain.store import Store


def test_common_case_walks_every_step_and_saves_each(store, db_path):
    ids = tinyterritory.build(store)
    state = wizard.open_hall(store, ids["mez_b"])
    assert state.step == "compatibility" and state.encoding is None
    before = store.conn.execute("SELECT count(*) FROM encodings").fetchone()[0]
    state = wizard.confirm_compatibility(store, state, "compatible")
    assert state.step == "card"
    assert store.conn.execute("SELECT count(*) FROM encodings").fetchone()[0] == before + 1
    state = wizard.confirm_card(store, state, fingerprint="AAAA-BBBB-CCCC-DDDD")
    # a restart (new store on the same file) resumes at the step reached
    reopened = Store(db_path)
    assert wizard.open_hall(reopened, ids["mez_b"]).step == "encoding"
    reopened.close()
    state = wizard.confirm_encoding(store, state, "encoded")
    assert json.loads(state.encoding["windows"]) == [["00:00", "24:00"]]
    state = wizard.confirm_door(store, state, True)
    state = wizard.confirm_label(store, state, True)
    assert state.step == "done" and state.encoding["outcome"] == "encoded"
    statuses = {r.id: r.status for r in progress.hall_rows(store.conn, ids["mezereaux"])}
    assert statuses[ids["mez_b"]] == "encoded"
    assert journal.verify(store.conn) is None


def test_failures_end_the_attempt(store):
    ids = tinyterritory.build(store)
    state = wizard.confirm_compatibility(store, wizard.open_hall(store, ids["al_a"]), "compatible")
    state = wizard.confirm_card(store, state, override_reason="lecteur en panne")
    assert state.encoding["card_override"] == "lecteur en panne"
    with pytest.raises(wizard.WizardError):
        wizard.confirm_encoding(store, state, "failed", failure_reason="bof")
    state = wizard.confirm_encoding(store, state, "failed", failure_reason="memory_full")
    assert state.step == "done"
    state = wizard.no_access(store, wizard.open_hall(store, ids["al_b"]), "local poubelles fermé")
    rows = {r.id: r.status for r in progress.hall_rows(store.conn, ids["alouettes"])}
    assert rows == {ids["al_a"]: "failed", ids["al_b"]: "no_access"}
    assert wizard.next_pending_hall(store, ids["alouettes"]) is None


def test_incompatible_hall_is_recorded_and_next_pending_skips_it(store):
    ids = tinyterritory.build(store)
    state = wizard.confirm_compatibility(store, wizard.open_hall(store, ids["pc_2"]), "incompatible",
                                         brand="Vieux", model="X1")
    assert state.step == "done"
    hall = store.get("halls", ids["pc_2"])
    assert (hall["vigik"], hall["brand"]) == ("incompatible", "Vieux")
    assert wizard.next_pending_hall(store, ids["plein_ciel"]) is None
    assert wizard.next_pending_hall(store, ids["mezereaux"]) == ids["mez_b"]
    assert wizard.next_pending_hall(store, ids["mezereaux"], after=ids["mez_b"]) is None
