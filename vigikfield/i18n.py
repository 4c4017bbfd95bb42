"""The one translation layer: every user-visible string goes through `t()`.

Catalogs live in ``vigikfield/locale/<lang>/*.toml``; each file is one area
(core, import, hardware, ...), its tables flattened into dotted keys, so
``[import]`` + ``summary = "..."`` is the key ``import.summary``. French is the
default language; English is complete too (a test checks both have the same
keys and the same placeholders).
"""

from __future__ import annotations

import string
import tomllib
from decimal import ROUND_HALF_UP, Decimal
from datetime import date, datetime, timezone
from functools import cache
from pathlib import Path

LANGUAGES = ("fr", "en")
DEFAULT_LANGUAGE = "fr"
_LOCALE_DIR = Path(__file__).parent / "locale"
_current = DEFAULT_LANGUAGE  # the entry points apply the `lang` setting (vigikfield/settings.py)


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


class _Formatter(string.Formatter):
    """str.format plus the specs catalogs need for French grammar and dates:
    ``{landlord:de}`` gives "de Paris Habitat" / "d'Habitat 77" (`de`),
    ``{when:date}`` and ``{when:datetime}`` a date for people (`format_date`)."""

    def format_field(self, value: object, format_spec: str) -> str:
        if format_spec == "de":
            return de(str(value))
        if format_spec == "date":
            return format_date(value)  # type: ignore[arg-type]
        if format_spec == "datetime":
            return format_datetime(value)  # type: ignore[arg-type]
        return super().format_field(value, format_spec)


_FORMATTER = _Formatter()


def t(key: str, /, **values: object) -> str:
    """The message `key` in the current language, formatted with `values`.

    A missing key falls back to French, then to the key itself (a test makes
    sure that never happens in the shipped catalogs).
    """
    message = catalog(_current).get(key) or catalog(DEFAULT_LANGUAGE).get(key) or key
    if values:
        try:
            return _FORMATTER.format(message, **values)
        except (KeyError, IndexError, ValueError):
            return message
    return message


EXIT_FAILED = 1     # the CLI's exit code when a check failed or was refused, or a device failed
EXIT_BAD_INPUT = 2  # ... when the user typed something wrong (nothing was written)


class TranslatedError(Exception):
    """An error whose text is a catalog message, looked up when it is shown.

    Keeping the key (not the text) lets callers and tests check *which* reason
    was given whatever the language. `prefix` is prepended to the key. Every
    error a user can act on is one of these: the CLI's root group catches them
    once and exits with `exit_code` (`EXIT_FAILED` or `EXIT_BAD_INPUT`).
    """

    prefix = ""
    key = ""
    exit_code = EXIT_FAILED

    def __init__(self, key: str | None = None, /, **values: object) -> None:
        self.key = key or type(self).key
        self.values = values
        super().__init__(self.key)

    def __str__(self) -> str:
        return t(f"{self.prefix}{self.key}", **self.values)


# --- Dates for people -------------------------------------------------------
# One format for people, per language; files meant for machines (JSON, CSV,
# bundles) keep ISO 8601 in UTC. French: 01/12/2026 (day/month/year, the way
# French forms write it). English: 1 Dec 2026 — the month spelt out, because
# 01/12/2026 reads as 12 January to an American and as 1 December to a Briton.
# Times are local, 24-hour, to the minute: 01/12/2026 14:05 and 1 Dec 2026 14:05.
_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _as_datetime(value: str | date | datetime) -> date | datetime | None:
    """A date, or an aware local datetime; None when `value` is no ISO date."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        return value
    else:
        text = str(value).strip()
        if len(text) == 10:
            try:
                return date.fromisoformat(text)
            except ValueError:
                return None
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return None
    if moment.tzinfo is None:  # stored times are UTC
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone()


def _day(d: date) -> str:
    if _current == "en":
        return f"{d.day} {_MONTHS_EN[d.month - 1]} {d.year:04d}"
    return f"{d.day:02d}/{d.month:02d}/{d.year:04d}"


def format_date(value: str | date | datetime | None) -> str:
    """The day of `value` (ISO text, a date or a datetime; UTC when naive) for people,
    in the language in force. Text that is not ISO is returned as it is; None gives ""."""
    if value is None or value == "":
        return ""
    parsed = _as_datetime(value)
    if parsed is None:
        return str(value)
    return _day(parsed.date() if isinstance(parsed, datetime) else parsed)


def format_datetime(value: str | date | datetime | None) -> str:
    """Like `format_date`, with the local time to the minute when `value` has one."""
    if value is None or value == "":
        return ""
    parsed = _as_datetime(value)
    if parsed is None:
        return str(value)
    if not isinstance(parsed, datetime):
        return _day(parsed)
    return f"{_day(parsed.date())} {parsed:%H:%M}"


# --- Numbers and money ---------------------------------------------------------
_NNBSP = "\u202f"  # French digit groups: a narrow no-break space (CLDR)


def format_number(value: int | float | Decimal | None, places: int = 0) -> str:
    """A number for people: ``1 234,5`` in French (narrow no-break spaces, decimal
    comma), ``1,234.5`` in English; rounded half-up to `places`. None gives ""."""
    if value is None:
        return ""
    number = Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = f"{number:,.{places}f}"
    if _current == "fr":
        return text.replace(",", _NNBSP).replace(".", ",")
    return text


def format_money(value: int | Decimal | None) -> str:
    """Euros with their cents: ``1 234,56 €`` (French), ``€1,234.56`` (English)."""
    if value is None:
        return ""
    text = format_number(value, 2)
    if _current == "fr":
        return f"{text}\u00a0€"
    return f"-€{text[1:]}" if text.startswith("-") else f"€{text}"


# --- Elision ------------------------------------------------------------------
_VOWELS = set("aeiouyàâäéèêëîïôöûüùœæ")
# Words starting with a mute h take the elision ("d'Habitat", "d'Hôtel"); an
# aspirated h does not ("de Hauts-de-Seine"), so only the known mute ones elide.
_MUTE_H = ("habitat", "hab", "hôtel", "hotel", "humanis", "habitation", "horizon", "hôpital",
           "hopital", "harmonie", "héritage", "heritage", "histoire", "homme", "huile")


def de(name: str) -> str:
    """"de NAME" in French, eliding before a vowel or a mute h ("d'Habitat 77",
    "d'Immobilière 3F", "de Paris Habitat"); "of NAME" in English. Catalogs write
    ``{landlord:de}`` rather than "de {landlord}"."""
    text = (name or "").strip()
    if _current != "fr":
        return f"of {text}"
    first = text[:1].lower()
    word = text.split(" ", 1)[0].lower() if text else ""
    if first in _VOWELS or (first == "h" and word.startswith(_MUTE_H)):
        return f"d'{text}"
    return f"de {text}"
