"""The landlords' authorisations: one state definition, `authorise`/`authorisations`,
and `encode` refusing an unauthorised residence (exit 2, nothing written)."""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import date
from pathlib import Path

import pytest
import tinyterritory
import vigikfield_sync as sync
from sync_world import World
from vigikfield.domain import authorisations as auths
from vigikfield.domain import journal, wizard
from vigikfield.domain.journal import Change
from vigikfield.domain.rights import RightsError
from vigikfield.domain.store import Store
from vigikfield_sync import keys

TODAY = date(2026, 12, 1)


def _ops(store: Store) -> int:
    return store.conn.execute("SELECT count(*) FROM ops").fetchone()[0]


def _code(store: Store, hall_id: str) -> str:
    return store.get("halls", hall_id)["code"]


def territory(store: Store) -> dict[str, str]:
    """tinyterritory (its three residences granted on 01/10/2026), plus: Les Lilas with
    no decision (pending), Les Alouettes refused later, Plein Ciel granted until 2026-11-15."""
    ids = tinyterritory.build(store)
    ids["lilas"] = store.create("residences", {"name": "Les Lilas", "landlord_id": ids["habitat77"],
                                               "commune_id": ids["melun"]})
    ids["li_a"] = store.create("halls", {"residence_id": ids["lilas"], "label": "A",
                                         "vigik": "compatible"})
    auths.record(store, ids["alouettes"], by="M. Dupont (gardien chef)", decision="refused",
                 decided_on="2026-09-12")  # older than the grant of 01/10: the grant stands
    auths.record(store, ids["alouettes"], by="Mme Roux (directrice d'agence)", decision="refused",
                 decided_on="2026-10-20", note="travaux de façade")
    auths.record(store, ids["plein_ciel"], by="M. Bernard", decided_on="2026-10-05",
                 until="2026-11-15", days="1111100", windows=[["08:00", "12:00"]])
    return ids


def test_one_state_per_residence_the_latest_decision_standing(store):
    ids = territory(store)
    states = {a.residence_id: a for a in auths.listing(store.conn, TODAY)}
    assert states[ids["mezereaux"]].state == "granted"
    assert states[ids["mezereaux"]].decided_by == "M. Dupont (gardien chef)"
    assert states[ids["lilas"]].state == "pending" and states[ids["lilas"]].decided_by is None
    refused = states[ids["alouettes"]]
    assert (refused.state, refused.decided_by, refused.decided_on, refused.note) == (
        "refused", "Mme Roux (directrice d'agence)", "2026-10-20", "travaux de façade")
    expired = states[ids["plein_ciel"]]
    assert (expired.state, expired.until, expired.days, expired.windows) == (
        "expired", "2026-11-15", "1111100", [["08:00", "12:00"]])
    # the same decision, seen on 15/11, still holds (until is its last day)
    assert auths.of_residence(store.conn, ids["plein_ciel"], "2026-11-15").state == "granted"
    assert auths.counts(store.conn, TODAY) == {"granted": 1, "pending": 1, "refused": 1,
                                               "expired": 1}
    assert [a.residence for a in auths.listing(store.conn, TODAY, states=("pending",))] == [
        "Les Lilas"]


def test_same_day_decisions_are_ordered_by_the_op_log(store):
    ids = territory(store)
    auths.record(store, ids["lilas"], by="A", decision="refused", decided_on="2026-11-02")
    auths.record(store, ids["lilas"], by="B", decided_on="2026-11-02")
    auth = auths.of_residence(store.conn, ids["lilas"], TODAY)
    assert (auth.state, auth.decided_by) == ("granted", "B")
    auths.record(store, ids["lilas"], by="C", decision="refused", decided_on="2026-11-02")
    assert auths.of_residence(store.conn, ids["lilas"], TODAY).decided_by == "C"


