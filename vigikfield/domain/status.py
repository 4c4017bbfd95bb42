"""A hall's attempts and status: the one definition, read from the views of the
migration step ``m005_hall_status`` (`schema`). The rule is in docs/statuses.md.

Every reader goes through here or through the views themselves: the wizard's
resume, the route and residence lists (`progress`), the labels, `hall show`
and `hall list` (`halls`). Nothing else decides what a hall's status is.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone

from . import hlc

# Status values, stable names (later issues add theirs the same way).
HALL_STATUSES = ("to_check", "compatible", "encoded", "failed", "incompatible", "no_access")
# A retired hall (`halls.retired`, m008) has no row in hall_status: out of every
# count. What `hall show` and the checklist say of it instead of a status.
RETIRED = "retired"
# Which rule gave a status (hall_status.rule).
RULES = ("outcome", "door_failed", "no_access", "compatibility")
# Results that decide a hall's status by themselves.
CONCLUSIVE = ("encoded", "failed", "incompatible")


@dataclass(frozen=True, slots=True)
class HallStatus:
    hall_id: str
    status: str                 # one of HALL_STATUSES
    rule: str                   # one of RULES
    decided_by: str | None      # the attempt (encodings id) that decided, if any
    decided_at: str | None      # its encoded_at (UTC), shown on labels
    door_not_tested: bool       # encoded, but the door was not tested with a badge


@dataclass(frozen=True, slots=True)
class Attempt:
    """One encodings row as the status rule sees it (hall_attempts)."""

    encoding_id: str
    hall_id: str
    centrale_id: str | None
    started: str | None         # HLC of its first op: its place in time
    device_id: str | None       # the device that began it
    touched: str | None         # HLC of its last op
    counts: bool                # False once its centrale was replaced
    step: str
    unfinished: bool
    outcome: str | None
    result: str | None          # encoded | failed | incompatible | no_access | None
    reason: str | None          # why it failed (failure reason, door_does_not_open)
    door: str | None            # opened | failed | not_tested | None (not programmed)
    technician: str | None
    encoded_at: str | None
    days: str | None
    windows: str | None
    notes: str | None
    label_attached: int | None

    @property
    def conclusive(self) -> bool:
        return self.result in CONCLUSIVE

    @property
    def when(self) -> str | None:
        """When it began, by the op log's clock, in UTC."""
        return clock_time(self.started)


def clock_time(stamp: str | None) -> str | None:
    """An HLC stamp as an ISO time in UTC (to the second)."""
    if not stamp:
        return None
    ms, _ = hlc.decode(stamp)
    return datetime.fromtimestamp(ms / 1000, timezone.utc).isoformat(timespec="seconds")


_STATUS_COLUMNS = "hall_id, status, rule, decided_by, decided_at, door_not_tested"
_ATTEMPT_COLUMNS = ", ".join(Attempt.__slots__)


def of_hall(conn: sqlite3.Connection, hall_id: str) -> HallStatus | None:
    row = conn.execute(f"SELECT {_STATUS_COLUMNS} FROM hall_status WHERE hall_id = ?",
                       (hall_id,)).fetchone()
    return None if row is None else HallStatus(*row[:5], bool(row[5]))


def attempts(conn: sqlite3.Connection, hall_id: str) -> list[Attempt]:
    """Every attempt on the hall, in the op log's order (never a laptop's local time)."""
    rows = conn.execute(
        f"SELECT {_ATTEMPT_COLUMNS} FROM hall_attempts WHERE hall_id = ? "
        "ORDER BY started, encoding_id", (hall_id,)).fetchall()
    return [_attempt(row) for row in rows]


def _attempt(row: tuple) -> Attempt:
    values = list(row)
    values[6], values[8] = bool(values[6]), bool(values[8])
    return Attempt(*values)


def devices_param(devices: Iterable[str] | None) -> str | None:
    """The devices as the SQL below takes them (a JSON list; None: any device)."""
    return None if devices is None else json.dumps(sorted(devices))


# The attempt a hall's wizard continues: unfinished, counting, begun by one of
# :devices (None: any), the most recently touched. `{hall}` is the hall id's
# expression. One definition for the wizard's resume and the residence list.
RESUMABLE = """SELECT {column} FROM hall_attempts r
WHERE r.hall_id = {hall} AND r.unfinished AND r.counts
  AND (:devices IS NULL OR r.device_id IN (SELECT value FROM json_each(:devices)))
ORDER BY r.touched DESC, r.encoding_id DESC LIMIT 1"""


def resumable(conn: sqlite3.Connection, hall_id: str, devices: Iterable[str] | None) -> str | None:
    """The encodings id of the attempt to continue in this hall, if any."""
    row = conn.execute(RESUMABLE.format(column="r.encoding_id", hall=":hall"),
                       {"hall": hall_id, "devices": devices_param(devices)}).fetchone()
    return row[0] if row else None


def hall_in_progress(conn: sqlite3.Connection, devices: Iterable[str]) -> str | None:
    """The hall whose attempt these devices left unfinished last (after a crash, a closed lid).

    The most recently touched unfinished attempt of these devices, provided
    no other attempt of theirs was touched since: once the technician has
    moved on to another hall, an abandoned one no longer pulls the app back.
    """
    param = devices_param(devices)
    row = conn.execute(
        "SELECT a.hall_id, a.encoding_id, a.touched FROM hall_attempts a "
        "WHERE a.unfinished AND a.counts "
        "AND a.device_id IN (SELECT value FROM json_each(:devices)) "
        "ORDER BY a.touched DESC, a.encoding_id DESC LIMIT 1", {"devices": param}).fetchone()
    if row is None:
        return None
    hall_id, encoding_id, touched = row
    later = conn.execute(
        "SELECT 1 FROM attempt_clock WHERE touched > :touched AND encoding_id != :id "
        "AND device_id IN (SELECT value FROM json_each(:devices)) LIMIT 1",
        {"touched": touched, "id": encoding_id, "devices": param}).fetchone()
    return None if later else hall_id
