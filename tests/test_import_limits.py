"""Hostile files given to `vigikfield import`: refused at once with exit 2, the database untouched.

Each hostile input is built for real (a FIFO, /dev/zero, a sparse file, zip
archives written part by part), small on disk and in the test's memory. The
cases that used to hang or eat the memory run the real command in its own
process, with a generous timeout as a hang guard only.
"""

from __future__ import annotations

import os
import socket
import stat
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from import_support import basic, count, rows

from vigikfield.domain import limits

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from bench_import import write_inventory  # noqa: E402  the benchmark's realistic generator

HANG_GUARD = 60  # seconds; refusing takes well under one

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>')
RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Recensement" sheetId="1" r:id="rId1"/></sheets></workbook>')
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
SHEET = "xl/worksheets/sheet1.xml"
HEADER_ROW = ('<row r="1"><c r="A1" t="inlineStr"><is><t>Bailleur</t></is></c>'
              '<c r="B1" t="inlineStr"><is><t>Commune</t></is></c>'
              '<c r="C1" t="inlineStr"><is><t>Résidence</t></is></c></row>').encode()
DATA_ROW = ('<row r="2"><c r="A2" t="inlineStr"><is><t>H77</t></is></c>'
            '<c r="B2" t="inlineStr"><is><t>Melun</t></is></c>'
            '<c r="C2" t="inlineStr"><is><t>Les Mézereaux</t></is></c></row>').encode()


def xlsx(path: Path, rows_xml, *, dimension: str | None = None, prolog: str = "",
         extra: dict[str, bytes] | None = None) -> Path:
    """A minimal workbook by hand: one sheet whose <sheetData> is `rows_xml`, streamed.

    `rows_xml` is an iterable of byte chunks, written to the zip one at a time so
    that a sheet inflating to gigabytes never sits in memory.
    """
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
        with archive.open(SHEET, "w", force_zip64=True) as sheet:
            sheet.write(f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n{prolog}'
                        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
                        '2006/main">'.encode())
            if dimension:
                sheet.write(f'<dimension ref="{dimension}"/>'.encode())
            sheet.write(b"<sheetData>")
            for chunk in rows_xml:
                sheet.write(chunk)
            sheet.write(b"</sheetData></worksheet>")
    return path


