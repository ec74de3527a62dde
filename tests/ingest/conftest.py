"""A minute job wired to the test database, a cache and the Upstox twin over real HTTP."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import delete

from marketedge.cache import CacheBackend, MinuteCache
from marketedge.chain.calendar import TradingCalendar
from marketedge.chain.store import load_day
from marketedge.core import clock
from marketedge.core.budgets import Budget
from marketedge.core.clock import ManualClock, ist
from marketedge.core.db import Database
from marketedge.ingest.bus import MinuteBus
from marketedge.ingest.job import MinuteJob
from marketedge.ingest.universe import set_universe
from marketedge.models import ChainMinuteRecord, IngestRun, TrackedExpiry
from marketedge.twin.server import TwinServer
from marketedge.upstox import UpstoxClient, UpstoxLimiter

MINUTE = ist(2026, 11, 25, 10, 30)


@dataclass
class Pipeline:
    job: MinuteJob
    cache: MinuteCache
    client: UpstoxClient
    twin: TwinServer
    database: Database
    token: list[str]


@pytest.fixture
def app_clock() -> Iterator[ManualClock]:
    with clock.use_clock(ManualClock(MINUTE)) as manual:
        assert isinstance(manual, ManualClock)
        yield manual


@pytest.fixture
async def pipeline(
    database: Database, cache_backend: CacheBackend, twin: TwinServer, app_clock: ManualClock
) -> AsyncIterator[Pipeline]:
    twin.state.clock.use(app_clock)  # the twin and the app share one moved clock
    # The client's limiter is set wide for speed (the twin is local), so lift the twin's Upstox limits to match.
    twin.state.configure(rate_per_second=None, rate_per_minute=None, rate_per_30_minutes=None)
    async with database.sessions() as session:
        # The universe and the stored minutes are shared by the session's tests: start each test clean.
        for table in (ChainMinuteRecord, IngestRun, TrackedExpiry):
            await session.execute(delete(table))
        await set_universe(session, ["NIFTY"], expiries=1)
        await session.commit()
    token = [twin.state.mint_token()]

    async def current_token() -> str | None:
        return token[0]

    client = UpstoxClient(
        twin.url,
        current_token,
        timeout=2.0,
        max_attempts=3,
        backoff=0.01,
        max_backoff=0.05,
        limiter=UpstoxLimiter([Budget(1000, 1.0)]),
    )
    calendar = TradingCalendar.bundled()
    cache = MinuteCache(cache_backend, _loader(database), calendar)
    job = MinuteJob(
        database, cache, client, calendar, MinuteBus(), current_token=current_token, fetch_timeout=5
    )
    yield Pipeline(job, cache, client, twin, database, token)
    await client.aclose()
    twin.state.clock.reset()


def _loader(database: Database):  # type: ignore[no-untyped-def]
    async def load(symbol, expiry, day, after):  # type: ignore[no-untyped-def]
        async with database.sessions() as session:
            return await load_day(session, symbol, expiry, day, after)

    return load


def unique() -> str:
    return uuid.uuid4().hex[:6]
