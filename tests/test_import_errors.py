"""Every bad row or file: exit 2, the line and column named, and the database unchanged."""

from __future__ import annotations

import openpyxl
import pytest
from import_support import basic, snapshot, write

from vigikfield.domain.store import Store

HEADER = "Bailleur|Commune|Code INSEE|Résidence|Adresse|Entrée|Nb logements|Vigik|Latitude"
GOOD = "H77|Melun|77288|Les Mézereaux|2 rue Dumesnil|A|12|oui|48,54"

# (bad line 3, column named in the message, words of the message)
ROW_ERRORS = [
    ("H77|Melun|77288|Les Mézereaux||B|douze|oui|", "Nb logements", "n'est pas un nombre"),
    ("H77|Melun|77288|Les Mézereaux||B|-3|oui|", "Nb logements", "négatif"),
    ("H77|Melun|77288|Les Mézereaux||B|1,5|oui|", "Nb logements", "entier"),
    ("H77|Melun|77288|Les Mézereaux||B|1e9|oui|", "Nb logements", "n'est pas un nombre"),
    ("H77|Melun|77288|Les Mézereaux||B|99999999999999999999|oui|", "Nb logements",
     "invraisemblable"),
    ("H77||77288|Les Mézereaux||B|4|oui|", "Commune", "commune vide"),
    ("H77|Melun|77288|||B|4|oui|", "Résidence", "ni résidence ni adresse"),
    ("|Melun|77288|Les Mézereaux||B|4|oui|", "Bailleur", "bailleur vide"),
    ("H77|Melun|77288|Les Mézereaux||A|4|oui|", "Entrée", "en double (déjà à la ligne 2)"),
    ("H77|Melun|77288|Les Mézereaux||B|4|peut-être|", "Vigik", "« peut-être » non reconnue"),
    ("H77|Melun|7728A|Les Mézereaux||B|4|oui|", "Code INSEE", "code INSEE « 7728A » invalide"),
    ("H77|Dammarie|77288|Les Mézereaux||B|4|oui|", "Commune", "désigne « Melun » à la ligne 2"),
    ("H77|Melun|77288|Les Mézereaux||B|4|oui|48°32'", "Latitude", "pas un nombre décimal"),
    ("H77|Melun|77288|Les Mézereaux||B|4|oui|148,5", "Latitude", "hors limites"),
    ("H77|Melun|77288|Les Mézereaux||B|4|oui|nan", "Latitude", "pas un nombre décimal"),
    ("H77|Melun|77288|Les Mézereaux|2|rue Dumesnil|B|4|oui|48,5", None, "10 cellules pour 9"),
]


@pytest.fixture
def loaded(cli, db_path, tmp_path):
    """A database that already holds a territory: a bad import must leave all of it alone."""
    assert cli("import", basic(tmp_path / "first.csv")).exit_code == 0
    return snapshot(db_path)


@pytest.mark.parametrize("bad, column, words", ROW_ERRORS)
def test_bad_row(cli, db_path, tmp_path, loaded, bad, column, words):
    source = write(tmp_path / "bad.csv", [HEADER, GOOD, bad, GOOD.replace("|A|", "|C|")])
    result = cli("import", source)
    assert result.exit_code == 2, result.output
    where = f"{source}:3 : " + (f"colonne « {column} » : " if column else "")
    assert any(line.startswith(where) and words in line
               for line in result.output.splitlines()), result.output
    assert "Rien n'a été écrit" in result.output
    assert snapshot(db_path) == loaded


def test_every_problem_is_listed_at_once(cli, db_path, tmp_path, loaded):
    source = write(tmp_path / "bad.csv", [
        HEADER, GOOD, "H77|Melun|77288|Les Mézereaux||B|douze|oui|",
        "H77||77288|Les Mézereaux||C|-1|peut-être|", GOOD.replace("|A|", "|D|")])
    result = cli("import", source, lang="en")
    assert result.exit_code == 2
    lines = [ln for ln in result.output.splitlines() if ln.startswith(str(source))]
    assert lines == [
        f"{source}:3: column «Nb logements»: «douze» is not a number of dwellings "
        "(expected a whole number, e.g. 12)",
        f"{source}:4: column «Commune»: empty commune",
        f"{source}:4: column «Nb logements»: «-1»: the number of dwellings cannot be negative",
        f"{source}:4: column «Vigik»: value «peut-être» not understood (expected: oui, non, "
        "o, n, x, yes, no, 1, 0, true, false, or empty when unknown)",
    ]
    assert "Import refused: 4 problem(s)" in result.output
    assert snapshot(db_path) == loaded


