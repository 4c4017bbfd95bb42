"""Every view agrees hall by hall: route counts, residence rows, `hall list --json`, labels,
`hall show` — on the demo territory and on a merged two-technician world. And two
technicians' first visits to one hall leave one active centrale after the merge."""

from __future__ import annotations

import json

import vigikfield_sync as sync
from sync_world import World
from vigikfield.domain import demo, journal, labels, progress, status, wizard
from vigikfield.domain.store import Store


def _statuses_by_every_view(store: Store, cli) -> dict[str, str]:
    """code -> status, checked equal across the views; returns it."""
    conn = store.conn
    code_of = dict(conn.execute("SELECT id, code FROM halls"))
    route = progress.residences(conn)
    rows: dict[str, str] = {}
    for residence in route:
        halls = progress.hall_rows(conn, residence.id)
        counted = {s: sum(h.status == s for h in halls)
                   for s in ("encoded", "failed", "no_access", "incompatible")}
        assert (residence.halls, residence.encoded, residence.failed, residence.no_access,
                residence.incompatible) == (len(halls), counted["encoded"], counted["failed"],
                                            counted["no_access"], counted["incompatible"])
        assert residence.dwellings_covered == sum(h.dwellings or 0 for h in halls
                                                  if h.status == "encoded")
        rows.update({code_of[h.id]: h.status for h in halls})
    cli.db_path = store.path
    listed = cli("hall", "list", "--json")
    assert listed.exit_code == 0, listed.output
    by_list = {h["code"]: h["status"] for h in json.loads(listed.output)}
    assert by_list == rows
    assert {code_of[h]: status.of_hall(conn, h).status for h in code_of} == rows
    encoded = {code for code, s in rows.items() if s == "encoded"}
    if encoded:
        assert {lb.code for lb in labels.every_encoded(conn)} == encoded
    for residence in route:
        want = {code_of[h.id] for h in progress.hall_rows(conn, residence.id)} & encoded
        if want:
            got = labels.for_residence(conn, residence.name)
            assert {lb.code for lb in got if lb.hall_id in code_of and
                    store.get("halls", lb.hall_id)["residence_id"] == residence.id} == want
            assert all(lb.encoded_on for lb in got)
    for code, s in list(rows.items())[:: max(1, len(rows) // 25)]:  # a sample of hall show
        shown = json.loads(cli("hall", "show", code, "--json").output)[0]
        assert shown["status"] == s
        label, on = labels.for_hall(conn, code)
        assert on == (s == "encoded") and bool(label.encoded_on) == on
    return rows


def test_demo_territory_views_agree(store, cli):
    assert demo.ensure(store)
    rows = _statuses_by_every_view(store, cli)
    assert {"encoded", "failed", "no_access", "compatible", "incompatible"} <= set(rows.values())


def _first_visits(world: World):
    """Two technicians on the same two halls; hall2 has no centrale yet."""
    t1, t2 = world.technician("tech1"), world.technician("tech2")
    # tech1: hall encoded, door opened; hall2 encoded, the door could not be tested
    state = wizard.confirm_compatibility(t1, wizard.open_hall(t1, world.hall), "compatible")
    state = wizard.confirm_card(t1, state, fingerprint="f00d")
    state = wizard.confirm_encoding(t1, state, "encoded")
    wizard.confirm_label(t1, wizard.confirm_door(t1, state, True), True)
    state = wizard.confirm_compatibility(t1, wizard.open_hall(t1, world.hall2), "compatible")
    state = wizard.confirm_card(t1, state, fingerprint="f00d")
    state = wizard.door_not_tested(t1, wizard.confirm_encoding(t1, state, "encoded"), "pas de badge")
    # tech2, later: no access to hall (already encoded by tech1), hall2 failed at the centrale
    wizard.no_access(t2, wizard.open_hall(t2, world.hall), "local fermé")
    state = wizard.confirm_compatibility(t2, wizard.open_hall(t2, world.hall2), "compatible")
    state = wizard.confirm_card(t2, state, fingerprint="f00d")
    wizard.confirm_encoding(t2, state, "failed", failure_reason="memory_full")
    return t1, t2


def test_two_technicians_merged_views_agree_and_one_centrale_per_hall(tmp_path, cli):
    world = World(tmp_path)
    t1, t2 = _first_visits(world)
    b1, b2 = world.export(t1), world.export(t2)
    # each laptop made hall2's centrale on its own, with the same id
    ids = {t.conn.execute("SELECT id FROM centrales WHERE hall_id = ?", (world.hall2,)).fetchone()[0]
           for t in (t1, t2)}
    assert len(ids) == 1
    masters = []
    for name, order in (("one", [b1, b2]), ("other", [b2, b1])):
        master = world.master_copy(name)
        assert all(o.error is None for o in sync.merge_files(master, order))
        masters.append(master)
    one, other = masters
    for master in masters:
        (active,) = master.conn.execute("SELECT count(*) FROM centrales WHERE hall_id = ? "
                                        "AND coalesce(active, 1) = 1", (world.hall2,)).fetchone()
        assert active == 1
        # equal values merge as one; hall2's two concurrent, disagreeing attempts are one
        # conflict for the pilot (neither technician had seen the other's)
        assert [(c.entity_id, c.field) for c in sync.list_conflicts(master)] == [
            (world.hall2, "status")]
        assert journal.verify(master.conn) is None
    clocks = [sorted(m.conn.execute("SELECT * FROM attempt_clock")) for m in masters]
    assert clocks[0] == clocks[1]
    rows = _statuses_by_every_view(one, cli)
    assert _statuses_by_every_view(other, cli) == rows
    code = {h: one.get("halls", h)["code"] for h in (world.hall, world.hall2)}
    # hall: tech2's later no-access visit does not undo tech1's encoding
    assert rows[code[world.hall]] == "encoded"
    # hall2: tech2's failure came after tech1's encoding (by the op log)
    assert rows[code[world.hall2]] == "failed"
    cli.db_path = one.path
    shown = json.loads(cli("hall", "show", code[world.hall2], "--json").output)[0]
    assert [a["who"] for a in shown["attempts"]] == ["tech1", "tech2"]
    assert [a["result"] for a in shown["attempts"]] == ["encoded", "failed"]
    assert shown["attempts"][0]["door"] == "not_tested" and shown["attempts"][1]["decisive"]
    assert [c["active"] for c in shown["centrales"]] == [True]


def test_different_brands_noted_are_ordinary_field_conflicts(tmp_path):
    world = World(tmp_path)
    t1, t2 = world.technician("tech1"), world.technician("tech2")
    for tech, brand in ((t1, "Urmet"), (t2, "Intratone")):
        state = wizard.note_centrale(tech, wizard.open_hall(tech, world.hall2), brand=brand,
                                     model="")
        wizard.confirm_compatibility(tech, state, "compatible")
    master = world.master_copy("brands")
    assert all(o.error is None for o in sync.merge_files(master, [world.export(t1),
                                                                  world.export(t2)]))
    centrales = master.conn.execute("SELECT id FROM centrales WHERE hall_id = ?",
                                    (world.hall2,)).fetchall()
    assert len(centrales) == 1
    fields = {(c.entity, c.field) for c in sync.list_conflicts(master)}
    assert fields == {("halls", "brand"), ("centrales", "brand")}
    assert journal.verify(master.conn) is None


def test_a_replaced_centrale_gets_a_new_agreed_id(tmp_path):
    world = World(tmp_path)
    pilot = world.pilot
    wizard.record_outcome(pilot, world.hall, "encoded")
    assert status.of_hall(pilot.conn, world.hall).status == "encoded"
    pilot.update("centrales", world.centrale, {"active": 0}, reason="replaced")
    got = status.of_hall(pilot.conn, world.hall)
    assert (got.status, got.rule) == ("compatible", "compatibility")  # to encode again
    tech = world.technician("tech1")  # its work order carries the retired centrale
    state = wizard.confirm_compatibility(tech, wizard.open_hall(tech, world.hall), "compatible")
    new = state.encoding["centrale_id"]
    assert new == wizard.centrale_id_for(world.hall, [world.centrale]) != world.centrale
    assert new != wizard.centrale_id_for(world.hall, [])
