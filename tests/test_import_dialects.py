"""What French Excel really exports: every dialect and header variant imports the same halls."""

from __future__ import annotations

import codecs

import openpyxl
import pytest
from import_support import SEED_HEADER, basic, count, rows, write


def _halls(db) -> list[tuple]:
    return rows(db, """SELECT l.name, c.name, c.insee, r.name, h.label, h.address, h.dwellings,
                              h.vigik, r.dwellings FROM halls h
                       JOIN residences r ON r.id = h.residence_id
                       JOIN communes c ON c.id = r.commune_id
                       JOIN landlords l ON l.id = r.landlord_id ORDER BY c.name, r.name, h.label""")


EXPECTED = [
    ("Habitat 77", "Le Mée-sur-Seine", "77285", "Plein Ciel", "1", None, 8, "unknown", 8),
    ("Habitat 77", "Melun", "77288", "Les Mézereaux", "A", None, 12, "compatible", 32),
    ("Habitat 77", "Melun", "77288", "Les Mézereaux", "B", None, 20, "incompatible", 32),
]


@pytest.mark.parametrize("sep, encoding, newline", [
    (";", "cp1252", "\r\n"),       # old Excel "CSV (séparateur: point-virgule)"
    (",", "utf-8-sig", "\n"),      # Excel "CSV UTF-8", with BOM
    ("\t", "utf-8", "\r\n"),       # "Texte (séparateur: tabulation)"
    ("\t", "utf-16", "\r\n"),      # "Texte Unicode"
    (";", "utf-8", "\r"),          # old Mac line ends
])
def test_each_dialect_gives_the_same_halls(cli, db_path, tmp_path, sep, encoding, newline):
    source = basic(tmp_path / "inventaire.csv", sep=sep, encoding=encoding, newline=newline)
    result = cli("import", source)
    assert result.exit_code == 0, result.output
    assert "2 résidences, 3 halls, 40 logements" in result.output
    assert "1 compatible(s), 1 incompatible(s), 1 inconnu(s)" in result.output
    assert _halls(db_path) == EXPECTED


def test_cp1252_title_rows_quotes_decimal_commas_and_trailing_empty_rows(cli, db_path, tmp_path):
    source = tmp_path / "recensement.csv"
    source.write_bytes((
        "Recensement des systèmes d'accès - Habitat 77;;;;;;\r\n"
        ";;;;;;\r\n"
        "Organisme;Ville;Programme;Adresse;Bât.;Nombre de logements;Latitude;Longitude\r\n"
        'Habitat 77;Dammarie-lès-Lys;Les Épis;"3; allée des Épis";A;" 12 ";48,5153;2,6401\r\n'
        'Habitat 77;Dammarie-lès-Lys;Les Épis;"5 allée des Épis\r\n(côté parc)";B;12,0;;\r\n'
        "Habitat 77;Dammarie-lès-Lys;Les Épis;7 allée des Épis;C;;;\r\n"
        ";;;;;;;\r\n;;;;;;;\r\n\r\n"
    ).encode("cp1252"))
    result = cli("import", source)
    assert result.exit_code == 0, result.output
    got = rows(db_path, "SELECT label, address, dwellings FROM halls ORDER BY label")
    assert got == [("A", "3; allée des Épis", 12),
                   ("B", "5 allée des Épis\r\n(côté parc)", 12),
                   ("C", "7 allée des Épis", None)]
    assert rows(db_path, "SELECT name, address, dwellings, lat, lon FROM residences") == [
        ("Les Épis", "3; allée des Épis", 24, 48.5153, 2.6401)]
    assert rows(db_path, "SELECT name FROM communes") == [("Dammarie-lès-Lys",)]


def test_line_numbers_count_lines_inside_quoted_cells(cli, db_path, tmp_path):
    source = write(tmp_path / "multi.csv", [
        "Bailleur|Commune|Résidence|Entrée|Logements",
        'H77|Melun|"Les\nMézereaux"|A|4',
        "H77|Melun|Plein Ciel|B|douze",
    ])
    result = cli("import", source)
    assert result.exit_code == 2
    assert f"{source}:4 : colonne « Logements »" in result.output


def test_seed_table_with_two_vigik_columns(cli, db_path, tmp_path):
    """The table of seed 000 (*recensement*): an X in the "yes" or in the "no" column."""
    source = write(tmp_path / "seed.csv", [
        SEED_HEADER,
        "H77|Commune A|77001|Résidence 1|A|46|X|||",
        "H77|Commune A|77001|Résidence 2|A|91||X||",
        "H77|Commune B|77002|Résidence 1|A|112||X||",
        "H77|Commune B|77002|Résidence 2||7|||48,5|2,7",
    ])
    result = cli("import", source)
    assert result.exit_code == 0, result.output
    assert "4 résidences, 4 halls, 256 logements" in result.output
    assert rows(db_path, "SELECT vigik, count(*) FROM halls GROUP BY vigik ORDER BY vigik") == [
        ("compatible", 1), ("incompatible", 2), ("unknown", 1)]


