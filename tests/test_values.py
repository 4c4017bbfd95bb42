"""Every field has a kind; every value is held to it, through the store, a bundle's JSON or a typed answer."""

from __future__ import annotations

import json
import re
from decimal import Decimal
import sqlite3
import uuid
from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tinyterritory
import vigikfield_sync as sync
from import_support import write
from sync_world import World
from vigikfield import i18n
from vigikfield.domain import demo, journal, values, wizard
from vigikfield.domain.journal import Change
from vigikfield.domain.model import ENTITIES, FIELD_KINDS, FOREIGN_KEYS, Kind
from vigikfield.domain.store import Store
from vigikfield.domain.values import BadValue

FIELDS = [(entity, field) for entity, fields in ENTITIES.items() for field in fields]
FUZZ = settings(max_examples=400, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
COLUMN_TYPE = {"integer": "INTEGER", "flag": "INTEGER", "real": "REAL"}  # the others: TEXT


def kind(entity: str, field: str) -> Kind:
    return FIELD_KINDS[entity][field]


def test_every_field_of_the_model_has_a_kind_and_its_column_type_agrees():
    assert set(FIELD_KINDS) == set(ENTITIES)
    for entity, fields in ENTITIES.items():
        assert set(FIELD_KINDS[entity]) == set(fields), entity
        for field, sql_type in fields.items():
            k = kind(entity, field)
            assert k.name in values.KIND_NAMES, (entity, field)
            assert COLUMN_TYPE.get(k.name, "TEXT") == sql_type, (entity, field)
            if k.name in ("integer", "real"):
                assert k.low is not None and k.high is not None and k.low <= k.high
            if k.name == "text":
                assert k.max_length and k.max_length >= 100
            if k.name == "enumeration":
                assert k.choices
            if field.endswith("_id") and field != "card_fingerprint":
                assert k.name == "id", (entity, field)


# -- any value, any field: accepted in the kind's type, or BadValue ------------------------

def _times() -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(["00:00", "06:00", "12:30", "20:00", "22:00", "24:00",
                                      "25:00", "6h00", "00:60", "24:01", "7:5", ""]),
                     st.builds(lambda h, m: f"{h:02d}:{m:02d}", st.integers(0, 24),
                               st.integers(0, 59)))


_windows = st.lists(st.lists(_times(), min_size=1, max_size=3), max_size=5)
_masks = st.text(alphabet="01", min_size=7, max_size=7) | st.text(alphabet="01", max_size=9)
_offsets = st.integers(-12 * 60, 14 * 60).map(lambda m: timezone(timedelta(minutes=m)))
_choices = sorted({c for fields in FIELD_KINDS.values() for k in fields.values()
                   for c in k.choices})
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                 max_size=4),
    max_leaves=12,
)
near_valid = st.one_of(
    st.uuids().map(str), st.uuids().map(lambda u: str(u).upper()), st.uuids().map(lambda u: u.hex),
    st.lists(st.uuids().map(str), max_size=4),
    st.sampled_from(_choices), _masks, _windows,
    st.fixed_dictionaries({"days": _masks, "windows": _windows}),
    st.dates().map(date.isoformat),
    st.datetimes().map(datetime.isoformat),
    st.builds(lambda d, tz: d.replace(tzinfo=tz).isoformat(), st.datetimes(), _offsets),
    st.integers(-3, 100_003), st.floats(-200, 200), st.sampled_from([0, 1, 0.0, 1.0, 2, True]),
    st.integers(1_990, 2_010).map(lambda n: "x" * n),
    st.integers(19_990, 20_010).map(lambda n: "n" * n),
)
anything = st.one_of(json_values, near_valid)
_hhmm = st.integers(0, 24 * 60).map(lambda m: f"{m // 60:02d}:{m % 60:02d}")
_valid_windows = st.lists(st.lists(_hhmm, min_size=2, max_size=2), min_size=1, max_size=4)


