"""Read a spreadsheet export (CSV or XLSX) into rows of text cells with their line numbers.

Landlords send what their Excel produced: cp1252 or UTF-8 (with or without
BOM), `;` `,` or tab separators, CRLF, quoted cells holding the separator or a
line break, title rows above the header, empty rows at the end. This module
knows nothing about inventories: the caller says what a header looks like
(`header_score`) and gets back the header and the data rows, each tagged with
the line number a person sees in Excel or a text editor, so that every error
message can point at it.

Nothing is trusted to be small: only a regular file is read (a FIFO or a device
is refused before it is opened), at most `limits.MAX_FILE_BYTES` of it; an XLSX
is inspected by `xlsx_guard` before openpyxl opens it; and rows, columns and
cells are counted while reading, the file refused as soon as one passes its
limit.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

from ..i18n import TranslatedError
from . import limits

SEPARATORS = (";", "\t", ",")   # order = preference when two fit equally well
HEADER_SEARCH_ROWS = 20         # title rows tolerated above the header
XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old binary .xls (and .doc)
# Control characters that never occur in a text export (tab, CR, LF, FF, VT do).
_NOT_TEXT = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_SPACES = " \t\r\n\xa0\u202f\u2007\ufeff"

csv.field_size_limit(1 << 24)  # a long notes cell is not an error; 16 MB is plenty


class TabularError(TranslatedError):
    """The file as a whole cannot be read. `key` names the message, `values` fill it."""


# What a path is when it is not a regular file, tested in this order.
_NOT_FILES = ((stat.S_ISDIR, "tabular.is_folder"), (stat.S_ISFIFO, "tabular.fifo"),
              (stat.S_ISCHR, "tabular.char_device"), (stat.S_ISBLK, "tabular.block_device"),
              (stat.S_ISSOCK, "tabular.socket"))
# Non-blocking: if a FIFO replaces the file between stat and open, opening it cannot hang.
_OPEN_FLAGS = (os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
               | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0))


@dataclass
class Table:
    """One sheet: the header row and the non-empty data rows after it."""

    header: list[str]
    header_line: int
    rows: list[tuple[int, list[str]]] = field(default_factory=list)
    encoding: str | None = None      # None for XLSX
    separator: str | None = None     # None for XLSX
    sheet: str | None = None         # XLSX sheet name


HeaderScore = Callable[[list[str]], int]


def clean(cell: object) -> str:
    """A cell as text, trimmed of spaces Excel likes to leave (incl. non-breaking ones)."""
    if cell is None:
        return ""
    return str(cell).strip(_SPACES)


def _too_big(size: int) -> TabularError:
    return TabularError("tabular.too_big", size=limits.mib(size),
                        limit=limits.mib(limits.MAX_FILE_BYTES))


def _check_regular(info: os.stat_result) -> None:
    """Refuse anything but a regular file of at most `MAX_FILE_BYTES`, by its metadata alone."""
    if stat.S_ISREG(info.st_mode):
        if info.st_size > limits.MAX_FILE_BYTES:
            raise _too_big(info.st_size)
        return
    for test, key in _NOT_FILES:
        if test(info.st_mode):
            raise TabularError(key)
    raise TabularError("tabular.not_regular")


def read_file(path: Path) -> bytes:
    """The bytes of `path` if it is a regular file within the size limit.

    A FIFO, a device, a socket or a folder is refused from `stat` before it is
    opened (a FIFO never read, a serial port never touched). The file is then
    opened without blocking and checked again on the open descriptor, in case
    it was replaced meanwhile, and read no further than one byte past the limit
    in case it grows.
    """
    try:
        _check_regular(os.stat(path))
        with open(os.open(path, _OPEN_FLAGS), "rb") as fh:
            _check_regular(os.fstat(fh.fileno()))
            data = fh.read(limits.MAX_FILE_BYTES + 1)
    except IsADirectoryError:
        raise TabularError("tabular.is_folder") from None
    except FileNotFoundError:
        raise TabularError("tabular.not_found") from None
    except OSError as exc:
        raise TabularError("tabular.unreadable", error=exc.strerror or str(exc)) from None
    if len(data) > limits.MAX_FILE_BYTES:
        raise _too_big(len(data))
    return data


def read_table(path: Path, header_score: HeaderScore) -> Table:
    """The table in `path`; `header_score(cells)` > 0 when `cells` look like its header."""
    data = read_file(path)
    if not data.strip():
        raise TabularError("tabular.empty")
    if data.startswith(XLSX_MAGIC):
        return _read_xlsx(data, header_score)
    if data.startswith(OLE_MAGIC):
        raise TabularError("tabular.old_xls")
    text, encoding = decode(data)
    return _read_csv(text, encoding, header_score)


def decode(data: bytes) -> tuple[str, str]:
    """Text and the encoding that produced it: UTF-16 (BOM), UTF-8 (BOM or not), else cp1252."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ("utf-16",)
    elif b"\x00" in data:
        raise TabularError("tabular.binary")
    else:
        candidates = ("utf-8-sig", "cp1252")
    text = encoding = None
    for encoding in candidates:
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError as exc:
            failure = exc
    if text is None:
        line = data[: failure.start].count(b"\n") + 1
        raise TabularError("tabular.encoding", line=line,
                           byte=f"0x{data[failure.start]:02X}")
    bad = _NOT_TEXT.search(text)
    if bad:
        raise TabularError("tabular.binary_at", line=text[: bad.start()].count("\n") + 1)
    return text.lstrip("\ufeff"), ("utf-8" if encoding == "utf-8-sig" and
                                   not data.startswith(codecs.BOM_UTF8) else encoding)