def repeated(chunk: bytes, total: int):
    """`chunk` again and again, `total` bytes in all (rounded up), one piece at a time."""
    piece = chunk * max(1, (1 << 20) // len(chunk))
    for _ in range(-(-total // len(piece))):
        yield piece


@pytest.fixture
def loaded(cli, db_path, tmp_path):
    """A database holding a territory: its bytes and op count, to compare after a refusal."""
    assert cli("import", basic(tmp_path / "first.csv")).exit_code == 0
    return db_path.read_bytes(), count(db_path, "ops")


def unchanged(db_path: Path, loaded) -> bool:
    data = db_path.read_bytes()  # before `count` opens it
    return (data, count(db_path, "ops")) == loaded


def refused_in_process(cli, source: Path, *words: str, lang: str | None = None) -> str:
    result = cli("import", source, lang=lang)
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.output.startswith(f"{source} : " if lang is None else f"{source}: ")
    assert all(w in result.output for w in words), result.output
    return result.output


def refused_in_subprocess(db_path: Path, source: Path, *words: str) -> str:
    script = Path(sys.executable).with_name("vigikfield")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "vigikfield"]
    result = subprocess.run([*command, "--db", str(db_path), "import", str(source)],
                            capture_output=True, text=True, timeout=HANG_GUARD,
                            stdin=subprocess.DEVNULL)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.stderr.startswith(f"{source} : ")
    assert all(w in result.stderr for w in words), result.stderr
    return result.stderr


# --- not a regular file -------------------------------------------------------------

def test_a_fifo_is_refused_without_waiting_for_a_writer(db_path, tmp_path, loaded):
    source = tmp_path / "inventaire.csv"
    os.mkfifo(source)
    refused_in_subprocess(db_path, source, "tube nommé (FIFO)", "pas été lu")
    assert unchanged(db_path, loaded)


def test_dev_zero_behind_an_innocent_name_is_refused_unread(db_path, tmp_path, loaded):
    source = tmp_path / "inventaire.csv"
    source.symlink_to("/dev/zero")
    refused_in_subprocess(db_path, source, "périphérique en mode caractère")
    assert unchanged(db_path, loaded)


def test_dev_zero_itself(db_path, loaded):
    refused_in_subprocess(db_path, Path("/dev/zero"), "périphérique en mode caractère")
    assert unchanged(db_path, loaded)


def test_a_folder(cli, db_path, tmp_path, loaded):
    source = tmp_path / "inventaire.xlsx"
    source.mkdir()
    refused_in_process(cli, source, "c'est un dossier, pas un fichier")
    refused_in_process(cli, source, "is a folder, not a file", lang="en")
    assert unchanged(db_path, loaded)


def test_a_socket(cli, db_path, tmp_path, loaded, monkeypatch):
    monkeypatch.chdir(tmp_path)  # a short relative path: AF_UNIX paths are limited to ~100 bytes
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind("inventaire.csv")
        refused_in_process(cli, tmp_path / "inventaire.csv", "c'est une socket")
    finally:
        server.close()
    assert unchanged(db_path, loaded)


def test_a_block_device(cli, db_path, loaded, tmp_path):
    device = tmp_path / "loop-like"  # a block device node of our own (root can make one)
    try:
        os.mknod(device, 0o600 | stat.S_IFBLK, os.makedev(7, 200))
    except PermissionError:  # not root: one of the machine's own
        device = next(p for p in sorted(Path("/dev").iterdir())
                      if p.exists() and stat.S_ISBLK(p.stat().st_mode))
    refused_in_process(cli, device, "périphérique en mode bloc")
    assert unchanged(db_path, loaded)


# --- too big ------------------------------------------------------------------------

def test_an_oversize_csv_is_refused_from_its_size_alone(cli, db_path, tmp_path, loaded):
    source = basic(tmp_path / "inventaire.csv")
    with source.open("r+b") as fh:
        fh.truncate(limits.MAX_FILE_BYTES + 1)  # sparse: nothing really written on disk
    output = refused_in_process(cli, source, "fichier trop gros : 51 Mo (au plus 50 Mo)")
    assert "Import refusé" not in output  # one line, about the file
    refused_in_process(cli, source, "file too big: 51 MB (at most 50 MB)", lang="en")
    assert unchanged(db_path, loaded)


def test_a_file_at_the_limit_is_read(cli, db_path, tmp_path):
    source = basic(tmp_path / "inventaire.csv")
    padding = limits.MAX_FILE_BYTES - source.stat().st_size
    with source.open("ab") as fh:
        fh.write(b"\n" * padding)  # trailing empty lines, like Excel leaves
    assert source.stat().st_size == limits.MAX_FILE_BYTES
    result = cli("import", source)
    # 50 MB of empty lines is far more than 200,000 rows: refused by the row limit, read whole
    assert result.exit_code == 2 and f"ligne {limits.MAX_ROWS + 1} :" in result.output


# --- rows, columns, cells -----------------------------------------------------------

def test_csv_with_too_many_rows(cli, db_path, tmp_path, loaded):
    source = tmp_path / "inventaire.csv"
    with source.open("w", encoding="utf-8") as fh:
        fh.write("Bailleur;Commune;Résidence\n")
        fh.writelines(f"H77;Melun;R{n}\n" for n in range(limits.MAX_ROWS))
    refused_in_process(cli, source, f"ligne {limits.MAX_ROWS + 1} : au-delà de 200000 lignes")
    assert unchanged(db_path, loaded)


def test_csv_with_too_many_columns(cli, db_path, tmp_path, loaded):
    source = tmp_path / "inventaire.csv"
    source.write_text("Bailleur;Commune;Résidence\nH77;Melun;R1\n"
                      + "H77;Melun;R2" + ";" * (limits.MAX_COLUMNS - 2) + "\n", encoding="utf-8")
    refused_in_process(cli, source, "ligne 3 : 201 cellules (au plus 200 colonnes)")
    assert unchanged(db_path, loaded)


def test_xlsx_declaring_the_whole_excel_grid(cli, db_path, tmp_path, loaded):
    """The attacker's 5 KB file: A1:XFD1048576 declared, one cell at XFD1048576."""
    source = xlsx(tmp_path / "inventaire.xlsx",
                  [HEADER_ROW, b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'],
                  dimension="A1:XFD1048576")
    assert source.stat().st_size < 5000
    refused_in_process(cli, source, "la feuille « xl/worksheets/sheet1.xml » annonce "
                       "1048576 lignes × 16384 colonnes (dimension A1:XFD1048576")
    assert unchanged(db_path, loaded)


@pytest.mark.parametrize("dimension, words", [
    ("A1:C200001", "200001 lignes × 3 colonnes"),
    ("A1:GS10", "10 lignes × 201 colonnes"),
    ("$A$1:$C$999999999999999", "1000000000000 lignes × 3 colonnes"),
])
def test_xlsx_declared_dimension_past_a_limit(cli, db_path, tmp_path, loaded, dimension, words):
    source = xlsx(tmp_path / "inventaire.xlsx", [HEADER_ROW, DATA_ROW], dimension=dimension)
    refused_in_process(cli, source, words)
    assert unchanged(db_path, loaded)


def test_xlsx_cell_far_down_without_a_dimension(cli, db_path, tmp_path, loaded):
    """No dimension to distrust: the row number itself stops the reading at 200,001."""
    source = xlsx(tmp_path / "inventaire.xlsx",
                  [HEADER_ROW, DATA_ROW, b'<row r="1048576"><c r="A1048576"><v>1</v></c></row>'])
    refused_in_process(cli, source, "ligne 200001 : au-delà de 200000 lignes")
    assert unchanged(db_path, loaded)


def test_xlsx_cell_far_right_without_a_dimension(cli, db_path, tmp_path, loaded):
    source = xlsx(tmp_path / "inventaire.xlsx",
                  [HEADER_ROW, b'<row r="2"><c r="XFD2"><v>1</v></c></row>'])
    refused_in_process(cli, source, "ligne 2 : 16384 cellules (au plus 200 colonnes)")
    assert unchanged(db_path, loaded)


def test_xlsx_lying_dimension_does_not_pad_rows(cli, db_path, tmp_path):
    """A dimension smaller than the data is not believed either: all rows are read."""
    source = xlsx(tmp_path / "inventaire.xlsx", [HEADER_ROW, DATA_ROW], dimension="A1:B1")
    result = cli("import", source)
    assert result.exit_code == 0, result.output
    assert rows(db_path, "SELECT name FROM residences") == [("Les Mézereaux",)]


def test_xlsx_too_many_row_elements_without_a_dimension(cli, db_path, tmp_path, loaded):
    """openpyxl parses a sheet without dimension whole just to open it: counted first."""
    def many_rows():
        yield HEADER_ROW
        for start in range(2, limits.MAX_ROWS + 2, 10_000):
            yield b"".join(b'<row r="%d"/>' % n for n in range(start, start + 10_000))
    source = xlsx(tmp_path / "inventaire.xlsx", many_rows())
    refused_in_process(cli, source, "« xl/worksheets/sheet1.xml » contient plus de "
                       "200000 lignes")
    assert unchanged(db_path, loaded)


def test_xlsx_too_many_cells_made_of_padding(cli, db_path, tmp_path, loaded):
    """One value in column 200 of each row: openpyxl pads each row to 200 cells."""
    last = openpyxl.utils.get_column_letter(limits.MAX_COLUMNS)
    rows_needed = limits.MAX_CELLS // limits.MAX_COLUMNS + 1

    def padded():
        yield HEADER_ROW
        for start in range(2, rows_needed + 2, 1000):
            yield b"".join(f'<row r="{n}"><c r="{last}{n}"><v>1</v></c></row>'.encode()
                           for n in range(start, start + 1000))
    source = xlsx(tmp_path / "inventaire.xlsx", padded())
    refused_in_process(cli, source, "plus de 4000000 cellules en tout")
    assert unchanged(db_path, loaded)


# --- zip bombs and lying archives ---------------------------------------------------

BOMB_ROW = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>'


def test_zip_bomb(db_path, tmp_path, loaded):
    """A sheet inflating to 600 MB from a file of under 2 MB (the attacker's: 5.7 MB, 1.9 GB)."""
    source = xlsx(tmp_path / "inventaire.xlsx", repeated(BOMB_ROW, 600 << 20))
    assert source.stat().st_size < 2 << 20
    refused_in_subprocess(db_path, source, "« xl/worksheets/sheet1.xml » fait ",
                          " Mo une fois décompressé (au plus 256 Mo)")
    assert unchanged(db_path, loaded)


def test_compression_ratio(cli, db_path, tmp_path, loaded):
    """Small enough a part (20 MB), but no sheet compresses 300 times."""
    source = xlsx(tmp_path / "inventaire.xlsx", repeated(BOMB_ROW, 20 << 20))
    refused_in_process(cli, source, "« xl/worksheets/sheet1.xml » se décompresse",
                       "au plus 100 fois) : une bombe de décompression")
    assert unchanged(db_path, loaded)


def test_many_small_parts_adding_up(cli, db_path, tmp_path, loaded):
    """Parts too small for the ratio rule, 513 MB together."""
    megabyte = b"\0" * limits.XLSX_RATIO_FLOOR
    source = xlsx(tmp_path / "inventaire.xlsx", [HEADER_ROW, DATA_ROW],
                  extra={f"xl/media/image{n}.bin": megabyte for n in range(513)})
    assert source.stat().st_size < 2 << 20
    refused_in_process(cli, source, "513 Mo une fois décompressé (au plus 512 Mo)")
    assert unchanged(db_path, loaded)


def test_too_many_parts(cli, db_path, tmp_path, loaded):
    source = xlsx(tmp_path / "inventaire.xlsx", [HEADER_ROW, DATA_ROW],
                  extra={f"xl/media/p{n}.bin": b"" for n in range(limits.MAX_XLSX_PARTS)})
    refused_in_process(cli, source, "1005 fichiers dans l'archive (au plus 1000)")
    assert unchanged(db_path, loaded)


def test_oversize_central_directory(cli, db_path, tmp_path, loaded):
    """Read before the parts are counted: zipfile would build an object for each."""
    name = "x" * 200
    source = xlsx(tmp_path / "inventaire.xlsx", [HEADER_ROW, DATA_ROW],
                  extra={f"{name}{n}": b"" for n in range(5_000)})
    refused_in_process(cli, source, "son répertoire zip fait 2 Mo (au plus 1 Mo)")
    assert unchanged(db_path, loaded)


def test_too_many_xml_elements_in_small_parts(cli, db_path, tmp_path, loaded):
    """Parts under the ratio floor, packed with elements openpyxl would all parse."""
    per_part = limits.XLSX_RATIO_FLOOR // 4
    part = b"<a/>" * per_part
    parts = limits.MAX_XML_ELEMENTS // per_part + 1
    source = xlsx(tmp_path / "inventaire.xlsx", [HEADER_ROW, DATA_ROW],
                  extra={f"xl/custom{n}.xml": part for n in range(parts)})
    refused_in_process(cli, source, "plus de 12000000 éléments XML")
    assert unchanged(db_path, loaded)


def test_dtd_in_a_part(cli, db_path, tmp_path, loaded):
    """Entities can expand into rows no count sees: no spreadsheet writes a DTD."""
    source = xlsx(tmp_path / "inventaire.xlsx", [HEADER_ROW, b"&r;&r;&r;"],
                  prolog='<!DOCTYPE worksheet [<!ENTITY r "<row/>">]>')
    refused_in_process(cli, source, "« xl/worksheets/sheet1.xml » contient une DTD")
    assert unchanged(db_path, loaded)


def _declare_size(path: Path, part: str, size: int) -> None:
    """Rewrite the inflated size the zip declares for `part`, in both of its headers."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        local = archive.getinfo(part).header_offset
    assert data[local:local + 4] == b"PK\x03\x04"
    struct.pack_into("<I", data, local + 22, size)
    end = data.rfind(b"PK\x05\x06")
    (entries,) = struct.unpack_from("<H", data, end + 10)
    (entry,) = struct.unpack_from("<I", data, end + 16)
    for _ in range(entries):
        assert data[entry:entry + 4] == b"PK\x01\x02"
        name_length, extra_length, comment_length = struct.unpack_from("<HHH", data, entry + 28)
        if data[entry + 46:entry + 46 + name_length] == part.encode():
            struct.pack_into("<I", data, entry + 24, size)
            break
        entry += 46 + name_length + extra_length + comment_length
    else:
        raise AssertionError(part)
    path.write_bytes(bytes(data))


def test_zip_lying_about_a_part_size(db_path, tmp_path, loaded):
    """The directory says 4 KB; the part inflates to 300 MB. Reading stops at what is declared."""
    source = tmp_path / "inventaire.xlsx"
    with zipfile.ZipFile(source, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        with archive.open(SHEET, "w") as sheet:  # no zip64: sizes in the plain header fields
            sheet.write(b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
                        b'2006/main"><sheetData>' + HEADER_ROW)
            for chunk in repeated(BOMB_ROW, 300 << 20):
                sheet.write(chunk)
            sheet.write(b"</sheetData></worksheet>")
    _declare_size(source, SHEET, 4096)
    with zipfile.ZipFile(source) as archive:
        assert archive.getinfo(SHEET).file_size == 4096
    refused_in_subprocess(db_path, source, "classeur XLSX illisible", "CRC")
    assert unchanged(db_path, loaded)


# --- genuine files still pass -------------------------------------------------------

def test_genuine_xlsx_inventory_of_four_thousand_halls(cli, db_path, tmp_path):
    """A workbook as openpyxl (like Excel) writes it: shared strings, a sheet over 1 MB."""
    csv_source = tmp_path / "inventaire.csv"
    write_inventory(csv_source, 4_000)
    book = openpyxl.Workbook()
    sheet = book.active
    with csv_source.open(encoding="cp1252") as fh:
        for line in fh:
            sheet.append([int(c) if c.isdigit() else c for c in line.rstrip("\r\n").split(";")])
    source = tmp_path / "inventaire.xlsx"
    book.save(source)
    with zipfile.ZipFile(source) as archive:
        part = archive.getinfo(SHEET)
    assert part.file_size > limits.XLSX_RATIO_FLOOR  # held to the ratio rule, and passes it
    result = cli("import", source)
    assert result.exit_code == 0, result.output
    assert count(db_path, "halls") == 4_000


def test_genuine_csv_inventory_of_two_thousand_halls(cli, db_path, tmp_path):
    source = tmp_path / "inventaire.csv"
    write_inventory(source, 2_000)
    result = cli("import", source)
    assert result.exit_code == 0, result.output
    assert count(db_path, "halls") == 2_000


def test_genuine_small_xlsx_with_a_dimension(cli, db_path, tmp_path):
    source = xlsx(tmp_path / "inventaire.xlsx", [HEADER_ROW, DATA_ROW], dimension="A1:C2")
    result = cli("import", source)
    assert result.exit_code == 0, result.output
    assert rows(db_path, "SELECT name FROM residences") == [("Les Mézereaux",)]


# --- the limits are documented where they are defined -------------------------------

def test_every_limit_is_documented_with_its_value():
    docs = (Path(__file__).resolve().parents[1] / "docs" / "import.md").read_text("utf-8")
    section = docs.split("## Limits", 1)[1].split("\n## ", 1)[0]
    names = [n for n in dir(limits) if n.isupper() and n != "MIB"]
    assert names
    for name in names:
        value = getattr(limits, name)
        shown = f"{value // limits.MIB} MiB" if value % limits.MIB == 0 else f"{value:,}"
        line = next((ln for ln in section.splitlines() if f"`{name}`" in ln), None)
        assert line is not None, name
        assert shown in line, (name, shown, line)