def fitting(k: Kind) -> st.SearchStrategy:
    """Values around what the kind accepts (its bounds included, and just past them)."""
    if k.name == "text":
        return st.text(max_size=50)
    if k.name == "integer":
        return st.integers(int(k.low) - 2, int(k.high) + 2)
    if k.name == "real":
        return st.floats(k.low - 1, k.high + 1)
    if k.name == "flag":
        return st.sampled_from([0, 1, True, False, 2, -1, 0.0, 1.0])
    if k.name == "id":
        return st.uuids().map(str)
    if k.name == "enumeration":
        return st.sampled_from([*k.choices, k.choices[0].upper()])
    if k.name == "date":
        return st.dates().map(date.isoformat)
    if k.name == "datetime":
        return st.builds(lambda d, tz: d.replace(tzinfo=tz).isoformat(), st.datetimes(), _offsets)
    if k.name == "days":
        return _masks
    if k.name == "windows":
        return _valid_windows
    if k.name == "residence_windows":
        return _valid_windows | st.fixed_dictionaries({"days": _masks, "windows": _valid_windows})
    if k.name == "decimal":
        return st.one_of(
            st.decimals(k.low - 1, k.high + 1, places=k.max_length + 1).map(str),
            st.integers(int(k.low) - 2, int(k.high) + 2),
            st.sampled_from(["40", "5583.3333", "1e3", "NaN", "Infinity", "-0", "20,5", " 7 "]))
    assert k.name == "id_list", k.name
    return st.lists(st.uuids().map(str), max_size=5)


def field_and_value() -> st.SearchStrategy:
    """A field, and a value: half of the time one around what the field accepts."""
    return st.tuples(st.sampled_from(FIELDS), st.booleans()).flatmap(lambda pick: st.tuples(
        st.just(pick[0]), fitting(kind(*pick[0])) if pick[1] else anything))


def assert_fits(entity: str, field: str, value) -> None:
    """`value` (as `check` returned it) is of the field's kind."""
    k = kind(entity, field)
    if value is None:
        return
    name = k.name
    if name == "text":
        assert type(value) is str and len(value) <= k.max_length
    elif name == "integer":
        assert type(value) is int and k.low <= value <= k.high
    elif name == "real":
        assert type(value) is float and k.low <= value <= k.high
    elif name == "flag":
        assert type(value) is int and value in (0, 1)
    elif name == "id":
        assert values.is_uuid(value) and str(uuid.UUID(value)) == value
    elif name == "enumeration":
        assert value in k.choices
    elif name == "date":
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) and date.fromisoformat(value)
    elif name == "datetime":
        assert datetime.fromisoformat(value).utcoffset() == timedelta(0)
        assert value.endswith("+00:00")
    elif name == "days":
        assert re.fullmatch("[01]{7}", value) and "1" in value
    elif name in ("windows", "residence_windows"):
        windows = value["windows"] if isinstance(value, dict) else value
        assert type(windows) is list and 1 <= len(windows) <= 3
        assert all(type(w) is list and [len(p) for p in w] == [5, 5] for w in windows)
    elif name == "id_list":
        assert type(value) is list and all(map(values.is_uuid, value))
    elif name == "decimal":
        number = Decimal(value)
        assert type(value) is str and re.fullmatch(r"\d+(\.\d*[1-9])?", value), value
        assert k.low <= number <= k.high and -number.as_tuple().exponent <= k.max_length
    else:
        raise AssertionError(f"kind {name} not covered by this test")


@FUZZ
@given(pair=field_and_value())
def test_any_value_is_accepted_in_its_kind_or_refused_with_bad_value(pair):
    target, value = pair
    entity, field = target
    try:
        checked = values.check(entity, field, value)
    except BadValue as exc:
        assert (exc.entity, exc.field) == target
        assert str(exc).startswith(f"« {i18n.t(f'field.{entity}.{field}')} »")
        return
    assert_fits(entity, field, checked)
    assert values.check(entity, field, checked) == checked  # normal forms are fixed points
    assert values.parse_json(entity, field, journal.encode_value(checked)) == checked


@FUZZ
@given(pair=field_and_value(), raw=st.text(max_size=60), use_raw=st.booleans())
def test_any_text_from_a_bundle_or_a_person_gives_a_value_or_bad_value(pair, raw, use_raw):
    target, value = pair
    text = raw if use_raw else json.dumps(value)
    for parse in (values.parse_json, values.parse_text):
        try:
            assert_fits(*target, parse(*target, text))
        except BadValue as exc:
            assert (exc.entity, exc.field) == target


