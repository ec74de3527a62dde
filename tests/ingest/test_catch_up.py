"""A restart at 11:00 after a 90-minute outage, against the twin enforcing Upstox's limits per API: the live minute
keeps its pace and never meets a 429 while the catch-up fills 09:30-10:59 inside the budget it was given.

Time runs SPEED times faster than the wall for the app's clock, the twin's clock, our limiter's windows and the
twin's limit windows alike, so the catch-up's minutes of Upstox budget pass in seconds of test time."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from sqlalchemy import delete

from marketedge.cache import CacheBackend, MinuteCache
from marketedge.chain import store
from marketedge.chain.calendar import TradingCalendar
from marketedge.core import clock
from marketedge.core.clock import ManualClock, ShiftedClock, ist
from marketedge.core.db import Database
from marketedge.ingest.backfill import catch_up, catch_up_seconds
from marketedge.ingest.bus import MinuteBus
from marketedge.ingest.job import MinuteJob
from marketedge.ingest.universe import DEFAULT_UNIVERSE, set_universe
from marketedge.models import ChainMinuteRecord, IngestRun, TrackedExpiry
from marketedge.twin.server import TwinServer
from marketedge.upstox import Lane, RateLimited, UpstoxClient, UpstoxLimiter
from marketedge.upstox.limits import UPSTOX_BUDGETS, scaled_timebase
from tests.ingest.conftest import _loader

SPEED = 10.0
OPEN = ist(2026, 11, 25, 9, 15)
OUTAGE = ist(2026, 11, 25, 9, 30)  # nothing stored from here…
RESTART = ist(2026, 11, 25, 11, 0)  # …until the app starts again
LIVE_WITHIN = timedelta(seconds=10)


@dataclass
class Attempt:
    endpoint: str
    status: int | None
    limited: bool


async def _clean(database: Database, symbols: list[str]) -> None:
    async with database.sessions() as session:
        for table in (ChainMinuteRecord, IngestRun, TrackedExpiry):
            await session.execute(delete(table))
        await set_universe(session, symbols, expiries=2)
        await session.commit()


@pytest.mark.parametrize(
    ("per_api", "symbols"),
    [
        # Upstox's rule: the candles have a budget of their own; the default universe (8 chains).
        (True, list(DEFAULT_UNIVERSE)),
        # The cautious reading, one budget for every API: live and catch-up share it (a smaller universe, so
        # that the catch-up fits the 30-minute window and the test its time).
        (False, ["NIFTY", "BANKNIFTY"]),
    ],
    ids=["per-api", "one-budget"],
)
async def test_a_restart_after_an_outage_keeps_the_live_minute_and_fills_the_gap_in_budget(
    database: Database, cache_backend: CacheBackend, twin: TwinServer, per_api: bool, symbols: list[str]
) -> None:
    await _clean(database, symbols)
    timebase = scaled_timebase(SPEED)
    twin.state.limiter.clock = timebase.monotonic  # the twin's Upstox limits count on the same fast time
    assert twin.state.config.rate_per_minute == 500 and twin.state.config.limits_per_api
    limiter = UpstoxLimiter(UPSTOX_BUDGETS, per_api=per_api, reserve=0.2, timebase=timebase)
    token = [""]

    async def current_token() -> str:
        return token[0]

    client = UpstoxClient(
        twin.url, current_token, limiter=limiter, timeout=5.0, backoff=0.05, max_backoff=0.2
    )
    attempts: list[Attempt] = []
    client.on_attempt = lambda endpoint, status, error, _s: attempts.append(
        Attempt(endpoint, status, isinstance(error, RateLimited))
    )
    calendar = TradingCalendar.bundled()
    cache = MinuteCache(cache_backend, _loader(database), calendar)
    job = MinuteJob(
        database, cache, client, calendar, MinuteBus(), current_token=current_token, fetch_timeout=5
    )
    try:
        # Before the outage: 09:15-09:29 polled live.
        manual = ManualClock(OPEN)
        with clock.use_clock(manual):
            twin.state.clock.use(manual)
            token[0] = twin.state.mint_token()
            for i in range(15):
                manual.set(OPEN + timedelta(minutes=i, seconds=3))
                assert (await job.run(OPEN + timedelta(minutes=i))).status == "ok"
        targets = job._targets[1]  # type: ignore[index]
        assert len(targets) == 2 * len(symbols)
        # The restart: a fresh app process (its job resolves the day's targets from the database).
        job = MinuteJob(
            database, cache, client, calendar, MinuteBus(), current_token=current_token, fetch_timeout=5
        )
        fast = ShiftedClock(RESTART - timedelta(seconds=2), speed=SPEED)
        with clock.use_clock(fast):
            twin.state.clock.use(fast)
            await job.targets_for(RESTART)
            # As the app does: the catch-up starts once the minute the app started in is over (so that minute
            # is the catch-up's to fill), while the live minute is polled.
            live_task = asyncio.create_task(_poll_live_until(job, fast))
            await asyncio.sleep(7 / SPEED)
            started = clock.now()
            report = await catch_up(database, cache, client, calendar, RESTART.date(), targets=targets)
            finished = clock.now()
            stop_after[0] = finished + timedelta(minutes=1)
            live = await live_task
    finally:
        await client.aclose()
        twin.state.clock.reset()

    # Every live minute from the restart on was stored within 10 s of its minute, none lost to the catch-up.
    assert len(live) >= 3
    for minute, status, delay in live:
        assert status == "ok" and delay <= LIVE_WITHIN, (minute, status, delay)
    assert limiter.waited[Lane.live] == 0
    assert not any(a.limited for a in attempts), "Upstox's limits were never crossed"
    assert twin.state.limiter.refused == 0
    # The gap is filled: every minute of every target from 09:15 to 10:59.
    assert not report.errors and not report.strike_gaps
    async with database.sessions() as session:
        for target in targets:
            have = await store.stored_minutes(
                session, target.symbol, target.expiry, calendar.session(OPEN.date())
            )  # type: ignore[arg-type]
            expected = {
                OPEN + timedelta(minutes=i) for i in range(int((RESTART - OPEN).total_seconds() // 60))
            }
            assert expected <= set(have), (target, len(expected - set(have)))
    # …within the budget the limits allow for the calls it made (and a minute for the work itself).
    candle_calls = sum(a.endpoint == "intraday_candles" for a in attempts)
    live_per_minute = 0 if per_api else 2 * len(symbols)
    budget = catch_up_seconds(candle_calls, UPSTOX_BUDGETS, reserve=0.2, live_per_minute=live_per_minute)
    taken = (finished - started).total_seconds()
    slowest = max(delay for _, _, delay in live).total_seconds()
    print(
        f"catch-up: {report.calls} calls ({candle_calls} candles), {taken:.0f} s against a budget of "
        f"{budget:.0f} s; {len(live)} live minutes, the slowest stored {slowest:.1f} s after its minute began"
    )
    assert taken <= budget + 60, (taken, budget)
    assert taken >= 0.8 * budget  # and the limits did bind: it could not have been quicker


stop_after: list[datetime] = [RESTART]  # the live loop's last minute (moved once the catch-up is done)


async def _poll_live_until(job: MinuteJob, fast: ShiftedClock) -> list[tuple[datetime, str, timedelta]]:
    """The scheduler's part: each minute, 3 s after it turns, poll it; until a minute after the catch-up."""
    stop_after[0] = datetime.max.replace(tzinfo=RESTART.tzinfo)
    minute = RESTART
    results = []
    while minute <= stop_after[0]:
        due = minute + timedelta(seconds=3)
        wait = (due - clock.now()).total_seconds()
        if wait > 0:
            await asyncio.sleep(wait / fast.speed)
        result = await job.run(minute)
        results.append((minute, result.status, clock.now() - minute))
        minute += timedelta(minutes=1)
    return results
