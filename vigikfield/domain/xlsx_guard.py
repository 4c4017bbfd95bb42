"""Look inside an XLSX before openpyxl does: refuse zip bombs and sheets no inventory needs.

An XLSX is a zip of XML parts and openpyxl believes what they say: it inflates
a part whatever its size, pads every row to the size a sheet declares in
`<dimension ref="A1:XFD1048576"/>`, and when a sheet declares none it parses
the whole sheet just to open the workbook. A 5 KB file can so keep it busy for
minutes and take gigabytes. `check` reads the zip's own directory first (no
inflating), then streams every part once through a reader that stops at the
limits whatever the directory says, counting what openpyxl would have to
build. The limits are those of `limits`; what this cannot see (a row number
far down the sheet, a cell far to the right) `tabular` stops while reading.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile

from . import limits
from .tabular import TabularError

_END = b"PK\x05\x06"            # end of central directory record
_ZIP64_LOCATOR = b"PK\x06\x07"
_ZIP64_END = b"PK\x06\x06"
_CHUNK = 1 << 20
_OVERLAP = 16                   # bytes of a chunk kept to find a tag cut across two chunks
_DTD = b"<!DOCTYPE"             # entity definitions: markup the counts below cannot see
_ROW = re.compile(rb"<(?:[\w.-]+:)?row[\s/>]")
_DIMENSION = re.compile(rb"<(?:[\w.-]+:)?dimension\s[^>]*?\bref\s*=\s*[\"']([^\"']*)[\"']")
_LETTERS = re.compile(rb"[A-Za-z]+")
_DIGITS = re.compile(rb"[0-9]+")


def check(data: bytes) -> None:
    """Raise `TabularError` unless the XLSX in `data` stays within the limits."""
    _check_directory_size(data)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
            _check_declared(parts)
            totals = _Totals()
            for part in parts:
                _scan(archive, part, totals)
    except TabularError:
        raise
    except Exception as exc:  # noqa: BLE001 - zipfile raises many things on a broken zip
        raise TabularError("tabular.bad_xlsx", error=f"{type(exc).__name__}: {exc}") from None


def _directory_sizes(data: bytes) -> list[int]:
    """Every size the end records give the central directory (zipfile reads that many bytes)."""
    end = data.rfind(_END, max(0, len(data) - 22 - 0xFFFF))
    if end < 0 or end + 22 > len(data):
        return []  # not a zip: zipfile says so
    sizes = [struct.unpack_from("<I", data, end + 12)[0]]
    locator = end - 20
    if locator >= 0 and data.startswith(_ZIP64_LOCATOR, locator):
        (pointed,) = struct.unpack_from("<Q", data, locator + 8)
        for start in (pointed, locator - 56):   # where it says, and where zipfile looks
            if 0 <= start and start + 56 <= len(data) and data.startswith(_ZIP64_END, start):
                sizes.append(struct.unpack_from("<Q", data, start + 40)[0])
    return sizes


def _check_directory_size(data: bytes) -> None:
    size = max(_directory_sizes(data), default=0)
    if size > limits.MAX_XLSX_DIRECTORY_BYTES:
        raise TabularError("tabular.xlsx_directory", size=limits.mib(size),
                           limit=limits.mib(limits.MAX_XLSX_DIRECTORY_BYTES))


def _check_declared(parts: list[zipfile.ZipInfo]) -> None:
    """What the directory declares: number of parts, their inflated sizes, their ratios."""
    if len(parts) > limits.MAX_XLSX_PARTS:
        raise TabularError("tabular.xlsx_parts", count=len(parts), limit=limits.MAX_XLSX_PARTS)
    total = 0
    for part in parts:
        _check_part_size(part.filename, part.file_size)
        total += part.file_size
        _check_total_size(total)
        ratio = part.file_size // max(part.compress_size, 1)
        if part.file_size > limits.XLSX_RATIO_FLOOR and ratio > limits.MAX_XLSX_RATIO:
            raise TabularError("tabular.xlsx_ratio", part=part.filename,
                               size=limits.mib(part.file_size), ratio=ratio,
                               limit=limits.MAX_XLSX_RATIO)


def _check_part_size(name: str, size: int) -> None:
    if size > limits.MAX_XLSX_PART_BYTES:
        raise TabularError("tabular.xlsx_part_size", part=name, size=limits.mib(size),
                           limit=limits.mib(limits.MAX_XLSX_PART_BYTES))


def _check_total_size(size: int) -> None:
    if size > limits.MAX_XLSX_TOTAL_BYTES:
        raise TabularError("tabular.xlsx_total_size", size=limits.mib(size),
                           limit=limits.mib(limits.MAX_XLSX_TOTAL_BYTES))


class _Totals:
    """What the parts read so far hold together."""

    def __init__(self) -> None:
        self.inflated = 0
        self.elements = 0


def _scan(archive: zipfile.ZipFile, part: zipfile.ZipInfo, totals: _Totals) -> None:
    """Stream one part: its real size (not the declared one), DTD, rows, elements, dimension."""
    name = part.filename
    size = rows = 0
    head = tail = b""
    with archive.open(part) as stream:
        while chunk := stream.read(_CHUNK):
            size += len(chunk)
            totals.inflated += len(chunk)
            _check_part_size(name, size)
            _check_total_size(totals.inflated)
            if len(head) < limits.DIMENSION_PREFIX_BYTES:
                head += chunk[: limits.DIMENSION_PREFIX_BYTES - len(head)]
                if len(head) == limits.DIMENSION_PREFIX_BYTES:
                    _check_dimension(name, head)
            window = tail + chunk   # a match wholly inside `tail` was counted last time
            if _DTD in window:
                raise TabularError("tabular.xlsx_dtd", part=name)
            rows += len(_ROW.findall(window)) - len(_ROW.findall(tail))
            if rows > limits.MAX_ROWS:
                raise TabularError("tabular.xlsx_rows", part=name, limit=limits.MAX_ROWS)
            totals.elements += chunk.count(b"<") - window.count(b"</") + tail.count(b"</")
            if totals.elements > limits.MAX_XML_ELEMENTS:
                raise TabularError("tabular.xlsx_elements", part=name,
                                   limit=limits.MAX_XML_ELEMENTS)
            tail = window[-_OVERLAP:]
    if len(head) < limits.DIMENSION_PREFIX_BYTES:
        _check_dimension(name, head)


def _number(text: bytes, base: int, digit) -> int:
    """A row number or column letters as an int; absurdly long ones as just too big."""
    if len(text) > 12:
        return 10 ** 12
    value = 0
    for char in text.upper():
        value = value * base + digit(char)
    return value


def _check_dimension(name: str, head: bytes) -> None:
    """The size the sheet declares, which openpyxl would pad every row to."""
    match = _DIMENSION.search(head)
    if match is None:
        return
    ref = match.group(1)
    rows = max((_number(d, 10, lambda c: c - 48) for d in _DIGITS.findall(ref)), default=0)
    columns = max((_number(w, 26, lambda c: c - 64) for w in _LETTERS.findall(ref)), default=0)
    if rows > limits.MAX_ROWS or columns > limits.MAX_COLUMNS:
        raise TabularError("tabular.xlsx_dimension", part=name,
                           ref=ref[:40].decode("ascii", "replace"), rows=rows, columns=columns,
                           max_rows=limits.MAX_ROWS, max_columns=limits.MAX_COLUMNS)