# Fields that name another row (checked by SQLite at commit) or must be unique.
REFERENCES = {(e, col) for e, keys in FOREIGN_KEYS.items() for col, _ in keys} | {("halls", "code")}


@pytest.fixture
def counted(store):
    def ops() -> int:
        return store.conn.execute("SELECT count(*) FROM ops").fetchone()[0]
    return ops


@FUZZ
@given(pair=field_and_value().filter(lambda p: p[0] not in REFERENCES))
def test_the_store_writes_a_fitting_value_in_the_column_type_or_nothing(store, counted, pair):
    (entity, field), value = pair
    entity_id = str(uuid.uuid4())
    before = counted()
    try:
        (op,) = store.record([Change(entity, entity_id, field, value, new=True)])
    except BadValue:
        assert counted() == before
        assert store.get(entity, entity_id) is None
        return
    checked = values.check(entity, field, value)
    assert op[7] == journal.encode_value(checked)
    stored = store.get(entity, entity_id)[field]
    assert stored == journal.state_value(checked) and type(stored) is type(
        journal.state_value(checked))
    if checked is not None:
        sql_type = COLUMN_TYPE.get(kind(entity, field).name, "TEXT")
        assert type(stored) is {"INTEGER": int, "REAL": float, "TEXT": str}[sql_type]


# -- what the attacker tried --------------------------------------------------------------

def _territory(store: Store) -> dict[str, str]:
    landlord = store.create("landlords", {"name": "Habitat 77"})
    commune = store.create("communes", {"name": "Melun", "insee": "77288"})
    residence = store.create("residences", {"name": "Les Mézereaux", "landlord_id": landlord,
                                            "commune_id": commune, "site_level": 2})
    hall = store.create("halls", {"residence_id": residence, "label": "B", "dwellings": 12,
                                  "vigik": "compatible"})
    centrale = store.create("centrales", {"hall_id": hall, "active": 1})
    encoding = store.create("encodings", {"hall_id": hall, "centrale_id": centrale,
                                          "outcome": "encoded", "days": "1111111",
                                          "windows": [["00:00", "24:00"]]})
    return {"residences": residence, "halls": hall, "encodings": encoding}


FOUR = [["00:00", "01:00"], ["02:00", "03:00"], ["04:00", "05:00"], ["06:00", "07:00"]]
ATTACKS = [
    ("halls", "dwellings", {"a": 1}, "integer"),
    ("halls", "dwellings", "12", "integer"),
    ("halls", "dwellings", 100_001, "integer"),
    ("halls", "vigik", "X", "enumeration"),
    ("residences", "site_level", 7, "integer"),
    ("encodings", "windows", FOUR, "windows"),
    ("encodings", "windows", [["25:00", "06:00"]], "windows"),
    ("encodings", "windows", [["06:00", "12:00"], ["11:00", "13:00"]], "windows"),
    ("residences", "windows", {"days": "1111111", "windows": [["06:00", "25:00"]]}, "windows"),
    ("encodings", "encoded_at", "2026-11-02T10:00:00", "datetime"),
    ("encodings", "days", "0000000", "days"),
    ("encodings", "step", "hacked", "enumeration"),
    ("halls", "notes", "n" * 20_001, "too_long"),
    ("halls", "label", 5, "text"),
]


@pytest.mark.parametrize("entity, field, value, key", ATTACKS)
def test_attacker_values_are_refused_by_the_store_and_nothing_is_written(
        store, counted, entity, field, value, key):
    ids = _territory(store)
    before, row, hall = counted(), store.get(entity, ids[entity]), store.get("halls", ids["halls"])
    with pytest.raises(BadValue) as refused:
        store.update(entity, ids[entity], {field: value})
    assert (refused.value.entity, refused.value.field, refused.value.key) == (entity, field, key)
    assert counted() == before and store.get(entity, ids[entity]) == row
    with pytest.raises(BadValue):  # a good change with it is not written either
        store.record([Change("halls", ids["halls"], "label", "Z"),
                      Change(entity, ids[entity], field, value)])
    assert counted() == before and store.get("halls", ids["halls"]) == hall
    assert journal.verify(store.conn) is None


@pytest.mark.parametrize("entity_id", ["h1", "", "B4D5E1B0-7E5A-4E1E-9C3B-0D2E6A1F4C77",
                                       "b4d5e1b07e5a4e1e9c3b0d2e6a1f4c77", None, 12])
