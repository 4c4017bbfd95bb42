"""The hall wizard's domain side: each confirmed step is one transaction.

The technician's progress in a hall is an ``encodings`` row whose ``step``
says where they are. Opening a hall resumes the attempt in progress (a crash
or a closed lid loses nothing confirmed) or starts at the first step; the row
is created by the first confirmation, so merely looking at a hall writes
nothing.

Steps, in order::

    compatibility -> card -> encoding (outcome + time windows) -> door -> label -> done

A failed encoding, no access or an incompatible hall ends the attempt at once.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from .model import FAILURE_REASONS, OUTCOMES, VIGIK_STATUSES
from .model import STEPS as STEPS  # the steps are defined with the fields they fill
from .store import Store, StoreError

EVERY_DAY_24H = ("1111111", [["00:00", "24:00"]])


class WizardError(StoreError):
    """A confirmation that can't be taken (bad value, hall unknown)."""


@dataclass
class HallState:
    """What the wizard shows about one hall, and where the attempt stands."""

    hall: dict[str, Any]
    residence: dict[str, Any]
    landlord: dict[str, Any] | None
    encoding: dict[str, Any] | None = None  # the attempt in progress or just finished
    history: list[dict[str, Any]] = field(default_factory=list)  # earlier attempts

    @property
    def step(self) -> str:
        if self.encoding is None:
            return "compatibility"
        return self.encoding.get("step") or "done"

    @property
    def hall_id(self) -> str:
        return self.hall["id"]

    def default_windows(self) -> tuple[str, list[list[str]]]:
        """The residence's decided windows, else every day 24 h (police, emergency).

        A residence's ``windows`` is either a list of windows (every day) or
        ``{"days": "1111110", "windows": [...]}``.
        """
        decided = self.residence.get("windows")
        if decided:
            value = json.loads(decided) if isinstance(decided, str) else decided
            if isinstance(value, dict):
                return value.get("days", "1111111"), value.get("windows", [])
            return "1111111", value
        return EVERY_DAY_24H


def now_iso() -> str:
    """Now, as stored: UTC (a laptop's time zone must not decide which attempt came last)."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def open_hall(store: Store, hall_id: str) -> HallState:
    """The hall, its residence and landlord, and the attempt to resume if any."""
    hall = store.get("halls", hall_id)
    if hall is None:
        raise WizardError(f"hall {hall_id} not found")
    residence = store.get("residences", hall["residence_id"]) or {}
    landlord = store.get("landlords", residence["landlord_id"]) if residence.get("landlord_id") else None
    rows = store.conn.execute(
        "SELECT id FROM encodings WHERE hall_id = ? ORDER BY coalesce(encoded_at, ''), rowid",
        (hall_id,),
    ).fetchall()
    attempts = [store.get("encodings", r[0]) for r in rows]
    current = None
    if attempts and (attempts[-1].get("step") or "done") != "done":
        current = attempts.pop()
    return HallState(hall, residence, landlord, current, attempts)


def _centrale_for(store: Store, hall: dict[str, Any]) -> str:
    row = store.conn.execute(
        "SELECT id FROM centrales WHERE hall_id = ? AND coalesce(active, 1) = 1 "
        "ORDER BY rowid DESC LIMIT 1", (hall["id"],),
    ).fetchone()
    if row:
        return row[0]
    return store.create("centrales", {
        "hall_id": hall["id"], "brand": hall.get("brand"), "model": hall.get("model"), "active": 1,
    })


def _write(store: Store, state: HallState, fields: dict[str, Any], reason: str | None = None) -> HallState:
    """Create the attempt on first confirmation, else update it; then reload."""
    with store.transaction():
        if state.encoding is None:
            encoding_id = str(uuid.uuid4())
            base = {"hall_id": state.hall_id, "centrale_id": _centrale_for(store, state.hall),
                    "technician": store.actor}
            store.record(Store.creation_changes("encodings", encoding_id, {**base, **fields}), reason)
        else:
            encoding_id = state.encoding["id"]
            store.update("encodings", encoding_id, fields, reason)
    fresh = open_hall(store, state.hall_id)
    if fresh.encoding is None:  # finished: show the attempt just closed
        fresh.encoding = store.get("encodings", encoding_id)
        fresh.history = [e for e in fresh.history if e["id"] != encoding_id]
    return fresh


def confirm_compatibility(store: Store, state: HallState, vigik: str, *, brand: str | None = None,
                          model: str | None = None, location: str | None = None) -> HallState:
    """compatible → card step; incompatible → done (to replace); unknown → done (to verify)."""
    if vigik not in VIGIK_STATUSES:
        raise WizardError(f"vigik must be one of {', '.join(VIGIK_STATUSES)}")
    hall_fields = {"vigik": vigik}
    for name, value in (("brand", brand), ("model", model), ("centrale_location", location)):
        if value:
            hall_fields[name] = value
    with store.transaction():
        store.update("halls", state.hall_id, hall_fields, "compatibility check")
        state.hall = store.get("halls", state.hall_id)
        if vigik == "compatible":
            return _write(store, state, {"step": "card"})
        outcome = {"outcome": "incompatible", "encoded_at": now_iso()} if vigik == "incompatible" else {}
        return _write(store, state, {**outcome, "step": "done"})


def note_centrale(store: Store, state: HallState, *, brand: str, model: str) -> HallState:
    """Brand and model read off the centrale's sticker (a hall field, any step)."""
    store.update("halls", state.hall_id, {"brand": brand or None, "model": model or None},
                 "centrale noted on site")
    fresh = open_hall(store, state.hall_id)
    fresh.encoding = fresh.encoding or state.encoding
    return fresh


