"""Inventory import (*recensement des systèmes d'accès*): a landlord's table, one row per hall.

Nothing is written unless everything is right, so the import goes in two
steps. This module is the first: it matches the headers (whatever the case,
accents or punctuation), then reads and checks every row, collecting every
problem with its line and column instead of stopping at the first. The second
step, `import_plan`, turns the checked rows into entities with stable ids,
compares them with the database and writes only the differences.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from . import tabular
from .model import FIELD_KINDS, MAX_DWELLINGS

PROJECT_NAME = "Mutualisation Vigik"
NAMESPACE = uuid.UUID("6f0b7c1e-3a52-5d4e-9b1a-5c2f8e7d9a10")  # fixed forever: ids depend on it

# field -> accepted headers (compared after `squash`: no case, accents, punctuation, spaces)
COLUMNS: dict[str, tuple[str, ...]] = {
    "landlord": ("Bailleur", "Bailleurs", "Organisme", "Bailleur social", "Nom du bailleur"),
    "commune": ("Commune", "Communes", "Ville", "Nom de la commune", "Nom commune"),
    "insee": ("Code INSEE", "INSEE", "Code commune", "Code INSEE commune"),
    "residence": ("Résidence", "Résidences", "Programme", "Nom de la résidence",
                  "Nom résidence", "Nom du programme"),
    "address": ("Adresse", "Adresses", "Adresse postale"),
    "hall": ("Entrée", "Entrées", "Hall", "Halls", "Cage", "Cages", "Cage d'escalier",
             "Bâtiment", "Bâtiments", "Bât."),
    "dwellings": ("Nb logements", "Nb. logements", "Nombre de logements", "Logements",
                  "Nb de logements", "Nb logts", "Nb lgts"),
    "vigik": ("Vigik", "Équipée Vigik ou compatible", "Compatible Vigik",
              "Résidence équipée de Vigik ou compatible Vigik", "Équipé Vigik"),
    "vigik_no": ("Non compatible Vigik", "Incompatible Vigik",
                 "Non équipée Vigik ou non compatible",
                 "Résidence non équipée de Vigik ou non compatible Vigik"),
    "brand": ("Marque", "Marque centrale", "Marque de la centrale", "Fabricant"),
    "model": ("Modèle", "Modèle centrale", "Modèle de la centrale"),
    "qpv": ("QPV", "Quartier", "Quartier prioritaire", "Nom QPV"),
    "qpv_code": ("Code QPV",),
    "lat": ("Latitude", "Lat"),
    "lon": ("Longitude", "Lon", "Lng"),
    "centrale_location": ("Emplacement centrale", "Emplacement de la centrale",
                          "Localisation centrale"),
    "notes": ("Observations", "Remarques", "Commentaire", "Commentaires", "Notes"),
    # the landlord's number to call, printed on the labels ("whom to call")
    "phone": ("Téléphone", "Tél.", "Tel", "Téléphone bailleur", "Téléphone du bailleur",
              "Contact", "Contact bailleur", "Téléphone contact", "N° de téléphone"),
}
# text cell -> the field it fills (see import_plan.build); that field's kind bounds its length
CELL_FIELDS: dict[str, tuple[str, str]] = {
    "landlord": ("landlords", "name"), "commune": ("communes", "name"),
    "insee": ("communes", "insee"), "residence": ("residences", "name"),
    "address": ("halls", "address"), "hall": ("halls", "label"), "brand": ("halls", "brand"),
    "model": ("halls", "model"), "qpv": ("qpvs", "name"), "qpv_code": ("qpvs", "code"),
    "centrale_location": ("halls", "centrale_location"), "notes": ("halls", "notes"),
    "phone": ("landlords", "phone"),
}
_TEXT_LIMITS = {name: FIELD_KINDS[entity][field].max_length
                for name, (entity, field) in CELL_FIELDS.items()}
YES = {"oui", "o", "x", "yes", "y", "1", "true", "vrai", "compatible"}
NO = {"non", "n", "no", "0", "false", "faux", "incompatible", "noncompatible"}
_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")
_INSEE = re.compile(r"\d{5}|2[AB]\d{3}")
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae"})
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")
_THOUSANDS = str.maketrans("", "", " \xa0\u202f\u2007'")


def squash(text: str) -> str:
    """Lower case, no accents, letters and digits only: how headers are compared."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if c.isalnum() and not unicodedata.combining(c))


