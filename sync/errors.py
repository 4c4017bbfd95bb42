"""The one error of the sync package: a reason a person can act on, translated."""

from __future__ import annotations

from vigikfield.i18n import EXIT_BAD_INPUT, EXIT_FAILED, TranslatedError

# Refusals of what a person typed (a key, a name, a conflict id): bad input, exit 2.
# Every other refusal (a bundle refused, a merge failed) exits 1.
BAD_INPUT_KEYS = frozenset({
    "bad_public_key", "trust_exists", "trust_unknown", "no_residence", "trust_landlord",
    "trust_only_pilot_key", "device_taken", "device_conflict", "bad_device_id", "keep_attempt",
    "ambiguous_residence", "bad_role", "no_conflict", "ambiguous_conflict", "bad_value",
    "bad_since",
})


class SyncError(TranslatedError):
    """Refusal or failure with a catalog key; `str()` is the message in the current language.

    Keeping the key (not the text) lets tests check *which* reason was given
    whatever the language.
    """

    prefix = "sync.error."

    @property
    def exit_code(self) -> int:  # type: ignore[override]
        return EXIT_BAD_INPUT if self.key in BAD_INPUT_KEYS else EXIT_FAILED
