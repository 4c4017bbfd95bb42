"""How big an inventory file may be: the bounds `vigikfield import` refuses to go past.

A landlord's inventory is a few thousand rows; the largest one measured (the
import benchmark, 130,000 halls, 13 columns) is a 17.5 MB CSV or a 7.9 MB XLSX
whose sheet inflates to 93 MB with 4.7 million XML elements. Every limit below
leaves that file room to grow (about 1.5 to 3 times) and stops a file made to
hang the import or exhaust memory (a FIFO, /dev/zero, a zip bomb, a sheet
declaring a million rows) within seconds, before anything is written.

Each limit is defined here once; docs/import.md ("Limits") lists them with the
reason for each, and the messages quote the value in force.
"""

from __future__ import annotations

MIB = 1 << 20

MAX_FILE_BYTES = 50 * MIB
"""The file itself, CSV or XLSX, as it is on disk (checked before reading, and while reading)."""

MAX_ROWS = 200_000
"""Row number (Excel's, or the CSV record's) past which a file is refused, empty rows included."""

MAX_COLUMNS = 200
"""Cells in one row, empty ones included up to the last one the file writes."""

MAX_CELLS = 4_000_000
"""Cells kept over the whole file (rows that are entirely empty do not count)."""

MAX_XLSX_PARTS = 1_000
"""Files inside the XLSX zip (Excel writes about 10 to 30)."""

MAX_XLSX_DIRECTORY_BYTES = 1 * MIB
"""The zip's central directory (about 100 bytes a part): read before the parts are counted."""

MAX_XLSX_PART_BYTES = 256 * MIB
"""One part of the XLSX once inflated (the benchmark's sheet: 93 MB)."""

MAX_XLSX_TOTAL_BYTES = 512 * MIB
"""All parts of the XLSX once inflated, together."""

MAX_XLSX_RATIO = 100
"""Inflated size / compressed size of one part (sheets compress about 5 to 20 times)."""

XLSX_RATIO_FLOOR = 1 * MIB
"""Parts inflating to less than this are not held to `MAX_XLSX_RATIO` (tiny parts compress oddly)."""

MAX_XML_ELEMENTS = 12_000_000
"""XML elements in all parts together: what bounds the time openpyxl spends parsing."""

DIMENSION_PREFIX_BYTES = 64 * 1024
"""How far into a sheet its declared size (`<dimension ref="A1:J500"/>`) is looked for."""


def mib(size: int) -> int:
    """`size` bytes in whole MiB, rounded up: never shows a refused size as equal to the limit."""
    return -(-size // MIB)
