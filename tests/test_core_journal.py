"""The op log: state and ops written together, tampering detected, history shown."""

from __future__ import annotations

import sqlite3

from vigikfield.domain import hallcode, journal
from vigikfield.domain.store import Store


def _territory(store: Store) -> tuple[str, str]:
    landlord = store.create("landlords", {"name": "Habitat 77"})
    commune = store.create("communes", {"name": "Melun", "insee": "77288"})
    residence = store.create("residences", {
        "name": "Les Mézereaux", "landlord_id": landlord, "commune_id": commune,
        "windows": [["00:00", "24:00"]],
    })
    hall = store.create("halls", {"residence_id": residence, "label": "B", "dwellings": 12})
    return residence, hall


def test_every_change_writes_state_and_ops(store):
    _, hall = _territory(store)
    row = store.get("halls", hall)
    assert hallcode.is_valid(row["code"])
    assert store.update("halls", hall, {"dwellings": 14, "label": "B"}, reason="recount") == ["dwellings"]
    assert journal.verify(store.conn) is None
    ops = store.conn.execute(
        "SELECT field, value, base IS NOT NULL, reason FROM ops WHERE entity_id = ? ORDER BY seq",
        (hall,),
    ).fetchall()
    assert ops[-1] == ("dwellings", "14", 1, "recount")
    assert store.update("halls", hall, {"dwellings": 14}) == []  # no op when nothing changes


def test_sql_edit_behind_the_back_is_detected(store, cli):
    _, hall = _territory(store)
    raw = sqlite3.connect(store.path)
    raw.execute("UPDATE halls SET dwellings = 99 WHERE id = ?", (hall,))
    raw.commit()
    raw.close()
    result = cli("journal", "verify")
    assert result.exit_code == 1
    code = store.get("halls", hall)["code"]  # named by its code, the field by its label
    assert f"le hall {code}, champ « logements du hall »" in result.output


def test_altered_op_and_gap_are_detected(store, cli):
    _territory(store)
    assert cli("journal", "verify").exit_code == 0
    raw = sqlite3.connect(store.path)
    raw.execute("UPDATE ops SET value = '\"X\"' WHERE field = 'label'")
    raw.execute("UPDATE halls SET label = 'X'")
    raw.commit()
    result = cli("journal", "verify")
    assert result.exit_code == 1 and "empreinte" in result.output
    raw.execute("DELETE FROM ops WHERE seq = 2")
    raw.commit()
    raw.close()
    assert cli("journal", "verify").exit_code == 1


def test_replay_matches_state_after_materialise(store):
    residence, _ = _territory(store)
    before = store.get("residences", residence)
    store.conn.execute("UPDATE residences SET name = 'zzz'")
    journal.materialise(store.conn, "residences", [residence])
    assert store.get("residences", residence) == before


def test_journal_show_lists_old_and_new_values(store, cli):
    _, hall = _territory(store)
    store.update("halls", hall, {"dwellings": 15}, reason="recount")
    code = store.get("halls", hall)["code"]
    result = cli("journal", "show", code.lower())
    assert result.exit_code == 0, result.output
    last = result.output.strip().splitlines()[-1].split("\t")
    assert last[3:] == ["dwellings", "12", "15", "recount"]
    assert cli("journal", "show", "ABCDEFG").exit_code in (1, 2)


def test_hall_codes_catch_typos():
    code = hallcode.make("some-hall-id")
    assert hallcode.is_valid(code) and hallcode.is_valid(code.lower().replace("1", "l"))
    for i in range(len(code) - 1):
        swapped = code[:i] + code[i + 1] + code[i] + code[i + 2 :]
        if swapped != code:
            assert not hallcode.is_valid(swapped)
    for i in range(len(code)):
        for c in hallcode.ALPHABET:
            if c != code[i]:
                assert not hallcode.is_valid(code[:i] + c + code[i + 1 :])


def test_reopening_keeps_device_and_chain(db_path):
    s = Store(db_path)
    s.create("communes", {"name": "Melun"})
    device = s.device_id
    s.close()
    s = Store(db_path)
    assert s.device_id == device
    s.create("communes", {"name": "Le Mée-sur-Seine"})
    assert journal.verify(s.conn) is None
    s.close()
