"""What a newcomer tripped over (issue 11), each driven like a user at 80 × 24 or 120 × 40."""

from __future__ import annotations

import json

import pytest
import zxingcpp
from PIL import Image
from rich.text import Text
from textual.command import CommandPalette
from textual.widgets import Static

import tinyterritory
from tui_wait import settle, until
from vigikfield import i18n
from vigikfield.app import labels_folder
from vigikfield.domain import cards, wizard
from vigikfield.domain.store import Store
from vigikfield.hardware.centrale import CentraleLink
from vigikfield.hardware.kit import Hardware
from vigikfield.hardware.links import SimLink
from vigikfield.hardware.sim_reader import SimReader
from vigikfield.screens.dialogs import QrDialog, ReasonDialog
from vigikfield.screens.pilot_sync import PilotSyncScreen
from vigikfield.tui import make_app

CARD = {"atr": "3B8F8001804F0CA000000306030001000000006A", "uid": "04A1B2C3D4E5F6"}


def _reader(store):
    reader = SimReader(cards=[CARD])
    info = reader.insert(CARD)
    cards.enroll(store, info.fingerprint, "Habitat 77", "Police — code inter-bailleurs")
    return reader


def _app(store, tmp_path, **hardware):
    return make_app(store, hardware=Hardware(**hardware), labels_dir=tmp_path / "labels",
                    card_timeout=2.0)


def _screen_text(app) -> str:
    return "\n".join(str(w.render()) for w in app.screen.query(Static) if w.display)


# -- global keys ----------------------------------------------------------------
async def test_ctrl_s_opens_the_sync_screen_from_every_screen(store, tmp_path):
    ids = tinyterritory.build(store)
    app = _app(store, tmp_path, reader=_reader(store))
    async with app.run_test(size=(80, 24)) as pilot:
        for opener in (lambda: None, lambda: app.open_residence(ids["mezereaux"]),
                       lambda: app.open_hall(ids["al_a"])):
            opener()
            await settle(pilot)
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert isinstance(app.screen, PilotSyncScreen), type(app.screen).__name__
            await pilot.press("ctrl+s")  # already there: not a second one on the stack
            await settle(pilot)
            assert sum(isinstance(s, PilotSyncScreen) for s in app.screen_stack) == 1
            await pilot.press("escape")
            await settle(pilot)


