"""The entities of a territory and their fields.

Every state table has a UUID text primary key ``id``; every other column is a
field written only through the op log (see `journal`). A column listed here is
exactly what `journal.replay` rebuilds, so a field added to a table must be
added here too (a migration does both).

Confidential fields never leave the pilot's database unless the pilot says so
(technician bundles, labels).
"""

from __future__ import annotations

from dataclasses import dataclass

# column -> SQLite type; order = column order in the table
ENTITIES: dict[str, dict[str, str]] = {
    "projects": {
        "name": "TEXT", "territory": "TEXT",
        # the pilot's goal: dwellings reachable with the single pass, in QPV and outside
        "goal_dwellings_qpv": "INTEGER", "goal_dwellings_outside": "INTEGER",
        # the costs (docs/costs.md), decimal euros HT as text; null: the seed's default
        "cost_encoding": "TEXT", "cost_replacement_per_entrance": "TEXT", "cost_kit": "TEXT",
        "cost_service_card": "TEXT", "cost_charging_station": "TEXT", "cost_computer": "TEXT",
        "vat": "TEXT",                   # percent, decimal as text ("20")
        "kit_payer": "TEXT",             # see KIT_PAYERS
    },
    "landlords": {"project_id": "TEXT", "name": "TEXT", "phone": "TEXT"},
    "communes": {"insee": "TEXT", "name": "TEXT"},
    "qpvs": {"commune_id": "TEXT", "code": "TEXT", "name": "TEXT"},
    "police_offices": {
        "commune_id": "TEXT", "name": "TEXT", "kind": "TEXT", "address": "TEXT",
        "stations": "INTEGER",           # charging stations planned there
        "stations_installed": "INTEGER",
        "station_planned": "TEXT", "station_installed": "TEXT",  # dates (calendar)
        "computers": "INTEGER",          # dedicated computers for offline charging
        "agent_badges": "INTEGER",       # agents' badges it holds
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
        # an incompatible access system's replacement (calendar): planned, done
        "replacement_planned": "TEXT", "replaced_on": "TEXT",
        "retired": "INTEGER",            # 1: out of every count and route (m008)
        "vigik_plus": "INTEGER",         # 1: the reader is ready for Vigik Plus (seed 001)
        "last_maintenance": "TEXT",      # date of the reader's last yearly maintenance
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
        "step": "TEXT",                  # wizard step reached (see STEPS)
        "card_override": "TEXT",         # reason given when no reader could check the card
        "follows": "TEXT",               # the attempt that decided the hall when this one began
        "set_aside": "INTEGER",          # 1: a pilot's settlement kept another attempt
    },
    "work_orders": {
        "project_id": "TEXT", "technician": "TEXT", "residence_ids": "TEXT",
        "planned_date": "TEXT", "status": "TEXT",
    },
    # Facts observed on a site (seed 002, table 2): the site classification's grounds.
    # Wholly confidential (CONFIDENTIAL): the pilot's database only.
    "site_facts": {
        "residence_id": "TEXT", "fact": "TEXT",
        "gravity": "TEXT",               # see GRAVITIES
        "frequency": "TEXT",             # see FREQUENCIES
        "observed_on": "TEXT", "source": "TEXT",
        "withdrawn": "INTEGER",          # 1: recorded by mistake (kept in the history)
    },
    # The building manager's decision on encoding a residence (seed 000: approved "ou
    # non", which buildings, which time windows); the latest decision stands.
    "authorisations": {
        "residence_id": "TEXT",
        "decision": "TEXT",              # see DECISIONS
        "decided_by": "TEXT",            # a person of the landlord
        "decided_on": "TEXT",            # date
        "days": "TEXT",                  # 7-char mask, Monday first
        "windows": "TEXT",               # JSON list of ["hh:mm", "hh:mm"]
        "until": "TEXT",                 # date after which it no longer holds (none: no end)
        "note": "TEXT",
    },
    # A service could not open a hall (seed 000: the pilot checks the pass works; seed
    # 001: the access failure rate). Open until closed; an open report puts the hall
    # "to verify" (hall_status.to_verify).
    "failure_reports": {
        "hall_id": "TEXT",
        "reported_on": "TEXT",           # date of the failure
        "service": "TEXT",               # see SERVICES
        "what": "TEXT",                  # see FAILURE_KINDS
        "details": "TEXT",
        "reported_by": "TEXT",
        "closure": "TEXT",               # see CLOSURES; none: open
        "closed_on": "TEXT",             # date
        "closed_by": "TEXT",
        "closure_note": "TEXT",
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
    "site_facts": [("residence_id", "residences")],
    "authorisations": [("residence_id", "residences")],
    "failure_reports": [("hall_id", "halls")],
}

# Confidential (police, justice, landlords only): never on a technician's or
# maintenance laptop unless the pilot says so, never in their bundles.
CONFIDENTIAL: dict[str, set[str]] = {
    "residences": {"site_level"},
    "site_facts": set(ENTITIES["site_facts"]),
}

# Never on a QR label, which anyone may read: the confidential fields and the
# service cards' fingerprints. (Fingerprints do travel to technicians: the
# card check on site, offline, needs the registry.)
NOT_ON_LABELS: dict[str, set[str]] = {
    "residences": {"site_level"},
    "site_facts": set(ENTITIES["site_facts"]),
    "encodings": {"card_fingerprint", "card_override"},
    "service_cards": {"fingerprint"},
}

VIGIK_STATUSES = ("compatible", "incompatible", "unknown")
OUTCOMES = ("encoded", "already_present", "failed", "no_access", "incompatible")
# Why an attempt failed: at the centrale (the first four, offered at the encoding
# step), or programming done but the door did not open with an agent's badge.
DOOR_DOES_NOT_OPEN = "door_does_not_open"
FAILURE_REASONS = ("memory_full", "card_refused", "unreachable", "other", DOOR_DOES_NOT_OPEN)
PROGRAMMING_FAILURES = FAILURE_REASONS[:4]
# The door test after programming (`encodings.door_opened`: 1, 0, null).
DOOR_TESTS = ("opened", "failed", "not_tested")
CARD_STATUSES = ("active", "revoked")
# Who pays the programming kit (seed 000: "the kit as the pilot decides"):
# the agglomeration, the landlords in equal shares, or the State (FIPD grant).
KIT_PAYERS = ("agglomeration", "landlords", "state")
WORK_ORDER_STATUSES = ("issued", "closed")  # `bundle workorder` issues; progress skips closed
# The site classification's grid (seed 002, table 2; docs/classification.md).
GRAVITIES = ("faible", "moyenne", "majeure", "extreme")
FREQUENCIES = ("ponctuelle", "reguliere", "quotidienne")
# A building manager's decision on a residence (authorisations.decision).
DECISIONS = ("granted", "refused")
# Who reports that a hall could not be opened, what happened, how it was closed.
SERVICES = ("police_nationale", "police_municipale", "gendarmerie", "pompiers", "samu", "other")
FAILURE_KINDS = ("badge_refused", "door_broken", "centrale_dead", "reader_damaged", "other")
CLOSURES = ("re_encoded", "repaired", "not_reproduced")
# The hall wizard's steps, in order (see domain.wizard); "done" ends an attempt.
STEPS = ("compatibility", "card", "encoding", "door", "label", "done")

MAX_TEXT = 2_000        # characters of a name, an address, a reason...
MAX_NOTES = 20_000      # characters of free notes
MAX_DWELLINGS = 100_000  # in a hall or a residence; more is a typo
MAX_CAPACITY = 100_000  # services a centrale can hold
MAX_IDS = 100_000       # references in one list (a work order's residences)
MAX_EUROS = 1_000_000_000  # one cost parameter, euros HT
MAX_COUNT = 100_000     # stations, computers, badges in one police office


@dataclass(frozen=True, slots=True)
class Kind:
    """What a field holds: a JSON type and its constraint (checked by `values.check`).

    Every kind also admits null (a field cleared or never set).

    - ``text``: a string of at most `max_length` characters
    - ``integer`` / ``real``: a number from `low` to `high` included
    - ``flag``: 0 or 1 (true/false accepted, stored as 0/1)
    - ``id``: a reference, a canonical lowercase UUID
    - ``enumeration``: one of `choices`
    - ``date``: ``YYYY-MM-DD``; ``datetime``: ISO 8601 with an offset (stored in UTC)
    - ``days``: a 7-character mask of 0/1, Monday first, at least one day
    - ``windows``: 1 to 3 windows ``["hh:mm", "hh:mm"]`` (see `windows`)
    - ``residence_windows``: a windows list, or ``{"days": mask, "windows": [...]}``
    - ``id_list``: a list of at most `max_length` UUIDs
    - ``decimal``: a number from `low` to `high` with at most `max_length`
      decimals, kept exact as text (``"40"``, ``"5583.33"``; money, rates)
    """

    name: str
    low: float | None = None
    high: float | None = None
    max_length: int | None = None
    choices: tuple[str, ...] = ()


def _enumeration(choices: tuple[str, ...]) -> Kind:
    return Kind("enumeration", choices=choices)


TEXT = Kind("text", max_length=MAX_TEXT)
NOTES = Kind("text", max_length=MAX_NOTES)
ID = Kind("id")
FLAG = Kind("flag")
DATE = Kind("date")
DATETIME = Kind("datetime")
DAYS = Kind("days")
WINDOWS = Kind("windows")
RESIDENCE_WINDOWS = Kind("residence_windows")
ID_LIST = Kind("id_list", max_length=MAX_IDS)
DWELLINGS = Kind("integer", low=0, high=MAX_DWELLINGS)
COUNT = Kind("integer", low=0, high=MAX_COUNT)
EUROS = Kind("decimal", low=0, high=MAX_EUROS, max_length=4)

# entity -> field -> kind: every field of ENTITIES (a test checks none is missing)
FIELD_KINDS: dict[str, dict[str, Kind]] = {
    "projects": {
        "name": TEXT, "territory": TEXT, "goal_dwellings_qpv": Kind("integer", low=0, high=10**9),
        "goal_dwellings_outside": Kind("integer", low=0, high=10**9),
        "cost_encoding": EUROS, "cost_replacement_per_entrance": EUROS, "cost_kit": EUROS,
        "cost_service_card": EUROS, "cost_charging_station": EUROS, "cost_computer": EUROS,
        "vat": Kind("decimal", low=0, high=100, max_length=4),
        "kit_payer": _enumeration(KIT_PAYERS),
    },
    "landlords": {"project_id": ID, "name": TEXT, "phone": TEXT},
    "communes": {"insee": TEXT, "name": TEXT},
    "qpvs": {"commune_id": ID, "code": TEXT, "name": TEXT},
    "police_offices": {
        "commune_id": ID, "name": TEXT, "kind": TEXT, "address": TEXT,
        "stations": COUNT, "stations_installed": COUNT, "station_planned": DATE,
        "station_installed": DATE, "computers": COUNT, "agent_badges": COUNT,
    },
    "residences": {
        "landlord_id": ID, "commune_id": ID, "qpv_id": ID, "name": TEXT, "address": TEXT,
        "dwellings": DWELLINGS,
        "lat": Kind("real", low=-90, high=90), "lon": Kind("real", low=-180, high=180),
        "site_level": Kind("integer", low=1, high=4),
        "authorized_by": TEXT, "authorized_at": DATE, "windows": RESIDENCE_WINDOWS,
    },
    "halls": {
        "residence_id": ID, "code": TEXT, "label": TEXT, "address": TEXT,
        "dwellings": DWELLINGS, "brand": TEXT, "model": TEXT,
        "vigik": _enumeration(VIGIK_STATUSES), "centrale_location": TEXT, "notes": NOTES,
        "replacement_planned": DATE, "replaced_on": DATE, "retired": FLAG,
        "vigik_plus": FLAG, "last_maintenance": DATE,
    },
    "centrales": {
        "hall_id": ID, "brand": TEXT, "model": TEXT, "serial": TEXT,
        "capacity": Kind("integer", low=0, high=MAX_CAPACITY), "active": FLAG,
    },
    "service_cards": {
        "landlord_id": ID, "fingerprint": TEXT, "service": TEXT,
        "status": _enumeration(CARD_STATUSES), "revoked_reason": TEXT, "enrolled_at": DATETIME,
    },
    "encodings": {
        "centrale_id": ID, "hall_id": ID, "outcome": _enumeration(OUTCOMES),
        "failure_reason": _enumeration(FAILURE_REASONS), "days": DAYS, "windows": WINDOWS,
        "card_fingerprint": TEXT, "technician": TEXT, "encoded_at": DATETIME,
        "door_opened": FLAG, "label_attached": FLAG, "notes": NOTES,
        "step": _enumeration(STEPS), "card_override": TEXT, "follows": ID, "set_aside": FLAG,
    },
    "work_orders": {
        "project_id": ID, "technician": TEXT, "residence_ids": ID_LIST, "planned_date": DATE,
        "status": _enumeration(WORK_ORDER_STATUSES),
    },
    "site_facts": {
        "residence_id": ID, "fact": TEXT, "gravity": _enumeration(GRAVITIES),
        "frequency": _enumeration(FREQUENCIES), "observed_on": DATE, "source": TEXT,
        "withdrawn": FLAG,
    },
    "authorisations": {
        "residence_id": ID, "decision": _enumeration(DECISIONS), "decided_by": TEXT,
        "decided_on": DATE, "days": DAYS, "windows": WINDOWS, "until": DATE, "note": NOTES,
    },
    "failure_reports": {
        "hall_id": ID, "reported_on": DATE, "service": _enumeration(SERVICES),
        "what": _enumeration(FAILURE_KINDS), "details": NOTES, "reported_by": TEXT,
        "closure": _enumeration(CLOSURES), "closed_on": DATE, "closed_by": TEXT,
        "closure_note": NOTES,
    },
}
