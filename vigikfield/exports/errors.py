"""Why an export was refused: a catalog key, and exit code 2 (bad input, nothing written)."""

from __future__ import annotations

from ..i18n import EXIT_BAD_INPUT, TranslatedError


class ExportError(TranslatedError):
    prefix = "exports."
    exit_code = EXIT_BAD_INPUT
