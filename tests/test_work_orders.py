"""Work orders, domain side: the picker's filters and the list's halls done / total on the
demo territory, against straight SQL; states; the last bundle of a technician; the
progress of writing an order; the folders."""

from __future__ import annotations

import json
from datetime import date

import pytest

import tinyterritory
import vigikfield_sync as sync
from sync_world import World
from vigikfield.domain import folders
from vigikfield.domain import work_orders as wo
from vigikfield.domain.store import Store
from vigikfield_sync import orders as sync_orders
from vigikfield_sync.folder import bundle_files

# A residence's status from its halls, written out here the way docs/statuses.md says
# it (done: every hall not incompatible encoded, at least one; attention: a failed or
# no-access hall; in progress: some encoded; else pending) over the raw hall_status rows.
STATUS_SQL = """
SELECT r.id,
  CASE
    WHEN count(hs.hall_id) > 0 AND sum(hs.status = 'encoded') > 0
         AND sum(hs.status = 'encoded') = count(hs.hall_id) - sum(hs.status = 'incompatible')
      THEN 'done'
    WHEN sum(hs.status IN ('failed', 'no_access')) > 0 THEN 'attention'
    WHEN sum(hs.status = 'encoded') > 0 THEN 'in_progress'
    ELSE 'pending'
  END
FROM residences r LEFT JOIN hall_status hs ON hs.residence_id = r.id
GROUP BY r.id
"""


@pytest.fixture
def pilot(demo_store) -> Store:
    """The pilot's copy of the demo territory (conftest.demo_store)."""
    return demo_store


def _ids(rows) -> set[str]:
    return {r.id for r in rows}


def test_picker_filters_against_straight_sql(pilot):
    conn = pilot.conn
    status = dict(conn.execute(STATUS_SQL))
    everyone = wo.candidates(conn, "pilot")
    assert _ids(everyone) == {r for (r,) in conn.execute("SELECT id FROM residences")}
    assert {c.id: c.status for c in everyone} == status
    assert len(set(status.values())) >= 3  # the demo has residences in several states
    communes, landlords = wo.choices(conn)
    for _, commune in communes[:4]:
        assert _ids(wo.candidates(conn, "pilot", wo.Filters(commune=commune))) == {
            r for (r,) in conn.execute("SELECT id FROM residences WHERE commune_id = ?", (commune,))}
    for _, landlord in landlords[:4]:
        for state in ("pending", "in_progress", "done", "attention"):
            found = wo.candidates(conn, "pilot", wo.Filters(landlord=landlord, status=state))
            assert _ids(found) == {
                r for (r,) in conn.execute("SELECT id FROM residences WHERE landlord_id = ?",
                                           (landlord,)) if status[r] == state}
    for level in wo.PRIORITIES:
        found = wo.candidates(conn, "pilot", wo.Filters(priority=level))
        assert found and _ids(found) == {
            r for (r,) in conn.execute("SELECT id FROM residences WHERE site_level = ?", (level,))}
    # halls, encoded and dwellings of each candidate, straight from the tables
    straight = {r[0]: r[1:] for r in conn.execute(
        "SELECT h.residence_id, count(*), sum(s.status = 'encoded'), coalesce(sum(h.dwellings), 0) "
        "FROM halls h JOIN hall_status s ON s.hall_id = h.id GROUP BY h.residence_id")}
    for c in everyone:
        assert (c.halls, c.encoded, c.dwellings) == straight.get(c.id, (0, 0, 0))
    # the pilot's order: highest site level first
    levels = [c.site_level or 0 for c in everyone]
    assert levels == sorted(levels, reverse=True)


def test_site_levels_stay_the_pilots(pilot):
    others = wo.candidates(pilot.conn, "technician")
    assert {c.site_level for c in others} == {None}
    keys = [(c.commune or "", c.name or "") for c in others]
    assert keys == sorted(keys)
    with pytest.raises(wo.OrdersError) as refused:
        wo.candidates(pilot.conn, "maintenance", wo.Filters(priority=4))
    assert refused.value.key == "priority_pilot_only" and "confidentiel" in str(refused.value)
    with pytest.raises(wo.OrdersError):
        wo.candidates(pilot.conn, "pilot", wo.Filters(status="finished"))


def test_halls_done_and_total_of_each_order_against_straight_sql(pilot):
    conn = pilot.conn
    some = [r for (r,) in conn.execute("SELECT id FROM residences ORDER BY id LIMIT 7")]
    pilot.create("work_orders", {"project_id": pilot.project_id, "technician": "Extra",
                                 "residence_ids": some, "planned_date": "2027-01-04"})
    rows = wo.orders(conn, date(2026, 12, 1))
    assert len(rows) == conn.execute("SELECT count(*) FROM work_orders").fetchone()[0] == 5
    for order in rows:
        (ids,) = conn.execute("SELECT residence_ids FROM work_orders WHERE id = ?",
                              (order.id,)).fetchone()
        ids = json.loads(ids)
        marks = ", ".join("?" * len(ids))
        total, done = conn.execute(
            f"SELECT count(*), coalesce(sum(s.status = 'encoded'), 0) FROM halls h "
            f"JOIN hall_status s ON s.hall_id = h.id WHERE h.residence_id IN ({marks})",
            ids).fetchone()
        names = sorted(n for (n,) in conn.execute(
            f"SELECT name FROM residences WHERE id IN ({marks})", ids))
        assert (order.halls, order.encoded, list(order.residences)) == (total, done, names)
        assert order.residence_count == len(ids)
    states = {o.technician: o.state for o in rows}
    assert states["Extra"] == "issued"       # planned next year
    assert states["Karim Benali"] == "late"  # planned 2026-10-05, not done
    # by planned date, undated last
    dates = [o.planned_date for o in rows]
    assert dates == sorted(dates)


