"""Whatever lands in the importer (any bytes, any cell text), it answers 0 or 2, never a traceback."""

from __future__ import annotations

import csv
import io

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vigikfield.cli import build_cli
from vigikfield.domain.store import Store

HEADER = ["Bailleur", "Commune", "Code INSEE", "Résidence", "Adresse", "Entrée",
          "Nb. logements", "Vigik", "Non compatible Vigik", "Marque", "QPV",
          "Latitude", "Longitude"]
FUZZ = settings(max_examples=120, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])


@pytest.fixture
def run(tmp_path):
    """Import a file into one database shared by all examples; returns the result."""
    db = tmp_path / "fuzz.db"
    Store(db).close()
    runner = CliRunner()

    def invoke(data: bytes, name: str = "inventaire.csv", *extra: str):
        source = tmp_path / name
        source.write_bytes(data)
        return runner.invoke(build_cli(), ["--db", str(db), "import", str(source), *extra])

    return invoke


def _sound(result) -> None:
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        result.output, result.exception)
    assert result.exit_code in (0, 2), result.output
    assert "Traceback" not in result.output


header_line = ";".join(HEADER).encode("cp1252") + b"\r\n"
any_bytes = st.one_of(
    st.binary(max_size=2000),
    st.binary(max_size=500).map(lambda b: header_line + b),       # a header, then garbage
    st.binary(max_size=500).map(lambda b: b"PK\x03\x04" + b),      # a broken zip
    st.binary(max_size=200).map(lambda b: b"\xff\xfe" + b),        # a UTF-16 BOM, then garbage
)


@FUZZ
@given(data=any_bytes, xlsx=st.booleans())
def test_arbitrary_bytes(run, data, xlsx):
    _sound(run(data, "inventaire.xlsx" if xlsx else "inventaire.csv"))


cell = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", "oui", "x", "12", "12,0", "-3", "1,5", "douze", "77288", "48,5",
                     ";", ",", "\t", '"', "\r\n", "a\nb", " ", "\x00"]),
)


@FUZZ
@given(rows=st.lists(st.lists(cell, min_size=0, max_size=len(HEADER) + 2), max_size=8),
       separator=st.sampled_from([";", ",", "\t"]),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]),
       landlord=st.one_of(st.none(), st.text(max_size=8)),
       dry_run=st.booleans())
def test_arbitrary_rows(run, rows, separator, encoding, landlord, dry_run):
    out = io.StringIO()
    writer = csv.writer(out, delimiter=separator, lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    data = out.getvalue().encode(encoding, errors="replace")
    extra = (["--landlord", landlord] if landlord else []) + (["--dry-run"] if dry_run else [])
    result = run(data, "inventaire.csv", *extra)
    _sound(result)


def test_a_valid_fuzz_row_really_imports(run):
    """The fuzz above can succeed: a plain row written the same way imports (exit 0)."""
    out = io.StringIO()
    csv.writer(out, delimiter=";").writerows(
        [HEADER, ["H77", "Melun", "77288", "Les Mézereaux", "", "A", "12", "oui", "", "", "",
                  "48,5", "2,6"]])
    result = run(out.getvalue().encode("cp1252"))
    assert result.exit_code == 0, result.output
    assert "1 résidences, 1 halls, 12 logements" in result.output