@lru_cache(maxsize=1 << 16)  # landlord, commune and street names repeat on every row
def key_text(text: str | None) -> str:
    """A name as a natural key: no case, accents or punctuation, single spaces."""
    if not text:
        return ""
    folded = text.casefold()
    if folded.isascii():
        return " ".join(_NOT_ALNUM.sub(" ", folded).split())
    decomposed = unicodedata.normalize("NFKD", folded.translate(_LIGATURES))
    kept = "".join(c if c.isalnum() else " " for c in decomposed if not unicodedata.combining(c))
    return " ".join(kept.split())


HEADERS: dict[str, str] = {squash(name): f for f, names in COLUMNS.items() for name in names}


def header_score(cells: list[str]) -> int:
    """How many known columns a row names (0 below two: not a header)."""
    found = {HEADERS[s] for s in map(squash, cells) if s in HEADERS}
    return len(found) if len(found) >= 2 else 0


@dataclass(frozen=True)
class Problem:
    """One thing wrong in the file, where a person can find it."""

    key: str                      # message key in the import catalog
    line: int | None = None
    column: str | None = None     # the header as written in the file
    values: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Row:
    """One hall as the file describes it, values already checked and converted."""

    line: int
    landlord: str
    commune: str
    insee: str | None
    residence: str | None
    address: str | None
    label: str | None
    dwellings: int | None
    vigik: str | None             # None: the file says nothing (empty cell or no column)
    brand: str | None
    model: str | None
    qpv: str | None
    qpv_code: str | None
    lat: float | None
    lon: float | None
    centrale_location: str | None
    notes: str | None
    phone: str | None = None      # the landlord's contact number


@dataclass
class Parsed:
    rows: list[Row]
    columns: dict[str, str]       # field -> header text
    ignored: list[str]            # headers nobody reads
    problems: list[Problem]


def _match_columns(header: list[str], line: int, landlord: str | None,
                   problems: list[Problem]) -> tuple[dict[str, int], list[str]]:
    index: dict[str, int] = {}
    ignored = []
    for i, text in enumerate(header):
        name = HEADERS.get(squash(text))
        if name is None:
            if text:
                ignored.append(text)
        elif name in index:
            problems.append(Problem("import.duplicate_column", line, text,
                                    {"other": header[index[name]]}))
        else:
            index[name] = i

    def require(present: bool, key: str, *fields: str) -> None:
        if not present:
            names = " / ".join(n for f in fields for n in COLUMNS[f][:3])
            problems.append(Problem(key, line, None, {"names": names}))

    require("commune" in index, "import.missing_commune", "commune")
    require("residence" in index or "address" in index, "import.missing_residence",
            "residence", "address")
    require("landlord" in index or bool(landlord), "import.missing_landlord", "landlord")
    return index, ignored


def parse(path: Path, landlord: str | None = None) -> Parsed:
    """Read and check the whole file. Raises `tabular.TabularError` when it cannot be read."""
    table = tabular.read_table(path, header_score)
    problems: list[Problem] = []
    landlord = tabular.clean(landlord) or None
    index, ignored = _match_columns(table.header, table.header_line, landlord, problems)
    columns = {name: table.header[i] for name, i in index.items()}
    if problems:
        return Parsed([], columns, ignored, problems)
    width = len(table.header)
    rows: list[Row] = []
    for line, cells in table.rows:
        if len(cells) > width and any(cells[width:]):
            problems.append(Problem("import.too_many_cells", line, None,
                                    {"cells": len(cells), "columns": width}))
            continue
        row = _row(line, cells, index, columns, landlord, problems)
        if row is not None:
            rows.append(row)
    return Parsed(rows, columns, ignored, problems)


