"""The minute cache: fresh reads touch no database, stale or empty ones load once, restarts warm up."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date, datetime, timedelta

import numpy as np
import pytest

from marketedge.cache import CacheBackend, MinuteCache
from marketedge.chain import store
from marketedge.chain.calendar import TradingCalendar
from marketedge.chain.store import StoredMinute
from marketedge.core.clock import ManualClock, ist
from marketedge.core.db import Database
from tests.cache.conftest import DAY, EXPIRY, OPEN
from tests.conftest import QueryCounter
from tests.factories import make_chain


@pytest.fixture
def symbol() -> str:
    return "T" + uuid.uuid4().hex[:8].upper()


class CountingLoader:
    def __init__(self, database: Database) -> None:
        self.database = database
        self.calls = 0

    async def __call__(
        self, symbol: str, expiry: date, day: date, after: datetime | None
    ) -> list[StoredMinute]:
        self.calls += 1
        async with self.database.sessions() as session:
            return await store.load_day(session, symbol, expiry, day, after)


async def write(database: Database, symbol: str, minute: datetime, spot: float = 26000.0) -> bytes:
    async with database.sessions() as session:
        inserted, payload = await store.write_minute(session, symbol, EXPIRY, make_chain(minute, spot=spot))
        await session.commit()
    assert inserted
    return payload


def new_cache(backend: CacheBackend, loader: CountingLoader) -> MinuteCache:
    return MinuteCache(backend, loader, TradingCalendar.bundled())


async def test_a_fresh_cache_answers_without_touching_the_database(
    database: Database, cache_backend: CacheBackend, manual_clock: ManualClock, symbol: str
) -> None:
    loader = CountingLoader(database)
    cache = new_cache(cache_backend, loader)
    for i in range(3):
        minute = OPEN + timedelta(minutes=i)
        manual_clock.set(minute + timedelta(seconds=5))
        payload = await write(database, symbol, minute, spot=26000 + i)
        await cache.put(symbol, EXPIRY, minute, payload)
    loads_after_writes = loader.calls
    counter = QueryCounter(database.engine)
    try:
        frame = await cache.day(symbol, EXPIRY, DAY)
        frame_again = await cache.day(symbol, EXPIRY, DAY)
    finally:
        counter.close()
    assert counter.statements == []
    assert loader.calls == loads_after_writes
    assert len(frame) == 3 and frame_again.spot.tolist() == [26000.0, 26001.0, 26002.0]


async def test_concurrent_readers_of_an_empty_cache_share_one_load(
    database: Database, cache_backend: CacheBackend, manual_clock: ManualClock, symbol: str
) -> None:
    for i in range(5):
        await write(database, symbol, OPEN + timedelta(minutes=i))
    manual_clock.set(OPEN + timedelta(minutes=4, seconds=10))
    loader = CountingLoader(database)
    cache = new_cache(cache_backend, loader)
    frames = await asyncio.gather(*(cache.day(symbol, EXPIRY, DAY) for _ in range(25)))
    assert loader.calls == 1
    assert {len(f) for f in frames} == {5}
    assert cache.stats().misses >= 1 and cache.stats().loads == 1


async def test_a_stale_cache_reloads_what_another_writer_stored(
    database: Database, cache_backend: CacheBackend, manual_clock: ManualClock, symbol: str
) -> None:
    loader = CountingLoader(database)
    cache = new_cache(cache_backend, loader)
    payload = await write(database, symbol, OPEN)
    await cache.put(symbol, EXPIRY, OPEN, payload)
    # Another replica stores 09:16–09:20; this cache never saw them.
    for i in range(1, 6):
        await write(database, symbol, OPEN + timedelta(minutes=i))
    manual_clock.set(OPEN + timedelta(minutes=5, seconds=3))
    calls = loader.calls
    frame = await cache.day(symbol, EXPIRY, DAY)
    assert loader.calls == calls + 1
    assert len(frame) == 6
    # Within two minutes of the expected minute, it is fresh again: no further load.
    manual_clock.set(OPEN + timedelta(minutes=7, seconds=3))
    await cache.day(symbol, EXPIRY, DAY)
    assert loader.calls == calls + 1


async def test_gaps_in_the_database_do_not_cause_a_load_per_request(
    database: Database, cache_backend: CacheBackend, manual_clock: ManualClock, symbol: str
) -> None:
    await write(database, symbol, OPEN)
    manual_clock.set(OPEN + timedelta(minutes=30))  # nothing stored since 09:15 (the poller is down)
    loader = CountingLoader(database)
    cache = new_cache(cache_backend, loader)
    for _ in range(5):
        assert len(await cache.day(symbol, EXPIRY, DAY)) == 1
    assert loader.calls == 1
    manual_clock.set(OPEN + timedelta(minutes=31))  # a minute later the database is asked again
    await cache.day(symbol, EXPIRY, DAY)
    assert loader.calls == 2


async def test_a_restarted_app_warms_from_the_database_and_keeps_the_morning(
    database: Database, cache_backend: CacheBackend, manual_clock: ManualClock, symbol: str
) -> None:
    for i in range(4):
        await write(database, symbol, OPEN + timedelta(minutes=i))
    manual_clock.set(OPEN + timedelta(minutes=4, seconds=5))
    loader = CountingLoader(database)
    cache = new_cache(cache_backend, loader)  # a fresh process
    payload = await write(database, symbol, OPEN + timedelta(minutes=4))
    await cache.put(symbol, EXPIRY, OPEN + timedelta(minutes=4), payload)
    frame = await cache.day(symbol, EXPIRY, DAY)
    assert len(frame) == 5, "the morning came in with the first put"
    assert await new_cache(cache_backend, CountingLoader(database)).warm(symbol, EXPIRY, DAY) == 5


async def test_a_minute_written_twice_is_stored_once(database: Database, symbol: str) -> None:
    await write(database, symbol, OPEN)
    async with database.sessions() as session:
        inserted, _ = await store.write_minute(session, symbol, EXPIRY, make_chain(OPEN, spot=1.0))
        await session.commit()
    assert not inserted
    async with database.sessions() as session:
        stored = await store.load_day(session, symbol, EXPIRY, DAY)
    assert len(stored) == 1


async def test_a_past_day_is_fresh_once_loaded(
    database: Database, cache_backend: CacheBackend, manual_clock: ManualClock, symbol: str
) -> None:
    yesterday = ist(2026, 11, 23, 9, 15)
    for i in range(3):
        async with database.sessions() as session:
            await store.write_minute(session, symbol, EXPIRY, make_chain(yesterday + timedelta(minutes=i)))
            await session.commit()
    loader = CountingLoader(database)
    cache = new_cache(cache_backend, loader)
    for _ in range(3):
        frame = await cache.day(symbol, EXPIRY, date(2026, 11, 23))
    assert loader.calls == 1 and len(frame) == 3
    assert np.isfinite(frame.values).any()
