"""What every command module shares: the context it receives, `fail`, the exit codes.

Command modules import these from here (never from `vigikfield.cli`, which
imports the command modules). Errors a user can act on are `TranslatedError`s
carrying their exit code: a command lets them go up, the root group prints them.
"""

from __future__ import annotations

from pathlib import Path

import click

from ..i18n import EXIT_BAD_INPUT, EXIT_FAILED, TranslatedError

__all__ = ["EXIT_BAD_INPUT", "EXIT_FAILED", "Context", "TranslatedError", "fail"]


class Context:
    """What every command receives: the database path, opened on demand."""

    def __init__(self, db: Path, explicit: bool = True) -> None:
        self.db_path = db
        self.explicit_db = explicit  # False: the default file, not named by the user
        self._store = None

    def store(self):
        if self._store is None:
            from ..domain.store import Store, StoreError

            try:
                self._store = Store(self.db_path)
            except StoreError as exc:
                fail(str(exc), EXIT_BAD_INPUT)
        return self._store

    def existing_store(self, refusal: TranslatedError):
        """The store, only if the database file exists; else raise `refusal` (nothing
        is created: a refused import leaves no empty database behind)."""
        if self._store is None and not self.db_path.exists():
            raise refusal
        return self.store()

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None


def fail(message: str, code: int = EXIT_FAILED) -> None:
    """Print `message` on stderr and exit with `code` (never a traceback)."""
    click.echo(message, err=True)
    raise click.exceptions.Exit(code)
