"""How a conflict reads for people: field names, values and sides in the reader's language.

Used by `conflicts list` and the pilot's sync screen alike, so both say the
same thing: the field's label (`field.<entity>.<field>` catalog), enumeration
values by their names (`vigik`'s "compatible Vigik", an outcome's "échec"…),
and, for two disagreeing attempts, who, when, the result, why and the door test.
"""

from __future__ import annotations

import json
from typing import Any

from vigikfield.i18n import format_datetime, t

from .conflicts import Conflict, Side
from .outcomes import STATUS

# Catalog sections naming the values of enumerated fields.
VALUE_NAMES = {
    ("halls", "vigik"): "wizard.vigik",
    ("halls", STATUS): "status.hall",
    ("encodings", "outcome"): "wizard.outcome",
    ("encodings", "failure_reason"): "wizard.failure",
}


def field_text(entity: str, field: str) -> str:
    if field == STATUS:
        return t("sync.status_field")
    return t(f"field.{entity}.{field}")


def value_text(entity: str, field: str, value: Any) -> str:
    if value is None:
        return "—"
    section = VALUE_NAMES.get((entity, field))
    if section and isinstance(value, str):
        key = f"{section}.{value}"
        named = t(key)
        if named != key:
            return named
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def side_text(conflict: Conflict, side: Side) -> str:
    """One side on one line: value (who, when[, why, door])."""
    who = side.actor or side.device
    when = format_datetime(side.when)
    details = [who, when]
    attempt = side.attempt or {}
    if attempt.get("reason"):
        details.append(value_text("encodings", "failure_reason", attempt["reason"]))
    if attempt.get("door"):
        details.append(t(f"halls.door.{attempt['door']}"))
    return f"{value_text(conflict.entity, conflict.field, side.value)} ({', '.join(details)})"
