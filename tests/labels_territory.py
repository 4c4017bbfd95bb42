"""A small territory for the label tests and the benchmark, built through the store."""

from __future__ import annotations

import uuid

from vigikfield.domain.store import Store

SECRET_FINGERPRINT = "FP-SECRET-7Q2W9Z"
PHONE = "01 60 12 35 78"
ENCODED_AT = "2025-03-12T10:30:00+01:00"


def build(store: Store, halls: int = 3, *, residences: int = 1,
          long_texts: bool = False) -> list[str]:
    """Landlord (with phone), commune, residences (site level 4), halls with a
    centrale and an `encoded` encoding carrying a card fingerprint. Returns
    the hall ids in creation order. All writes go through the store's op log.
    """
    changes = []
    create = Store.creation_changes
    landlord, commune = str(uuid.uuid4()), str(uuid.uuid4())
    changes += create("landlords", landlord, {
        "name": "Habitat 77 — Office Public de l'Habitat de Seine-et-Marne", "phone": PHONE})
    changes += create("communes", commune, {"insee": "77152", "name": "Dammarie-lès-Lys"})
    residence_ids = []
    for r in range(residences):
        rid = str(uuid.uuid4())
        residence_ids.append(rid)
        name = f"Les Œillets {r + 1}" if r else "Les Œillets"
        if long_texts:
            name = "Résidence des Grands Cœurs du Vieux Château " * 2 + str(r)
        changes += create("residences", rid, {
            "landlord_id": landlord, "commune_id": commune, "name": name,
            "address": "12 rue de l'Église"
            + (" prolongée, bâtiment B, entrée côté square" * 3 if long_texts else ""),
            "site_level": 4, "dwellings": 40})
    hall_ids = []
    taken: set[str] = set()
    with store.transaction():
        for h in range(halls):
            hid, cid, eid = str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())
            hall_ids.append(hid)
            changes += create("halls", hid, {
                "residence_id": residence_ids[h % residences],
                "code": store.free_hall_code(hid, taken),
                "label": f"Hall {chr(65 + h % 26)}{h // 26 or ''} — cage d'escalier n°{h}"
                         + (" côté jardin, près de l'ancienne loge" * 2 if long_texts else ""),
                "vigik": "compatible"})
            changes += create("centrales", cid, {"hall_id": hid, "brand": "Urmet",
                                                 "active": 1, "capacity": 4})
            changes += create("encodings", eid, {
                "centrale_id": cid, "hall_id": hid, "outcome": "encoded",
                "card_fingerprint": SECRET_FINGERPRINT, "encoded_at": ENCODED_AT,
                "technician": "Sophie", "days": "1111110"})
        store.record(changes, reason="label test territory")
    return hall_ids
