"""Renders the README's screenshots (SVG) from the real app on the demo territory.

    .venv/bin/python scripts/screenshots.py
"""

from __future__ import annotations

import asyncio
import tempfile
from datetime import date
from pathlib import Path

from vigikfield.domain import authorisations, demo
from vigikfield.domain.store import Store
from vigikfield.hardware import factory
from vigikfield.tui import make_app

DOCS = Path(__file__).resolve().parents[1] / "docs"


async def shoot() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "demo.db", actor="Karim")
        demo.ensure(store)
        hall_id = next(hall for hall, residence in store.conn.execute(
            "SELECT h.id, r.id FROM halls h JOIN residences r ON r.id = h.residence_id "
            "WHERE h.vigik = 'compatible' AND NOT EXISTS (SELECT 1 FROM encodings e "
            "WHERE e.hall_id = h.id) ORDER BY r.name, h.label")
            if not authorisations.of_residence(store.conn, residence, date.today()).blocking)
        app = make_app(store, demo=True, hardware=factory.build(factory.demo_config()),
                       labels_dir=Path(tmp) / "labels")
        async with app.run_test(size=(110, 32)) as pilot:
            await pilot.app.workers.wait_for_complete()
            await pilot.pause()
            app.save_screenshot("screenshot-route.svg", str(DOCS))
            app.open_hall(hall_id)
            await pilot.pause()
            await pilot.press("enter")  # compatible; the demo card is read by itself
            await pilot.app.workers.wait_for_complete()
            await pilot.pause()
            app.save_screenshot("screenshot-hall.svg", str(DOCS))
        store.close()


if __name__ == "__main__":
    asyncio.run(shoot())
