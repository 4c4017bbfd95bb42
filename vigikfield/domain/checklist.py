"""The landlord's checklist kept true: new residences and halls, a hall's facts, a
centrale replaced or reset, a hall retired and restored.

Every change goes through `Store.record` (one op per field, the actor, the
reason), so the rights are those of the one table (`rights`): the pilot, and
maintenance within its own landlord; a technician is refused. Halls are found
through `scope` (a maintenance profile finds only its landlord's).

A centrale **replaced** or **reset** ends the same way: the record of the
centrale the hall had is closed (`centrales.active = 0`) and a new record
opened. Attempts on a closed record stop counting (`hall_attempts.counts`,
docs/statuses.md), so the hall is to encode again, and its earlier attempts
stay in its history. A reset centrale (`re_encode`) is the same box that lost
its programming: its new record keeps the brand, model and serial. One rule,
no second status definition.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from ..i18n import TranslatedError
from . import names, reasons, scope, upkeep
from .journal import Change
from .model import VIGIK_STATUSES
from .rights import check_checklist_keeper
from .store import Store
from .wizard import centrale_id_for


class ChecklistError(TranslatedError):
    """Checklist input that does not fit (a name matching nothing, no reason): exit 2,
    nothing written."""

    prefix = "checklist.error."
    exit_code = 2


# `hall edit` options -> hall fields
EDITABLE = {"brand": "brand", "model": "model", "vigik": "vigik",
            "location": "centrale_location", "dwellings": "dwellings", "label": "label",
            "address": "address", "vigik_plus": "vigik_plus",
            "last_maintenance": "last_maintenance"}


@dataclass(frozen=True, slots=True)
class Done:
    """What a checklist change wrote: the entity, its hall code if any, the fields changed."""

    entity_id: str
    code: str | None
    fields: tuple[str, ...]


def _reason(store: Store, reason: str | None) -> str:
    check_checklist_keeper(store.role)
    if reason is None or not reason.strip():
        raise ChecklistError("no_reason")
    return reason.strip()


def _one(conn, table: str, name: str, key: str) -> str:
    found = names.called(conn, table, name)
    if not found:
        known = ", ".join(names.known(conn, table)) or "—"
        raise ChecklistError(key, name=name, known=known)
    if len(found) > 1:
        raise ChecklistError("ambiguous", name=name, count=len(found))
    return found[0]


def _landlord(store: Store, landlord: str | None) -> str:
    if landlord is None:
        bound = store.profile.landlord_id if store.role == "maintenance" else None
        if bound is None:
            raise ChecklistError("landlord_required")
        return bound
    return _one(store.conn, "landlords", landlord, "no_landlord")


def _residence(store: Store, residence: str) -> str:
    """A residence this profile may see, by name or id."""
    visible = {r.id for r in scope.residences(store)}
    found = [rid for rid in names.called(store.conn, "residences", residence) if rid in visible]
    if not found:
        known = ", ".join(sorted({r.name for r in scope.residences(store) if r.name})[:8]) or "—"
        raise ChecklistError("no_residence", name=residence, known=known)
    if len(found) > 1:
        raise ChecklistError("ambiguous", name=residence, count=len(found))
    return found[0]


def _vigik(value: str | None) -> str | None:
    if value is not None and value not in VIGIK_STATUSES:
        raise ChecklistError("bad_vigik", value=value, known=", ".join(VIGIK_STATUSES))
    return value


def add_residence(store: Store, *, name: str, commune: str, landlord: str | None = None,
                  address: str | None = None, dwellings: int | None = None,
                  reason: str | None = None) -> Done:
    """A new residence (a building delivered): the pilot's next work order can carry it."""
    check_checklist_keeper(store.role)
    if not name.strip():
        raise ChecklistError("empty_name")
    landlord_id = _landlord(store, landlord)
    commune_id = _one(store.conn, "communes", commune, "no_commune")
    fields = {"landlord_id": landlord_id, "commune_id": commune_id, "name": name.strip(),
              "address": address, "dwellings": dwellings}
    residence_id = store.create("residences", fields,
                                reason=reason or reasons.code("reason.checklist_added"))
    return Done(residence_id, None, tuple(k for k, v in fields.items() if v is not None))


