"""The technician's flow driven like a user: keys in, database checked after each step."""

from __future__ import annotations

import json
from vigikfield.hardware.kit import Hardware


import tinyterritory
from tui_wait import settle as _settle
from tui_wait import until as _until
from vigikfield.domain import cards, progress, wizard
from vigikfield.hardware.sim_reader import SimReader
from vigikfield.screens.hall import HallScreen
from vigikfield.tui import make_app

HABITAT_CARD = {"atr": "3B8F8001804F0CA000000306030001000000006A", "uid": "04A1B2C3D4E5F6"}
FOYERS_CARD = {"atr": "3B8F8001804F0CA000000306030001000000006A", "uid": "04FFEEDDCCBBAA"}


def _setup(store, tmp_path, card=HABITAT_CARD):
    ids = tinyterritory.build(store)
    reader = SimReader(cards=[HABITAT_CARD, FOYERS_CARD])
    for landlord, c in (("Habitat 77", HABITAT_CARD), ("Les Foyers de Seine-et-Marne", FOYERS_CARD)):
        info = reader.insert(c)
        cards.enroll(store, info.fingerprint, landlord, "Police — code inter-bailleurs")
    reader.remove()
    if card is not None:
        reader.insert(card)
    app = make_app(store, hardware=Hardware(reader=reader), labels_dir=tmp_path / "labels",
                   card_timeout=2.0)
    return ids, app, reader


def _attempt(store, hall_id):
    return wizard.open_hall(store, hall_id)


async def test_common_case_costs_five_keys(store, tmp_path):
    ids, app, _ = _setup(store, tmp_path)
    async with app.run_test(size=(100, 40)) as pilot:
        app.open_residence(ids["mezereaux"])
        await _settle(pilot)
        await pilot.press("n")  # opens the next pending hall: B
        await _settle(pilot)
        assert isinstance(app.screen, HallScreen) and app.screen.hall_id == ids["mez_b"]
        keys = 0

        async def press(key, expect_step):
            nonlocal keys
            keys += 1
            await pilot.press(key)
            await _settle(pilot)
            if expect_step:
                assert _attempt(store, ids["mez_b"]).step == expect_step

        await press("enter", None)  # compatible; the card is read and recognised by itself
        await _until(pilot, lambda: _attempt(store, ids["mez_b"]).step == "encoding")
        await press("enter", "door")  # encoded with the 24 h preset
        await press("enter", "label")  # door opened
        await press("enter", None)  # label printed and attached
        enc = app.screen.state.encoding
        assert (enc["outcome"], enc["door_opened"], enc["label_attached"]) == ("encoded", 1, 1)
        assert json.loads(enc["windows"]) == [["00:00", "24:00"]] and enc["days"] == "1111111"
        assert enc["card_fingerprint"]
        assert (tmp_path / "labels" / f"{store.get('halls', ids['mez_b'])['code']}.png").exists()
        await press("enter", None)  # next hall
        assert keys <= 5
        # B is done; A was encoded, C incompatible: nothing pending, back on the residence
        assert not isinstance(app.screen, HallScreen)
    statuses = {r.id: r.status for r in progress.hall_rows(store.conn, ids["mezereaux"])}
    assert statuses[ids["mez_b"]] == "encoded"


async def test_next_hall_opens_the_following_pending_one(store, tmp_path):
    ids, app, _ = _setup(store, tmp_path)
    async with app.run_test(size=(100, 40)) as pilot:
        app.open_hall(ids["al_a"])
        await _settle(pilot)
        await pilot.press("enter")  # compatible, then the card is read by itself
        await _until(pilot, lambda: app.screen.state.step == "encoding")
        for _ in range(4):
            await pilot.press("enter")
            await _settle(pilot)
        await _until(pilot, lambda: isinstance(app.screen, HallScreen)
                     and app.screen.hall_id == ids["al_b"])


async def test_another_landlords_card_is_refused_with_its_owner(store, tmp_path):
    ids, app, reader = _setup(store, tmp_path, card=FOYERS_CARD)
    async with app.run_test(size=(100, 40)) as pilot:
        app.open_hall(ids["al_a"])
        await _settle(pilot)
        await pilot.press("enter")
        await _until(pilot, lambda: bool(app.screen.card_message))
        screen = app.screen
        assert screen.state.step == "card"
        assert "Les Foyers de Seine-et-Marne" in screen.card_message
        # the right card, read again: accepted
        reader.insert(HABITAT_CARD)
        await pilot.press("r")
        await _until(pilot, lambda: _attempt(store, ids["al_a"]).step == "encoding")