def test_a_release_1_residence_authorised_on_its_record_counts_as_granted(store):
    ids = territory(store)
    store.update("residences", ids["lilas"], {
        "authorized_by": "M. Petit", "authorized_at": "2026-09-03",
        "windows": {"days": "1111110", "windows": [["07:00", "19:00"]]}})
    auth = auths.of_residence(store.conn, ids["lilas"], TODAY)
    assert (auth.state, auth.decided_by, auth.decided_on, auth.days, auth.windows) == (
        "granted", "M. Petit", "2026-09-03", "1111110", [["07:00", "19:00"]])
    assert auth.source == "legacy"
    # a plain list of windows: every day
    store.update("residences", ids["lilas"], {"windows": [["06:00", "20:00"]]})
    auth = auths.of_residence(store.conn, ids["lilas"], TODAY)
    assert (auth.days, auth.windows) == ("1111111", [["06:00", "20:00"]])
    # a decision recorded since wins over the record
    auths.record(store, ids["lilas"], by="Mme Roux", decision="refused", decided_on="2026-08-01")
    assert auths.of_residence(store.conn, ids["lilas"], TODAY).state == "refused"


@pytest.mark.parametrize("key, message", [
    ("li_a", "aucune autorisation du bailleur pour cette résidence"),
    ("al_a", "encodage refusé par Mme Roux (directrice d'agence) le 20/10/2026"),
    ("pc_1", "autorisation de M. Bernard du 05/10/2026 expirée le 15/11/2026"),
])
def test_encode_refuses_an_unauthorised_residence_writing_nothing(store, cli, key, message):
    ids = territory(store)
    before = _ops(store)
    result = cli("encode", _code(store, ids[key]), "--outcome", "encoded", "--today", "2026-12-01")
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert _ops(store) == before
    result = cli("encode", _code(store, ids[key]), "--outcome", "failed", "--reason", "memory_full")
    assert result.exit_code == 2 and _ops(store) == before


def test_an_expired_authorisation_held_on_its_last_day(store, cli):
    ids = territory(store)
    result = cli("encode", _code(store, ids["pc_1"]), "--outcome", "encoded",
                 "--today", "2026-11-15")
    assert result.exit_code == 0, result.output


def test_observations_need_no_authorisation(store, cli):
    """Compatibility and no-access are what the technician saw: allowed; programming is not."""
    ids = territory(store)
    hall = store.create("halls", {"residence_id": ids["lilas"], "label": "B"})
    assert cli("encode", _code(store, hall), "--outcome", "incompatible").exit_code == 0
    assert cli("encode", _code(store, ids["li_a"]), "--outcome", "no-access",
               "--reason", "gardien absent").exit_code == 0
    state = wizard.open_hall(store, ids["al_b"], TODAY)
    state = wizard.confirm_compatibility(store, state, "unknown", today=TODAY)
    assert state.step == "done"
    with pytest.raises(auths.AuthorisationError) as refused:
        wizard.confirm_compatibility(store, wizard.open_hall(store, ids["al_b"]), "compatible",
                                     today=TODAY)
    assert refused.value.key == "refused_encode.refused"


def test_an_attempt_begun_before_a_refusal_goes_no_further(store):
    ids = territory(store)
    state = wizard.open_hall(store, ids["mez_b"], TODAY)
    state = wizard.confirm_compatibility(store, state, "compatible", today=TODAY)
    state = wizard.confirm_card(store, state, fingerprint="AAAA-BBBB-CCCC-DDDD")
    auths.record(store, ids["mezereaux"], by="Mme Roux", decision="refused", decided_on=TODAY)
    before = _ops(store)
    with pytest.raises(auths.AuthorisationError):
        wizard.confirm_encoding(store, state, "encoded", today=TODAY)
    assert _ops(store) == before
    assert wizard.no_access(store, state, "porte fermée").encoding["outcome"] == "no_access"


def test_decided_windows_are_used_by_encode_when_none_is_given(store, cli):
    ids = territory(store)
    result = cli("authorise", "les lilas", "--by", "M. Petit (gardien)", "--days", "Lu-Ve",
                 "--window", "08:00-12:00", "--window", "14:00-18:00", "--on", "2026-11-20",
                 "--until", "2027-06-30", "--note", "courrier du 18/11")
    assert result.exit_code == 0, result.output
    assert "M. Petit (gardien)" in result.output and "20/11/2026" in result.output
    assert wizard.open_hall(store, ids["li_a"], TODAY).default_windows() == (
        "1111100", [["08:00", "12:00"], ["14:00", "18:00"]])
    assert cli("encode", _code(store, ids["li_a"]), "--outcome", "encoded",
               "--today", "2026-12-01").exit_code == 0
    days, windows = store.conn.execute(
        "SELECT days, windows FROM encodings WHERE hall_id = ?", (ids["li_a"],)).fetchone()
    assert (days, json.loads(windows)) == ("1111100", [["08:00", "12:00"], ["14:00", "18:00"]])
    # windows given on the command line win
    hall = store.create("halls", {"residence_id": ids["lilas"], "label": "C", "vigik": "compatible"})
    assert cli("encode", _code(store, hall), "--outcome", "encoded", "--window",
               "00:00-24:00", "--today", "2026-12-01").exit_code == 0
    (windows,) = store.conn.execute("SELECT windows FROM encodings WHERE hall_id = ?",
                                    (hall,)).fetchone()
    assert json.loads(windows) == [["00:00", "24:00"]]
    assert cli("journal", "verify").exit_code == 0


