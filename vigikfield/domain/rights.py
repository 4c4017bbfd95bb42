"""Who may write what: the one rights table, enforced by the store and at merge.

`RIGHTS` names, for every entity and field of the model, the roles that may
write it (a test checks that no field is left out). Two rules narrow it:

- a technician writes only its own encoding attempts (`OWN_ONLY`): those whose
  first op was written by its device (or by a device it succeeds);
- maintenance writes only within its landlord (`LANDLORD_SCOPED`): the
  residences, halls and centrales whose landlord is the profile's, before and
  after the change (nothing moved into or out of it).

The pilot writes everything. The store checks every `record` against the
database's own profile; the merge checks every received op against the role
the receiver trusts the signer with (`trust add --role`), never the role a
bundle claims. Both use the functions below, so the rule is written once.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from ..i18n import TranslatedError, t
from .model import ENTITIES
from .profile import MAINTENANCE, PILOT, TECHNICIAN

P = frozenset({PILOT})
PM = frozenset({PILOT, MAINTENANCE})
PT = frozenset({PILOT, TECHNICIAN})
PTM = frozenset({PILOT, TECHNICIAN, MAINTENANCE})


def _all(entity: str, roles: frozenset[str]) -> dict[str, frozenset[str]]:
    return dict.fromkeys(ENTITIES[entity], roles)


RIGHTS: dict[str, dict[str, frozenset[str]]] = {
    # The campaign's frame: the pilot's alone.
    "projects": _all("projects", P),
    "landlords": _all("landlords", P),
    "communes": _all("communes", P),
    "qpvs": _all("qpvs", P),
    "police_offices": _all("police_offices", P),
    # The landlord's checklist: maintenance keeps its own, never the classification.
    "residences": {
        "landlord_id": PM, "commune_id": PM, "qpv_id": PM, "name": PM, "address": PM,
        "dwellings": PM, "lat": PM, "lon": PM,
        "site_level": P,                      # confidential (seed 002)
        "authorized_by": PM, "authorized_at": PM, "windows": PM,
    },
    # What a technician observes on site about a hall and its centrale.
    "halls": {
        "residence_id": PM, "code": PM, "label": PM, "address": PM, "dwellings": PM,
        "brand": PTM, "model": PTM, "vigik": PTM, "centrale_location": PTM, "notes": PTM,
        # the landlord plans and reports an incompatible system's replacement
        "replacement_planned": PM, "replaced_on": PM,
        "retired": PM,                        # a demolished hall, merged entrances
        "vigik_plus": PM, "last_maintenance": PM,  # the reader's readiness and upkeep
    },
    "centrales": _all("centrales", PTM),
    "service_cards": _all("service_cards", P),
    # Encoding attempts: the technician's own (OWN_ONLY), and the pilot's settlements.
    "encodings": {**_all("encodings", PT), "set_aside": P},
    "work_orders": _all("work_orders", P),
    # The site classification (seed 002): the pilot's alone, like the level it gives.
    "site_facts": _all("site_facts", P),
    # The building manager's decision, recorded by the pilot or the landlord's staff.
    "authorisations": _all("authorisations", PM),
    # Anyone with a role reports that a service could not open a hall, or closes it.
    "failure_reports": _all("failure_reports", PTM),
}

# Who keeps the landlord's checklist (`domain.checklist`, its commands and screens):
# a technician observes a hall through the wizard, it does not edit the checklist.
CHECKLIST_KEEPERS = PM

OWN_ONLY: dict[str, frozenset[str]] = {TECHNICIAN: frozenset({"encodings"})}
LANDLORD_SCOPED: dict[str, frozenset[str]] = {
    MAINTENANCE: frozenset({"residences", "halls", "centrales", "authorisations",
                            "failure_reports"}),
}

# The landlord of a residence, hall or centrale, from the state tables.
_LANDLORD_SQL = {
    "residences": "SELECT r.id, r.landlord_id FROM residences r WHERE r.id IN ({marks})",
    "halls": "SELECT h.id, r.landlord_id FROM halls h "
             "LEFT JOIN residences r ON r.id = h.residence_id WHERE h.id IN ({marks})",
    "centrales": "SELECT c.id, r.landlord_id FROM centrales c "
                 "LEFT JOIN halls h ON h.id = c.hall_id "
                 "LEFT JOIN residences r ON r.id = h.residence_id WHERE c.id IN ({marks})",
    "authorisations": "SELECT a.id, r.landlord_id FROM authorisations a "
                      "LEFT JOIN residences r ON r.id = a.residence_id WHERE a.id IN ({marks})",
    "failure_reports": "SELECT f.id, r.landlord_id FROM failure_reports f "
                       "LEFT JOIN halls h ON h.id = f.hall_id "
                       "LEFT JOIN residences r ON r.id = h.residence_id WHERE f.id IN ({marks})",
}


class RightsError(TranslatedError):
    """A write outside the writer's rights; nothing was written."""

    prefix = "rights."
    exit_code = 2


def role_name(role: str) -> str:
    return t(f"rights.role.{role}")


