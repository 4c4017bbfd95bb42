"""What the pilot's work-order list needs from the sync tables: the technicians this
database trusts, and the last bundle received from each.

The match between a work order and the bundles of its technician: a work order
names its technician as typed or picked (`work_orders.technician`); a receipt
names the trusted key that signed it (`sync_receipts.signer`, the name given at
`trust add`). They match when the two names are equal once surrounding and
repeated spaces are dropped and case is ignored (`match_key`): "Karim  B." and
"karim b." are one technician. Only exports count (a technician's work coming
back), signed by a key trusted with the technician role.
"""

from __future__ import annotations

from dataclasses import dataclass

from vigikfield.domain.profile import TECHNICIAN
from vigikfield.domain.store import Store

from . import local


def match_key(name: str | None) -> str:
    """The form of a technician's name that work orders and signers are compared by."""
    return " ".join((name or "").split()).casefold()


@dataclass(frozen=True, slots=True)
class LastBundle:
    """The newest bundle accepted from one technician."""

    signer: str
    received_at: str
    new_ops: int
    duplicate_ops: int
    conflicts: int
    bundles: int          # how many bundles were accepted from that technician in all


_LAST = """
SELECT r.signer, r.received_at, r.new_ops, r.duplicate_ops, r.conflicts, n.bundles
FROM sync_receipts r
JOIN (SELECT signer, max(id) AS last, count(*) AS bundles FROM sync_receipts
      WHERE kind = 'export' GROUP BY signer) n ON n.last = r.id
JOIN sync_trust t ON t.name = r.signer AND t.role = ?
"""


def last_bundles(store: Store) -> dict[str, LastBundle]:
    """`match_key` of each technician -> the last bundle received from them."""
    local.prepare(store)
    found: dict[str, LastBundle] = {}
    for row in store.conn.execute(_LAST + " ORDER BY r.id", (TECHNICIAN,)):
        found[match_key(row[0])] = LastBundle(*row)  # two signers, one key: the newest wins
    return found


def received_from(bundles: dict[str, LastBundle], technician: str | None) -> LastBundle | None:
    """The last bundle of a work order's technician (`last_bundles`' map), if any."""
    return bundles.get(match_key(technician)) if technician else None


def technicians(store: Store) -> list[str]:
    """The names of the keys trusted as technicians (not revoked), for the picker."""
    local.prepare(store)
    return [name for (name,) in store.conn.execute(
        "SELECT name FROM sync_trust WHERE role = ? AND revoked_at IS NULL ORDER BY name",
        (TECHNICIAN,))]
