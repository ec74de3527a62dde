"""One piece of work per key however many ask together; its error reaches every waiter; a waiter that gives up
does not stop the work the others wait for."""

from __future__ import annotations

import asyncio

import pytest

from marketedge.core.single_flight import SingleFlight


async def test_concurrent_calls_share_one_run() -> None:
    flights: SingleFlight[str, int] = SingleFlight()
    runs = 0
    release = asyncio.Event()

    async def work() -> int:
        nonlocal runs
        runs += 1
        await release.wait()
        return 42

    waiters = [asyncio.create_task(flights.run("day", work)) for _ in range(10)]
    await asyncio.sleep(0)
    assert flights.in_flight("day") and not flights.in_flight("other day")
    release.set()
    assert await asyncio.gather(*waiters) == [42] * 10
    assert runs == 1 and not flights.in_flight("day")
    assert await flights.run("day", work) == 42 and runs == 2  # nothing is kept once it is done


async def test_the_error_reaches_every_waiter_and_the_next_call_tries_again() -> None:
    flights: SingleFlight[str, int] = SingleFlight()
    release = asyncio.Event()

    async def failing() -> int:
        await release.wait()
        raise OSError("database away")

    waiters = [asyncio.create_task(flights.run("day", failing)) for _ in range(3)]
    await asyncio.sleep(0)
    release.set()
    results = await asyncio.gather(*waiters, return_exceptions=True)
    assert all(isinstance(r, OSError) for r in results)

    async def working() -> int:
        return 7

    assert await flights.run("day", working) == 7


async def test_a_cancelled_waiter_leaves_the_work_running() -> None:
    flights: SingleFlight[str, str] = SingleFlight()
    release = asyncio.Event()

    async def work() -> str:
        await release.wait()
        return "built"

    first = asyncio.create_task(flights.run("q", work))
    second = asyncio.create_task(flights.run("q", work))
    await asyncio.sleep(0)
    second.cancel()
    with pytest.raises(asyncio.CancelledError):
        await second
    release.set()
    assert await first == "built"
