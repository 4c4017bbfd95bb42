"""Why an op was written, stored as a neutral code and read in the reader's language.

The journal keeps the reason of every op (`ops.reason`). The app's own reasons
are stored as a catalog key, with its values as JSON when it has some::

    reason.compatibility_check
    reason.import_file {"file": "recensement.csv"}

and `render` shows them in the language in force, so a pilot reading in English
what a technician did in French reads English. Text a person typed (a revocation
reason, a no-access note) and reasons written before codes existed ("card
override") are shown as they are.
"""

from __future__ import annotations

import json
import re

from ..i18n import catalog, DEFAULT_LANGUAGE, t

_CODE = re.compile(r"^(?P<key>[a-z_]+(?:\.[a-z_]+)+)(?: (?P<values>\{.*\}))?$", re.DOTALL)


def code(key: str, /, **values: object) -> str:
    """The stored form of the catalog message `key` with `values`."""
    if key not in catalog(DEFAULT_LANGUAGE):
        raise KeyError(f"no catalog message {key!r}")  # a programming error, caught by tests
    if not values:
        return key
    return f"{key} {json.dumps(values, ensure_ascii=False, sort_keys=True)}"


def render(stored: str | None) -> str | None:
    """The reason for people, in the language in force; free text as it is."""
    if not stored:
        return stored
    match = _CODE.match(stored)
    if match is None or match["key"] not in catalog(DEFAULT_LANGUAGE):
        return stored
    values: dict = {}
    if match["values"]:
        try:
            values = json.loads(match["values"])
        except ValueError:
            return stored
        if not isinstance(values, dict):
            return stored
    return t(match["key"], **values)
