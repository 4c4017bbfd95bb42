"""Re-importing changes only what changed; ids are the same on every laptop; dry runs write nothing."""

from __future__ import annotations

from import_support import basic, count, rows, snapshot, write

from vigikfield.domain import import_plan, importer
from vigikfield.domain.store import Store

HEADER = "Bailleur|Commune|Code INSEE|Résidence|Entrée|Nb logements|Vigik|Marque"
FIRST = [
    HEADER,
    "Habitat 77|Melun|77288|Les Mézereaux|A|12|oui|Urmet",
    "Habitat 77|Melun|77288|Les Mézereaux|B|20|non|Urmet",
    "Habitat 77|Melun|77288|Les Mézereaux|C|6||Urmet",
    "Habitat 77|Le Mée-sur-Seine|77285|Plein Ciel|1|8||",
]


def _ops(db) -> list[tuple]:
    return rows(db, "SELECT entity, field, value, base IS NOT NULL, reason FROM ops "
                    "WHERE seq > ? ORDER BY seq", _seq(db))


def _seq(db) -> int:
    return rows(db, "SELECT coalesce(max(seq), 0) FROM ops")[0][0]


def test_same_file_twice_writes_nothing_the_second_time(cli, db_path, tmp_path):
    source = write(tmp_path / "inv.csv", FIRST)
    first = cli("import", source)
    assert first.exit_code == 0, first.output
    assert "Projet « Mutualisation Vigik » créé." in first.output
    before = snapshot(db_path)
    again = cli("import", source)
    assert again.exit_code == 0
    assert "Aucune modification" in again.output
    assert snapshot(db_path) == before
    assert count(db_path, "projects") == 1 and count(db_path, "halls") == 4
    assert cli("journal", "verify").exit_code == 0


def test_updated_file_records_only_the_differences(cli, db_path, tmp_path):
    assert cli("import", write(tmp_path / "v1.csv", FIRST)).exit_code == 0
    seq = _seq(db_path)
    codes = dict(rows(db_path, "SELECT label, code FROM halls"))
    updated = write(tmp_path / "v2.csv", [
        HEADER,
        "HABITAT 77|Melun|77288|les mezereaux|A|14|oui|URMET",   # dwellings; case only
        "Habitat 77|Melun|77288|Les Mézereaux|B|20|oui|Urmet",   # now compatible
        "Habitat 77|Melun|77288|Les Mézereaux|D|3||Urmet",       # new hall; C is missing
        "Habitat 77|Le Mée-sur-Seine|77285|Plein Ciel|1|||",     # empty cells erase nothing
    ])
    result = cli("import", updated)
    assert result.exit_code == 0, result.output
    ops = rows(db_path, "SELECT entity, field, value, base IS NOT NULL, reason FROM ops "
                        "WHERE seq > ? ORDER BY seq", seq)
    changed = sorted((e, f, v, b) for e, f, v, b, _ in ops if b)
    assert changed == [
        ("halls", "dwellings", "14", 1),
        ("halls", "vigik", '"compatible"', 1),
        ("residences", "dwellings", "43", 1),  # 14 + 20 + 3 + 6 (C is kept)
    ]
    created = {f for e, f, v, b, _ in ops if not b}
    assert created == {"residence_id", "code", "label", "dwellings", "brand", "vigik"}
    assert {r for *_, r in ops} == {'reason.import_file {"file": "v2.csv"}'}
    assert f"{codes['C']}\tC" in result.output and "absent(s) du fichier" in result.output
    assert "Modifiés : 1 résidence(s), 2 hall(s)." in result.output
    assert f"{codes['A']} A : logements 12 → 14" in result.output
    assert rows(db_path, "SELECT label, dwellings, code FROM halls WHERE label IN ('A', 'C', '1') "
                         "ORDER BY label") == [("1", 8, codes["1"]), ("A", 14, codes["A"]),
                                               ("C", 6, codes["C"])]
    assert cli("journal", "verify").exit_code == 0
    assert cli("import", updated).output.count("Aucune modification") == 1


def test_same_file_on_two_laptops_names_the_same_entities(tmp_path):
    source = basic(tmp_path / "inv.csv")
    found = []
    for laptop in ("a", "b"):
        store = Store(tmp_path / f"{laptop}.db")
        import_plan.run(store, importer.parse(source), source.name)
        found.append({table: sorted(r[0] for r in store.conn.execute(f"SELECT id FROM {table}"))
                      for table in import_plan.TABLES})
        found[-1]["codes"] = sorted(r[0] for r in store.conn.execute("SELECT code FROM halls"))
        store.close()
    assert found[0] == found[1]
    assert len(found[0]["halls"]) == 3


def test_commune_without_insee_joins_the_one_the_database_knows(cli, db_path, tmp_path):
    assert cli("import", basic(tmp_path / "a.csv")).exit_code == 0
    other = write(tmp_path / "b.csv", ["Organisme|Ville|Programme|Cage",
                                       "3F Seine-et-Marne|MELUN|Beauregard|12"])
    assert cli("import", other).exit_code == 0
    assert rows(db_path, "SELECT name, insee FROM communes ORDER BY insee") == [
        ("Le Mée-sur-Seine", "77285"), ("Melun", "77288")]


def test_homonymous_communes_stay_apart(cli, db_path, tmp_path):
    source = write(tmp_path / "homonymes.csv", [
        "Bailleur|Commune|INSEE|Résidence",
        "H|Saint-Germain-sur-École|77409|Le Bourg",
        "H|Saint-Germain-sur-École|91540|Le Bourg",    # a namesake in another department?
        "H|Saint-Germain-sur-École||Les Prés",         # which one: neither, keep it by name
    ])
    assert cli("import", source).exit_code == 0
    assert rows(db_path, "SELECT insee FROM communes ORDER BY insee") == [
        (None,), ("77409",), ("91540",)]


def test_dry_run_writes_nothing_and_says_what_would_change(cli, db_path, tmp_path):
    source = write(tmp_path / "inv.csv", FIRST)
    result = cli("import", source, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "rien n'a été écrit" in result.output
    assert "Seraient créés : 1 bailleur(s), 2 commune(s), 2 résidence(s), 4 hall(s)." \
        in result.output
    assert not db_path.exists()
    assert cli("import", source).exit_code == 0
    before = snapshot(db_path)
    changed = write(tmp_path / "inv2.csv", [*FIRST[:-1], FIRST[-1].replace("|8|", "|9|")])
    result = cli("import", changed, "--dry-run", lang="en")
    assert result.exit_code == 0
    assert "Would update: 1 residence(s), 1 hall(s)." in result.output
    assert "2 operations would be recorded" in result.output
    assert snapshot(db_path) == before


def test_summary_counts(cli, tmp_path):
    result = cli("import", write(tmp_path / "inv.csv", FIRST), lang="en")
    assert "Imported inv.csv: 2 residences, 4 halls, 46 dwellings." in result.output
    assert "Vigik: 1 compatible, 1 incompatible, 2 unknown (to check)." in result.output
    assert "Created: 1 landlord(s), 2 commune(s), 2 residence(s), 4 hall(s)." in result.output