async def test_refused_card_is_not_passed_by_the_no_reader_key(store, tmp_path, cli):
    ids, app, reader = _setup(store, tmp_path)
    fingerprint = reader.present.fingerprint
    cards.revoke(store, fingerprint, "perdue le 12/11")
    async with app.run_test(size=(100, 40)) as pilot:
        app.open_hall(ids["al_a"])
        await _settle(pilot)
        await pilot.press("enter")
        await _until(pilot, lambda: bool(app.screen.card_message))
        assert "révoquée" in app.screen.card_message
        # o is the no-reader path: after a refusal it does nothing, no dialog opens
        await pilot.press("o")
        await _settle(pilot)
        assert isinstance(app.screen, HallScreen) and _attempt(store, ids["al_a"]).step == "card"
        footer_keys = {a.binding.key for a in app.screen.active_bindings.values() if a.enabled}
        assert "o" not in footer_keys and "ctrl+o" in footer_keys
        # the explicit override asks a reason and records the refusal it passed over
        await pilot.press("ctrl+o", *"police sur place", "enter")
        await _settle(pilot)
    attempt = _attempt(store, ids["al_a"])
    assert attempt.step == "encoding"
    assert wizard.parse_card_override(attempt.encoding["card_override"]) == (
        "revoked", "police sur place")
    assert attempt.encoding["card_fingerprint"] == fingerprint
    code = store.get("halls", ids["al_a"])["code"]
    shown = cli("hall", "show", code)
    assert shown.exit_code == 0
    assert "carte refusée (carte révoquée), passée outre : police sur place" in shown.output
    as_json = json.loads(cli("hall", "show", code, "--json").output)[0]["attempts"][-1]
    assert (as_json["card_refused"], as_json["card_override"]) == ("revoked", "police sur place")


async def test_no_reader_override_asks_a_reason(store, tmp_path):
    ids = tinyterritory.build(store)
    app = make_app(store, hardware=Hardware(reader=None), labels_dir=tmp_path / "labels")
    async with app.run_test(size=(100, 40)) as pilot:
        app.open_hall(ids["al_a"])
        await _settle(pilot)
        await pilot.press("enter")
        await _until(pilot, lambda: bool(app.screen.card_message))
        await pilot.press("ctrl+o")  # not a refusal: the override of a refusal does nothing
        await _settle(pilot)
        assert isinstance(app.screen, HallScreen)
        await pilot.press("o", *"lecteur HS", "enter")
        await _settle(pilot)
    attempt = _attempt(store, ids["al_a"])
    assert attempt.step == "encoding" and attempt.encoding["card_override"] == "lecteur HS"
    assert wizard.parse_card_override("lecteur HS") == (None, "lecteur HS")


async def test_no_access_and_failure_end_the_hall(store, tmp_path):
    ids, app, _ = _setup(store, tmp_path)
    async with app.run_test(size=(100, 40)) as pilot:
        app.open_hall(ids["al_a"])
        await _settle(pilot)
        await pilot.press("a", *"local ferme", "enter")
        await _settle(pilot)
        assert app.screen.state.step == "done"
        await pilot.press("escape")
        app.open_hall(ids["al_b"])
        await _settle(pilot)
        await pilot.press("enter")
        await _until(pilot, lambda: app.screen.state.step == "encoding")
        await pilot.press("f")
        await pilot.pause()
        await pilot.press("enter")  # first reason: memory full
        await _settle(pilot)
    rows = {r.id: r.status for r in progress.hall_rows(store.conn, ids["alouettes"])}
    assert rows == {ids["al_a"]: "no_access", ids["al_b"]: "failed"}
    assert _attempt(store, ids["al_b"]).history[-1]["failure_reason"] == "memory_full"


async def test_custom_windows_are_validated_inline(store, tmp_path):
    ids, app, _ = _setup(store, tmp_path)
    async with app.run_test(size=(100, 40)) as pilot:
        app.open_hall(ids["al_a"])
        await _settle(pilot)
        await pilot.press("enter")
        await _until(pilot, lambda: app.screen.state.step == "encoding")
        await pilot.press("w", "down", "down", "enter")  # custom
        await _until(pilot, lambda: bool(app.screen.query("#days")))
        dialog = app.screen
        dialog.query_one("#days").value = "Lu-Sa"
        dialog.query_one("#windows").value = "06:00-12:00, 11:00-20:00"
        await pilot.pause()
        assert "chevauch" in str(dialog.query_one("#windows-error").render()).lower()
        dialog.query_one("#windows").value = "06:00-12:00, 22:00-02:00"
        await pilot.pause()
        dialog.query_one("#windows").focus()
        await pilot.press("enter")
        await _settle(pilot)
        await pilot.press("down", "enter")  # for this hall only (the residence has others)
        await _settle(pilot)
        await pilot.press("enter")
        await _settle(pilot)
    enc = _attempt(store, ids["al_a"]).encoding
    assert enc["days"] == "1111110"
    assert json.loads(enc["windows"]) == [["06:00", "12:00"], ["22:00", "02:00"]]


async def test_help_knows_the_screen(store, tmp_path):
    ids, app, _ = _setup(store, tmp_path)
    async with app.run_test(size=(100, 40)) as pilot:
        app.open_hall(ids["al_a"])
        await _settle(pilot)
        await pilot.press("f1")
        await pilot.pause()
        text = app.screen.text
        assert "assistant d'encodage" in text and "Incompatible" in text


