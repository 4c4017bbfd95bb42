"""vigikfield sync: signed SQLite bundles, work orders, merge and conflicts (DESIGN.md §5).

Installed as ``vigikfield_sync``. Free of Textual: the CLI and the pilot's
screen both call this API.

- `prepare(store)`: apply the local sync tables.
- `export`, `workorder`, `maintenance`: write bundles. `merge_files`, `apply`: receive them.
- `receipts(store)`: bundles received. `list_conflicts(store)`,
  `resolve(store, id, keep)`: conflicts, side by side, and their settlement.
"""

from .conflicts import Conflict, Side, list_conflicts, resolve
from .errors import SyncError
from .export import export, maintenance, workorder
from .keys import public_hex, trust_add, trust_list, trust_revoke
from .local import prepare, role, set_role
from .merge import Outcome, Receipt, apply, merge_files, receipts

__all__ = [
    "Conflict", "Outcome", "Receipt", "Side", "SyncError", "apply", "export", "list_conflicts",
    "maintenance", "merge_files", "prepare", "public_hex", "receipts", "resolve", "role", "set_role",
    "trust_add", "trust_list", "trust_revoke", "workorder",
]