# -- F1 help --------------------------------------------------------------------
@pytest.mark.parametrize("lang", i18n.LANGUAGES)
async def test_help_starts_with_the_screen_and_its_keys(store, tmp_path, lang):
    i18n.set_language(lang)
    ids = tinyterritory.build(store)
    app = _app(store, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_residence(ids["mezereaux"])
        await settle(pilot)
        await pilot.press("f1")
        await until(pilot, lambda: bool(app.screen.query("MarkdownTable")))
        text = app.screen.text
        purpose = i18n.t("help.residence")
        own = i18n.t("residence.key_next")
        everywhere = i18n.t("help.everywhere_title")
        assert text.index(purpose) < text.index(own) < text.index(everywhere)
        assert text.index(i18n.t("tui.key_sync")) > text.index(everywhere)
        for generic in ("Cursor up", "Page Left", "Copy selected text", "Scroll Up"):
            assert generic not in text
        # the screen's keys are on the first page at 80 × 24 (not three pages down)
        table = app.screen.query("MarkdownTable").first()
        assert table.region.y + table.region.height <= 24


# -- command palette --------------------------------------------------------------
@pytest.mark.parametrize("lang", i18n.LANGUAGES)
async def test_palette_is_translated_with_one_quit(store, tmp_path, lang):
    i18n.set_language(lang)
    tinyterritory.build(store)
    app = _app(store, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await until(pilot, lambda: isinstance(app.screen, CommandPalette))
        palette = app.screen
        await until(pilot, lambda: palette.query_one("CommandList").option_count > 0)
        listed = palette.query_one("CommandList")
        prompts = [str(listed.get_option_at_index(i).prompt) for i in range(listed.option_count)]
        names = [p.split("\n")[0] for p in prompts]
        assert sum(i18n.t("palette.quit") in n for n in names) == 1, names
        if lang == "fr":
            for english in ("Quit", "Keys", "Theme", "Screenshot", "Maximize"):
                assert english not in names, names
        assert palette.query_one("CommandInput").placeholder == i18n.t("palette.placeholder")


# -- dialogs wrap -------------------------------------------------------------------
@pytest.mark.parametrize("lang", i18n.LANGUAGES)
@pytest.mark.parametrize("key", ["wizard.ask.no_access", "wizard.ask.override",
                                 "wizard.ask.door_not_tested"])
async def test_dialog_prompts_wrap_at_80_columns(store, tmp_path, lang, key):
    i18n.set_language(lang)
    tinyterritory.build(store)
    app = _app(store, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.push_screen(ReasonDialog(i18n.t(key)))
        await settle(pilot)
        prompt = app.screen.query_one(".prompt", Static)
        shown = " ".join(line.text.strip() for line in prompt.render_lines(prompt.region.reset_offset))
        assert " ".join(i18n.t(key).split()) in " ".join(shown.split())


# -- label preview ------------------------------------------------------------------
def _decode(text: str) -> list[str]:
    rows = text.split("\n")
    image = Image.new("L", (len(rows[0]), 2 * len(rows)), 0)
    for y, row in enumerate(rows):
        for x, char in enumerate(row):
            if char in "█▀":
                image.putpixel((x, 2 * y), 255)
            if char in "█▄":
                image.putpixel((x, 2 * y + 1), 255)
    big = image.resize((image.width * 6, image.height * 6), Image.NEAREST)
    return [r.text for r in zxingcpp.read_barcodes(big, formats=zxingcpp.BarcodeFormat.QRCode)]


async def _at_label_step(pilot, store, hall_id):
    app = pilot.app
    state = wizard.open_hall(store, hall_id)
    state = wizard.confirm_compatibility(store, state, "compatible")
    state = wizard.confirm_card(store, state, override_reason="test")
    state = wizard.confirm_encoding(store, state, "encoded")
    wizard.confirm_door(store, state, True)
    app.open_hall(hall_id)
    await settle(pilot)
    assert app.screen.state.step == "label"


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_label_qr_fits_or_enlarges_and_still_decodes(store, tmp_path, size):
    ids = tinyterritory.build(store)
    app = _app(store, tmp_path)
    async with app.run_test(size=size) as pilot:
        await _at_label_step(pilot, store, ids["al_a"])
        screen = app.screen
        payload = screen.label.payload
        assert _decode(screen.qr_text) == [payload]
        qr = screen.query_one("#label-qr", Static)
        if qr.display:  # shown in place: whole, inside the screen, clear of the footer
            rows = screen.qr_text.count("\n") + 1
            assert qr.region.height == rows and qr.region.y + rows <= size[1] - 1
            assert qr.region.x + qr.region.width <= size[0]
        else:
            assert size == (80, 24)
            assert Text.from_markup(i18n.t("wizard.label_enlarge")).plain in _screen_text(app)
            await pilot.press("p")
            await settle(pilot)
            assert isinstance(app.screen, QrDialog)
            code = app.screen.query_one("#qr-full-code", Static)
            assert code.region.height == screen.qr_text.count("\n") + 1 <= size[1]
            await pilot.press("escape")
            await settle(pilot)
        assert size != (120, 40) or qr.display


async def test_label_pngs_go_beside_the_database_and_the_screen_says_where(tmp_path):
    store = Store(tmp_path / "terrain.db")
    ids = tinyterritory.build(store)
    app = make_app(store, hardware=Hardware())  # no labels_dir: the default
    folder = tmp_path / "terrain.labels"
    assert labels_folder(store.path) == folder == app.labels_dir
    async with app.run_test(size=(120, 40)) as pilot:
        await _at_label_step(pilot, store, ids["al_a"])
        assert str(folder) in _screen_text(app)
        await pilot.press("enter")
        await until(pilot, lambda: app.screen.state.step == "done")
    code = store.get("halls", ids["al_a"])["code"]
    assert (folder / f"{code}.png").is_file()
    store.close()


# -- windows for the residence ---------------------------------------------------------
async def _change_windows(pilot, hall_id):
    app = pilot.app
    state = wizard.open_hall(app.store, hall_id)
    state = wizard.confirm_compatibility(app.store, state, "compatible")
    wizard.confirm_card(app.store, state, override_reason="test")
    app.open_hall(hall_id)
    await settle(pilot)
    await pilot.press("w", "down", "enter")  # preset: Monday to Saturday, 06:00-20:00
    await settle(pilot)


async def test_windows_changed_on_one_hall_apply_to_the_residence_with_one_key(store, tmp_path):
    ids = tinyterritory.build(store)  # a fresh database acts as the pilot: it decides
    app = _app(store, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await _change_windows(pilot, ids["al_a"])
        assert i18n.t("wizard.ask.windows_scope", windows="") .split(":")[0] in _screen_text(app)
        await pilot.press("enter")  # the first choice: the whole residence
        await settle(pilot)
        assert i18n.t("wizard.windows_from.residence") in _screen_text(app)
        await pilot.press("escape")
        app.open_hall(ids["al_b"])  # the residence's other hall starts from them
        await settle(pilot)
        assert (app.screen.days, app.screen.windows) == ("1111110", [["06:00", "20:00"]])
        assert app.screen.windows_source == "residence"
    decided = json.loads(store.get("residences", ids["alouettes"])["windows"])
    assert decided == {"days": "1111110", "windows": [["06:00", "20:00"]]}


async def test_windows_for_this_hall_only_leave_the_residence_alone(store, tmp_path):
    ids = tinyterritory.build(store)
    store.set_profile(name="Paul", role="technician")  # a technician can't decide for the residence
    app = _app(store, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await _change_windows(pilot, ids["al_a"])
        await pilot.press("down", "enter")  # this hall only
        await settle(pilot)
        assert i18n.t("wizard.windows_from.hall").split(";")[0] in _screen_text(app)
        await pilot.press("escape")
        app.open_hall(ids["al_b"])
        await settle(pilot)
        assert app.screen.windows == [["00:00", "24:00"]]
        assert app.screen.windows_source == "default"
    assert not store.get("residences", ids["alouettes"])["windows"]


async def test_a_technician_applies_windows_to_the_remaining_halls_on_this_laptop(store, tmp_path):
    ids = tinyterritory.build(store)
    store.set_profile(name="Paul", role="technician")
    app = _app(store, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await _change_windows(pilot, ids["al_a"])
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("escape")
        app.open_hall(ids["al_b"])
        await settle(pilot)
        assert (app.screen.days, app.screen.windows_source) == ("1111110", "session")
        assert i18n.t("wizard.windows_from.session") in _screen_text(app) or \
            app.screen.state.step != "encoding"
    assert not store.get("residences", ids["alouettes"])["windows"]


# -- workers that raise -------------------------------------------------------------------
class BrokenReader(SimReader):
    """A reader whose driver raises what no one expected (a bug, not a HardwareError)."""

    def readers(self) -> list[str]:
        raise RuntimeError("driver bug")


class BrokenLink(CentraleLink):
    """A serial driver with a bug: every call raises."""

    def identify(self):
        raise RuntimeError("driver bug")

    def add_service(self, name, schedule):
        raise RuntimeError("driver bug")

    def verify_service(self, name):
        raise RuntimeError("driver bug")


async def test_a_worker_that_raises_leaves_the_hall_usable(store, tmp_path):
    ids = tinyterritory.build(store)
    _reader(store)  # the landlord's card is enrolled: the reader is asked
    app = _app(store, tmp_path, reader=BrokenReader(cards=[CARD]), centrale=BrokenLink())
    async with app.run_test(size=(100, 40)) as pilot:
        app.open_hall(ids["al_a"])
        await settle(pilot)
        await pilot.press("enter")
        screen = app.screen
        await until(pilot, lambda: not screen.card_reading and bool(screen.card_message))
        assert screen.card_message == i18n.t("wizard.card.failed")
        assert any("driver bug" in str(n.message) for n in app._notifications)
        # the reader in trouble: o goes on with a reason, as with no reader
        await pilot.press("o", *"lecteur en panne", "enter")
        await settle(pilot)
        assert screen.state.step == "encoding"
        await pilot.press("enter")  # programming raises
        await until(pilot, lambda: not screen.programming)
        assert screen.state.step == "encoding"
        app.hardware.centrale = SimLink()  # the link replaced: Enter works again
        await pilot.press("enter")
        await until(pilot, lambda: screen.state.step == "door")
