"""Two technicians, one hall, different outcomes: one conflict for the pilot (issue 10 §3).

Attempts are recorded through the `encode` command (the wizard's twin) on each
technician's own database; bundles, merges and work orders are the real ones.
"""

from __future__ import annotations

import itertools
import json

import pytest
import vigikfield_sync as sync
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sync_world import World
from vigikfield.domain import journal, status
from vigikfield.domain.store import Store

OUTCOMES = {"encoded": ("--outcome", "encoded"), "failed": ("--outcome", "failed", "--reason",
                                                            "memory_full"),
            "incompatible": ("--outcome", "incompatible"), "no_access": ("--outcome", "no-access",
                                                                         "--reason", "fermé")}


def encode(cli, store: Store, code: str, outcome: str) -> None:
    cli.db_path = store.path
    result = cli("encode", code, *OUTCOMES[outcome])
    assert result.exit_code == 0, result.output


def code_of(world: World) -> str:
    return world.pilot.get("halls", world.hall)["code"]


def statuses(store: Store, hall_id: str) -> str:
    return status.of_hall(store.conn, hall_id).status


def refresh(world: World, tech: Store, name: str) -> None:
    """The pilot's next work order for this technician, imported."""
    order = world.root / f"wo2-{name}-{len(world.bundles)}.vfb"
    sync.workorder(world.pilot, order, technician=name, residences=["Les Mézereaux"])
    (outcome,) = sync.merge_files(tech, [order], "workorder")
    assert outcome.error is None, str(outcome.error)


def test_concurrent_different_outcomes_are_one_conflict_settled_once_for_everyone(tmp_path, cli):
    world = World(tmp_path)
    t1, t2 = world.technician("tech1"), world.technician("tech2")
    encode(cli, t1, code_of(world), "encoded")
    encode(cli, t2, code_of(world), "failed")
    merged = sync.merge_files(world.pilot, [world.export(t1), world.export(t2)])
    assert [o.error for o in merged] == [None, None]
    (conflict,) = sync.list_conflicts(world.pilot)
    assert (conflict.entity, conflict.entity_id, conflict.field) == ("halls", world.hall, "status")
    assert {conflict.a.value, conflict.b.value} == {"encoded", "failed"}
    assert {conflict.a.actor, conflict.b.actor} == {"tech1", "tech2"}
    failed = conflict.a if conflict.a.value == "failed" else conflict.b
    assert failed.attempt["reason"] == "memory_full"
    cli.db_path = world.pilot.path
    (listed,) = json.loads(cli("conflicts", "list", "--json").output)
    assert listed["hall_code"] == code_of(world) and listed["field"] == "status"
    assert cli("conflicts", "resolve", conflict.id, "--keep", "12").exit_code == 2
    keep = "A" if conflict.a.value == "encoded" else "B"
    settled = cli("conflicts", "resolve", conflict.id, "--keep", keep.lower())
    assert settled.exit_code == 0, settled.output
    assert sync.list_conflicts(world.pilot) == []
    assert statuses(world.pilot, world.hall) == "encoded"
    assert journal.verify(world.pilot.conn) is None
    # the settlement travels with the next work orders: both laptops agree with the pilot
    for name, tech in (("tech1", t1), ("tech2", t2)):
        refresh(world, tech, name)
        assert statuses(tech, world.hall) == "encoded", name
        assert journal.verify(tech.conn) is None
    # a later, unrelated merge does not bring it back
    t1.update("halls", world.hall2, {"notes": "ok"})
    assert sync.merge_files(world.pilot, [world.export(t1)])[0].error is None
    assert sync.list_conflicts(world.pilot) == []


def test_the_same_outcome_from_both_is_no_conflict(tmp_path, cli):
    world = World(tmp_path)
    t1, t2 = world.technician("tech1"), world.technician("tech2")
    encode(cli, t1, code_of(world), "incompatible")
    encode(cli, t2, code_of(world), "incompatible")
    sync.merge_files(world.pilot, [world.export(t1), world.export(t2)])
    assert sync.list_conflicts(world.pilot) == []
    assert statuses(world.pilot, world.hall) == "incompatible"