def test_an_entity_id_that_is_not_a_uuid_is_refused(store, counted, entity_id):
    before = counted()
    with pytest.raises(BadValue) as refused:
        store.record([Change("halls", entity_id, "label", "B", new=True)])
    assert refused.value.key == "entity_id"
    with pytest.raises(BadValue):
        store.create("landlords", {"name": "Habitat 77"}, entity_id=entity_id or "x")
    assert counted() == before


def test_unknown_entities_and_fields_are_bad_values(store):
    for entity, field in (("halls", "colour"), ("sqlite_master", "sql"), ("ops", "value")):
        with pytest.raises(BadValue) as refused:
            values.check(entity, field, "x")
        assert refused.value.key == "unknown_field"
        with pytest.raises(BadValue):
            values.parse_json(entity, field, '"x"')
        with pytest.raises(BadValue):
            store.record([Change(entity, str(uuid.uuid4()), field, None)])


@pytest.mark.parametrize("text", [None, "", "{not json", "'single'", "NaN", "Infinity", "[1,",
                                  "1" * 5000, "[" * 100_000, b'"bytes"', 12])
def test_an_op_value_that_is_not_json_is_refused(text):
    with pytest.raises(BadValue) as refused:
        values.parse_json("halls", "notes", text)
    assert refused.value.key in ("not_json", "sql_null")


def test_json_null_clears_and_json_values_are_checked():
    assert values.parse_json("halls", "dwellings", "null") is None
    assert values.parse_json("halls", "dwellings", "12") == 12
    assert values.parse_json("halls", "dwellings", "12.0") == 12
    with pytest.raises(BadValue):
        values.parse_json("halls", "dwellings", '{"a":1}')
    with pytest.raises(BadValue):
        values.parse_json("halls", "vigik", '"X"')


def test_the_message_names_the_field_the_value_and_what_was_expected():
    with pytest.raises(BadValue) as refused:
        values.check("halls", "dwellings", {"a": 1})
    assert str(refused.value) == ('« logements du hall » : « {"a":1} » n\'est pas un nombre '
                                  "entier de 0 à 100000")
    i18n.set_language("en")
    assert str(refused.value) == ('"hall dwellings": "{"a":1}" is not a whole number '
                                  "from 0 to 100000")
    with pytest.raises(BadValue) as refused:
        values.check("halls", "vigik", "X" * 500 + "\n")
    message = str(refused.value)
    assert "compatible, incompatible, unknown" in message and "\n" not in message
    assert len(message) < 200 and "…" in message
    with pytest.raises(BadValue) as refused:
        values.check("encodings", "windows", [["06:00", "25:00"]])
    assert "25:00" in str(refused.value) and "hh:mm" in str(refused.value)


def test_odd_forms_the_app_writes_are_normalised():
    assert values.check("halls", "dwellings", True) == 1
    assert type(values.check("halls", "dwellings", 12.0)) is int
    assert values.check("encodings", "door_opened", False) == 0
    assert values.check("residences", "lat", 48) == 48.0
    assert values.check("encodings", "encoded_at", "2026-11-02T10:00:00+14:00") == \
        "2026-11-01T20:00:00+00:00"
    assert values.check("encodings", "encoded_at", "2026-11-02T10:00:00Z") == \
        "2026-11-02T10:00:00+00:00"
    assert values.check("encodings", "windows", (("6h00", "20:00"),)) == [["06:00", "20:00"]]
    assert values.check("residences", "windows", {"windows": [["22:00", "06:00"]]}) == {
        "windows": [["22:00", "06:00"]]}
    assert values.check("work_orders", "residence_ids", ()) == []


def test_windows_valid_for_a_centrale_are_accepted_in_their_order():
    for windows in ([["00:00", "24:00"]], [["22:00", "06:00"]],
                    [["18:00", "20:00"], ["06:00", "12:00"], ["22:00", "02:00"]]):
        assert values.check("encodings", "windows", windows) == windows
        assert values.check("residences", "windows", {"days": "1111110", "windows": windows})


