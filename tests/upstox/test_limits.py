"""The client-side limiter: 600 calls at once never exceed any budget in any window (on a virtual clock)."""

from __future__ import annotations

import asyncio
import bisect
from collections.abc import Sequence

import httpx
import pytest

from marketedge.upstox import (
    UPSTOX_BUDGETS,
    Budget,
    UpstoxClient,
    UpstoxLimiter,
    constant_token,
    default_limiter,
)
from tests.upstox.virtual_time import run_virtual


def most_in_any_window(times: Sequence[float], seconds: float) -> int:
    """The largest number of `times` inside any half-open window [t, t + seconds)."""
    ordered = sorted(times)
    return max(bisect.bisect_left(ordered, t + seconds) - i for i, t in enumerate(ordered))


def assert_within(times: Sequence[float], budgets: Sequence[Budget]) -> None:
    for budget in budgets:
        seen = most_in_any_window(times, budget.seconds)
        assert seen <= budget.calls, f"{seen} calls in {budget.seconds:g}s, budget {budget.calls}"


def test_600_calls_at_once_through_the_client_stay_within_upstox_budgets() -> None:
    sent: list[float] = []

    def upstox(request: httpx.Request) -> httpx.Response:
        sent.append(asyncio.get_running_loop().time())
        return httpx.Response(
            200, json={"status": "success", "data": {"exchange": "NSE", "status": "NORMAL_OPEN"}}
        )

    async def scenario() -> None:
        limiter = UpstoxLimiter()  # Upstox's budgets: 50/s, 500/min, 2000/30 min
        async with UpstoxClient(
            "https://upstox.test", constant_token("t"), limiter=limiter, transport=httpx.MockTransport(upstox)
        ) as client:
            answers = await asyncio.gather(*(client.market_status() for _ in range(600)))
        assert all(a.status == "NORMAL_OPEN" for a in answers)

    run_virtual(scenario())
    assert len(sent) == 600
    assert_within(sent, UPSTOX_BUDGETS)
    # Not over-throttled: a fifth of each budget goes at once, the rest at the budget's pace.
    assert sum(t < 0.01 for t in sent) == 10
    assert max(sent) < 260


def test_per_api_budgets_are_separate_and_each_is_kept() -> None:
    budgets = (Budget(10, 1.0), Budget(30, 10.0))
    admitted: dict[str, list[float]] = {"option_chain": [], "ltp": []}

    async def scenario() -> None:
        limiter = UpstoxLimiter(budgets, per_api=True)
        loop = asyncio.get_running_loop()

        async def one(api: str) -> None:
            await limiter.acquire(api)
            admitted[api].append(loop.time())

        await asyncio.gather(*(one(api) for api in admitted for _ in range(100)))

    run_virtual(scenario())
    for times in admitted.values():
        assert len(times) == 100
        assert_within(times, budgets)
    # Separate buckets: both APIs got their first burst at once.
    assert admitted["option_chain"][0] < 0.01 and admitted["ltp"][0] < 0.01


def test_shared_budget_counts_every_api_together() -> None:
    budgets = (Budget(10, 1.0), Budget(30, 10.0))
    admitted: list[float] = []

    async def scenario() -> None:
        limiter = UpstoxLimiter(budgets)
        loop = asyncio.get_running_loop()

        async def one(api: str) -> None:
            await limiter.acquire(api)
            admitted.append(loop.time())

        await asyncio.gather(*(one(api) for api in ("option_chain", "ltp", "profile") for _ in range(40)))

    run_virtual(scenario())
    assert len(admitted) == 120
    assert_within(admitted, budgets)


def test_a_pause_after_429_holds_every_call() -> None:
    admitted: list[float] = []

    async def scenario() -> None:
        limiter = UpstoxLimiter((Budget(100, 1.0),))
        loop = asyncio.get_running_loop()
        await limiter.acquire("x")
        limiter.pause(5.0)

        async def one() -> None:
            await limiter.acquire("y")
            admitted.append(loop.time())

        await asyncio.gather(*(one() for _ in range(3)))

    run_virtual(scenario())
    assert min(admitted) >= 5.0


def test_one_limiter_shared_by_two_clients_shares_the_budget() -> None:
    budgets = (Budget(5, 1.0),)
    sent: list[float] = []

    def upstox(request: httpx.Request) -> httpx.Response:
        sent.append(asyncio.get_running_loop().time())
        return httpx.Response(200, json={"status": "success", "data": True})

    async def scenario() -> None:
        limiter = UpstoxLimiter(budgets)
        transport = httpx.MockTransport(upstox)
        async with (
            UpstoxClient("https://u.test", constant_token("a"), limiter=limiter, transport=transport) as one,
            UpstoxClient("https://u.test", constant_token("b"), limiter=limiter, transport=transport) as two,
        ):
            await asyncio.gather(
                *(c.profile() for c in (one, two) for _ in range(20)), return_exceptions=True
            )

    run_virtual(scenario())
    assert len(sent) == 40
    assert_within(sent, budgets)


def test_clients_without_a_limiter_share_the_process_default() -> None:
    one = UpstoxClient("https://u.test", None)
    two = UpstoxClient("https://u.test", None)
    assert one.limiter is two.limiter is default_limiter()
    assert default_limiter().budgets == UPSTOX_BUDGETS


@pytest.mark.parametrize("bad", [{"budgets": ()}, {"burst": 0}, {"burst": 1.0}])
def test_limiter_settings_are_checked(bad: dict) -> None:
    with pytest.raises(ValueError):
        UpstoxLimiter(**bad)
    with pytest.raises(ValueError):
        Budget(2, 1.0)
