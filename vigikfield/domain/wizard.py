"""The hall wizard's domain side: each confirmed step is one transaction.

The technician's progress in a hall is an ``encodings`` row whose ``step``
says where they are. Opening a hall resumes the attempt in progress (a crash
or a closed lid loses nothing confirmed) or starts at the first step; the row
is created by the first confirmation, so merely looking at a hall writes
nothing.

Steps, in order::

    compatibility -> card -> encoding (outcome + time windows) -> door -> label -> done

A failed encoding, no access or an incompatible hall ends the attempt at once;
so does a door that does not open once the centrale is programmed (the hall
is not encoded). A door that could not be tested keeps the hall encoded,
flagged "door not tested". The hall's status is never decided here: it is
read from the one definition (`status`, docs/statuses.md).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any

from ..i18n import EXIT_BAD_INPUT, TranslatedError
from . import authorisations, reasons
from . import status as statuses
from .model import DOOR_DOES_NOT_OPEN, DOOR_TESTS, OUTCOMES, PROGRAMMING_FAILURES, VIGIK_STATUSES
from .model import STEPS as STEPS  # the steps are defined with the fields they fill
from .status import HallStatus
from .store import Store, StoreError

EVERY_DAY_24H = ("1111111", [["00:00", "24:00"]])
PROGRAMMED = ("encoded", "already_present")  # outcomes that leave the service in the centrale
# A hall's own centrale when none is active: the same id on every laptop that
# makes it first (uuid5 of the hall and of the centrales it replaces).
_CENTRALE_NS = uuid.UUID("3a4f8c1e-6b2d-5e9f-8a7c-1d2e3f4a5b6c")


class WizardError(TranslatedError, StoreError):
    """A confirmation that can't be taken (bad value, hall unknown): the catalog
    message ``wizard.error.<key>``, shown in the user's language; bad input."""

    prefix = "wizard.error."
    exit_code = EXIT_BAD_INPUT


@dataclass
class HallState:
    """What the wizard shows about one hall, and where the attempt stands."""

    hall: dict[str, Any]
    residence: dict[str, Any]
    landlord: dict[str, Any] | None
    encoding: dict[str, Any] | None = None  # the attempt in progress or just finished
    history: list[dict[str, Any]] = field(default_factory=list)  # the other attempts, by the op log
    status: HallStatus | None = None  # the hall's status (the one definition)
    # the residence's authorisation (domain/authorisations.py), as of the day it was opened
    authorisation: authorisations.Authorisation | None = None

    @property
    def step(self) -> str:
        if self.encoding is None:
            return "compatibility"
        return self.encoding.get("step") or "done"

    @property
    def hall_id(self) -> str:
        return self.hall["id"]

    def default_windows(self) -> tuple[str, list[list[str]]]:
        """The landlord's authorisation's days and windows, else the residence's decided
        windows, else every day 24 h (police, emergency).

        A residence's ``windows`` is either a list of windows (every day) or
        ``{"days": "1111110", "windows": [...]}``.
        """
        authorised = self.authorisation.schedule() if self.authorisation else None
        if authorised:
            return authorised
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


def open_hall(store: Store, hall_id: str, today: date | None = None) -> HallState:
    """The hall, its residence and landlord, its status, its residence's authorisation
    (as of `today`, the local date by default), and the attempt to continue.

    The attempt continued is this database's own unfinished one, most recently
    touched (`status.resumable`), whatever other attempts the hall has.
    """
    hall = store.get("halls", hall_id)
    if hall is None:
        raise WizardError("no_hall", hall=hall_id)
    residence = store.get("residences", hall["residence_id"]) or {}
    landlord = store.get("landlords", residence["landlord_id"]) if residence.get("landlord_id") else None
    current_id = statuses.resumable(store.conn, hall_id, store.own_devices())
    attempts = [store.get("encodings", a.encoding_id)
                for a in statuses.attempts(store.conn, hall_id)]
    current = next((a for a in attempts if a["id"] == current_id), None)
    history = [a for a in attempts if a["id"] != current_id]
    authorisation = (authorisations.of_residence(store.conn, residence["id"], today or date.today())
                     if residence.get("id") else None)
    return HallState(hall, residence, landlord, current, history,
                     statuses.of_hall(store.conn, hall_id), authorisation)