def test_a_laptop_at_utc_plus_14_does_not_come_after_a_later_one_at_utc_minus_8(store):
    ids = _territory(store)
    early = "2026-11-03T08:00:00+14:00"   # 2026-11-02T18:00Z
    late = "2026-11-02T12:00:00-08:00"    # 2026-11-02T20:00Z, two hours later
    store.update("encodings", ids["encodings"], {"encoded_at": early})
    other = store.create("encodings", {"hall_id": ids["halls"], "encoded_at": late,
                                       "outcome": "failed", "failure_reason": "unreachable"})
    rows = store.conn.execute("SELECT id, encoded_at FROM encodings ORDER BY encoded_at").fetchall()
    assert rows == [(ids["encodings"], "2026-11-02T18:00:00+00:00"),
                    (other, "2026-11-02T20:00:00+00:00")]


def test_the_wizard_records_times_in_utc(store):
    ids = _territory(store)
    state = wizard.no_access(store, wizard.open_hall(store, ids["halls"]), "local fermé")
    stamp = state.encoding["encoded_at"]
    assert stamp.endswith("+00:00")
    assert abs(datetime.now(timezone.utc) - datetime.fromisoformat(stamp)) < timedelta(hours=1)


# -- typed by a person ----------------------------------------------------------------------

@pytest.mark.parametrize("entity, field, text, value", [
    ("halls", "dwellings", "12", 12), ("halls", "dwellings", " 1 200 ", 1200),
    ("halls", "dwellings", "", None), ("residences", "lat", "48,54", 48.54),
    ("centrales", "active", "oui", 1), ("centrales", "active", "false", 0),
    ("halls", "label", " B ", " B "), ("halls", "vigik", "unknown", "unknown"),
    ("encodings", "days", "Lu-Sa", "1111110"), ("encodings", "days", "1010100", "1010100"),
    ("encodings", "windows", "06:00-12:00, 22:00-02:00", [["06:00", "12:00"], ["22:00", "02:00"]]),
    ("encodings", "windows", '[["00:00", "24:00"]]', [["00:00", "24:00"]]),
    ("residences", "windows", '{"days": "1111110", "windows": [["06:00", "20:00"]]}',
     {"days": "1111110", "windows": [["06:00", "20:00"]]}),
    ("encodings", "encoded_at", "2026-11-02T10:00:00+01:00", "2026-11-02T09:00:00+00:00"),
])
def test_parse_text_converts_to_the_kind(entity, field, text, value):
    assert values.parse_text(entity, field, text) == value


@pytest.mark.parametrize("entity, field, text", [
    ("halls", "dwellings", "douze"), ("halls", "dwellings", "12.5"),
    ("halls", "dwellings", '{"a":1}'), ("halls", "vigik", "X"), ("residences", "site_level", "7"),
    ("residences", "lat", "nan"), ("centrales", "active", "peut-être"),
    ("encodings", "windows", "06:00-25:00"), ("encodings", "days", "Xy"),
    ("work_orders", "residence_ids", "h1, h2"), ("work_orders", "planned_date", "demain"),
])
def test_parse_text_refuses_what_does_not_fit(entity, field, text):
    with pytest.raises(BadValue):
        values.parse_text(entity, field, text)


def test_conflicts_resolve_with_a_bad_value_exits_2_and_writes_nothing(tmp_path, cli):
    world = World(tmp_path)
    t1, t2 = world.technician("tech1"), world.technician("tech2")
    t1.update("centrales", world.centrale, {"capacity": 13})
    t2.update("centrales", world.centrale, {"capacity": 16})
    t1.update("halls", world.hall, {"vigik": "compatible"})
    t2.update("halls", world.hall, {"vigik": "incompatible"})
    sync.merge_files(world.pilot, [world.export(t1), world.export(t2)])
    cli.db_path = world.pilot.path
    conflicts = {c["field"]: c["id"] for c in json.loads(cli("conflicts", "list", "--json").output)}
    before = world.pilot.conn.execute("SELECT count(*) FROM ops").fetchone()
    for field, keep, words in (("vigik", "X", "compatible, incompatible, unknown"),
                               ("capacity", '{"a":1}', "nombre entier"),
                               ("capacity", "douze", "nombre entier")):
        result = cli("conflicts", "resolve", conflicts[field], "--keep", keep)
        assert result.exit_code == 2, result.output
        assert words in result.output and "Traceback" not in result.output
    assert world.pilot.conn.execute("SELECT count(*) FROM ops").fetchone() == before
    assert len(sync.list_conflicts(world.pilot)) == 2
    assert cli("conflicts", "resolve", conflicts["vigik"], "--keep", "unknown").exit_code == 0
    assert world.pilot.get("halls", world.hall)["vigik"] == "unknown"


