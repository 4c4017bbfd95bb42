"""Who uses this database: a person's name, a role and, for maintenance, a landlord.

The profile is local (never an op, never in a bundle). Its name is the actor
of every op written here; its role decides what the store lets this database
write (`rights`). A database whose role is not set yet acts as the pilot's
(the territory is built there); the first work order imported makes it a
technician's. Once set, only a pilot profile may change its role, so a
technician cannot make itself pilot.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from ..i18n import TranslatedError

PILOT, TECHNICIAN, MAINTENANCE = "pilot", "technician", "maintenance"
ROLES = (PILOT, TECHNICIAN, MAINTENANCE)


class ProfileError(TranslatedError):
    """A profile change that can't be made; nothing was written."""

    prefix = "profile.error."
    exit_code = 2


@dataclass(frozen=True, slots=True)
class Profile:
    name: str | None
    role: str | None          # None: not set yet (acts as pilot)
    landlord_id: str | None   # maintenance only

    @property
    def effective_role(self) -> str:
        return self.role or PILOT


def load(conn: sqlite3.Connection) -> Profile:
    row = conn.execute("SELECT name, role, landlord_id FROM profile WHERE id = 1").fetchone()
    return Profile(*row) if row else Profile(None, None, None)


def _landlord_exists(conn: sqlite3.Connection, landlord_id: str) -> bool:
    return conn.execute("SELECT 1 FROM landlords WHERE id = ?", (landlord_id,)).fetchone() is not None


def check_change(current: Profile, name: str | None, role: str | None,
                 landlord_id: str | None) -> Profile:
    """The profile after a change, or a refusal saying why (no database access)."""
    if name is not None and not name.strip():
        raise ProfileError("empty_name")
    if role is not None and role not in ROLES:
        raise ProfileError("bad_role", role=role, roles=", ".join(ROLES))
    if role is not None and current.role not in (None, PILOT, role):
        raise ProfileError("role_locked", current=current.role, wanted=role)
    new_role = role or current.role
    new_landlord = landlord_id if landlord_id is not None else current.landlord_id
    if new_role != MAINTENANCE:
        if landlord_id is not None:
            raise ProfileError("landlord_only_maintenance")
        new_landlord = None
    elif new_landlord is None:
        raise ProfileError("landlord_required")
    if (current.role == MAINTENANCE and landlord_id is not None
            and landlord_id != current.landlord_id):
        raise ProfileError("landlord_locked")
    return Profile(name.strip() if name is not None else current.name, new_role, new_landlord)


def save(conn: sqlite3.Connection, profile: Profile) -> None:
    """Write the profile (inside the caller's transaction)."""
    if profile.landlord_id is not None and not _landlord_exists(conn, profile.landlord_id):
        raise ProfileError("unknown_landlord")
    conn.execute(
        "INSERT INTO profile (id, name, role, landlord_id) VALUES (1, ?, ?, ?) "
        "ON CONFLICT(id) DO UPDATE SET name = excluded.name, role = excluded.role, "
        "landlord_id = excluded.landlord_id",
        (profile.name, profile.role, profile.landlord_id),
    )