def decode_windows(value: Any) -> list[list[str]]:
    return json.loads(value) if isinstance(value, str) else list(value or [])


def confirm_card(store: Store, state: HallState, *, fingerprint: str | None = None,
                 override_reason: str | None = None) -> HallState:
    """The card the reader recognised, or — with no reader — the technician's reason."""
    if not fingerprint and not (override_reason and override_reason.strip()):
        raise WizardError("a card fingerprint or an override reason is needed")
    fields: dict[str, Any] = {"step": "encoding"}
    if fingerprint:
        fields["card_fingerprint"] = fingerprint
    else:
        fields["card_override"] = override_reason.strip()
    return _write(store, state, fields, "card override" if not fingerprint else None)


def confirm_encoding(store: Store, state: HallState, outcome: str, *,
                     failure_reason: str | None = None, days: str | None = None,
                     windows: list[list[str]] | None = None, notes: str | None = None) -> HallState:
    """The outcome at the centrale, with the windows programmed when it worked."""
    if outcome not in OUTCOMES or outcome == "incompatible":
        raise WizardError(f"unknown outcome {outcome!r}")
    fields: dict[str, Any] = {"outcome": outcome, "encoded_at": now_iso()}
    if notes:
        fields["notes"] = notes
    if outcome in ("encoded", "already_present"):
        default_days, default_windows = state.default_windows()
        fields["days"] = days or default_days
        fields["windows"] = windows if windows is not None else default_windows
        fields["step"] = "door"
    else:
        if outcome == "failed" and failure_reason not in FAILURE_REASONS:
            raise WizardError(f"failure reason must be one of {', '.join(FAILURE_REASONS)}")
        if failure_reason:
            fields["failure_reason"] = failure_reason
        fields["step"] = "done"
    return _write(store, state, fields)


def confirm_door(store: Store, state: HallState, opened: bool) -> HallState:
    return _write(store, state, {"door_opened": int(opened), "step": "label"})


def confirm_label(store: Store, state: HallState, attached: bool) -> HallState:
    return _write(store, state, {"label_attached": int(attached), "step": "done"})


def no_access(store: Store, state: HallState, reason: str) -> HallState:
    """At any step: the centrale can't be reached (locked room...). Ends the attempt."""
    if not reason.strip():
        raise WizardError("a reason is needed")
    return _write(store, state, {"outcome": "no_access", "notes": reason.strip(),
                                 "encoded_at": now_iso(), "step": "done"}, "no access")


def next_pending_hall(store: Store, residence_id: str, after: str | None = None) -> str | None:
    """The first hall of the residence still to do (by label), other than `after`."""
    from .progress import hall_rows

    ids = [r.id for r in hall_rows(store.conn, residence_id)
           if r.status in ("to_check", "compatible") and r.id != after]
    if not ids:
        return None
    return ids[0]


def record_outcome(store: Store, hall_id: str, outcome: str, *, reason: str | None = None,
                   days: str | None = None, windows: list[list[str]] | None = None,
                   card: str | None = None, note: str | None = None,
                   door_opened: bool | None = None) -> dict[str, Any]:
    """A whole attempt in one transaction (results received by phone or mail).

    `outcome` is one of `OUTCOMES`; for ``failed``, `reason` is one of
    `FAILURE_REASONS` or free text (kept as ``other`` + the text); for
    ``no_access`` the reason is required.
    """
    if outcome not in OUTCOMES:
        raise WizardError(f"unknown outcome {outcome!r}")
    with store.transaction():
        state = open_hall(store, hall_id)
        if outcome == "incompatible":
            state = confirm_compatibility(store, state, "incompatible")
            if note:
                state = _write(store, state, {"notes": note})
            return state.encoding or {}
        if outcome == "no_access":
            return no_access(store, state, reason or note or "").encoding or {}
        if state.step == "compatibility":
            state = confirm_compatibility(store, state, "compatible")
        if state.step == "card":
            state = confirm_card(store, state, fingerprint=card,
                                 override_reason=None if card else "recorded from the command line")
        failure = None
        if outcome == "failed":
            if not reason:
                raise WizardError("a failed encoding needs a reason")
            failure = reason if reason in FAILURE_REASONS else "other"
            if failure == "other" and reason != "other":
                note = f"{reason} — {note}" if note else reason
        state = confirm_encoding(store, state, outcome, failure_reason=failure, days=days,
                                 windows=windows, notes=note)
        if state.step == "door":
            state = _write(store, state, {"step": "done", **(
                {"door_opened": int(door_opened)} if door_opened is not None else {})})
        return state.encoding or {}
