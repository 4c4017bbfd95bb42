"""Field values held to the model: one check for everything the journal records.

`model.FIELD_KINDS` says what each field holds. `check` holds one value to its
field's kind and returns it normalised (the few odd forms the app itself
writes: a bool where a number is expected, a datetime with a local offset,
which is stored in UTC). Callers:

- every local write: `Store.record` calls `check_changes`;
- the merge: `parse_json` on each received op's value column;
- the command line: `parse_text` on what a person typed (``--keep 12``).

Each refuses with `BadValue`, which names the field, the value (shortened) and
what was expected, in words a person can act on.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable
from datetime import date, datetime, timezone
from typing import Any

from ..i18n import TranslatedError, t
from .journal import Change, encode_value
from .model import ENTITIES, FIELD_KINDS, Kind
from .windows import MAX_WINDOWS, Schedule, Window, WindowError, parse_days

SHOWN = 40  # characters of an offending value quoted in a message
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DAYS = re.compile(r"[01]{7}")
_INTEGER_TEXT = re.compile(r"[+-]?[0-9]+")
_DIGIT_GROUPS = str.maketrans("", "", " \xa0\u202f_")
_FLAG_WORDS = {"0": 0, "1": 1, "false": 0, "true": 1, "no": 0, "yes": 1,
               "non": 0, "oui": 1, "faux": 0, "vrai": 1}


def is_uuid(text: object) -> bool:
    """A canonical UUID: lowercase hex, 8-4-4-4-12 (uuid4, uuid5, UUIDv7 op ids...)."""
    return isinstance(text, str) and _UUID.fullmatch(text) is not None


def shorten(value: Any, *, quote_text: bool = False) -> str:
    """A value as quoted in a message: JSON unless text, one line, at most `SHOWN` characters.

    `quote_text` shows text as JSON too (``"12"``), where a number or a list was expected.
    """
    if isinstance(value, str) and not quote_text:
        text = value
    else:
        try:
            text = encode_value(value)
        except (TypeError, ValueError, RecursionError):
            text = repr(value)
    text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text[: SHOWN + 1])
    return text if len(text) <= SHOWN else text[: SHOWN - 1] + "…"


class BadValue(TranslatedError, ValueError):
    """A value that does not fit its field; nothing was written.

    `entity` and `field` say which field; `key` (under ``values.``) says why.
    """

    prefix = "values."
    exit_code = 2

    def __init__(self, key: str, entity: str, field: str, value: Any = None, /,
                 **values: object) -> None:
        super().__init__(key, **values)
        self.entity = entity
        self.field = field
        self.value = value

    def __str__(self) -> str:
        if self.field in ENTITIES.get(self.entity, ()):
            where = t("values.where", label=t(f"field.{self.entity}.{self.field}"))
        else:
            where = f"{self.entity}.{self.field}"
        shown = shorten(self.value, quote_text=self.key in _NOT_TEXT)
        return t(f"{self.prefix}{self.key}", where=where, value=shown, **self.values)


# Refusals where the value expected is not a string: a string offered is shown in quotes.
_NOT_TEXT = {"integer", "real", "flag", "windows_shape", "windows", "residence_windows", "id_list"}


class _Refused(Exception):
    """Raised by a checker: the catalog key and its values, without the field."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


Checker = Callable[[Any], Any]
_UNSET = object()


def _text(kind: Kind) -> Checker:
    most = kind.max_length or 0

    def text(value: Any) -> Any:
        if type(value) is str and len(value) <= most:
            return value
        if not isinstance(value, str):
            raise _Refused("text")
        if len(value) > most:
            raise _Refused("too_long", length=len(value), max=most)
        return str(value)  # a str subclass
    return text


def _integer(kind: Kind) -> Checker:
    low, high = int(kind.low or 0), int(kind.high or 0)

    def integer(value: Any) -> Any:
        if type(value) is int:
            number = value
        elif isinstance(value, int):  # bool (the app writes flags as numbers too), subclasses
            number = int(value)
        elif isinstance(value, float) and value.is_integer():
            number = int(value)
        else:
            raise _Refused("integer", low=low, high=high)
        if not low <= number <= high:
            raise _Refused("integer", low=low, high=high)
        return number
    return integer


