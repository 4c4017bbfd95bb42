"""The classification panel on the pilot's residence view; never on anyone else's."""

from __future__ import annotations

from datetime import date

import pytest
from textual.widgets import Static

import tinyterritory
from tui_wait import until
from vigikfield.domain import classification
from vigikfield.tui import make_app

TODAY = date(2026, 12, 1)


def _classified(store) -> str:
    ids = tinyterritory.build(store)
    name = store.get("residences", ids["alouettes"])["name"]
    classification.add_fact(store, name, fact="petits trafics", gravity=None,
                            frequency="quotidienne", observed_on=date(2026, 11, 2),
                            source="commissariat", today=TODAY)
    return ids["alouettes"]


def _panel(app) -> Static:
    return app.screen.query_one("#classification", Static)


async def test_the_pilot_sees_the_level_and_the_facts(store, tmp_path):
    residence = _classified(store)
    app = make_app(store, labels_dir=tmp_path / "labels", today=TODAY)
    async with app.run_test(size=(100, 30)) as pilot:
        app.open_residence(residence)
        await until(pilot, lambda: app.screen.query("#classification")
                    and _panel(app).display and "niveau 3" in str(_panel(app).render()))
        text = str(_panel(app).render())
        assert "CONFIDENTIEL" in text and "petits trafics" in text


@pytest.mark.parametrize("role", ["technician", "maintenance"])
async def test_no_one_else_sees_it(store, tmp_path, role):
    residence = _classified(store)
    landlord = store.get("residences", residence)["landlord_id"]
    store.set_profile(name="Quelqu'un", role=role,
                      landlord_id=landlord if role == "maintenance" else None)
    app = make_app(store, labels_dir=tmp_path / "labels", today=TODAY)
    async with app.run_test(size=(100, 30)) as pilot:
        app.open_residence(residence)
        await until(pilot, lambda: app.screen.query("#halls")
                    and app.screen.query_one("#halls").row_count > 0)
        assert not _panel(app).display
        assert "petits trafics" not in str(_panel(app).render())
