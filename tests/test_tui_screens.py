"""Every screen: stable snapshots at fixed sizes, and no untranslated message id in either language."""

from __future__ import annotations

import re
from pathlib import Path
from vigikfield.hardware.kit import Hardware

import pytest
from textual.widgets import DataTable, Label, Markdown, OptionList, Static

import tinyterritory
from tui_wait import settle as _settle
from tui_wait import until as _until
from vigikfield import i18n
from vigikfield.domain import cards
from vigikfield.domain.store import Store
from vigikfield.hardware.sim_reader import SimReader
from vigikfield.tui import make_app

CARD = {"atr": "3B8F8001804F0CA000000306030001000000006A", "uid": "04A1B2C3D4E5F6"}
# A wizard attempt at each step, with fixed dates so snapshots never change.
STEPS = ("compatibility", "card", "encoding", "door", "label", "done")


def _territory(store, tmp_path, *, with_card=True, labels_dir=None):
    ids = tinyterritory.build(store)
    reader = SimReader(cards=[CARD])
    info = reader.insert(CARD)
    cards.enroll(store, info.fingerprint, "Habitat 77", "Police — code inter-bailleurs")
    if not with_card:
        reader.remove()
    centrale = store.conn.execute("SELECT id FROM centrales LIMIT 1").fetchone()[0]
    for step in STEPS[1:]:
        hall = tinyterritory.uid(f"hall-{step}")
        store.create("halls", {"residence_id": ids["alouettes"], "label": f"S-{step}",
                               "dwellings": 4, "vigik": "compatible"}, entity_id=hall)
        fields = {"hall_id": hall, "centrale_id": centrale, "step": step, "technician": "test"}
        if step in ("door", "label", "done"):
            fields.update(outcome="encoded", encoded_at="2026-11-02T10:00:00+01:00",
                          days="1111111", windows=[["00:00", "24:00"]])
        store.record(store.creation_changes("encodings", tinyterritory.uid(f"enc-{step}"), fields))
        ids[f"step_{step}"] = hall
    ids["step_compatibility"] = ids["al_a"]
    app = make_app(store, hardware=Hardware(reader=reader),
                   labels_dir=labels_dir or tmp_path / "labels", card_timeout=0.5)
    return ids, app


SCREENS = ["route", "residence", "help", "windows", "sync"] + [f"hall_{s}" for s in STEPS]


def _halls_loaded(app):
    tables = app.screen.query("#halls")
    return bool(tables) and tables.first().row_count > 0


async def _open(pilot, ids, name):
    app = pilot.app
    await _until(pilot, lambda: app.screen.query_one("#residences").row_count > 0)
    if name == "residence":
        app.open_residence(ids["mezereaux"])
        await _until(pilot, lambda: _halls_loaded(app))
    elif name.startswith("hall_"):
        app.open_hall(ids[f"step_{name[5:]}"])
        if name == "hall_card":  # wait for the reader's answer (bounded: card_timeout)
            await _until(pilot, lambda: bool(app.screen.card_message))
    elif name == "sync":
        app.open_sync()
    elif name == "help":
        app.open_residence(ids["mezereaux"])
        await _until(pilot, lambda: _halls_loaded(app))
        await pilot.press("f1")
        # the Markdown widget builds its blocks asynchronously: wait for the key table
        await _until(pilot, lambda: bool(app.screen.query("MarkdownTable")))
    elif name == "windows":
        app.open_hall(ids["step_encoding"])
        await _settle(pilot)
        await pilot.press("w")
    await _settle(pilot)


def _visible_text(app) -> str:
    parts = []
    for widget in app.screen.walk_children():
        if isinstance(widget, (Static, Label)):
            parts.append(str(widget.render()))
        elif isinstance(widget, DataTable):
            parts += [str(c.label) for c in widget.columns.values()]
            for i in range(widget.row_count):
                parts += [str(cell) for cell in widget.get_row_at(i)]
        elif isinstance(widget, OptionList):
            parts += [str(widget.get_option_at_index(i).prompt) for i in range(widget.option_count)]
        elif isinstance(widget, Markdown):
            parts.append(widget.source)
    parts += [a.binding.description for a in app.screen.active_bindings.values()]
    parts += [str(app.title), str(app.sub_title)]
    return "\n".join(parts)


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
async def test_every_screen_is_translated(tmp_path, lang):
    sections = {key.split(".")[0] for key in i18n.catalog("fr")}
    message_id = re.compile(r"\b(?:%s)\.[a-z0-9_]+(?:\.[a-z0-9_]+)*\b" % "|".join(sorted(sections)))
    i18n.set_language(lang)
    assert message_id.search("x wizard.step.card y")  # the detector itself works
    for name in SCREENS:
        fresh = Store(tmp_path / f"{name}.db")
        ids, app = _territory(fresh, tmp_path)
        async with app.run_test(size=(100, 40)) as pilot:
            await _open(pilot, ids, name)
            text = _visible_text(app)
            leaks = message_id.findall(text)
            assert not leaks, (lang, name, leaks)
        fresh.close()


@pytest.mark.parametrize("name", SCREENS)
def test_screen_snapshot(store, tmp_path, snap_compare, name):
    # the label step names the labels folder: a fixed one (nothing is written)
    ids, app = _territory(store, tmp_path, with_card=name != "hall_card",
                          labels_dir=Path("/var/tmp/vigikfield-labels"))

    async def run_before(pilot):
        await _open(pilot, ids, name)

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