def centrale_id_for(hall_id: str, retired: list[str]) -> str:
    """The id of the centrale a wizard creates for a hall with no active one."""
    return str(uuid.uuid5(_CENTRALE_NS, "|".join([hall_id, *sorted(retired)])))


def _centrale_for(store: Store, hall: dict[str, Any]) -> str:
    """The hall's active centrale; made when there is none, with an id every laptop agrees on.

    Two technicians' first visits to a hall without a centrale write the same
    entity: equal values merge as one, different brands or models are field
    conflicts for the pilot, and the hall keeps one active centrale.
    """
    rows = store.conn.execute(
        "SELECT id, coalesce(active, 1) FROM centrales WHERE hall_id = ? ORDER BY id",
        (hall["id"],),
    ).fetchall()
    active = [row[0] for row in rows if row[1] != 0]
    if active:
        return active[0]
    return store.create("centrales", {
        "hall_id": hall["id"], "brand": hall.get("brand"), "model": hall.get("model"), "active": 1,
    }, entity_id=centrale_id_for(hall["id"], [row[0] for row in rows]))


def _write(store: Store, state: HallState, fields: dict[str, Any], reason: str | None = None) -> HallState:
    """Create the attempt on first confirmation, else update it; then reload."""
    with store.transaction():
        if state.encoding is None:
            encoding_id = str(uuid.uuid4())
            decided = statuses.of_hall(store.conn, state.hall_id)
            base = {"hall_id": state.hall_id, "centrale_id": _centrale_for(store, state.hall),
                    "technician": store.actor,
                    # what this visit knew: a later attempt that follows is no disagreement
                    "follows": decided.decided_by if decided else None}
            store.record(Store.creation_changes("encodings", encoding_id, {**base, **fields}), reason)
        else:
            encoding_id = state.encoding["id"]
            store.update("encodings", encoding_id, fields, reason)
    fresh = open_hall(store, state.hall_id)
    if fresh.encoding is None or fresh.encoding["id"] != encoding_id:
        # finished: the screen goes on showing the attempt just closed
        pool = {e["id"]: e for e in (fresh.encoding, *fresh.history) if e}
        order = [a.encoding_id for a in statuses.attempts(store.conn, state.hall_id)]
        fresh.encoding = store.get("encodings", encoding_id)
        fresh.history = [pool[i] for i in order if i != encoding_id and i in pool]
    return fresh


def check_authorised(store: Store, state: HallState, today: date | None = None) -> None:
    """Refuse going on to the card of a hall whose residence is not authorised (pending,
    refused, expired as of `today`): `authorisations.AuthorisationError`, nothing written.
    Observations need no authorisation (incompatible, unknown, no access)."""
    authorisations.check_may_encode(store.conn, state.residence.get("id"), today or date.today())


def confirm_compatibility(store: Store, state: HallState, vigik: str, *, brand: str | None = None,
                          model: str | None = None, location: str | None = None,
                          today: date | None = None) -> HallState:
    """compatible → card step (if the residence is authorised); incompatible → done (to
    replace); unknown → done (to verify)."""
    if vigik not in VIGIK_STATUSES:
        raise WizardError("bad_vigik", value=vigik, choices=", ".join(VIGIK_STATUSES))
    if vigik == "compatible":
        check_authorised(store, state, today)
    hall_fields = {"vigik": vigik}
    for name, value in (("brand", brand), ("model", model), ("centrale_location", location)):
        if value:
            hall_fields[name] = value
    with store.transaction():
        store.update("halls", state.hall_id, hall_fields, reasons.code("reason.compatibility_check"))
        state.hall = store.get("halls", state.hall_id)
        if vigik == "compatible":
            return _write(store, state, {"step": "card"})
        outcome = {"outcome": "incompatible", "encoded_at": now_iso()} if vigik == "incompatible" else {}
        return _write(store, state, {**outcome, "step": "done"})


def note_centrale(store: Store, state: HallState, *, brand: str, model: str) -> HallState:
    """Brand and model read off the centrale's sticker (a hall field, any step)."""
    store.update("halls", state.hall_id, {"brand": brand or None, "model": model or None},
                 reasons.code("reason.centrale_noted"))
    fresh = open_hall(store, state.hall_id)
    fresh.encoding = fresh.encoding or state.encoding
    return fresh


def decode_windows(value: Any) -> list[list[str]]:
    return json.loads(value) if isinstance(value, str) else list(value or [])


