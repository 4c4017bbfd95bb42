"""The one translation layer: every user-visible string goes through `t()`.

Catalogs live in ``vigikfield/locale/<lang>/*.toml``; each file is one area
(core, import, hardware, ...), its tables flattened into dotted keys, so
``[import]`` + ``summary = "..."`` is the key ``import.summary``. French is the
default language; English is complete too (a test checks both have the same
keys and the same placeholders).
"""

from __future__ import annotations

import os
import string
import tomllib
from functools import cache
from pathlib import Path

LANGUAGES = ("fr", "en")
DEFAULT_LANGUAGE = "fr"
_LOCALE_DIR = Path(__file__).parent / "locale"
_current = os.environ.get("VIGIKFIELD_LANG", DEFAULT_LANGUAGE)
if _current not in LANGUAGES:
    _current = DEFAULT_LANGUAGE


def _flatten(prefix: str, table: dict, out: dict[str, str]) -> None:
    for key, value in table.items():
        full = f"{prefix}{key}"
        if isinstance(value, dict):
            _flatten(f"{full}.", value, out)
        else:
            out[full] = str(value)


@cache
def catalog(lang: str) -> dict[str, str]:
    """All messages of one language, keyed by dotted id."""
    out: dict[str, str] = {}
    for path in sorted((_LOCALE_DIR / lang).glob("*.toml")):
        with path.open("rb") as fh:
            _flatten("", tomllib.load(fh), out)
    return out


def placeholders(message: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(message) if name}


def set_language(lang: str | None) -> str:
    """Switch the language for the rest of the process; returns the one in force."""
    global _current
    if lang:
        lang = lang.lower()[:2]
        if lang not in LANGUAGES:
            raise ValueError(f"unknown language {lang!r}: choose one of {', '.join(LANGUAGES)}")
        _current = lang
    return _current


def language() -> str:
    return _current


def t(key: str, /, **values: object) -> str:
    """The message `key` in the current language, formatted with `values`.

    A missing key falls back to French, then to the key itself (a test makes
    sure that never happens in the shipped catalogs).
    """
    message = catalog(_current).get(key) or catalog(DEFAULT_LANGUAGE).get(key) or key
    if values:
        try:
            return message.format(**values)
        except (KeyError, IndexError, ValueError):
            return message
    return message


class TranslatedError(Exception):
    """An error whose text is a catalog message, looked up when it is shown.

    Keeping the key (not the text) lets callers and tests check *which* reason
    was given whatever the language. `prefix` is prepended to the key.
    """

    prefix = ""
    key = ""
    exit_code = 1  # what the CLI exits with when nothing closer catches it (2: bad input)

    def __init__(self, key: str | None = None, /, **values: object) -> None:
        self.key = key or type(self).key
        self.values = values
        super().__init__(self.key)

    def __str__(self) -> str:
        return t(f"{self.prefix}{self.key}", **self.values)