def _real(kind: Kind) -> Checker:
    low, high = kind.low, kind.high

    def real(value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise _Refused("real", low=low, high=high)
        try:
            number = value if type(value) is float else float(value)
        except OverflowError:  # an int past the floats
            raise _Refused("real", low=low, high=high) from None
        if not math.isfinite(number) or not low <= number <= high:  # type: ignore[operator]
            raise _Refused("real", low=low, high=high)
        return number
    return real


def _flag(kind: Kind) -> Checker:
    def flag(value: Any) -> Any:
        if type(value) is int and value in (0, 1):
            return value
        if isinstance(value, (bool, int, float)) and value in (0, 1):
            return int(value)
        raise _Refused("flag")
    return flag


def _id(kind: Kind) -> Checker:
    def identifier(value: Any) -> Any:
        if is_uuid(value):
            return value
        raise _Refused("id")
    return identifier


def _enumeration(kind: Kind) -> Checker:
    choices = frozenset(kind.choices)
    shown = ", ".join(kind.choices)

    def enumeration(value: Any) -> Any:
        if isinstance(value, str) and value in choices:
            return value
        raise _Refused("enumeration", choices=shown)
    return enumeration


def _date(kind: Kind) -> Checker:
    def day(value: Any) -> Any:
        if isinstance(value, str) and _DATE.fullmatch(value):
            try:
                date.fromisoformat(value)
                return value
            except ValueError:
                pass
        raise _Refused("date")
    return day


def _datetime(kind: Kind) -> Checker:
    def moment(value: Any) -> Any:
        if isinstance(value, str) and len(value) <= 64 and value.isascii():
            try:
                parsed = datetime.fromisoformat(value)
                if parsed.tzinfo is not None and parsed.utcoffset() is not None:
                    utc = parsed.astimezone(timezone.utc).isoformat()
                    return value if utc == value else utc
            except (ValueError, OverflowError):
                pass
        raise _Refused("datetime")
    return moment


def _days_mask(value: Any) -> str:
    if isinstance(value, str) and _DAYS.fullmatch(value) and "1" in value:
        return value
    raise _Refused("days")


def _days(kind: Kind) -> Checker:
    return _days_mask


def _window_list(value: Any) -> list[list[str]]:
    """1-3 windows ["hh:mm", "hh:mm"], valid for `windows.Schedule`, in their order."""
    if not isinstance(value, (list, tuple)) or not all(
        isinstance(w, (list, tuple)) and len(w) == 2 and all(isinstance(p, str) for p in w)
        for w in value
    ):
        raise _Refused("windows_shape", max=MAX_WINDOWS)
    try:
        parsed = [Window.parse(f"{start}-{end}") for start, end in value]
        Schedule.build("1111111", parsed)
    except WindowError as exc:
        raise _Refused("windows", reason=exc) from None
    normal = [str(w).split("-") for w in parsed]
    return value if normal == value else normal


def _windows(kind: Kind) -> Checker:
    return _window_list


def _residence_windows(kind: Kind) -> Checker:
    def residence_windows(value: Any) -> Any:
        if isinstance(value, (list, tuple)):
            return _window_list(value)
        if not isinstance(value, dict) or "windows" not in value or not set(value) <= {
                "days", "windows"}:
            raise _Refused("residence_windows", max=MAX_WINDOWS)
        normal = {"windows": _window_list(value["windows"])}
        if "days" in value:
            normal["days"] = _days_mask(value["days"])
        return value if normal == value else normal
    return residence_windows


def _id_list(kind: Kind) -> Checker:
    most = kind.max_length or 0

    def id_list(value: Any) -> Any:
        if isinstance(value, (list, tuple)) and len(value) <= most and all(map(is_uuid, value)):
            return value if type(value) is list else list(value)
        raise _Refused("id_list", max=most)
    return id_list


def _decimal(kind: Kind) -> Checker:
    """Exact decimals (money, rates) as canonical text: ``"40"``, ``"5583.33"``."""
    from decimal import Decimal, InvalidOperation

    low, high, places = Decimal(str(kind.low or 0)), Decimal(str(kind.high or 0)), kind.max_length or 0

    def decimal(value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise _Refused("decimal", low=low, high=high, places=places)
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            raise _Refused("decimal", low=low, high=high, places=places) from None
        if (not number.is_finite() or not low <= number <= high
                or -number.as_tuple().exponent > places):  # type: ignore[operator]
            raise _Refused("decimal", low=low, high=high, places=places)
        return format((number + 0).normalize(), "f")  # + 0: no "-0"
    return decimal


_MAKERS: dict[str, Callable[[Kind], Checker]] = {
    "text": _text, "integer": _integer, "real": _real, "flag": _flag, "id": _id,
    "enumeration": _enumeration, "date": _date, "datetime": _datetime, "days": _days,
    "windows": _windows, "residence_windows": _residence_windows, "id_list": _id_list,
    "decimal": _decimal,
}
KIND_NAMES = tuple(_MAKERS)
_CHECKS: dict[tuple[str, str], Checker] = {
    (entity, field): _MAKERS[kind.name](kind)
    for entity, fields in FIELD_KINDS.items() for field, kind in fields.items()
}


def kind_of(entity: str, field: str) -> Kind:
    """The kind of a field; `BadValue` for a field the model does not have."""
    fields = FIELD_KINDS.get(entity) if isinstance(entity, str) else None
    if fields is None or not isinstance(field, str) or field not in fields:
        raise BadValue("unknown_field", entity, field)
    return fields[field]


def check(entity: str, field: str, value: Any) -> Any:
    """`value` normalised for `entity`.`field`, or `BadValue`. None (a cleared field) always fits."""
    checker = _CHECKS.get((entity, field))
    if checker is None:
        kind_of(entity, field)  # raises
    if value is None:
        return None
    try:
        return checker(value)  # type: ignore[misc]  # None only for unknown fields
    except _Refused as refused:
        raise BadValue(refused.key, entity, field, value, **refused.values) from None


def check_changes(changes: Iterable[Change]) -> list[Change]:
    """Every change checked (entity id a UUID, value fit for its field), values normalised.

    Raises `BadValue` at the first that does not fit: the caller writes nothing.
    """
    checked: list[Change] = []
    last_id: object = _UNSET  # ids repeat field after field: checked once in a row
    checks = _CHECKS
    for change in changes:
        if change.entity_id != last_id:
            if not is_uuid(change.entity_id):
                raise BadValue("entity_id", change.entity, change.field, change.entity_id)
            last_id = change.entity_id
        checker = checks.get((change.entity, change.field))
        if checker is None:
            kind_of(change.entity, change.field)  # raises
        value = change.value
        if value is not None:
            try:
                value = checker(value)  # type: ignore[misc]
            except _Refused as refused:
                raise BadValue(refused.key, change.entity, change.field, change.value,
                               **refused.values) from None
        checked.append(change if value is change.value else Change(
            change.entity, change.entity_id, change.field, value, change.new))
    return checked


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


_DECODER = json.JSONDecoder(parse_constant=_no_constant)  # one for all: json.loads builds one a call


def _loads(text: str) -> Any:
    """Strict JSON: no NaN or Infinity (Python's json takes them)."""
    return _DECODER.decode(text)


def parse_json(entity: str, field: str, text: str | None) -> Any:
    """An op's value column as received (a bundle): JSON, then `check`. Raises `BadValue`.

    SQL NULL (`None`) is refused: the app always writes JSON, ``null`` included.
    The value returned is normalised as a local write would store it; the op
    received keeps its own text (it is hashed).
    """
    kind_of(entity, field)
    if text is None:
        raise BadValue("sql_null", entity, field)
    if not isinstance(text, str):
        raise BadValue("not_json", entity, field, text)
    try:
        value = _loads(text)
    except (ValueError, RecursionError):
        raise BadValue("not_json", entity, field, text) from None
    return check(entity, field, value)


def _text_integer(text: str) -> Any:
    compact = text.translate(_DIGIT_GROUPS)
    return int(compact) if _INTEGER_TEXT.fullmatch(compact) else text


def _text_real(text: str) -> Any:
    try:
        return float(text.translate(_DIGIT_GROUPS).replace(",", "."))
    except ValueError:
        return text


def _text_decimal(text: str) -> Any:
    """``1 234,56`` or ``1234.56`` (a euro sign or a percent sign after it is dropped)."""
    return text.translate(_DIGIT_GROUPS).rstrip("€% ").replace(",", ".")


def _text_flag(text: str) -> Any:
    return _FLAG_WORDS.get(text.casefold(), text)


def _text_days(text: str) -> Any:
    try:
        return parse_days(text)
    except WindowError:
        return text


def _text_windows(text: str) -> Any:
    """JSON, or windows as people write them: ``06:00-12:00, 22:00-02:00``."""
    try:
        return _loads(text)
    except (ValueError, RecursionError):
        pass
    try:
        return [str(Window.parse(part)).split("-") for part in text.split(",")]
    except WindowError:
        return text


def _text_ids(text: str) -> Any:
    try:
        return _loads(text)
    except (ValueError, RecursionError):
        return [part for part in re.split(r"[\s,;]+", text) if part]


_FROM_TEXT: dict[str, Callable[[str], Any]] = {
    "integer": _text_integer, "real": _text_real, "flag": _text_flag, "days": _text_days,
    "windows": _text_windows, "residence_windows": _text_windows, "id_list": _text_ids,
    "decimal": _text_decimal,
}


def parse_text(entity: str, field: str, text: str) -> Any:
    """A value typed by a person, converted to the field's kind, then checked.

    Numbers may use a decimal comma and digit groups (``1 200``, ``48,5``);
    flags oui/non, yes/no, 1/0; days as ``Lu-Sa`` or a mask; windows as JSON
    or ``06:00-12:00, 22:00-02:00``; lists as JSON or ids separated by commas.
    Text is kept as typed; for any other kind an empty answer clears the field.
    Raises `BadValue`.
    """
    kind = kind_of(entity, field)
    if kind.name == "text":
        return check(entity, field, text)
    stripped = text.strip()
    if not stripped:
        return None
    convert = _FROM_TEXT.get(kind.name)
    return check(entity, field, convert(stripped) if convert else stripped)
