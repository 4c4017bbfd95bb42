"""A small territory for the calendars' tests: tinyterritory (Melun, Le Mée: department 77)
and a residence in Metz (57), with work orders, replacements and charging stations whose
every figure tests/test_calendar.py works out by hand."""

from __future__ import annotations

import tinyterritory
from tinyterritory import uid
from vigikfield.domain.store import Store


def build(store: Store) -> dict[str, str]:
    """tinyterritory (Melun, Le Mée: department 77) and a residence in Metz (57)."""
    ids = tinyterritory.build(store)
    ids["metz"] = store.create("communes", {"name": "Metz", "insee": "57463"}, entity_id=uid("metz"))
    ids["borny"] = store.create("residences", {"name": "Borny", "landlord_id": ids["foyers"],
                                               "commune_id": ids["metz"]}, entity_id=uid("borny"))
    for key, vigik, extra in (
            ("borny_1", "compatible", {}),
            ("borny_2", "incompatible", {"replacement_planned": "2026-12-26",   # a Saturday
                                         "replaced_on": "2027-01-04"})):
        ids[key] = store.create("halls", {"residence_id": ids["borny"], "label": key[-1],
                                          "dwellings": 5, "vigik": vigik, **extra},
                                entity_id=uid(key))
    centrale = store.create("centrales", {"hall_id": ids["borny_1"], "active": 1},
                            entity_id=uid("borny_c"))
    store.create("encodings", {"centrale_id": centrale, "hall_id": ids["borny_1"],
                               "outcome": "encoded", "door_opened": 1, "technician": "Inès",
                               "encoded_at": "2026-12-31T09:00:00+01:00", "days": "1111111",
                               "windows": [["00:00", "24:00"]]}, entity_id=uid("borny_e"))
    orders = (("wo1", "Karim", ["mezereaux", "plein_ciel"], "2026-12-21", "issued"),
              ("wo2", "Inès", ["alouettes"], "2027-01-02", "issued"),       # a Saturday
              ("wo3", "Inès", ["borny"], "2026-12-24", "issued"),
              ("wo4", "Paul", ["alouettes"], "2026-11-30", "closed"))       # closed: no plan
    for key, tech, residences, planned, status in orders:
        store.create("work_orders", {"technician": tech, "planned_date": planned, "status": status,
                                     "residence_ids": [ids[r] for r in residences]},
                     entity_id=uid(key))
    store.update("halls", ids["mez_c"], {"replacement_planned": "2026-12-24"})
    store.update("halls", ids["pc_2"], {"replacement_planned": "2027-01-15"})
    offices = (
        ("melun_po", "Commissariat de Melun", "melun",
         {"stations": 2, "stations_installed": 1, "station_planned": "2026-12-17",
          "station_installed": "2026-12-18"}),                       # one of two: late
        ("mee_po", "Police municipale du Mée", "mee", {"station_planned": "2027-03-26"}),
        ("metz_po", "Commissariat de Metz", "metz",
         {"stations": 1, "station_planned": "2027-03-26"}),          # Good Friday in Moselle
        ("done_po", "Commissariat annexe", "melun",
         {"stations": 1, "station_planned": "2026-12-10", "station_installed": "2026-12-10"}),
    )
    for key, name, commune, fields in offices:
        ids[key] = store.create("police_offices", {"name": name, "commune_id": ids[commune],
                                                   **fields}, entity_id=uid(key))
    return ids