def confirm_card(store: Store, state: HallState, *, fingerprint: str | None = None,
                 override_reason: str | None = None) -> HallState:
    """The card the reader recognised, or — with no reader — the technician's reason."""
    if not fingerprint and not (override_reason and override_reason.strip()):
        raise WizardError("card_or_reason")
    fields: dict[str, Any] = {"step": "encoding"}
    if fingerprint:
        fields["card_fingerprint"] = fingerprint
    else:
        fields["card_override"] = override_reason.strip()
    return _write(store, state, fields, reasons.code("reason.card_override") if not fingerprint else None)


# A card read and refused (another landlord's, unknown, revoked, none enrolled)
# is passed over only by an explicit action with a reason, recorded in the
# attempt as ``card_override = "[refused:<kind>] <reason>"`` (with the refused
# card's fingerprint when one was read), never as a no-reader override.
CARD_REFUSALS = ("other_landlord", "unknown", "revoked", "none_enrolled")
_REFUSED = "[refused:"


def refusal_override_text(refusal: str, reason: str) -> str:
    return f"{_REFUSED}{refusal}] {reason.strip()}"


def parse_card_override(text: str | None) -> tuple[str | None, str | None]:
    """(refusal kind or None for a no-reader override, the technician's reason)."""
    if text and text.startswith(_REFUSED) and "] " in text:
        kind, _, reason = text[len(_REFUSED):].partition("] ")
        if kind in CARD_REFUSALS:
            return kind, reason
    return None, text


def override_card_refusal(store: Store, state: HallState, *, refusal: str, reason: str,
                          fingerprint: str | None = None) -> HallState:
    """Go on although the card was read and refused: the kind of refusal, the refused
    card and the reason are kept in the attempt and shown to the pilot (`hall show`)."""
    if refusal not in CARD_REFUSALS:
        raise WizardError(f"refusal must be one of {', '.join(CARD_REFUSALS)}")
    if not reason.strip():
        raise WizardError("a reason is needed")
    fields: dict[str, Any] = {"step": "encoding",
                              "card_override": refusal_override_text(refusal, reason)}
    if fingerprint:
        fields["card_fingerprint"] = fingerprint
    return _write(store, state, fields, reasons.code("reason.card_refusal_overridden"))


def decide_residence_windows(store: Store, state: HallState, days: str,
                             windows: list[list[str]]) -> HallState:
    """The windows decided for the whole residence (pilot, maintenance): every hall
    of it, on every laptop, starts from them."""
    store.update("residences", state.residence["id"], {"windows": {"days": days, "windows": windows}},
                 reasons.code("reason.residence_windows"))
    state.residence = store.get("residences", state.residence["id"]) or state.residence
    return state


def confirm_encoding(store: Store, state: HallState, outcome: str, *,
                     failure_reason: str | None = None, days: str | None = None,
                     windows: list[list[str]] | None = None, notes: str | None = None,
                     today: date | None = None) -> HallState:
    """The outcome at the centrale, with the windows programmed when it worked."""
    if outcome not in OUTCOMES or outcome == "incompatible":
        raise WizardError("bad_outcome", outcome=outcome)
    if outcome != "no_access":  # an attempt begun before a refusal goes no further
        check_authorised(store, state, today)
    fields: dict[str, Any] = {"outcome": outcome, "encoded_at": now_iso()}
    if notes:
        fields["notes"] = notes
    if outcome in ("encoded", "already_present"):
        default_days, default_windows = state.default_windows()
        fields["days"] = days or default_days
        fields["windows"] = windows if windows is not None else default_windows
        fields["step"] = "door"
    else:
        if outcome == "failed" and failure_reason not in PROGRAMMING_FAILURES:
            raise WizardError("bad_failure", value=failure_reason or "",
                              choices=", ".join(PROGRAMMING_FAILURES))
        if failure_reason:
            fields["failure_reason"] = failure_reason
        fields["step"] = "done"
    return _write(store, state, fields)


def confirm_door(store: Store, state: HallState, opened: bool) -> HallState:
    """The door tested with an agent's badge after programming.

    Opened: on to the label. Not opened: the hall is not encoded — the attempt
    ends failed, reason door_does_not_open (the pilot's attention list), no label.
    """
    if opened:
        return _write(store, state, {"door_opened": 1, "step": "label"})
    return _write(store, state, {"door_opened": 0, "outcome": "failed",
                                 "failure_reason": DOOR_DOES_NOT_OPEN, "step": "done"},
                  reasons.code("reason.door_does_not_open"))