async def test_landlord_without_card_is_told_at_once(store, tmp_path):
    ids, app, reader = _setup(store, tmp_path)
    newcomer = store.create("landlords", {"name": "Sénart Logement"})
    store.update("residences", ids["plein_ciel"], {"landlord_id": newcomer})
    async with app.run_test(size=(100, 40)) as pilot:
        app.open_hall(ids["pc_2"])  # no card of Sénart Logement is enrolled: no waiting
        await _settle(pilot)
        await pilot.press("enter")
        await _until(pilot, lambda: bool(app.screen.card_message))
        assert "Aucune carte de service n'est enregistrée pour Sénart Logement" in app.screen.card_message
        assert app.screen.state.step == "card"


async def _to_door(pilot, app, store, hall_id):
    app.open_hall(hall_id)
    await _settle(pilot)
    await pilot.press("enter")  # compatible; the card is recognised by itself
    await _until(pilot, lambda: _attempt(store, hall_id).step == "encoding")
    await pilot.press("enter")  # encoded (manual link: the technician saw the green light)
    await _until(pilot, lambda: _attempt(store, hall_id).step == "door")


async def test_door_that_does_not_open_is_a_failure_and_gets_no_label(store, tmp_path):
    ids, app, _ = _setup(store, tmp_path)
    async with app.run_test(size=(100, 40)) as pilot:
        await _to_door(pilot, app, store, ids["al_a"])
        await pilot.press("x")  # "elle ne s'ouvre pas"
        await _settle(pilot)
        screen = app.screen
        assert screen.state.step == "done"  # not on to the label
        text = str(screen.query_one("#step-panel").render())
        assert "échec" in text and "la porte ne s'ouvre pas" in text and "encodé" not in text
    enc = _attempt(store, ids["al_a"]).history[-1]
    assert (enc["outcome"], enc["failure_reason"], enc["door_opened"]) == (
        "failed", "door_does_not_open", 0)
    assert not (tmp_path / "labels").exists() or not list((tmp_path / "labels").iterdir())
    rows = {r.id: r.status for r in progress.hall_rows(store.conn, ids["alouettes"])}
    assert rows[ids["al_a"]] == "failed"
    (residence,) = [r for r in progress.residences(store.conn) if r.id == ids["alouettes"]]
    assert residence.status == "attention"


async def test_no_access_at_the_door_keeps_the_hall_encoded(store, tmp_path):
    ids, app, _ = _setup(store, tmp_path)
    async with app.run_test(size=(100, 40)) as pilot:
        await _to_door(pilot, app, store, ids["al_a"])
        await pilot.press("a", *"pas de badge agent", "enter")
        await _settle(pilot)
        assert app.screen.state.step == "label"  # the centrale holds the service: label next
        await pilot.press("enter")
        await _settle(pilot)
        text = str(app.screen.query_one("#step-panel").render())
        assert "encodé" in text and "porte non testée" in text
    enc = _attempt(store, ids["al_a"]).history[-1]
    assert (enc["outcome"], enc["door_opened"], enc["notes"]) == (
        "encoded", None, "pas de badge agent")
    assert (tmp_path / "labels" / f"{store.get('halls', ids['al_a'])['code']}.png").exists()
    from vigikfield.domain import status

    got = status.of_hall(store.conn, ids["al_a"])
    assert (got.status, got.door_not_tested) == ("encoded", True)


async def test_second_visit_resumes_at_the_card_step_after_a_no_access_one(store, tmp_path):
    ids, app, _ = _setup(store, tmp_path, card=None)  # no card on the reader: stops at the card
    async with app.run_test(size=(100, 40)) as pilot:
        app.open_hall(ids["al_a"])
        await _settle(pilot)
        await pilot.press("a", *"gardien absent", "enter")  # first visit: no access
        await _settle(pilot)
        await pilot.press("escape")
        app.open_hall(ids["al_a"])  # second visit
        await _settle(pilot)
        assert app.screen.state.step == "compatibility"
        await pilot.press("enter")
        await _until(pilot, lambda: bool(app.screen.card_message))
        await pilot.press("escape")
        await _settle(pilot)
        app.open_residence(ids["alouettes"])
        await _until(pilot, lambda: app.screen.query("#halls")
                     and app.screen.query_one("#halls").row_count == 2)
        table = app.screen.query_one("#halls")
        cells = [str(c) for c in table.get_row(ids["al_a"])]
        assert any("en cours : carte" in c.lower() for c in cells), cells
        await pilot.press("enter")  # the cursor is on hall A: reopen it
        await _settle(pilot)
        assert isinstance(app.screen, HallScreen) and app.screen.state.step == "card"


async def test_the_app_starts_on_the_hall_left_in_progress(store, tmp_path):
    ids, app, _ = _setup(store, tmp_path, card=None)
    state = wizard.confirm_compatibility(store, wizard.open_hall(store, ids["al_b"]), "compatible")
    wizard.confirm_card(store, state, override_reason="lecteur HS")
    async with app.run_test(size=(100, 40)) as pilot:
        await _settle(pilot)
        assert isinstance(app.screen, HallScreen) and app.screen.hall_id == ids["al_b"]
        assert app.screen.state.step == "encoding"
        await pilot.press("escape")  # the route is underneath
        await _settle(pilot)
        assert app.screen.query("#residences")