class _Bounds:
    """Rows, columns and cells read so far: past a limit, the file is refused at once."""

    def __init__(self) -> None:
        self.cells = 0

    def row(self, line: int, number: int, width: int) -> None:
        """Row `number` (from 1, empty rows included), starting on `line`, has `width` cells."""
        if number > limits.MAX_ROWS:
            raise TabularError("tabular.too_many_rows", line=line, limit=limits.MAX_ROWS)
        if width > limits.MAX_COLUMNS:
            raise TabularError("tabular.too_many_columns", line=line, columns=width,
                               limit=limits.MAX_COLUMNS)

    def keep(self, line: int, width: int) -> None:
        self.cells += width
        if self.cells > limits.MAX_CELLS:
            raise TabularError("tabular.too_many_cells", line=line, limit=limits.MAX_CELLS)


def _records(text: str, separator: str) -> list[tuple[int, list[str]]]:
    """Every non-empty record with the line it starts on (a quoted cell may span lines)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    out: list[tuple[int, list[str]]] = []
    bounds = _Bounds()
    start = 1
    try:
        for number, record in enumerate(reader, start=1):
            bounds.row(start, number, len(record))
            cells = [clean(c) for c in record]
            if any(cells):
                bounds.keep(start, len(cells))
                out.append((start, cells))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise TabularError("tabular.csv", line=start, error=str(exc)) from None
    return out


def _head_lines(text: str) -> list[str]:
    lines = []
    for line in text[:1 << 16].splitlines():  # the header is near the top
        if line.strip(_SPACES):
            lines.append(line)
            if len(lines) == HEADER_SEARCH_ROWS:
                break
    return lines


def _sniff(text: str, header_score: HeaderScore) -> str:
    """The separator under which a header appears best; else the most frequent one."""
    head = "\n".join(_head_lines(text))
    best, best_score = None, 0
    for separator in SEPARATORS:
        reader = csv.reader(io.StringIO(head, newline=""), delimiter=separator)
        try:
            score = max((header_score([clean(c) for c in row]) for row in reader), default=0)
        except csv.Error:
            continue
        if score > best_score:
            best, best_score = separator, score
    if best is not None:
        return best
    first = head.split("\n", 1)[0]
    counts = {s: first.count(s) for s in SEPARATORS}
    return max(SEPARATORS, key=lambda s: counts[s]) if any(counts.values()) else ";"


def _split(records: list[tuple[int, list[str]]], header_score: HeaderScore) -> Table:
    """Find the header among the first rows; keep the non-empty rows after it."""
    filled = [(line, cells) for line, cells in records if any(cells)]
    if not filled:
        raise TabularError("tabular.empty")
    index = 0
    for i, (_, cells) in enumerate(filled[:HEADER_SEARCH_ROWS]):
        if header_score(cells) > 0:
            index = i
            break
    header_line, header = filled[index]
    return Table(header=header, header_line=header_line, rows=filled[index + 1 :])


def _read_csv(text: str, encoding: str, header_score: HeaderScore) -> Table:
    separator = _sniff(text, header_score)
    table = _split(_records(text, separator), header_score)
    table.encoding, table.separator = encoding, separator
    return table


def _xlsx_cell(value: object) -> str:
    """A cell value as the text a person sees: 12 not 12.0, dates as ISO."""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    return clean(value)


def _xlsx_records(sheet, bounds: _Bounds) -> list[tuple[int, list[str]]]:
    """The non-empty rows of a read-only sheet, numbered as Excel does."""
    sheet.reset_dimensions()  # never pad rows to the size the sheet declares
    out: list[tuple[int, list[str]]] = []
    for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
        bounds.row(number, number, len(row))
        cells = [_xlsx_cell(v) for v in row]
        if any(cells):
            bounds.keep(number, len(cells))
            out.append((number, cells))
    return out


def _read_xlsx(data: bytes, header_score: HeaderScore) -> Table:
    """The first sheet that has a header (else the first sheet), read-only and values only."""
    import openpyxl  # only XLSX needs it

    from . import xlsx_guard

    xlsx_guard.check(data)
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises anything on a broken file
        raise TabularError("tabular.bad_xlsx", error=f"{type(exc).__name__}: {exc}") from None
    try:
        tables: list[Table] = []
        bounds = _Bounds()
        for sheet in book.worksheets:
            records = _xlsx_records(sheet, bounds)
            try:
                table = _split(records, header_score)
            except TabularError:
                continue  # an empty sheet
            table.sheet = sheet.title
            if header_score(table.header) > 0:
                return table
            tables.append(table)
    except TabularError:
        raise
    except Exception as exc:  # noqa: BLE001 - a sheet openpyxl cannot parse
        raise TabularError("tabular.bad_xlsx", error=f"{type(exc).__name__}: {exc}") from None
    finally:
        book.close()
    if not tables:
        raise TabularError("tabular.empty")
    return tables[0]