def test_an_attempt_made_after_seeing_the_other_is_no_conflict(tmp_path, cli):
    world = World(tmp_path)
    t1, t2 = world.technician("tech1"), world.technician("tech2")
    encode(cli, t1, code_of(world), "failed")
    assert sync.merge_files(world.pilot, [world.export(t1)])[0].error is None
    refresh(world, t2, "tech2")  # tech2 now knows tech1's failure
    assert statuses(t2, world.hall) == "failed"
    encode(cli, t2, code_of(world), "encoded")  # came back and succeeded
    assert sync.merge_files(world.pilot, [world.export(t2)])[0].error is None
    assert sync.list_conflicts(world.pilot) == []
    assert statuses(world.pilot, world.hall) == "encoded"


def test_a_no_access_visit_never_disagrees(tmp_path, cli):
    world = World(tmp_path)
    t1, t2 = world.technician("tech1"), world.technician("tech2")
    encode(cli, t1, code_of(world), "encoded")
    encode(cli, t2, code_of(world), "no_access")
    sync.merge_files(world.pilot, [world.export(t2), world.export(t1)])
    assert sync.list_conflicts(world.pilot) == []
    assert statuses(world.pilot, world.hall) == "encoded"


_names = itertools.count()
RESULTS = st.sampled_from(list(OUTCOMES))


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(first=st.lists(RESULTS, max_size=3), second=st.lists(RESULTS, max_size=3),
       order=st.booleans())
def test_any_interleaving_gives_one_status_everywhere_and_a_conflict_exactly_on_disagreement(
        tmp_path_factory, first, second, order):
    from conftest import Cli

    root = tmp_path_factory.mktemp(f"h{next(_names)}")
    world = World(root)
    t1, t2 = world.technician("tech1"), world.technician("tech2")
    cli = Cli(world.pilot.path)
    for tech, results in ((t1, first), (t2, second)):
        for result in results:
            encode(cli, tech, code_of(world), result)
    bundles = [world.export(t) for t, r in ((t1, first), (t2, second)) if r]
    sync.merge_files(world.pilot, bundles if order else list(reversed(bundles)))
    last = [next((r for r in reversed(rs) if r != "no_access"), None) for rs in (first, second)]
    disagree = None not in last and last[0] != last[1]
    found = [(c.entity_id, c.field) for c in sync.list_conflicts(world.pilot)]
    assert found == ([(world.hall, "status")] if disagree else [])
    for name, tech in (("tech1", t1), ("tech2", t2)):
        refresh(world, tech, name)
        assert statuses(tech, world.hall) == statuses(world.pilot, world.hall)
    assert journal.verify(world.pilot.conn) is None


@pytest.mark.parametrize("keep", ["A", "B"])
def test_either_side_can_be_kept(tmp_path, cli, keep):
    world = World(tmp_path)
    t1, t2 = world.technician("tech1"), world.technician("tech2")
    encode(cli, t1, code_of(world), "encoded")
    encode(cli, t2, code_of(world), "incompatible")
    sync.merge_files(world.pilot, [world.export(t1), world.export(t2)])
    (conflict,) = sync.list_conflicts(world.pilot)
    sync.resolve(world.pilot, conflict.id, keep)
    kept = conflict.a if keep == "A" else conflict.b
    assert statuses(world.pilot, world.hall) == kept.value
    assert sync.list_conflicts(world.pilot) == []


async def test_conflict_rows_read_in_words_not_field_names(tmp_path, cli):
    from tui_wait import settle
    from vigikfield.app import VigikApp
    from vigikfield.screens.pilot_sync import PilotSyncScreen
    from textual.widgets import DataTable

    world = World(tmp_path)
    t1, t2 = world.technician("tech1"), world.technician("tech2")
    t1.update("halls", world.hall2, {"vigik": "compatible"})
    t2.update("halls", world.hall2, {"vigik": "unknown"})
    encode(cli, t1, code_of(world), "encoded")
    encode(cli, t2, code_of(world), "failed")
    sync.merge_files(world.pilot, [world.export(t1), world.export(t2)])
    cli.db_path = world.pilot.path
    listed = cli("conflicts", "list").output
    assert "compatibilité Vigik" in listed and "compatible Vigik" in listed
    assert "résultat du hall" in listed and "mémoire pleine" in listed
    assert "vigik" not in listed.replace("Vigik", "")  # no raw field name
    app = VigikApp(world.pilot)
    async with app.run_test(size=(160, 30)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, PilotSyncScreen)
        table = app.screen.query_one("#conflicts", DataTable)
        cells = [str(cell) for row in range(table.row_count) for cell in table.get_row_at(row)]
        assert any("compatibilité Vigik" in c for c in cells)
        assert any("encodé" in c for c in cells) and any("échec" in c for c in cells)
        assert not any(c in ("vigik", "status") for c in cells)