def field_name(entity: str, field: str) -> str:
    return t(f"field.{entity}.{field}")


def may_write(role: str, entity: str, field: str) -> bool:
    return role in RIGHTS.get(entity, {}).get(field, ())


def check_checklist_keeper(role: str) -> None:
    """Refuse a checklist change by a role that does not keep it (RightsError)."""
    if role not in CHECKLIST_KEEPERS:
        raise RightsError("refused_checklist", role=role_name(role))


def refuse_field(role: str, entity: str, field: str, *, who: str | None = None,
                 entity_id: str | None = None) -> RightsError:
    """The refusal of writing `entity.field` with `role` (`who`: the signer, at merge)."""
    values = dict(role=role_name(role), field=field_name(entity, field),
                  entity=t(f"entity.{entity}"), id=(entity_id or "")[:8])
    if who is not None:
        return RightsError("refused_op", who=who, **values)
    return RightsError("refused_field" if entity_id else "refused_command", **values)


def _chunks(items: list, size: int = 500) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def landlords_of(conn: sqlite3.Connection, entity: str, ids: Iterable[str]) -> dict[str, str | None]:
    """id -> landlord id of these residences, halls or centrales (as stored now)."""
    sql = _LANDLORD_SQL[entity]
    found: dict[str, str | None] = {}
    for chunk in _chunks(list(ids)):
        found.update(conn.execute(sql.format(marks=", ".join("?" * len(chunk))), chunk))
    return found


def foreign_owned(conn: sqlite3.Connection, entity: str, ids: Iterable[str],
                  devices: Iterable[str]) -> str | None:
    """An id among `ids` whose first op came from a device not in `devices` (None: all ours)."""
    own = set(devices)
    for chunk in _chunks(sorted(set(ids))):
        marks = ", ".join("?" * len(chunk))
        for entity_id, device_id in conn.execute(
            # The first ops found by seeks on idx_ops_target, then joined (CROSS JOIN keeps
            # that order: SQLite would otherwise scan the whole op log).
            f"SELECT o.entity_id, o.device_id FROM (SELECT entity_id, min(hlc) AS first "
            f"FROM ops WHERE entity = ? AND entity_id IN ({marks}) GROUP BY entity_id) f "
            f"CROSS JOIN ops o ON o.entity = ? AND o.entity_id = f.entity_id AND o.hlc = f.first",
            (entity, *chunk, entity),
        ):
            if device_id not in own:
                return entity_id
    return None


def out_of_scope(conn: sqlite3.Connection, targets: dict[str, set[str]],
                 landlord_id: str | None) -> tuple[str, str] | None:
    """(entity, id) of the first target whose landlord is not `landlord_id`, if any.

    Entities outside the scoped ones are not looked at here (the field rights
    refuse them). A target not yet in the state tables (created by the change
    being checked) is skipped: call again after the change is applied.
    """
    for entity in sorted(targets):
        if entity not in _LANDLORD_SQL:
            continue
        for entity_id, owner in sorted(landlords_of(conn, entity, targets[entity]).items()):
            if owner != landlord_id:
                return entity, entity_id
    return None


class Guard:
    """The checks of one write by one role, before and after it is applied.

    `before` refuses fields outside the role and other devices' attempts, and
    checks the scope of what exists already; `after` checks the scope of what
    the write left (new entities included). Both raise RightsError.
    """

    def __init__(self, conn: sqlite3.Connection, role: str, *, devices: Iterable[str],
                 landlord_id: str | None = None, who: str | None = None) -> None:
        self.conn = conn
        self.role = role
        self.devices = set(devices)
        self.landlord_id = landlord_id
        self.who = who
        self.targets: dict[str, set[str]] = {}

    @property
    def unrestricted(self) -> bool:
        return self.role == PILOT

    def field(self, entity: str, field: str, entity_id: str | None = None) -> None:
        if not may_write(self.role, entity, field):
            raise refuse_field(self.role, entity, field, who=self.who, entity_id=entity_id)

    def before(self, targets: dict[str, set[str]]) -> None:
        """Ownership and scope of the entities about to be written (`entity -> ids`)."""
        self.targets = targets
        if self.unrestricted:
            return
        for entity in OWN_ONLY.get(self.role, ()):
            if entity in targets:
                other = foreign_owned(self.conn, entity, targets[entity], self.devices)
                if other is not None:
                    raise RightsError("not_own", entity=t(f"entity.{entity}"), id=other[:8],
                                      role=role_name(self.role), who=self.who or "")
        self._scope()

    def after(self) -> None:
        if not self.unrestricted:
            self._scope()

    def _scope(self) -> None:
        scoped = LANDLORD_SCOPED.get(self.role)
        if not scoped:
            return
        wanted = {e: ids for e, ids in self.targets.items() if e in scoped}
        bad = out_of_scope(self.conn, wanted, self.landlord_id)
        if bad is not None:
            entity, entity_id = bad
            raise RightsError("other_landlord", entity=t(f"entity.{entity}"), id=entity_id[:8],
                              who=self.who or "")
