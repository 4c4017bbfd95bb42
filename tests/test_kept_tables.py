"""What the database keeps so that the pilot's dashboard reads little (schema m012): each
residence's latest authorisation decision, each residence's counts keyed by its
landlord, commune and QPV, the halls' Vigik Plus and maintenance figures from an
index, the weeks from the kept deciding attempts. Each is checked against the one
definition it stands for, recomputed from scratch, and a change made behind the
app's back is found by `journal verify`."""

from __future__ import annotations

from datetime import date

import tinyterritory
from vigikfield.domain import authorisations as auths
from vigikfield.domain import dashboard, journal, kept, upkeep

TODAY = date(2026, 12, 1)


def _kept_decisions(conn) -> dict[str, tuple]:
    return {r[0]: r[1:] for r in conn.execute(
        "SELECT residence_id, authorisation_id, decision, until FROM residence_decision")}


def _from_scratch(conn) -> dict[str, tuple]:
    return {r[0]: r[1:] for r in conn.execute(kept.DECISION_ALL)}


def test_the_latest_decision_is_kept_and_checked_by_journal_verify(store):
    ids = tinyterritory.build(store)
    rid = ids["alouettes"]
    kept = _kept_decisions(store.conn)
    assert kept == _from_scratch(store.conn) and kept[rid][1] == "granted"
    later = auths.record(store, rid, by="Mme Roux", decision="refused", decided_on="2026-11-20")
    assert _kept_decisions(store.conn)[rid] == (later, "refused", None)
    assert auths.counts(store.conn, TODAY)["refused"] == 1
    # an `until` changed afterwards is read by the state: expired
    grant = auths.record(store, rid, by="M. Bernard", decided_on="2026-11-25", until="2026-12-31")
    assert auths.of_residence(store.conn, rid, TODAY).state == "granted"
    store.update("authorisations", grant, {"until": "2026-11-30"}, reason="test")
    assert _kept_decisions(store.conn)[rid] == (grant, "granted", "2026-11-30")
    assert auths.of_residence(store.conn, rid, TODAY).state == "expired"
    assert journal.verify(store.conn) is None
    # behind the app's back
    store.conn.execute("UPDATE residence_decision SET decision = 'granted', until = NULL "
                       "WHERE residence_id = ?", (rid,))
    problem = journal.verify(store.conn)
    assert problem is not None and problem.key == "decision" and problem.entity_id == rid
    assert "2026-11-30" in problem.text()
    store.conn.execute("DELETE FROM residence_decision WHERE residence_id = ?", (rid,))
    problem = journal.verify(store.conn)
    assert problem is not None and problem.key == "decision" and problem.entity_id == rid


def test_an_older_op_merged_later_reorders_same_day_decisions(store):
    """Two decisions of the same day are ordered by the clock of their first op: an op of
    the later one, older than both, arriving afterwards (a merge) changes which stands."""
    ids = tinyterritory.build(store)
    rid = ids["plein_ciel"]
    first = auths.record(store, rid, by="A", decision="refused", decided_on="2026-11-02")
    second = auths.record(store, rid, by="B", decided_on="2026-11-02")
    assert _kept_decisions(store.conn)[rid][0] == second
    (oldest,) = store.conn.execute("SELECT min(hlc) FROM ops").fetchone()
    # as a merge writes an op (no state change: the field's value is older)
    store.conn.execute(
        "INSERT INTO ops (op_id, device_id, seq, hlc, entity, entity_id, field, value, "
        "prev_hash, hash) VALUES ('old-op', 'another-device', 1, ?, 'authorisations', ?, "
        "'note', '\"x\"', '', '')", ("0" + oldest[1:], second))
    journal.flush(store.conn)
    assert _kept_decisions(store.conn)[rid][0] == first == _from_scratch(store.conn)[rid][0]
    assert auths.of_residence(store.conn, rid, TODAY).state == "refused"


def test_the_counts_keep_the_residences_fields_and_follow_them(store):
    ids = tinyterritory.build(store)
    mez = ids["mezereaux"]
    before = {g.id: g.halls for g in dashboard.progress(store.conn, "landlord")}
    assert before == {ids["habitat77"]: 5, ids["foyers"]: 2}
    store.update("residences", mez, {"landlord_id": ids["foyers"]}, reason="test")
    after = {g.id: g.halls for g in dashboard.progress(store.conn, "landlord")}
    assert after == {ids["habitat77"]: 2, ids["foyers"]: 5}
    assert store.conn.execute("SELECT landlord_id, commune_id FROM residence_counts "
                              "WHERE residence_id = ?", (mez,)).fetchone() == (
        ids["foyers"], ids["melun"])
    qpv = store.create("qpvs", {"name": "Montaigu"})
    store.update("residences", mez, {"qpv_id": qpv}, reason="test")
    groups = {g.id: g.halls for g in dashboard.progress(store.conn, "qpv")}
    assert groups == {qpv: 3, None: 4}
    store.update("residences", mez, {"name": "Les Mézereaux (tour B)"}, reason="test")
    names = {g.id: g.name for g in dashboard.progress(store.conn, "residence")}
    assert names[mez] == "Les Mézereaux (tour B)"
    assert journal.verify(store.conn) is None
    store.conn.execute("UPDATE residence_counts SET commune_id = NULL WHERE residence_id = ?",
                       (mez,))
    problem = journal.verify(store.conn)
    assert problem is not None and problem.key == "counts" and problem.entity_id == mez


