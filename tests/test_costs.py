"""Costs: the seed's figures cell by cell, planned vs incurred against straight SQL on the
demo, rounding once, shares that add up, and who may change a price."""

from __future__ import annotations

import json
import sqlite3
import uuid
from decimal import Decimal
from fractions import Fraction

import pytest

from vigikfield.domain import cost_defaults, costs, demo
from vigikfield.domain.journal import Change
from vigikfield.domain.store import Store

NS = uuid.UUID("0c057000-0000-4000-8000-000000000077")
MONEY = ("planned_ht", "planned_ttc", "incurred_ht", "incurred_ttc")


def _id(*parts: object) -> str:
    return str(uuid.uuid5(NS, "/".join(map(str, parts))))


def seed_territory(store: Store, *, encoded: int = 134, replaced: int = 12,
                   stations_installed: int = 3) -> None:
    """One landlord with `encoded` halls encoded (door opened), `replaced` halls
    incompatible and replaced; a police office with its stations installed."""
    store.ensure_project("Le Mée-sur-Seine", entity_id=_id("project"))
    changes = [Change("landlords", _id("l"), "name", "Trois Moulins Habitat", new=True),
               Change("residences", _id("r"), "landlord_id", _id("l"), new=True),
               Change("residences", _id("r"), "name", "Les Courtilleraies", new=True),
               Change("police_offices", _id("p"), "name", "Commissariat du Mée", new=True),
               Change("police_offices", _id("p"), "stations", stations_installed, new=True),
               Change("police_offices", _id("p"), "stations_installed", stations_installed,
                      new=True)]
    for n in range(encoded):
        hall, centrale, attempt = _id("h", n), _id("c", n), _id("e", n)
        changes += [Change("halls", hall, "residence_id", _id("r"), new=True),
                    Change("halls", hall, "code", f"T{n:05d}", new=True),
                    Change("halls", hall, "vigik", "compatible", new=True),
                    Change("centrales", centrale, "hall_id", hall, new=True),
                    Change("centrales", centrale, "active", 1, new=True),
                    Change("encodings", attempt, "hall_id", hall, new=True),
                    Change("encodings", attempt, "centrale_id", centrale, new=True),
                    Change("encodings", attempt, "outcome", "encoded", new=True),
                    Change("encodings", attempt, "door_opened", 1, new=True)]
    for n in range(replaced):
        hall = _id("x", n)
        changes += [Change("halls", hall, "residence_id", _id("r"), new=True),
                    Change("halls", hall, "code", f"X{n:05d}", new=True),
                    Change("halls", hall, "vigik", "incompatible", new=True),
                    Change("halls", hall, "replaced_on", "2026-10-23", new=True)]
    store.record(changes, reason="test")


def _line(found: costs.Report, item: str) -> costs.Line:
    (line,) = [x for x in found.lines if x.item == item and x.payer_kind != costs.NOBODY]
    return line