def door_not_tested(store: Store, state: HallState, reason: str) -> HallState:
    """The door could not be tested (no access to it, no badge, battery...): the
    hall stays encoded, flagged "door not tested", and the label comes next."""
    if not reason.strip():
        raise WizardError("reason_needed")
    return _write(store, state, {"notes": _with_note(state, reason), "step": "label"},
                  reasons.code("reason.door_not_tested"))


def _with_note(state: HallState, text: str) -> str:
    before = (state.encoding or {}).get("notes")
    return f"{before} — {text.strip()}" if before else text.strip()


def confirm_label(store: Store, state: HallState, attached: bool) -> HallState:
    return _write(store, state, {"label_attached": int(attached), "step": "done"})


def no_access(store: Store, state: HallState, reason: str) -> HallState:
    """The centrale can't be reached (locked room...): ends the attempt.

    Once the centrale is programmed, the service is in it: no access to the
    door means the door is not tested (`door_not_tested`), never "no access".
    """
    if not reason.strip():
        raise WizardError("reason_needed")
    if (state.encoding or {}).get("outcome") in PROGRAMMED:
        if state.step == "door":
            return door_not_tested(store, state, reason)
        raise WizardError("programmed_no_access")
    return _write(store, state, {"outcome": "no_access", "notes": reason.strip(),
                                 "encoded_at": now_iso(), "step": "done"},
                  reasons.code("reason.no_access"))


def pending_halls(store: Store, residence_id: str, after: str | None = None) -> list[str]:
    """The halls of the residence still to do (by label), other than `after`."""
    from .progress import hall_rows

    return [r.id for r in hall_rows(store.conn, residence_id, store.own_devices())
            if r.status in ("to_check", "compatible") and r.id != after]


def next_pending_hall(store: Store, residence_id: str, after: str | None = None) -> str | None:
    """The first hall of the residence still to do (by label), other than `after`."""
    ids = pending_halls(store, residence_id, after)
    return ids[0] if ids else None


def record_outcome(store: Store, hall_id: str, outcome: str, *, reason: str | None = None,
                   days: str | None = None, windows: list[list[str]] | None = None,
                   card: str | None = None, note: str | None = None,
                   door: str | None = None, today: date | None = None) -> dict[str, Any]:
    """A whole attempt in one transaction (results received by phone or mail).

    `outcome` is one of `OUTCOMES`; for ``failed``, `reason` is one of
    `PROGRAMMING_FAILURES` or free text (kept as ``other`` + the text); for
    ``no_access`` the reason is required. `door` (one of `DOOR_TESTS`) is the
    door test after programming, ``opened`` unless said otherwise; ``failed``
    makes the attempt a failure (door_does_not_open). A programmed or failed outcome
    needs the residence's authorisation as of `today` (`check_authorised`).
    """
    if outcome not in OUTCOMES:
        raise WizardError("bad_outcome", outcome=outcome)
    if door is not None and (door not in DOOR_TESTS or outcome not in PROGRAMMED):
        raise WizardError("no_door_test", outcome=outcome)
    with store.transaction():
        state = open_hall(store, hall_id, today)
        if outcome == "incompatible":
            state = confirm_compatibility(store, state, "incompatible")
            if note:
                state = _write(store, state, {"notes": note})
            return state.encoding or {}
        if outcome == "no_access":
            return no_access(store, state, reason or note or "").encoding or {}
        if state.step == "compatibility":
            state = confirm_compatibility(store, state, "compatible", today=today)
        if state.step == "card":
            state = confirm_card(store, state, fingerprint=card,
                                 override_reason=None if card else reasons.code("reason.command_line"))
        failure = None
        if outcome == "failed":
            if not reason:
                raise WizardError("failed_needs_reason")
            failure = reason if reason in PROGRAMMING_FAILURES else "other"
            if failure == "other" and reason != "other":
                note = f"{reason} — {note}" if note else reason
        state = confirm_encoding(store, state, outcome, failure_reason=failure, days=days,
                                 windows=windows, notes=note, today=today)
        if state.step == "door":
            door = door or "opened"
            if door == "failed":
                state = confirm_door(store, state, False)
            else:
                opened = {"door_opened": 1} if door == "opened" else {}
                state = _write(store, state, {"step": "done", **opened},
                               None if door == "opened" else reasons.code("reason.door_not_tested"))
        return state.encoding or {}