def _plain_weeks(conn) -> dict[str, int]:
    """Straight over the status view: the encoded halls by the Monday of their date."""
    return dict(conn.execute(
        "SELECT date(substr(decided_at, 1, 10), 'weekday 0', '-6 days') AS m, count(*) "
        "FROM hall_status WHERE status = 'encoded' AND decided_at IS NOT NULL GROUP BY m"))


def test_the_weeks_read_from_the_kept_attempts_are_those_of_the_view(store):
    ids = tinyterritory.build(store)
    conn = store.conn
    assert {w.monday.isoformat(): w.encoded for w in dashboard.weekly(conn) if w.encoded} == (
        _plain_weeks(conn)) != {}
    # a retired encoded hall leaves its week
    store.update("halls", ids["mez_a"], {"retired": 1}, reason="test")
    assert _plain_weeks(conn) == {}
    assert not any(w.encoded for w in dashboard.weekly(conn))
    groups, weeks = dashboard._every(conn)
    assert weeks == {}


def test_the_territorys_vigik_plus_figures_are_the_sum_of_the_landlords(store):
    ids = tinyterritory.build(store)
    store.update("halls", ids["mez_a"], {"vigik_plus": 1, "last_maintenance": "2025-11-01"},
                 reason="test")
    store.update("halls", ids["mez_b"], {"vigik_plus": 0, "last_maintenance": "2026-11-20"},
                 reason="test")
    store.update("halls", ids["pc_1"], {"vigik_plus": 1, "last_maintenance": "2024-02-29"},
                 reason="test")
    store.update("halls", ids["al_b"], {"vigik_plus": 1, "retired": 1}, reason="test")
    conn = store.conn
    total = upkeep.territory(conn, TODAY)
    groups, summed = upkeep.summary(conn, TODAY)
    assert total == summed
    for figure in upkeep.FIGURES:
        assert getattr(total, figure) == sum(getattr(g, figure) for g in groups), figure
    # straight SQL over the view, the retired hall out
    assert (total.halls, total.ready, total.overdue, total.never) == conn.execute(
        "SELECT count(*), sum(h.vigik_plus = 1), "
        "sum(h.last_maintenance < '2025-12-01'), sum(h.last_maintenance IS NULL) "
        "FROM hall_status s JOIN halls h ON h.id = s.hall_id").fetchone() == (6, 2, 2, 3)
    # the index the territory's figures are read from
    plan = " ".join(r[3] for r in conn.execute(
        f"EXPLAIN QUERY PLAN SELECT * FROM ({upkeep._TERRITORY_CELLS})", {"today": "x"}))
    assert "COVERING INDEX idx_halls_upkeep" in plan


def test_the_replacement_counts_the_costs_read_are_kept_and_checked(store):
    """The halls to replace (incompatible, or replaced already) and those replaced, kept
    per residence for the costs: a replacement recorded on a hall recounts its residence."""
    ids = tinyterritory.build(store)
    conn = store.conn

    def kept(residence: str) -> tuple[int, int]:
        return conn.execute("SELECT to_replace, replaced FROM residence_counts "
                            "WHERE residence_id = ?", (residence,)).fetchone()

    assert kept(ids["mezereaux"]) == (1, 0)  # mez_c is incompatible
    store.update("halls", ids["mez_c"], {"replaced_on": "2026-11-30", "vigik": "compatible"},
                 reason="test")
    assert kept(ids["mezereaux"]) == (1, 1)  # replaced: still counted as one to replace
    (plain,) = conn.execute(
        "SELECT count(*) FROM hall_status s JOIN halls h ON h.id = s.hall_id "
        "WHERE s.residence_id = ? AND h.replaced_on IS NOT NULL", (ids["mezereaux"],)).fetchone()
    assert plain == 1
    assert journal.verify(conn) is None
    conn.execute("UPDATE residence_counts SET replaced = 0 WHERE residence_id = ?",
                 (ids["mezereaux"],))
    problem = journal.verify(conn)
    assert problem is not None and problem.key == "counts" and problem.entity_id == ids["mezereaux"]