@pytest.mark.parametrize("args, says", [
    (["Les Lilas", "--by", "X", "--days", "Lu-Zz"], "--days"),
    (["Les Lilas", "--by", "X", "--window", "25:00-26:00"], "--window"),
    (["Les Lilas", "--by", "X", "--on", "2026-11-20", "--until", "2026-11-19"], "--until"),
    (["Les Lilas", "--by", "X", "--until", "31/02/2027"], "--until"),
    (["Les Lilas", "--by", "X", "--refuse", "--window", "08:00-12:00"], "refus"),
    (["Les Lilas", "--by", "  "], "--by"),
    (["Les Lilas"], "--by"),
    (["Nulle Part", "--by", "X"], "Nulle Part"),
])
def test_bad_input_exits_2_writing_nothing(store, cli, args, says):
    territory(store)
    before = _ops(store)
    result = cli("authorise", *args)
    assert result.exit_code == 2, result.output
    assert says in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert _ops(store) == before


def test_an_ambiguous_name_lists_the_residences(store, cli):
    ids = territory(store)
    twin = store.create("residences", {"name": "Les Lilas", "landlord_id": ids["foyers"],
                                       "commune_id": ids["mee"]})
    before = _ops(store)
    result = cli("authorise", "Les Lilas", "--by", "X")
    assert result.exit_code == 2
    assert ids["lilas"] in result.output and twin in result.output and "Le Mée" in result.output
    assert _ops(store) == before
    assert cli("authorise", twin, "--by", "X").exit_code == 0


def test_authorisations_lists_and_filters(store, cli):
    territory(store)
    result = cli("authorisations", "--json", "--today", "2026-12-01")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert {r["residence"]: r["state"] for r in rows} == {
        "Les Mézereaux": "granted", "Les Lilas": "pending", "Les Alouettes": "refused",
        "Plein Ciel": "expired"}
    assert set(rows[0]) == {"residence", "residence_id", "landlord_id", "landlord", "commune",
                            "state", "decided_by", "decided_on", "days", "windows", "until",
                            "note"}
    pending = json.loads(cli("authorisations", "--pending", "--json", "--today",
                             "2026-12-01").output)
    assert [r["residence"] for r in pending] == ["Les Lilas"]
    both = json.loads(cli("authorisations", "--pending", "--refused", "--json").output)
    assert {r["state"] for r in both} == {"pending", "refused"}
    text = cli("authorisations", "--refused").output
    assert "Mme Roux (directrice d'agence)" in text and "20/10/2026" in text
    assert "Les Mézereaux" not in text


def test_maintenance_decides_only_for_its_landlord(tmp_path):
    store = Store(tmp_path / "maint.db", actor="Mme Martin")
    ids = territory(store)
    store.set_profile(role="maintenance", landlord_id=ids["habitat77"])
    auths.record(store, ids["lilas"], by="M. Petit", decided_on=TODAY)
    before = _ops(store)
    with pytest.raises(RightsError):
        auths.record(store, ids["plein_ciel"], by="M. Petit", decided_on=TODAY)  # Les Foyers'
    assert _ops(store) == before
    assert [a.residence for a in auths.listing(store.conn, TODAY,
                                               landlord_id=ids["habitat77"])] == [
        "Les Alouettes", "Les Lilas", "Les Mézereaux"]
    store.close()


def _frozen(store: Store) -> str:
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return hashlib.sha256(Path(store.path).read_bytes()).hexdigest()