def _row(line: int, cells: list[str], index: dict[str, int], columns: dict[str, str],
         landlord: str | None, problems: list[Problem]) -> Row | None:
    """One data row checked; its problems appended; None when it has any."""
    before = len(problems)

    def cell(name: str) -> str | None:
        i = index.get(name)
        return (cells[i] or None) if i is not None and i < len(cells) else None

    def problem(key: str, name: str, **values: Any) -> None:
        problems.append(Problem(key, line, columns.get(name), values))

    for name, limit in _TEXT_LIMITS.items():
        text = cell(name)
        if text is not None and limit is not None and len(text) > limit:
            problem("import.too_long", name, length=len(text), max=limit)
    owner = cell("landlord") or landlord
    if not owner:
        problem("import.empty_landlord", "landlord")
    commune = cell("commune")
    if not commune:
        problem("import.empty_commune", "commune")
    residence, address = cell("residence"), cell("address")
    if not residence and not address:
        problem("import.empty_residence", "residence" if "residence" in index else "address")
    insee = cell("insee")
    if insee:
        insee = insee.replace(" ", "").upper()
        if len(insee) == 4 and insee.isdigit():
            insee = "0" + insee  # Excel drops the leading zero of departments 01-09
        if not _INSEE.fullmatch(insee):
            problem("import.bad_insee", "insee", value=cell("insee"))
    dwellings = _dwellings(cell("dwellings"), lambda k, **v: problem(k, "dwellings", **v))
    vigik = _vigik(cell("vigik"), cell("vigik_no"), problem)
    lat = _coordinate(cell("lat"), 90, lambda k, **v: problem(k, "lat", **v))
    lon = _coordinate(cell("lon"), 180, lambda k, **v: problem(k, "lon", **v))
    if len(problems) > before:
        return None
    return Row(line, owner, commune, insee, residence, address, cell("hall"), dwellings,
               vigik, cell("brand"), cell("model"), cell("qpv"), cell("qpv_code"), lat, lon,
               cell("centrale_location"), cell("notes"), cell("phone"))


def _dwellings(text: str | None, problem: Callable[..., None]) -> int | None:
    if text is None:
        return None
    compact = text.translate(_THOUSANDS).replace(",", ".")
    if not _NUMBER.fullmatch(compact):
        problem("import.dwellings_not_number", value=text)
        return None
    if compact.startswith("-") and float(compact) != 0:
        problem("import.dwellings_negative", value=text)
        return None
    whole, _, decimals = compact.lstrip("+-").partition(".")
    if decimals.strip("0"):
        problem("import.dwellings_not_whole", value=text)
        return None
    if int(whole) > MAX_DWELLINGS:
        problem("import.dwellings_too_many", value=text, max=MAX_DWELLINGS)
        return None
    return int(whole)


def _yes_no(text: str | None) -> bool | None:
    """True / False / None for empty; raises ValueError on anything else."""
    if text is None:
        return None
    word = squash(text)
    if word in YES:
        return True
    if word in NO:
        return False
    raise ValueError(text)


def _vigik(yes_cell: str | None, no_cell: str | None,
           problem: Callable[..., None]) -> str | None:
    """compatible / incompatible / None, from the Vigik column and/or the "not Vigik" one."""
    answers = []
    for name, text, flip in (("vigik", yes_cell, False), ("vigik_no", no_cell, True)):
        try:
            answer = _yes_no(text)
        except ValueError:
            problem("import.bad_vigik", name, value=text)
            return None
        if answer is not None:
            answers.append(answer != flip)
    if len(set(answers)) > 1:
        problem("import.vigik_contradiction", "vigik_no")
        return None
    if not answers:
        return None
    return "compatible" if answers[0] else "incompatible"


def _coordinate(text: str | None, limit: int, problem: Callable[..., None]) -> float | None:
    if text is None:
        return None
    compact = text.replace(" ", "").replace(",", ".")
    if not _NUMBER.fullmatch(compact):
        problem("import.bad_coordinate", value=text)
        return None
    value = float(compact)
    if abs(value) > limit:
        problem("import.coordinate_range", value=text, limit=limit)
        return None
    return value
