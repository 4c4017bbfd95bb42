"""The one error of the sync package: a reason a person can act on, translated."""

from __future__ import annotations

from vigikfield.i18n import TranslatedError


class SyncError(TranslatedError):
    """Refusal or failure with a catalog key; `str()` is the message in the current language.

    Keeping the key (not the text) lets tests check *which* reason was given
    whatever the language.
    """

    prefix = "sync.error."