def test_xlsx_made_with_openpyxl(cli, db_path, tmp_path):
    book = openpyxl.Workbook()
    notes = book.active
    notes.title = "Notes"
    notes.append(["Fichier envoyé par le bailleur"])
    sheet = book.create_sheet("Recensement")
    sheet.append(["Inventaire 2025"])
    sheet.append([])
    sheet.append(["Bailleur", "Commune", "INSEE", "Résidence", "Hall", "Nb. logements",
                  "Compatible Vigik", "Latitude", "Marque"])
    sheet.append(["Habitat 77", "Melun", 77288, "Les Mézereaux", "A", 12, True, 48.54, "Urmet"])
    sheet.append(["Habitat 77", "Melun", 77288, "Les Mézereaux", "B", 20.0, "non", None, None])
    sheet.append(["Habitat 77", "Melun", 77288, "Les Mézereaux", "C", "douze", "x", None, None])
    sheet.append([None] * 9)
    source = tmp_path / "inventaire.xlsx"
    book.save(source)
    result = cli("import", source)
    assert result.exit_code == 2
    assert f"{source}:6 : colonne « Nb. logements »" in result.output  # Excel's row number
    sheet.delete_rows(6)
    book.save(source)
    result = cli("import", source)
    assert result.exit_code == 0, result.output
    assert rows(db_path, "SELECT label, dwellings, vigik, brand FROM halls ORDER BY label") == [
        ("A", 12, "compatible", "Urmet"), ("B", 20, "incompatible", None)]
    assert rows(db_path, "SELECT insee FROM communes") == [("77288",)]


@pytest.mark.parametrize("header", [
    "Bailleur|Commune|Code INSEE|Résidence|Entrée|Nb logements|Vigik",
    "ORGANISME|COMMUNES|INSEE|PROGRAMME|HALL|NB. LOGEMENTS|ÉQUIPÉE VIGIK OU COMPATIBLE",
    "organisme |  Ville|code_insee|Programme|Cage|Nombre de logements|Compatible Vigik",
    "Bailleur|Commune|Code I.N.S.E.E.|Résidence|Bâtiment|Logements|Vigik ?",
])
def test_header_variants(cli, db_path, tmp_path, header):
    source = write(tmp_path / "variant.csv", [
        header,
        "Habitat 77|Melun|77288|Les Mézereaux|A|12|oui",
        "Habitat 77|Melun|77288|Les Mézereaux|B|20|non",
        "Habitat 77|Le Mée-sur-Seine|77285|Plein Ciel|1|8|",
    ])
    result = cli("import", source)
    assert result.exit_code == 0, result.output
    assert _halls(db_path) == EXPECTED


def test_address_only_marque_modele_qpv_and_landlord_option(cli, db_path, tmp_path):
    source = write(tmp_path / "adresses.csv", [
        "Ville|Adresses|Marque centrale|Modèle centrale|Quartier|Code QPV|Observations|Gardien",
        "Melun|2 rue Gaston Dumesnil|Urmet|1050/SF|Montaigu|QN07701M|clé chez le gardien|M. Petit",
        "Melun|4 rue Gaston Dumesnil|Intratone|Platine|Montaigu|QN07701M||",
    ])
    assert cli("import", source).exit_code == 2  # no landlord column and no --landlord
    result = cli("import", source, "--landlord", "Les Foyers de Seine-et-Marne")
    assert result.exit_code == 0, result.output
    assert "« Gardien »" in result.output        # the column nobody reads is named
    assert count(db_path, "residences") == 2 and count(db_path, "qpvs") == 1
    assert rows(db_path, "SELECT h.brand, h.model, h.notes, q.name, q.code FROM halls h "
                         "JOIN residences r ON r.id = h.residence_id "
                         "JOIN qpvs q ON q.id = r.qpv_id ORDER BY h.address") == [
        ("Urmet", "1050/SF", "clé chez le gardien", "Montaigu", "QN07701M"),
        ("Intratone", "Platine", None, "Montaigu", "QN07701M")]
    assert rows(db_path, "SELECT name FROM landlords") == [("Les Foyers de Seine-et-Marne",)]


@pytest.mark.parametrize("value, status", [
    ("oui", "compatible"), ("OUI", "compatible"), ("o", "compatible"), ("X", "compatible"),
    ("x", "compatible"), ("yes", "compatible"), ("1", "compatible"), ("True", "compatible"),
    ("VRAI", "compatible"), ("non", "incompatible"), ("N", "incompatible"),
    ("no", "incompatible"), ("0", "incompatible"), ("false", "incompatible"),
    ("FAUX", "incompatible"), ("", "unknown"), ("  ", "unknown"),
])
def test_vigik_values(cli, db_path, tmp_path, value, status):
    source = write(tmp_path / "v.csv", ["Bailleur|Commune|Résidence|Vigik",
                                        f"H77|Melun|Les Mézereaux|{value}"])
    assert cli("import", source).exit_code == 0
    assert rows(db_path, "SELECT vigik FROM halls") == [(status,)]


def test_insee_leading_zero_lost_by_excel_is_restored(cli, db_path, tmp_path):
    source = write(tmp_path / "ain.csv", ["Bailleur|Commune|INSEE|Résidence",
                                          "Dynacité|Ambérieu-en-Bugey|1004|Les Courbes"])
    assert cli("import", source).exit_code == 0
    assert rows(db_path, "SELECT insee FROM communes") == [("01004",)]


def test_utf8_without_bom_and_with_bom_agree(tmp_path):
    from vigikfield.domain import tabular

    plain = basic(tmp_path / "a.csv", encoding="utf-8")
    bom = tmp_path / "b.csv"
    bom.write_bytes(codecs.BOM_UTF8 + plain.read_bytes())
    a = tabular.read_table(plain, lambda cells: len(cells))
    b = tabular.read_table(bom, lambda cells: len(cells))
    assert a.rows == b.rows and a.header == b.header and a.header[0] == "Bailleur"
    assert (a.encoding, b.encoding) == ("utf-8", "utf-8-sig")