def _report_json(cli) -> list[dict]:
    result = cli("report", "costs", "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


# --- the seed's figures ----------------------------------------------------------
def test_the_seeds_figures_cell_by_cell(store):
    seed_territory(store)
    found = costs.report(store.conn)
    encoding = _line(found, "encoding")
    # "134 halls ont été encodés pour 6400 €TTC": 134 × 40 = 5 360 HT, 6 432 TTC
    assert (encoding.payer, encoding.incurred_count, encoding.incurred_ht,
            encoding.incurred_ttc) == ("Trois Moulins Habitat", 134, Decimal("5360.00"),
                                       Decimal("6432.00"))
    # all halls are to be encoded, the 12 incompatible ones after their replacement
    assert (encoding.planned_count, encoding.planned_ht) == (146, Decimal("5840.00"))
    # "3 bornes de rechargement ont été acquises pour près de 3950 €TTC"
    station = _line(found, "charging_station")
    assert (station.payer_kind, station.incurred_count, station.incurred_ht,
            station.incurred_ttc) == ("agglomeration", 3, Decimal("3300.00"), Decimal("3960.00"))
    # 12 entrances: the 67 000 € HT quote exactly (67 000 / 12 each, never pre-rounded)
    replacement = _line(found, "replacement")
    assert (replacement.planned_count, replacement.incurred_count) == (12, 12)
    assert (replacement.incurred_ht, replacement.incurred_ttc) == (Decimal("67000.00"),
                                                                   Decimal("80400.00"))


def test_the_defaults_live_in_one_table_with_their_sources():
    table = {p.name: (p.field, p.default, p.source) for p in cost_defaults.PARAMETERS}
    assert table["encoding"] == ("cost_encoding", Fraction(40), "seed")
    assert table["replacement_per_entrance"] == ("cost_replacement_per_entrance",
                                                 Fraction(67_000, 12), "seed")
    assert table["charging_station"] == ("cost_charging_station", Fraction(1_100), "seed")
    assert table["vat"] == ("vat", Fraction(20), "seed")
    assert {n for n, (_, d, s) in table.items() if s == "to_fill"} == {"kit", "service_card",
                                                                       "computer"}
    assert all(d is None for _, d, s in table.values() if s == "to_fill")
    assert table["kit_payer"] == ("kit_payer", "agglomeration", "ours")


# --- rounding ----------------------------------------------------------------------
def test_cents_round_half_up_once():
    assert costs.cents(Fraction(5, 1000)) == Decimal("0.01")
    assert costs.cents(Fraction(4999, 1_000_000)) == Decimal("0.00")
    assert costs.cents(Fraction(67_000, 12)) == Decimal("5583.33")
    assert costs.cents(Fraction(67_000, 12) * 12) == Decimal("67000.00")
    assert costs.cents(Fraction(-5, 1000)) == Decimal("-0.01")  # away from zero
    assert str(costs.cents(Fraction(0))) == "0.00"
    assert costs.cents(Decimal("2.675")) == Decimal("2.68")  # a Decimal is exact (2.675 is not a float)


def test_ttc_is_rounded_from_the_exact_ht_not_from_the_rounded_one(cli, store):
    seed_territory(store, encoded=1, replaced=0, stations_installed=0)
    assert cli("costs", "set", "encoding", "0,125").exit_code == 0
    rows = _report_json(cli)
    (line,) = [r for r in rows if r["item"] == "encoding"]
    # 0,125 HT → 0,13 HT; TTC 0,125 × 1,2 = 0,15 exactly (0,13 × 1,2 would give 0,16)
    assert (line["incurred_ht"], line["incurred_ttc"]) == ("0.13", "0.15")


# --- the demo: planned vs incurred against straight SQL ------------------------------
@pytest.fixture
def demo_store(store):
    demo.ensure(store)
    return store


def _sql(conn: sqlite3.Connection, sql: str, *params) -> dict:
    return {row[0]: row[1:] for row in conn.execute(sql, params)}


def test_planned_and_incurred_on_the_demo_against_straight_sql(demo_store, cli):
    conn = demo_store.conn
    halls = _sql(conn, """SELECT l.name, count(h.id), sum(h.vigik = 'incompatible'),
                                 sum(h.replaced_on IS NOT NULL)
                          FROM landlords l JOIN residences r ON r.landlord_id = l.id
                          JOIN halls h ON h.residence_id = r.id GROUP BY l.id""")
    encoded = _sql(conn, """SELECT l.name, count(*) FROM hall_status hs
                            JOIN residences r ON r.id = hs.residence_id
                            JOIN landlords l ON l.id = r.landlord_id
                            WHERE hs.status = 'encoded' GROUP BY l.id""")
    rows = _report_json(cli)
    by = {(r["payer"], r["item"]): r for r in rows if r["payer_kind"] == "landlord"}
    assert {name for name, _ in by} == set(halls) and len(halls) == 11
    for name, (total, incompatible, replaced) in halls.items():
        done = encoded.get(name, (0,))[0]
        enc, rep = by[name, "encoding"], by[name, "replacement"]
        assert (enc["planned_count"], enc["incurred_count"]) == (total, done)
        assert (enc["planned_ht"], enc["incurred_ttc"]) == (f"{40 * total}.00",
                                                            f"{48 * done}.00")
        # no attempt in the demo says "incompatible": the halls' own compatibility decides
        assert (rep["planned_count"], rep["incurred_count"]) == (incompatible, replaced)
        assert Decimal(rep["planned_ht"]) == costs.cents(Fraction(67_000, 12) * incompatible)
    assert sum(r[2] for r in halls.values()) == 1  # the one replaced hall
    stations = conn.execute("SELECT sum(stations), sum(stations_installed) "
                            "FROM police_offices").fetchone()
    (station,) = [r for r in rows if r["item"] == "charging_station"]
    assert (station["planned_count"], station["incurred_count"]) == stations == (6, 3)
    assert (station["incurred_ht"], station["incurred_ttc"]) == ("3300.00", "3960.00")
    (cards,) = [r for r in rows if r["item"] == "service_card"]
    assert (cards["payer_kind"], cards["planned_count"], cards["incurred_count"]) == (
        "agglomeration", 11 - 5, 0)


def test_the_total_row_is_the_sum_of_the_rows(demo_store, cli):
    for kit_payer in ("agglomeration", "landlords", "state"):
        assert cli("costs", "set", "kit_payer", kit_payer).exit_code == 0
        assert cli("costs", "set", "kit", "2 345,67").exit_code == 0
        rows = _report_json(cli)
        *lines, total = rows
        assert total["payer_kind"] == "total" and all(r["payer_kind"] != "total" for r in lines)
        for key in MONEY:
            assert Decimal(total[key]) == sum(Decimal(r[key]) for r in lines), (kit_payer, key)
        # the exact total and the sum of the rounded rows differ by less than a cent a row
        exact = sum(Decimal(r["planned_ht"]) for r in lines)
        assert abs(exact - Decimal(total["planned_ht"])) < Decimal("0.01") * len(lines)
    assert {r["payer_kind"] for r in rows} == {"landlord", "agglomeration", "state", "total"}


def test_the_landlords_shares_of_the_kit_add_up_the_remainder_to_the_first(demo_store, cli):
    for args in (("kit_payer", "bailleurs"), ("kit", "1 000"), ("service_card", "12,50 €")):
        assert cli("costs", "set", *args).exit_code == 0, args
    rows = _report_json(cli)
    kit = [r for r in rows if r["item"] == "kit"]
    names = [r["payer"] for r in kit]
    assert len(kit) == 11 and names[0] == "Cités Jardins de Sénart"  # first by name
    assert [r["share"] for r in kit] == [f"{n}/11" for n in range(1, 12)]
    # 1 000,00 / 11 = 90,90 each, the 10 remainder cents to the first
    assert [r["planned_ht"] for r in kit] == ["91.00"] + ["90.90"] * 10
    assert sum(Decimal(r["planned_ht"]) for r in kit) == Decimal("1000.00")
    assert sum(Decimal(r["planned_ttc"]) for r in kit) == Decimal("1200.00")
    assert all(r["planned_count"] is None for r in kit)  # a share has no count of its own
    cards = [r for r in rows if r["item"] == "service_card"]
    # 11 landlords, 5 cards in the kit: 6 extra at 12,50 € HT = 75,00 € HT, 90,00 € TTC
    assert sum(Decimal(r["planned_ht"]) for r in cards) == Decimal("75.00")
    assert sum(Decimal(r["planned_ttc"]) for r in cards) == Decimal("90.00")
    assert not any(r["payer_kind"] == "agglomeration" and r["item"] in ("kit", "service_card")
                   for r in rows)


def test_a_price_to_fill_is_flagged_and_counted_zero(demo_store, cli):
    result = cli("report", "costs")
    assert result.exit_code == 0
    assert "prix à renseigner (vigikfield costs set kit …)" in result.stdout
    assert "kit, service_card, computer" in result.stderr  # the warning, JSON stays clean
    rows = _report_json(cli)
    (kit,) = [r for r in rows if r["item"] == "kit"]
    assert (kit["unit_ht"], kit["planned_ht"], kit["planned_count"]) == (None, "0.00", 1)
    assert cli("costs", "set", "kit", "2 345,67").exit_code == 0
    (kit,) = [r for r in _report_json(cli) if r["item"] == "kit"]
    assert (kit["unit_ht"], kit["planned_ht"], kit["planned_ttc"], kit["note"]) == (
        "2345.67", "2345.67", "2814.80", None)


def test_the_table_speaks_french_money(demo_store, cli):
    result = cli("report", "costs")
    header, *lines = result.stdout.splitlines()
    assert header.split("\t")[:3] == ["payeur", "poste", "prix unitaire HT"]
    assert any(line.startswith("agglomération\tbornes de chargement\t1\u202f100,00\u00a0€\t6\t")
               for line in lines)
    assert lines[-1].startswith("Total\t")
    english = cli("report", "costs", lang="en")
    assert "charging stations\t€1,100.00\t6\t€6,600.00\t€7,920.00\t3\t€3,300.00\t€3,960.00" \
        in english.stdout


# --- costs show / set ----------------------------------------------------------------
def test_costs_show_says_value_default_and_source(cli, store):
    seed_territory(store, encoded=0, replaced=0)
    shown = json.loads(cli("costs", "show", "--json").stdout)
    by = {p["param"]: p for p in shown}
    assert list(by) == [p.name for p in cost_defaults.PARAMETERS]
    assert (by["encoding"]["value"], by["encoding"]["is_default"], by["encoding"]["source"]) == (
        "40", True, "seed")
    assert by["replacement_per_entrance"]["value"] == "16750/3"  # 67 000 / 12, exact
    assert (by["kit"]["value"], by["kit"]["source"]) == (None, "to_fill")
    table = cli("costs", "show").stdout
    assert "5\u202f583,33\u00a0€ HT" in table and "à renseigner" in table


def test_costs_set_reads_french_numbers_and_records_an_op_with_a_reason(cli, store):
    seed_territory(store, encoded=1, replaced=0)
    project = store.project_id
    for param, typed, stored in (("encoding", "42,50 €", "42.5"), ("vat", "5,5 %", "5.5"),
                                 ("charging_station", "1 234,56", "1234.56"),
                                 ("kit_payer", "État", "state"),
                                 ("replacement_per_entrance", "5583,3333", "5583.3333")):
        result = cli("costs", "set", param, typed)
        assert result.exit_code == 0, result.output
        field = cost_defaults.BY_NAME[param].field
        (value,) = store.conn.execute(f"SELECT {field} FROM projects WHERE id = ?",
                                      (project,)).fetchone()
        assert value == stored
    (reason, actor) = store.conn.execute(
        "SELECT reason, actor FROM ops WHERE entity = 'projects' AND field = 'vat'").fetchone()
    assert reason == 'reason.costs_set {"param": "vat"}' and actor == "test"
    shown = {p["param"]: p for p in json.loads(cli("costs", "show", "--json").stdout)}
    assert (shown["vat"]["value"], shown["vat"]["is_default"], shown["vat"]["source"],
            shown["vat"]["set_by"]) == ("5.5", False, "set", "test")
    again = cli("costs", "set", "encoding", "42,5")
    assert again.exit_code == 0 and "rien n'a changé" in again.output
    back = cli("costs", "set", "encoding", "", "--reason", "devis annulé")
    assert back.exit_code == 0 and "valeur par défaut" in back.output
    assert shown["encoding"]["is_default"] is False
    assert costs.parameter(store.conn, "encoding") == Fraction(40)
    assert store.conn.execute("SELECT reason FROM ops WHERE entity = 'projects' AND "
                              "field = 'cost_encoding' ORDER BY hlc DESC").fetchone() == (
        "devis annulé",)


def _ops(db) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT count(*) FROM ops").fetchone()[0]


@pytest.mark.parametrize("param, typed, says", [
    ("encoding", "quarante", "coût de l'encodage"),
    ("encoding", "-5", "coût de l'encodage"),
    ("encoding", "1,23456", "coût de l'encodage"),       # a hundredth of a cent too fine
    ("vat", "150 %", "taux de TVA"),
    ("kit_payer", "la mairie", "payeur du kit"),
    ("bornes", "1100", "encoding, replacement_per_entrance"),  # names the parameters
])
def test_a_bad_value_is_refused_with_exit_2_and_nothing_written(cli, store, param, typed, says):
    seed_territory(store, encoded=0, replaced=0)
    before = _ops(store.path)
    result = cli("costs", "set", "--", param, typed)  # "--": "-5" is a value, not an option
    assert result.exit_code == 2 and says in result.output
    assert "Traceback" not in result.output and _ops(store.path) == before


def test_a_technician_may_not_change_a_price(cli, store):
    seed_territory(store, encoded=0, replaced=0)
    assert cli("profile", "set", "--name", "Karim Benali", "--role", "technician").exit_code == 0
    row = store.conn.execute("SELECT * FROM projects").fetchall()
    before = _ops(store.path)
    result = cli("costs", "set", "encoding", "45")
    assert result.exit_code == 2
    assert "Le profil technicien ne peut pas modifier « coût de l'encodage d'une centrale »" \
        in result.output
    assert store.conn.execute("SELECT * FROM projects").fetchall() == row
    assert _ops(store.path) == before
    assert cli("report", "costs").exit_code == 0  # reading is everyone's


def test_costs_set_without_a_project_says_so(cli):
    result = cli("costs", "set", "encoding", "45")
    assert result.exit_code == 2 and "pas encore de projet" in result.output


def test_by_payer_adds_up_to_the_same_total(demo_store, cli):
    assert cli("costs", "set", "kit_payer", "landlords").exit_code == 0
    assert cli("costs", "set", "kit", "999,99").exit_code == 0
    by_item = _report_json(cli)
    result = cli("report", "costs", "--by", "payer", "--json")
    assert result.exit_code == 0
    *payers, total = json.loads(result.stdout)
    assert total["payer_kind"] == "total"
    assert [p["payer"] for p in payers][:11] == sorted(
        {r["payer"] for r in by_item if r["payer_kind"] == "landlord"},
        key=lambda n: n.replace("é", "e").lower())
    for key in MONEY:
        assert Decimal(total[key]) == sum(Decimal(p[key]) for p in payers) == \
            Decimal(by_item[-1][key])
        for payer in payers:  # each payer's line is the sum of its item lines
            assert Decimal(payer[key]) == sum(
                Decimal(r[key]) for r in by_item[:-1]
                if (r["payer_kind"], r["payer"]) == (payer["payer_kind"], payer["payer"]))
    assert "item" not in payers[0] and "planned_count" not in payers[0]


def test_the_decimal_view_of_the_defaults_for_other_reports():
    assert cost_defaults.resolve("replacement_per_entrance", None) == Decimal(67_000) / 12
    assert cost_defaults.resolve("encoding", "42.5") == Decimal("42.5")
    assert cost_defaults.resolve("kit", None) is None
    assert cost_defaults.resolve("vat", "") == Decimal(20)


def test_namesakes_stay_apart_and_halls_of_no_landlord_are_counted(store):
    seed_territory(store, encoded=2, replaced=1, stations_installed=0)
    changes = [Change("landlords", _id("twin"), "name", "Trois Moulins Habitat", new=True),
               Change("residences", _id("r2"), "landlord_id", _id("twin"), new=True),
               Change("residences", _id("r3"), "name", "Sans bailleur", new=True)]
    for n, residence in enumerate(("r2", "r2", "r2", "r3")):
        changes += [Change("halls", _id("y", n), "residence_id", _id(residence), new=True),
                    Change("halls", _id("y", n), "code", f"Y{n:05d}", new=True)]
    store.record(changes, reason="test")
    found = costs.report(store.conn)
    encodings = [(x.payer_kind, x.payer_id, x.planned_count, x.incurred_count)
                 for x in found.lines if x.item == "encoding"]
    assert sorted(encodings, key=str) == sorted([
        ("landlord", _id("l"), 3, 2), ("landlord", _id("twin"), 3, 0), ("none", None, 1, 0)],
        key=str)
    payers = found.by_payer()
    assert len([p for p in payers if p.payer == "Trois Moulins Habitat"]) == 2
    assert sum(p.planned_ht for p in payers) == found.total.planned_ht


def test_the_xlsx_and_csv_add_up_as_the_json(demo_store, cli, tmp_path):
    import csv
    import io

    import openpyxl

    out = tmp_path / "couts.xlsx"
    assert cli("report", "costs", "--format", "xlsx", "--out", out).exit_code == 0
    rows = list(openpyxl.load_workbook(out).active.iter_rows(values_only=True))
    header, *lines, total = rows
    column = header.index("prévu HT (€)")
    assert total[0] == "Total"
    expected = Decimal(_report_json(cli)[-1]["planned_ht"])
    assert Decimal(str(total[column])) == expected
    assert Decimal(str(round(sum(r[column] for r in lines), 2))) == expected
    text = cli("report", "costs", "--format", "csv").stdout_bytes.decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert table[-1][0] == "Total" and table[-1][column] == str(expected).replace(".", ",")
    assert len(table) == len(rows)