def test_any_command_writing_a_value_that_does_not_fit_exits_2(store, cli, counted):
    ids = tinyterritory.build(store)
    code = store.get("halls", ids["al_a"])["code"]
    before = counted()
    result = cli("encode", code, "--outcome", "no-access", "--reason", "n" * 20_001)
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "texte de 20001 caractères" in result.output
    assert counted() == before


def test_a_work_order_with_a_date_that_is_not_one_exits_2(tmp_path, cli):
    world = World(tmp_path)
    cli.db_path = world.pilot.path
    result = cli("bundle", "workorder", "--technician", "Ali", "--residence", "Plein Ciel",
                 "--date", "mardi", "--out", tmp_path / "wo.vfb")
    assert result.exit_code == 2 and "AAAA-MM-JJ" in result.output
    assert world.pilot.conn.execute("SELECT count(*) FROM work_orders").fetchone() == (0,)


# -- everything the app writes passes ------------------------------------------------------

def _all_ops_pass(conn: sqlite3.Connection) -> int:
    n = 0
    for op_id, device_id, entity, entity_id, field, value in conn.execute(
            "SELECT op_id, device_id, entity, entity_id, field, value FROM ops"):
        assert values.is_uuid(op_id) and values.is_uuid(device_id), (op_id, device_id)
        assert values.is_uuid(entity_id), (entity, entity_id)
        values.parse_json(entity, field, value)
        n += 1
    return n


def test_everything_the_demo_the_import_and_the_wizard_write_passes(store, cli, tmp_path):
    assert demo.ensure(store)
    hall = store.conn.execute("SELECT id FROM halls WHERE vigik = 'compatible' AND id NOT IN "
                              "(SELECT hall_id FROM encodings) LIMIT 1").fetchone()[0]
    wizard.record_outcome(store, hall, "encoded", card=None, days="1111100",
                          windows=[["07:00", "19:00"]], door="opened")
    source = write(tmp_path / "inventaire.csv", [
        "Bailleur|Commune|Code INSEE|Résidence|Entrée|Nb logements|Vigik|Latitude|Longitude",
        "Habitat 77|Melun|77288|Les Mézereaux|A|12|oui|48,54|2,66",
        "Habitat 77|Melun|77288|Les Mézereaux|B|20|non||",
    ])
    assert cli("import", source).exit_code == 0
    assert _all_ops_pass(store.conn) > 15_000
    assert store.conn.execute("SELECT count(*) FROM ops WHERE reason LIKE 'reason.import_file %'").fetchone()[
        0] > 10


def test_an_import_cell_too_long_for_its_field_is_a_problem_of_the_file(cli, tmp_path, db_path):
    source = write(tmp_path / "inventaire.csv", [
        "Bailleur|Commune|Résidence|Entrée|Observations",
        f"Habitat 77|Melun|Les Mézereaux|{'A' * 2_001}|ok",
        f"Habitat 77|Melun|Les Mézereaux|B|{'n' * 20_001}",
    ])
    result = cli("import", source)
    assert result.exit_code == 2
    assert ":2 : colonne « Entrée » : texte de 2001 caractères : 2000 au plus" in result.output
    assert ":3 : colonne « Observations » : texte de 20001 caractères" in result.output
    assert Store(db_path).conn.execute("SELECT count(*) FROM ops").fetchone() == (0,)


def test_an_import_summing_past_the_dwellings_a_residence_may_hold_writes_nothing(cli, tmp_path,
                                                                                    db_path):
    source = write(tmp_path / "inventaire.csv", [
        "Bailleur|Commune|Résidence|Entrée|Nb logements",
        "Habitat 77|Melun|Les Mézereaux|A|60000",
        "Habitat 77|Melun|Les Mézereaux|B|60000",
    ])
    result = cli("import", source)
    assert result.exit_code == 2 and "120000 logements" in result.output
    assert Store(db_path).conn.execute("SELECT count(*) FROM ops").fetchone() == (0,)
