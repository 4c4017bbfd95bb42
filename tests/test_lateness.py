"""Late residences: planned in an open work order, date passed, not done — the same
"done" as the route's residence status."""

from __future__ import annotations

from datetime import date

from vigikfield.domain import demo, lateness, progress
from vigikfield.domain.journal import Change

ORDER = "0192b6c0-0000-7000-8000-00000000aaaa"


def _in_open_orders(store) -> set[str]:
    return {r for (r,) in store.conn.execute(
        "SELECT j.value FROM work_orders w, json_each(w.residence_ids) j "
        "WHERE coalesce(w.status, 'issued') != 'closed'")}


def test_done_in_sql_is_the_routes_done(store):
    demo.ensure(store)
    rows = progress.residences(store.conn)
    sql = (f"SELECT hs.residence_id, {lateness.DONE_SQL} FROM hall_status hs "
           "GROUP BY hs.residence_id")
    done = {rid: bool(flag) for rid, flag in store.conn.execute(sql)}
    assert {r.id: r.status == "done" for r in rows if r.halls} == done
    assert any(done.values()) and not all(done.values())


def test_a_residence_is_late_once_its_planned_date_has_passed_until_done_or_closed(store):
    demo.ensure(store)
    assigned = _in_open_orders(store)
    rows = progress.residences(store.conn)
    pending = next(r for r in rows if r.status != "done" and r.halls and r.id not in assigned)
    finished = next(r for r in rows if r.status == "done")  # done: never late, whatever its orders
    store.record([Change("work_orders", ORDER, "technician", "Inès Test"),
                  Change("work_orders", ORDER, "residence_ids", [pending.id, finished.id]),
                  Change("work_orders", ORDER, "planned_date", "2027-03-02"),
                  Change("work_orders", ORDER, "status", "issued")], reason="test")

    def late(day: date) -> dict[str, lateness.LateResidence]:
        return {x.residence_id: x for x in lateness.late_residences(store.conn, day)}

    assert pending.id not in late(date(2027, 3, 2))   # the day itself is not late
    found = late(date(2027, 3, 3))
    assert pending.id in found and finished.id not in found
    row = found[pending.id]
    assert (row.technician, row.planned_date, row.halls, row.encoded, row.name) == (
        "Inès Test", "2027-03-02", pending.halls, pending.encoded, pending.name)
    store.record([Change("work_orders", ORDER, "status", "closed")], reason="test")
    assert pending.id not in late(date(2027, 3, 3))