def test_a_forged_maintenance_bundle_authorising_another_landlord_is_refused(tmp_path):
    world = World(tmp_path)
    p = world.pilot
    other = p.create("landlords", {"name": "Les Foyers de Seine", "project_id": p.project_id})
    commune = p.conn.execute("SELECT id FROM communes").fetchone()[0]
    foreign = p.create("residences", {"name": "Autre", "landlord_id": other,
                                      "commune_id": commune})
    maint = sync.prepare(Store(tmp_path / "maint.db", actor="Mme Martin"))
    maint.conn.execute("UPDATE device SET project_id = ?", (p.project_id,))
    sync.trust_add(p, keys.key_text(maint), "maintenance Habitat 77", "maintenance",
                   landlord_id=world.landlord)
    forged = str(uuid.uuid4())
    maint.conn.execute("PRAGMA foreign_keys = OFF")  # behind the store's back, as a thief would
    with maint.transaction() as conn:
        journal.append(conn, maint.device_id, [
            Change("authorisations", forged, f, v, new=True) for f, v in (
                ("residence_id", foreign), ("decision", "granted"), ("decided_by", "Mme Martin"),
                ("decided_on", "2026-11-30"))], actor=maint.actor)
    maint.conn.execute("PRAGMA foreign_keys = ON")
    before = _frozen(p)
    (outcome,) = sync.merge_files(p, [world.export(maint)], "export")
    assert outcome.error is not None and outcome.error.key == "forbidden_op"
    assert "autre bailleur" in str(outcome.error)
    assert _frozen(p) == before
    assert auths.of_residence(p.conn, foreign, TODAY).state == "pending"
    assert journal.verify(p.conn) is None


def test_a_technician_offline_is_refused_until_a_new_work_order_brings_the_grant(tmp_path):
    world = World(tmp_path)
    p = world.pilot
    auths.record(p, world.residence, by="Mme Roux", decision="refused", decided_on="2026-11-02")
    tech = world.technician("karim")
    hall = tech.get("halls", world.hall2)
    assert tech.get("authorisations", tech.conn.execute(
        "SELECT id FROM authorisations ORDER BY decided_on DESC").fetchone()[0]) is not None
    before = _ops(tech)
    with pytest.raises(auths.AuthorisationError) as refused:
        wizard.record_outcome(tech, hall["id"], "encoded", today=TODAY)
    assert "Mme Roux" in str(refused.value) and "02/11/2026" in str(refused.value)
    assert _ops(tech) == before
    auths.record(p, world.residence, by="Mme Roux", decided_on="2026-11-25",
                 days="1111110", windows=[["06:00", "20:00"]])
    order = tmp_path / "wo-again.vfb"
    sync.workorder(p, order, technician="karim", residences=["Les Mézereaux"])
    (outcome,) = sync.merge_files(tech, [order], "workorder")
    assert outcome.error is None, outcome.error
    enc = wizard.record_outcome(tech, hall["id"], "encoded", today=TODAY)
    assert (enc["outcome"], enc["days"], json.loads(enc["windows"])) == (
        "encoded", "1111110", [["06:00", "20:00"]])


def test_report_authorisations_in_every_format(store, cli, tmp_path):
    territory(store)
    rows = json.loads(cli("report", "authorisations", "--json", "--today", "2026-12-01").output)
    assert {r["residence"]: r["state"] for r in rows} == {
        "Les Mézereaux": "granted", "Les Lilas": "pending", "Les Alouettes": "refused",
        "Plein Ciel": "expired"}
    expired = next(r for r in rows if r["state"] == "expired")
    assert (expired["decided_by"], expired["until"]) == ("M. Bernard", "2026-11-15")
    out = tmp_path / "auth.csv"
    result = cli("report", "authorisations", "--refused", "--pending", "--format", "csv",
                 "--out", out)
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8-sig")
    assert "Les Alouettes" in text and "refusée" in text and "Les Lilas" in text
    assert "Les Mézereaux" not in text


def test_report_all_carries_every_residences_authorisation(store, cli):
    territory(store)
    every = json.loads(cli("report", "all", "--json").output)
    alone = json.loads(cli("report", "authorisations", "--json").output)
    assert every["authorisations.residences"] == alone
    assert {r["state"] for r in alone} >= {"granted", "pending", "refused"}
