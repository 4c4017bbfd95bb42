"""The site classification of seed 002: the grid cell by cell, the seed's worked example,
the 12-month window and the level's history, the pilot's alone, and never in a
technician's bundle unless the pilot says so (then it orders the route, unseen)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
import vigikfield_sync as sync

from sync_world import World
from vigikfield.domain import classification, progress
from vigikfield.domain.model import FREQUENCIES, GRAVITIES

TODAY = "2026-12-01"

# The grid written out by hand (docs/classification.md), rows gravity, columns
# ponctuelle, régulière, quotidienne. The four cells the seed states are marked.
GRID = {
    "faible":  (1, 1, 2),   # faible × quotidienne = 2 (seed)
    "moyenne": (1, 2, 3),   # moyenne × quotidienne = 3 (seed)
    "majeure": (2, 3, 4),   # majeure × ponctuelle = 2 (seed)
    "extreme": (3, 4, 4),   # extrême × ponctuelle = 3 (seed)
}
SEED_CELLS = {("faible", "quotidienne"): 2, ("moyenne", "quotidienne"): 3,
              ("majeure", "ponctuelle"): 2, ("extreme", "ponctuelle"): 3}


@pytest.fixture
def site(store):
    store.ensure_project("Sénart")
    landlord = store.create("landlords", {"name": "Habitat 77", "project_id": store.project_id})
    commune = store.create("communes", {"name": "Melun", "insee": "77288"})
    store.create("residences", {"name": "Les Mézereaux", "landlord_id": landlord,
                                "commune_id": commune, "dwellings": 40})
    store.create("residences", {"name": "Plein Ciel", "landlord_id": landlord,
                                "commune_id": commune, "dwellings": 20})
    return store


@pytest.mark.parametrize("gravity", GRAVITIES)
@pytest.mark.parametrize("frequency", FREQUENCIES)
def test_the_grid_cell_by_cell_in_python_and_in_sql(site, gravity, frequency):
    expected = GRID[gravity][FREQUENCIES.index(frequency)]
    if (gravity, frequency) in SEED_CELLS:
        assert SEED_CELLS[gravity, frequency] == expected
    assert classification.fact_level(gravity, frequency) == expected
    classification.add_fact(site, "Les Mézereaux", fact="un fait", gravity=gravity,
                            frequency=frequency, observed_on=date(2026, 11, 2), source=None,
                            today=date(2026, 12, 1))
    (level,) = site.conn.execute(
        f"SELECT {classification.LEVEL_SQL} FROM site_facts f").fetchone()
    assert level == expected
    assert site.get("residences", site.conn.execute(
        "SELECT residence_id FROM site_facts").fetchone()[0])["site_level"] == expected


def test_the_seeds_worked_example_gives_level_3(site, cli):
    facts = [("jets de détritus ou dépôts d'ordures", None, "quotidienne", 2),
             ("violences urbaines, violences entre bandes", None, "ponctuelle", 3),
             ("menaces de mort", None, "ponctuelle", 2),
             ("petits trafics", "moyenne", "quotidienne", 3)]
    for fact, gravity, frequency, level in facts:
        args = ["site", "add-fact", "les mezereaux", "--fact", fact, "--frequency", frequency,
                "--date", "2026-11-15", "--today", TODAY]
        if gravity:
            args += ["--gravity", gravity]
        result = cli(*args)
        assert result.exit_code == 0, result.output
        assert f"(niveau {level}," in result.output
    shown = json.loads(cli("site", "show", "Les Mézereaux", "--json", "--today", TODAY).output)[0]
    assert shown["level"] == 3 and shown["stored_level"] == 3
    assert sorted(f["level"] for f in shown["facts"]) == [2, 2, 3, 3]
    listed = json.loads(cli("site", "list", "--level", "3", "--json", "--today", TODAY).output)
    assert [row["residence"] for row in listed] == ["Les Mézereaux"]
    assert json.loads(cli("site", "list", "--level", "2", "--json", "--today", TODAY).output) == []


def test_only_the_last_twelve_months_count_and_the_levels_history_is_kept(site, cli):
    def add(day: str, fact: str, gravity: str, frequency: str, today: str = TODAY) -> None:
        result = cli("site", "add-fact", "Plein Ciel", "--fact", fact, "--gravity", gravity,
                     "--frequency", frequency, "--date", day, "--today", today)
        assert result.exit_code == 0, result.output

    # 4, recorded then; a year and a day before TODAY
    add("2025-11-30", "présence d'armes", "extreme", "reguliere", today="2025-12-15")
    add("2025-12-01", "tags", "faible", "quotidienne")              # 2, exactly a year ago
    shown = json.loads(cli("site", "show", "Plein Ciel", "--json", "--today", TODAY).output)[0]
    assert shown["level"] == 2 and shown["since"] == "2025-12-01"
    assert [f["counts"] for f in shown["facts"]] == [True, False]
    # the stored level followed each fact; a review a year later clears it
    assert [h["new"] for h in shown["history"]] == [4, 2]
    result = cli("site", "review", "--today", "2026-12-02")
    assert result.exit_code == 0 and "Plein Ciel : niveau 2 → -" in result.output
    later = json.loads(cli("site", "show", "Plein Ciel", "--json", "--today", "2026-12-02").output)[0]
    assert later["level"] is None and [h["new"] for h in later["history"]] == [4, 2, None]
    assert all(h["actor"] for h in later["history"])


def test_the_window_over_a_leap_day_and_a_year_boundary():
    assert classification.window_start(date(2028, 2, 29)) == date(2027, 2, 28)
    assert classification.window_start(date(2027, 1, 15)) == date(2026, 1, 15)
    assert classification.window_start(date(2026, 3, 31), months=1) == date(2026, 2, 28)


def test_a_withdrawn_fact_stops_counting_and_stays_in_the_history(site, cli):
    fact_id, _ = classification.add_fact(
        site, "Plein Ciel", fact="vandalisme", gravity=None, frequency="quotidienne",
        observed_on=date(2026, 11, 1), source="gardien", today=date(2026, 12, 1))
    assert classification.levels(site.conn, date(2026, 12, 1)) != {}
    result = cli("site", "withdraw-fact", fact_id[:8], "--reason", "mauvaise résidence",
                 "--today", TODAY)
    assert result.exit_code == 0, result.output
    shown = json.loads(cli("site", "show", "Plein Ciel", "--json", "--today", TODAY).output)[0]
    assert shown["level"] is None and shown["facts"][0]["withdrawn"]
    assert shown["history"][-1]["reason"] == "mauvaise résidence"


@pytest.mark.parametrize("args, message", [
    (["--gravity", "terrible", "--frequency", "ponctuelle"], "Gravité « terrible » inconnue"),
    (["--frequency", "parfois", "--gravity", "faible"], "Fréquence « parfois » inconnue"),
    (["--frequency", "ponctuelle"], "n'est pas un type du tableau n°2"),
    (["--frequency", "ponctuelle", "--gravity", "faible", "--date", "2027-01-01"], "dans l'avenir"),
])
def test_bad_facts_are_refused_with_exit_2_and_nothing_written(site, cli, args, message):
    before = site.conn.execute("SELECT count(*) FROM ops").fetchone()[0]
    result = cli("site", "add-fact", "Plein Ciel", "--fact", "un fait inconnu", *args,
                 "--today", TODAY)
    assert result.exit_code == 2 and message in result.output, result.output
    assert site.conn.execute("SELECT count(*) FROM ops").fetchone()[0] == before


@pytest.mark.parametrize("role", ["technician", "maintenance"])
def test_the_classification_is_the_pilots_alone(site, cli, db_path, role):
    classification.add_fact(site, "Plein Ciel", fact="tags", gravity=None,
                            frequency="quotidienne", observed_on=date(2026, 11, 1), source=None,
                            today=date(2026, 12, 1))
    landlord = site.conn.execute("SELECT id FROM landlords").fetchone()[0]
    site.set_profile(name="Quelqu'un", role=role, landlord_id=landlord if role == "maintenance" else None)
    site.close()
    before = Path(db_path).read_bytes()
    for args in (["site", "show", "Plein Ciel"], ["site", "list", "--json"],
                 ["site", "add-fact", "Plein Ciel", "--fact", "tags", "--frequency", "ponctuelle"],
                 ["site", "review"]):
        result = cli(*args, "--today", TODAY)
        assert result.exit_code == 2, result.output
        assert "réservée au pilote" in result.output and "tags" not in result.output
    assert Path(db_path).read_bytes() == before


def test_facts_and_levels_never_leave_the_pilot_unless_asked_and_then_order_the_route(tmp_path):
    world = World(tmp_path / "world")
    pilot = world.pilot
    classification.add_fact(pilot, "Les Mézereaux", fact="petits trafics", gravity=None,
                            frequency="quotidienne", observed_on=date(2026, 11, 1),
                            source="commissariat de Melun", today=date(2026, 12, 1))
    plain = world.technician("sans")
    for tech in (plain,):
        assert tech.conn.execute("SELECT count(*) FROM site_facts").fetchone()[0] == 0
        assert tech.conn.execute("SELECT count(*) FROM residences WHERE site_level IS NOT NULL"
                                 ).fetchone()[0] == 0
        assert not tech.conn.execute("SELECT 1 FROM ops WHERE entity = 'site_facts' OR "
                                     "field = 'site_level'").fetchone()
    raw = (tmp_path / "world" / "wo-sans.vfb").read_bytes()
    assert b"petits trafics" not in raw and b"commissariat de Melun" not in raw
    # with --include-confidential: the level travels (it orders the route), the facts do not
    told = world.technician("avec", confidential=True)
    assert told.conn.execute("SELECT count(*) FROM site_facts").fetchone()[0] == 0
    level = told.conn.execute("SELECT site_level FROM residences WHERE name = 'Les Mézereaux'"
                              ).fetchone()[0]
    assert level == 3
    route = progress.route(told.conn, "avec")
    assert route[0].name == "Les Mézereaux"
    # the pilot's own export of everything to another database: not without the flag either
    out = tmp_path / "everything.vfb"
    sync.export(pilot, out, everything=True)
    assert b"petits trafics" not in out.read_bytes()


def test_the_classification_exported_for_the_police_says_confidentiel(site, cli, tmp_path):
    import openpyxl

    classification.add_fact(site, "Plein Ciel", fact="vandalisme", gravity="majeure",
                            frequency="reguliere", observed_on=date(2026, 11, 1), source=None,
                            today=date(2026, 12, 1))
    book = tmp_path / "sites.xlsx"
    assert cli("site", "list", "--format", "xlsx", "--out", book, "--today", TODAY).exit_code == 0
    workbook = openpyxl.load_workbook(book)
    sheet = workbook.worksheets[0]
    assert sheet.title.startswith("CONFIDENTIEL")
    assert sheet["A1"].value == "CONFIDENTIEL — police, justice, bailleurs"
    assert [c.value for c in sheet[3]][:2] == [3, "Plein Ciel"]
    table = cli("site", "list", "--today", TODAY)
    assert table.stdout.startswith("CONFIDENTIEL — police, justice, bailleurs\n")
    result = cli("site", "list", "--format", "csv", "--today", TODAY)
    assert result.stdout.lstrip("\ufeff").startswith("CONFIDENTIEL — police, justice, bailleurs")
    assert "Plein Ciel" in result.stdout
