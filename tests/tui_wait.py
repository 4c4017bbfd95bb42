"""Waiting on the app in Pilot tests: on its workers and on states, never on luck."""

from __future__ import annotations

from textual.worker import WorkerCancelled


async def settle(pilot, rounds: int = 3) -> None:
    """Let workers finish and the messages they posted be handled.

    A worker the app cancelled on purpose (an exclusive load replaced by a newer
    one, a screen closed) is finished too, not a failure of the test.
    """
    for _ in range(rounds):
        try:
            await pilot.app.workers.wait_for_complete()
        except WorkerCancelled:
            pass
        await pilot.pause()


async def until(pilot, predicate, tries: int = 300) -> None:
    """Run the app until `predicate()` holds (bounded)."""
    for _ in range(tries):
        await settle(pilot, rounds=1)
        if predicate():
            return
        await pilot.pause(0.02)
    raise AssertionError("the app never reached the expected state")