def test_order_states(store):
    ids = tinyterritory.build(store)

    def order(residences, planned, status="issued"):
        return store.create("work_orders", {
            "project_id": store.project_id, "technician": "K", "planned_date": planned,
            "residence_ids": [ids[r] for r in residences], "status": status})

    encoded = store.get("encodings", ids["enc1"])
    store.create("encodings", {  # Mézereaux: A and B encoded, C incompatible
        **{k: encoded[k] for k in ("centrale_id", "outcome", "days", "technician", "encoded_at")},
        "windows": json.loads(encoded["windows"]), "hall_id": ids["mez_b"]})
    done = order(["mezereaux"], "2026-11-01")
    late = order(["mezereaux", "plein_ciel"], "2026-11-01")
    future = order(["alouettes"], "2026-12-24")
    closed = order(["plein_ciel"], "2026-11-01", "closed")
    undated = order([], None)
    states = {o.id: o.state for o in wo.orders(store.conn, date(2026, 12, 1))}
    assert states == {done: "done", late: "late", future: "issued", closed: "closed",
                      undated: "issued"}
    halls = {o.id: (o.encoded, o.halls) for o in wo.orders(store.conn, date(2026, 12, 1))}
    assert halls[done] == (2, 3) and halls[late] == (2, 5) and halls[undated] == (0, 0)


def test_last_bundle_of_a_technician_matches_by_name_ignoring_case_and_spaces(tmp_path):
    world = World(tmp_path)
    tech = world.technician("Karim Benali")
    other = world.technician("Zoé")
    assert sync_orders.technicians(world.pilot) == ["Karim Benali", "Zoé"]
    for notes in ("B1", "B2"):
        tech.update("halls", world.hall, {"notes": notes})
        (outcome,) = sync.merge_files(world.pilot, [world.export(tech)])
        assert outcome.error is None
    last = sync_orders.last_bundles(world.pilot)
    newest = world.pilot.conn.execute(
        "SELECT received_at, new_ops FROM sync_receipts WHERE signer = 'Karim Benali' "
        "ORDER BY id DESC LIMIT 1").fetchone()
    found = sync_orders.received_from(last, "  karim   BENALI ")
    assert found is not None and (found.received_at, found.new_ops) == newest
    assert found.bundles == 2
    assert sync_orders.received_from(last, "Zoé") is None  # trusted, nothing sent yet
    assert sync_orders.received_from(last, "Karim") is None
    assert sync_orders.received_from(last, None) is None
    # on the technician's side, the pilot's work order is no technician's bundle
    assert sync_orders.last_bundles(other) == {}
    sync.trust_revoke(world.pilot, "Zoé")
    assert sync_orders.technicians(world.pilot) == ["Karim Benali"]


def test_writing_an_order_reports_its_progress(tmp_path):
    world = World(tmp_path)
    seen: list[tuple[int, int]] = []
    written = sync.workorder(world.pilot, tmp_path / "wo.vfb", technician="tech1",
                             residences=["Les Mézereaux", "Plein Ciel"],
                             progress=lambda done, total: seen.append((done, total)))
    totals = {total for _, total in seen}
    assert len(totals) == 1 and seen[0][0] == 0 and seen[-1] == (written.ops + 1,) * 2
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    assert len(seen) >= 4  # several chunks of entities read, then the file
    assert written.work_order_id and world.pilot.get("work_orders", written.work_order_id)
    plain = sync.workorder(world.pilot, tmp_path / "wo2.vfb", technician="tech1",
                           residences=["Les Mézereaux", "Plein Ciel"])
    assert plain.ops == written.ops  # the same reference ops, and its own order instead


def test_bundle_files_and_folder_checks(tmp_path):
    inbox = folders.make_default(tmp_path / "terrain.inbox")
    for name in ("b.vfb", "a.vfb", ".a.vfb.123.tmp", ".hidden.vfb", "notes.txt"):
        (inbox / name).write_bytes(b"x" * 10)
    (inbox / "dir.vfb").mkdir()
    found = bundle_files(inbox)
    assert [f.path.name for f in found] == ["a.vfb", "b.vfb"] and found[0].size == 10
    assert folders.check(inbox, write=True) == inbox
    for path, key in ((tmp_path / "nope", "missing"), (inbox / "a.vfb", "not_folder")):
        with pytest.raises(folders.FolderError) as refused:
            folders.check(path, write=False)
        assert refused.value.key == key and str(path) in str(refused.value)
    with pytest.raises(folders.FolderError):
        folders.resolve("   ", tmp_path / "terrain.db")
    assert folders.free_name(inbox, "a", ".vfb") == inbox / "a-2.vfb"
