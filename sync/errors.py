"""The one error of the sync package: a reason a person can act on, translated."""

from __future__ import annotations

from vigikfield.i18n import t


class SyncError(Exception):
    """Refusal or failure with a catalog key; `str()` is the message in the current language.

    Keeping the key (not the text) lets tests check *which* reason was given
    whatever the language.
    """

    def __init__(self, key: str, /, **values: object) -> None:
        self.key = key
        self.values = values
        super().__init__(key)

    def __str__(self) -> str:
        return t(f"sync.error.{self.key}", **self.values)
