"""A small fixed territory built through the store, for tests that need one."""

from __future__ import annotations

import uuid

from vigikfield.domain.store import Store

NS = uuid.UUID("6f1c2f0e-0000-4000-8000-000000000000")


def uid(name: str) -> str:
    return str(uuid.uuid5(NS, name))


def build(store: Store) -> dict[str, str]:
    """2 landlords, 2 communes, 3 residences, 7 halls, 2 encodings. Returns ids by name."""
    ids: dict[str, str] = {}
    store.ensure_project("Mutualisation test")
    ids["habitat77"] = store.create("landlords", {"name": "Habitat 77", "phone": "01 64 00 00 01"},
                                    entity_id=uid("habitat77"))
    ids["foyers"] = store.create("landlords", {"name": "Les Foyers de Seine-et-Marne"},
                                 entity_id=uid("foyers"))
    ids["melun"] = store.create("communes", {"name": "Melun", "insee": "77288"}, entity_id=uid("melun"))
    ids["mee"] = store.create("communes", {"name": "Le Mée-sur-Seine", "insee": "77285"},
                              entity_id=uid("mee"))
    residences = [
        ("mezereaux", "Les Mézereaux", "habitat77", "melun", "2 rue Claude Bernard", 4),
        ("plein_ciel", "Plein Ciel", "foyers", "mee", "10 allée de la Lyre", None),
        ("alouettes", "Les Alouettes", "habitat77", "mee", "5 rue des Alouettes", None),
    ]
    for key, name, landlord, commune, address, level in residences:
        ids[key] = store.create("residences", {
            "name": name, "landlord_id": ids[landlord], "commune_id": ids[commune],
            "address": address, "site_level": level,
        }, entity_id=uid(key))
    for key in ("mezereaux", "plein_ciel", "alouettes"):  # the landlords let them be encoded
        ids[f"auth_{key}"] = store.create("authorisations", {
            "residence_id": ids[key], "decision": "granted", "decided_by": "M. Dupont (gardien chef)",
            "decided_on": "2026-10-01"}, entity_id=uid(f"auth_{key}"))
    halls = [
        ("mez_a", "mezereaux", "A", 12, "compatible"),
        ("mez_b", "mezereaux", "B", 10, "compatible"),
        ("mez_c", "mezereaux", "C", 8, "incompatible"),
        ("pc_1", "plein_ciel", "1", 20, "compatible"),
        ("pc_2", "plein_ciel", "2", 20, "unknown"),
        ("al_a", "alouettes", "A", 6, "compatible"),
        ("al_b", "alouettes", "B", 6, "compatible"),
    ]
    for key, residence, label, dwellings, vigik in halls:
        ids[key] = store.create("halls", {
            "residence_id": ids[residence], "label": label, "dwellings": dwellings,
            "vigik": vigik, "brand": "Intratone", "model": "Centrale 2G",
        }, entity_id=uid(key))
    for key, hall, outcome in (("enc1", "mez_a", "encoded"), ("enc2", "pc_1", "failed")):
        centrale = store.create("centrales", {"hall_id": ids[hall], "brand": "Intratone",
                                              "capacity": 1000, "active": 1},
                                entity_id=uid(key + "c"))
        ids[key] = store.create("encodings", {
            "centrale_id": centrale, "hall_id": ids[hall], "outcome": outcome,
            "failure_reason": "memory_full" if outcome == "failed" else None,
            "days": "1111111", "windows": [["00:00", "24:00"]], "technician": "Karim",
            "encoded_at": "2026-11-02T10:00:00+00:00", "card_fingerprint": "AAAA-BBBB-CCCC-DDDD",
            "door_opened": 1 if outcome == "encoded" else None,
        }, entity_id=uid(key))
    for residence in ("mezereaux", "plein_ciel", "alouettes"):
        (total,) = store.conn.execute(
            "SELECT sum(dwellings) FROM halls WHERE residence_id = ?", (ids[residence],)
        ).fetchone()
        store.update("residences", ids[residence], {"dwellings": total})
    return ids
