"""The client-side limiter: no window of any budget ever holds more than it allows, whatever the callers do; the
catch-up lane leaves the live lane its reserve (all on a virtual clock)."""

from __future__ import annotations

import asyncio
import bisect
from collections.abc import Sequence

import httpx
import pytest

from marketedge.core.budgets import parse_budgets
from marketedge.upstox import (
    UPSTOX_BUDGETS,
    Budget,
    Lane,
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
    # Not over-throttled: a second's budget goes at once, then each window's calls as soon as it has room
    # (the 501st waits for the first minute to pass, plus the margin for the request's way to Upstox).
    assert sum(t < 0.01 for t in sent) == 50
    assert 60 < max(sent) < 75


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
        limiter = UpstoxLimiter(budgets, per_api=False)
        loop = asyncio.get_running_loop()

        async def one(api: str) -> None:
            await limiter.acquire(api)
            admitted.append(loop.time())

        await asyncio.gather(*(one(api) for api in ("option_chain", "ltp", "profile") for _ in range(40)))

    run_virtual(scenario())
    assert len(admitted) == 120
    assert_within(admitted, budgets)


@pytest.mark.parametrize("per_api", [True, False])
def test_a_pause_after_429_holds_the_calls_of_that_budget(per_api: bool) -> None:
    admitted: dict[str, float] = {}

    async def scenario() -> None:
        limiter = UpstoxLimiter((Budget(100, 1.0),), per_api=per_api)
        loop = asyncio.get_running_loop()
        await limiter.acquire("intraday_candles")
        limiter.pause(5.0, "intraday_candles")

        async def one(api: str) -> None:
            await limiter.acquire(api)
            admitted[api] = loop.time()

        await asyncio.gather(one("intraday_candles"), one("option_chain"))

    run_virtual(scenario())
    assert admitted["intraday_candles"] >= 5.0
    # Per API (Upstox's rule) a 429 on candles does not hold the live chain; with one shared budget it does.
    assert (admitted["option_chain"] < 0.01) is per_api


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


@pytest.mark.parametrize("bad", [{"budgets": ()}, {"reserve": -0.1}, {"reserve": 1.0}])
def test_limiter_settings_are_checked(bad: dict) -> None:
    with pytest.raises(ValueError):
        UpstoxLimiter(**bad)
    with pytest.raises(ValueError):
        Budget(1, 1.0)


def test_budgets_are_read_from_the_setting() -> None:
    assert parse_budgets("50/1s, 500/1m,2000/30m") == UPSTOX_BUDGETS
    assert parse_budgets("10/2h") == (Budget(10, 7200.0),)
    for bad in ("", "50", "50/1d", "x/1s", "1/1s"):
        with pytest.raises(ValueError):
            parse_budgets(bad)


@pytest.mark.parametrize("per_api", [True, False])
def test_the_catch_up_lane_leaves_the_live_lane_its_reserve(per_api: bool) -> None:
    """Catch-up saturating one API (more calls than a budget allows), live calls arriving every few seconds on
    the same budget (per_api=False) or their own: live never waits; catch-up never takes the reserve; together
    they never exceed the budget."""
    budgets = (Budget(50, 1.0), Budget(500, 60.0))
    catch_up: list[float] = []
    live: list[tuple[float, float]] = []  # (asked, admitted)

    async def scenario() -> None:
        limiter = UpstoxLimiter(budgets, per_api=per_api, reserve=0.2)
        loop = asyncio.get_running_loop()

        async def backfill() -> None:
            await limiter.acquire("intraday_candles", Lane.catchup)
            catch_up.append(loop.time())

        async def minute_job() -> None:
            for _ in range(40):
                await asyncio.sleep(10.0)  # faster than a minute: 48 a minute, within the 100 reserved
                for _ in range(8):  # a minute's chains, at once
                    asked = loop.time()
                    await limiter.acquire("option_chain", Lane.live)
                    live.append((asked, loop.time()))

        await asyncio.gather(minute_job(), *(backfill() for _ in range(1200)))
        assert limiter.waited[Lane.live] == 0

    run_virtual(scenario())
    assert len(catch_up) == 1200 and len(live) == 320
    assert all(admitted - asked < 1e-9 for asked, admitted in live)
    assert_within(catch_up, (Budget(40, 1.0), Budget(400, 60.0)))  # 80 % of each budget
    if not per_api:  # one budget for both: together they keep it
        assert_within(sorted(catch_up + [a for _, a in live]), budgets)
