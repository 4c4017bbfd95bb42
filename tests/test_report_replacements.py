"""vigikfield report replacements: per landlord, the incompatible halls and the estimate,
against figures computed in the test (straight SQL on the demo, `hall list --json`)."""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from vigikfield.cli import build_cli
from vigikfield.domain.journal import Change
from vigikfield.domain.store import Store

from import_support import write

PER_ENTRANCE = Decimal(67_000) / 12  # the seed: 67 000 € HT for 12 entrances
HALL_KEYS = ["landlord", "commune", "insee", "residence", "address", "code", "label", "dwellings",
             "brand", "model", "replacement_planned", "replaced_on", "estimate_ht"]
SUMMARY_KEYS = ["landlord", "halls", "planned", "replaced", "per_entrance_ht", "total_ht", "vat",
                "total_ttc"]


def _cents(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    path = folder / "demo.db"
    with pytest.MonkeyPatch.context() as env:
        env.setenv("VIGIKFIELD_HOME", str(folder))
        result = CliRunner().invoke(build_cli(), ["--db", str(path), "demo", "--no-ui"])
    assert result.exit_code == 0, result.output
    return path


@pytest.fixture
def demo(demo_db, db_path) -> Path:
    """A copy of the demo for this test (the cli fixture's database)."""
    shutil.copy(demo_db, db_path)
    return db_path


def _report(cli, *args: str):
    result = cli("report", "replacements", "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def _sql(db: Path, sql: str, *params) -> list[tuple]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def test_the_halls_are_the_incompatible_ones_of_hall_status(demo, cli):
    report = _report(cli)
    assert list(report) == ["halls", "landlords"]
    expected = dict(_sql(demo, """
        SELECT h.code, l.name FROM hall_status hs JOIN halls h ON h.id = hs.hall_id
        JOIN residences r ON r.id = h.residence_id JOIN landlords l ON l.id = r.landlord_id
        WHERE hs.status = 'incompatible'"""))
    assert len(expected) > 50
    assert {h["code"]: h["landlord"] for h in report["halls"]} == expected
    assert len(report["halls"]) == len(expected)
    assert all(list(h) == HALL_KEYS for h in report["halls"])
    # the same halls as `hall list`, another reader of the one status definition
    listed = json.loads(cli("hall", "list", "--status", "incompatible", "--json").output)
    assert {h["code"] for h in listed} == set(expected)


def test_each_landlord_its_count_and_its_estimate(demo, cli):
    report = _report(cli)
    counts = dict(_sql(demo, """
        SELECT l.name, count(hs.hall_id) FROM landlords l
        LEFT JOIN residences r ON r.landlord_id = l.id
        LEFT JOIN hall_status hs ON hs.residence_id = r.id AND hs.status = 'incompatible'
        GROUP BY l.id"""))
    *landlords, total = report["landlords"]
    assert {row["landlord"]: row["halls"] for row in landlords} == counts
    assert [row["landlord"] for row in landlords] == sorted(counts, key=str.casefold)
    for row in landlords:
        n = counts[row["landlord"]]
        assert list(row) == SUMMARY_KEYS
        assert row["per_entrance_ht"] == "5583.33" and row["vat"] == "20.00"
        assert Decimal(row["total_ht"]) == _cents(PER_ENTRANCE * n)
        assert Decimal(row["total_ttc"]) == _cents(PER_ENTRANCE * n * Decimal("1.2"))
        # the landlord's lines add up to its total, to the cent
        lines = [Decimal(h["estimate_ht"]) for h in report["halls"] if h["landlord"] == row["landlord"]]
        assert len(lines) == n and sum(lines, Decimal(0)) == Decimal(row["total_ht"])
    assert total["landlord"] == "Total"
    assert total["halls"] == sum(counts.values())
    for key in ("total_ht", "total_ttc"):
        assert Decimal(total[key]) == sum((Decimal(r[key]) for r in landlords), Decimal(0))
    assert total["per_entrance_ht"] is None and total["vat"] is None


def test_one_landlord_named_as_people_type_it(demo, cli):
    name = _sql(demo, "SELECT name FROM landlords WHERE name LIKE 'Habitat Val%'")[0][0]
    report = _report(cli, "--landlord", "HABITAT  VAL DE SEINE")
    assert {h["landlord"] for h in report["halls"]} == {name}
    assert [row["landlord"] for row in report["landlords"]] == [name]  # no total row for one
    n = _sql(demo, """SELECT count(*) FROM hall_status hs JOIN residences r ON r.id = hs.residence_id
        JOIN landlords l ON l.id = r.landlord_id WHERE hs.status = 'incompatible' AND l.name = ?""",
             name)[0][0]
    assert report["landlords"][0]["halls"] == n == len(report["halls"])


@pytest.mark.parametrize("name, says", [("Nobody Habitat", "Cités Jardins de Sénart"),
                                        ("Foyer", "Les Foyers Briards")])
def test_an_unknown_or_ambiguous_landlord_is_exit_2(demo, cli, name, says):
    result = cli("report", "replacements", "--landlord", name)
    assert result.exit_code == 2
    assert name in result.output and says in result.output and "Traceback" not in result.output


def test_no_database_is_exit_2_and_creates_none(cli, db_path):
    result = cli("report", "replacements")
    assert result.exit_code == 2 and str(db_path) in result.output
    assert not db_path.exists()


def test_the_projects_own_cost_and_vat_and_the_replacement_dates(demo, cli):
    store = Store(demo)
    project = store.conn.execute("SELECT id FROM projects").fetchone()[0]
    landlord, name = store.conn.execute(
        "SELECT id, name FROM landlords WHERE name LIKE 'Toit%'").fetchone()
    halls = [r[0] for r in store.conn.execute("""
        SELECT hs.hall_id FROM hall_status hs JOIN residences r ON r.id = hs.residence_id
        WHERE hs.status = 'incompatible' AND r.landlord_id = ? ORDER BY hs.hall_id""", (landlord,))]
    store.record([Change("projects", project, "cost_replacement_per_entrance", "6000.5"),
                  Change("projects", project, "vat", "5.5"),
                  Change("halls", halls[0], "replacement_planned", "2027-03-01"),
                  Change("halls", halls[1], "replacement_planned", "2027-02-01"),
                  Change("halls", halls[1], "replaced_on", "2027-02-03")], reason="test")
    planned, replaced = store.conn.execute("""
        SELECT count(h.replacement_planned), count(h.replaced_on) FROM hall_status hs
        JOIN halls h ON h.id = hs.hall_id JOIN residences r ON r.id = hs.residence_id
        WHERE hs.status = 'incompatible' AND r.landlord_id = ?""", (landlord,)).fetchone()
    store.close()
    report = _report(cli, "--landlord", name)
    [row] = report["landlords"]
    n = len(halls)
    assert planned >= 2 and replaced >= 1  # ours, and the demo's own plans if any
    assert (row["halls"], row["planned"], row["replaced"]) == (n, planned, replaced)
    assert row["per_entrance_ht"] == "6000.50" and row["vat"] == "5.50"
    assert Decimal(row["total_ht"]) == Decimal("6000.5") * n
    assert Decimal(row["total_ttc"]) == _cents(Decimal("6000.5") * n * Decimal("1.055"))
    dates = {(h["replacement_planned"], h["replaced_on"]) for h in report["halls"]}
    assert {("2027-03-01", None), ("2027-02-01", "2027-02-03")} <= dates


def test_twelve_entrances_cost_the_seeds_67000_exactly(tmp_path, cli):
    lines = ["Bailleur|Commune|Code INSEE|Résidence|Entrée|Nb logements|Vigik"]
    lines += [f"Habitat 77|Melun|77288|Résidence de 208 logements|{i}|17|non" for i in range(1, 13)]
    assert cli("import", write(tmp_path / "melun.csv", lines)).exit_code == 0
    report = _report(cli)
    [row] = report["landlords"]
    assert (row["halls"], row["total_ht"], row["total_ttc"]) == (12, "67000.00", "80400.00")
    shares = Counter(h["estimate_ht"] for h in report["halls"])
    assert shares == {"5583.33": 8, "5583.34": 4}  # 67 000,00 spread to the cent


def test_the_table_and_csv_say_the_same_figures(demo, cli, tmp_path):
    report = _report(cli)
    table = cli("report", "replacements").output.splitlines()
    assert table[0] == "Halls à remplacer"
    assert len([line for line in table if line.count("\t") == len(HALL_KEYS) - 1]) \
        == len(report["halls"]) + 1  # + header
    total = report["landlords"][-1]
    assert table[-1].split("\t")[0] == "Total"
    assert table[-1].split("\t")[5] == f"{Decimal(total['total_ht']):,.2f}".replace(",", "\u202f") \
        .replace(".", ",") + "\u00a0€"
    out = tmp_path / "r.csv"
    assert cli("report", "replacements", "--format", "csv", "--out", out).exit_code == 0
    text = out.read_bytes().decode("utf-8-sig")
    assert f";{total['total_ht'].replace('.', ',')};" in text.splitlines()[-1]


def test_english(demo, cli):
    result = cli("report", "replacements", "--landlord", "toit melunais", lang="en")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "Halls to replace" and lines[1].startswith("Landlord\tCommune\tINSEE code")
    assert "€5,583.3" in result.output


def test_what_is_found_on_site_moves_a_hall_in_or_out(demo, cli):
    """The list follows the one status definition, not the inventory's Vigik column."""
    before = {h["code"] for h in _report(cli)["halls"]}
    found, done = _sql(demo, """
        SELECT (SELECT h.code FROM hall_status hs JOIN halls h ON h.id = hs.hall_id
                WHERE hs.status = 'compatible' ORDER BY h.code LIMIT 1),
               (SELECT h.code FROM hall_status hs JOIN halls h ON h.id = hs.hall_id
                WHERE hs.status = 'incompatible' ORDER BY h.code LIMIT 1)""")[0]
    assert cli("encode", found, "--outcome", "incompatible").exit_code == 0
    assert cli("encode", done, "--outcome", "encoded").exit_code == 0
    report = _report(cli)
    assert {h["code"] for h in report["halls"]} == before - {done} | {found}
    assert report["landlords"][-1]["halls"] == len(before)