def add_hall(store: Store, residence: str, *, label: str, address: str | None = None,
             dwellings: int | None = None, brand: str | None = None, model: str | None = None,
             vigik: str | None = None, reason: str | None = None) -> Done:
    """A new hall in a residence, with a new code (unique, with its check character).
    Its centrale, when its brand or model is known, gets its record."""
    check_checklist_keeper(store.role)
    if not label.strip():
        raise ChecklistError("empty_label")
    residence_id = _residence(store, residence)
    fields = {"residence_id": residence_id, "label": label.strip(), "address": address,
              "dwellings": dwellings, "brand": brand, "model": model,
              "vigik": _vigik(vigik) or "unknown"}
    why = reason or reasons.code("reason.checklist_added")
    with store.transaction():
        hall_id = store.create("halls", fields, reason=why)
        if brand or model:
            store.create("centrales", {"hall_id": hall_id, "brand": brand, "model": model,
                                       "active": 1}, entity_id=centrale_id_for(hall_id, []),
                         reason=why)
    code = store.get("halls", hall_id)["code"]
    return Done(hall_id, code, tuple(k for k, v in fields.items() if v is not None))


def edit_hall(store: Store, code: str, changes: dict[str, Any], reason: str | None,
              today: date | None = None) -> Done:
    """Change a hall's facts (`EDITABLE` names); only the fields that differ are written.
    Vigik Plus is yes/no/unknown, the last maintenance a date not after `today` (upkeep)."""
    why = _reason(store, reason)
    hall = scope.find_hall(store, code)
    fields = {EDITABLE[k]: v for k, v in changes.items() if v is not None}
    if not fields:
        raise ChecklistError("nothing_to_edit")
    _vigik(fields.get("vigik"))
    if "vigik_plus" in fields:
        fields["vigik_plus"] = upkeep.flag_of(fields["vigik_plus"])
    if "last_maintenance" in fields:
        fields["last_maintenance"] = upkeep.maintenance_date(fields["last_maintenance"],
                                                             today or date.today())
    written = store.update("halls", hall.id, fields, reason=why)
    return Done(hall.id, hall.code, tuple(written))


def _active(store: Store, hall: scope.HallRow) -> dict[str, Any]:
    """Brand, model and serial of the hall's active centrale (else the hall's brand, model)."""
    active = [c for c in scope.centrales(store, hall.id) if c.active]
    if active:
        return {"brand": active[0].brand or hall.brand, "model": active[0].model or hall.model,
                "serial": active[0].serial}
    return {"brand": hall.brand, "model": hall.model, "serial": None}


def _renew_centrale(store: Store, hall: scope.HallRow, fields: dict[str, Any], why: str) -> str:
    """Close the hall's centrale records and open a new one; returns its id."""
    old = scope.centrales(store, hall.id)
    changes = [Change("centrales", c.id, "active", 0) for c in old if c.active]
    centrale_id = centrale_id_for(hall.id, [c.id for c in old])  # the wizard's id: one record
    new = {"hall_id": hall.id, "active": 1, **{k: v for k, v in fields.items() if v is not None}}
    changes += store.creation_changes("centrales", centrale_id, new)
    store.record(changes, reason=why)
    return centrale_id


def replace_centrale(store: Store, code: str, *, brand: str | None = None,
                     model: str | None = None, serial: str | None = None,
                     reason: str | None) -> Done:
    """A new centrale in the hall (vandalised, replaced): the old one's record is closed,
    the hall is to encode again. The hall's brand and model follow the new one's."""
    why = _reason(store, reason)
    hall = scope.find_hall(store, code)
    was = _active(store, hall)
    with store.transaction():
        centrale_id = _renew_centrale(store, hall, {"brand": brand or was["brand"],
                                                    "model": model or was["model"],
                                                    "serial": serial}, why)
        store.update("halls", hall.id, {k: v for k, v in (("brand", brand), ("model", model))
                                        if v is not None}, reason=why)
    return Done(centrale_id, hall.code, ("active",))


def re_encode(store: Store, code: str, *, reason: str | None) -> Done:
    """To encode again (a reset centrale, a changed door): the same box, a new record."""
    why = _reason(store, reason)
    hall = scope.find_hall(store, code)
    with store.transaction():
        centrale_id = _renew_centrale(store, hall, _active(store, hall), why)
    return Done(centrale_id, hall.code, ("active",))


def set_retired(store: Store, code: str, retired: bool, *, reason: str | None) -> Done:
    """Retire a hall (out of every count and route, its history kept) or restore it.
    Nothing is written when it is already so (`Done.fields` empty)."""
    why = _reason(store, reason)
    hall = scope.find_hall(store, code)
    if bool(store.get("halls", hall.id)["retired"]) == retired:
        return Done(hall.id, hall.code, ())
    written = store.update("halls", hall.id, {"retired": 1 if retired else 0}, reason=why)
    return Done(hall.id, hall.code, tuple(written))