@pytest.mark.parametrize("header, words", [
    ("Bailleur|Résidence|Entrée", ["colonne de la commune introuvable"]),
    ("Bailleur|Commune|Entrée|Logements", ["ni colonne de résidence ni colonne d'adresse"]),
    ("Commune|Résidence|Entrée", ["colonne du bailleur introuvable", "--landlord"]),
    ("Bailleur|Commune|Ville|Résidence", ["colonne « Ville » : deux colonnes", "« Commune »"]),
])
def test_bad_header(cli, db_path, tmp_path, loaded, header, words):
    source = write(tmp_path / "bad.csv", ["Titre", header, "a|b|c|d"])
    result = cli("import", source)
    assert result.exit_code == 2
    line = next(ln for ln in result.output.splitlines() if ln.startswith(f"{source}:2 : "))
    assert all(w in line for w in words), line
    assert snapshot(db_path) == loaded


def _broken_xlsx(path):
    book = openpyxl.Workbook()
    book.active.append(["Bailleur", "Commune", "Résidence"])
    book.save(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])  # a mail attachment cut in the middle


BAD_FILES = {
    "nul bytes": (lambda p: p.write_bytes(b"Bailleur;Commune\x00;R\n"), "binaire"),
    "image": (lambda p: p.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256))), "binaire"),
    "unknown encoding": (lambda p: p.write_bytes(
        "Bailleur;Commune;Résidence\nH;Melun;Les ".encode("cp1252") + b"\x81\x8d\n"),
        "encodage inconnu (octet 0x81 ligne 2)"),
    "control characters": (lambda p: p.write_bytes(b"Bailleur;Commune\n\x01\x02\x03;x\n"),
                           "caractères de contrôle ligne 2"),
    "empty": (lambda p: p.write_bytes(b""), "fichier vide"),
    "blank lines only": (lambda p: p.write_bytes(b" \r\n;;;\r\n\r\n"), "fichier vide"),
    "broken xlsx": (_broken_xlsx, "classeur XLSX illisible"),
    "old xls": (lambda p: p.write_bytes(bytes.fromhex("d0cf11e0a1b11ae1") + b"\0" * 500),
                "ancien format Excel"),
    "folder": (lambda p: p.mkdir(), "dossier"),
    "missing": (lambda p: None, "fichier introuvable"),
}


@pytest.mark.parametrize("kind", BAD_FILES)
def test_bad_file(cli, db_path, tmp_path, loaded, kind):
    make, words = BAD_FILES[kind]
    source = tmp_path / "inventaire.csv"
    make(source)
    result = cli("import", source)
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.output.startswith(f"{source} : ") and words in result.output, result.output
    assert snapshot(db_path) == loaded


@pytest.mark.parametrize("bad", [
    "H77|Melun|77288|X||B|douze|oui|",   # found while reading the rows
    GOOD,                                # found once the rows are grouped (duplicate hall)
])
def test_bad_file_on_an_empty_database_creates_no_project(cli, db_path, tmp_path, bad):
    Store(db_path).close()  # the database exists, opened once (device identity written)
    before = snapshot(db_path)
    source = write(tmp_path / "bad.csv", [HEADER, GOOD, bad])
    result = cli("import", source)
    assert result.exit_code == 2 and f"{source}:3 : " in result.output
    assert snapshot(db_path) == before
    assert before["projects"] == [] and before["ops"] == []


def test_bad_file_does_not_create_the_database(cli, db_path, tmp_path):
    source = write(tmp_path / "bad.csv", [HEADER, "H77|Melun|77288|X||B|douze|oui|"])
    assert cli("import", source).exit_code == 2
    assert not db_path.exists()


def test_one_residence_in_two_qpvs(cli, db_path, tmp_path, loaded):
    source = write(tmp_path / "qpv.csv", [
        "Bailleur|Commune|Résidence|Entrée|QPV",
        "H77|Melun|Les Mézereaux|A|Schuman",
        "H77|Melun|Les Mézereaux|B|Montaigu",
    ])
    result = cli("import", source)
    assert result.exit_code == 2
    assert (f"{source}:3 : colonne « QPV » : la résidence « Les Mézereaux » est dans le QPV "
            "« Schuman » à la ligne 2, pas « Montaigu »") in result.output
    assert snapshot(db_path) == loaded
