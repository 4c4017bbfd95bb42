"""The entities of a territory and their fields.

Every state table has a UUID text primary key ``id``; every other column is a
field written only through the op log (see `journal`). A column listed here is
exactly what `journal.replay` rebuilds, so a field added to a table must be
added here too (a migration does both).

Confidential fields never leave the pilot's database unless the pilot says so
(technician bundles, labels).
"""

from __future__ import annotations

# column -> SQLite type; order = column order in the table
ENTITIES: dict[str, dict[str, str]] = {
    "projects": {"name": "TEXT", "territory": "TEXT"},
    "landlords": {"project_id": "TEXT", "name": "TEXT", "phone": "TEXT"},
    "communes": {"insee": "TEXT", "name": "TEXT"},
    "qpvs": {"commune_id": "TEXT", "code": "TEXT", "name": "TEXT"},
    "police_offices": {
        "commune_id": "TEXT", "name": "TEXT", "kind": "TEXT", "address": "TEXT",
    },
    "residences": {
        "landlord_id": "TEXT", "commune_id": "TEXT", "qpv_id": "TEXT",
        "name": "TEXT", "address": "TEXT", "dwellings": "INTEGER",
        "lat": "REAL", "lon": "REAL",
        "site_level": "INTEGER",         # 1-4, confidential (seed 002)
        "authorized_by": "TEXT", "authorized_at": "TEXT",  # building manager's go-ahead
        "windows": "TEXT",               # JSON: the time windows decided for it
    },
    "halls": {
        "residence_id": "TEXT", "code": "TEXT", "label": "TEXT", "address": "TEXT",
        "dwellings": "INTEGER", "brand": "TEXT", "model": "TEXT",
        "vigik": "TEXT",                 # compatible | incompatible | unknown
        "centrale_location": "TEXT", "notes": "TEXT",
    },
    "centrales": {
        "hall_id": "TEXT", "brand": "TEXT", "model": "TEXT", "serial": "TEXT",
        "capacity": "INTEGER",           # non-native services it can hold
        "active": "INTEGER",             # 0 once replaced
    },
    "service_cards": {
        "landlord_id": "TEXT", "fingerprint": "TEXT", "service": "TEXT",
        "status": "TEXT",                # active | revoked
        "revoked_reason": "TEXT", "enrolled_at": "TEXT",
    },
    "encodings": {
        "centrale_id": "TEXT", "hall_id": "TEXT",
        "outcome": "TEXT",               # see OUTCOMES
        "failure_reason": "TEXT",
        "days": "TEXT",                  # 7-char mask, Monday first: "1111110"
        "windows": "TEXT",               # JSON list of ["hh:mm", "hh:mm"]
        "card_fingerprint": "TEXT",      # confidential
        "technician": "TEXT", "encoded_at": "TEXT", "door_opened": "INTEGER",
        "label_attached": "INTEGER", "notes": "TEXT",
        "step": "TEXT",                  # wizard step reached (see domain.wizard.STEPS)
        "card_override": "TEXT",         # reason given when no reader could check the card
    },
    "work_orders": {
        "project_id": "TEXT", "technician": "TEXT", "residence_ids": "TEXT",
        "planned_date": "TEXT", "status": "TEXT",
    },
}

# Parents before children: the order in which entities are (re)materialised.
ORDER = list(ENTITIES)

FOREIGN_KEYS: dict[str, list[tuple[str, str]]] = {
    "landlords": [("project_id", "projects")],
    "qpvs": [("commune_id", "communes")],
    "police_offices": [("commune_id", "communes")],
    "residences": [
        ("landlord_id", "landlords"), ("commune_id", "communes"), ("qpv_id", "qpvs"),
    ],
    "halls": [("residence_id", "residences")],
    "centrales": [("hall_id", "halls")],
    "service_cards": [("landlord_id", "landlords")],
    "encodings": [("centrale_id", "centrales"), ("hall_id", "halls")],
    "work_orders": [("project_id", "projects")],
}

# Confidential (police, justice, landlords only): never on a technician's or
# maintenance laptop unless the pilot says so, never in their bundles.
CONFIDENTIAL: dict[str, set[str]] = {
    "residences": {"site_level"},
}

# Never on a QR label, which anyone may read: the confidential fields and the
# service cards' fingerprints. (Fingerprints do travel to technicians: the
# card check on site, offline, needs the registry.)
NOT_ON_LABELS: dict[str, set[str]] = {
    "residences": {"site_level"},
    "encodings": {"card_fingerprint", "card_override"},
    "service_cards": {"fingerprint"},
}

VIGIK_STATUSES = ("compatible", "incompatible", "unknown")
OUTCOMES = ("encoded", "already_present", "failed", "no_access", "incompatible")
FAILURE_REASONS = ("memory_full", "card_refused", "unreachable", "other")
