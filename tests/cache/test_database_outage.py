"""The minute cache while the database is away (a PostgreSQL of the test's own, stopped): a day it holds is
served as held, marked stale, without waiting on the database at every read; a day it holds nothing of fails
with the database's error (a 503 for the API); minutes the job still puts keep reads fresh; and when the
database answers again, reads refresh as before."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta

import pytest

from marketedge.cache import DATABASE_AWAY, CacheBackend, MinuteCache
from marketedge.chain import store
from marketedge.chain.calendar import TradingCalendar
from marketedge.chain.frames import encode
from marketedge.core.clock import ManualClock
from marketedge.core.config import normalise_database_url
from marketedge.core.db import Database
from marketedge.core.errors import database_unavailable
from tests.cache.conftest import DAY, EXPIRY, OPEN
from tests.factories import make_chain
from tests.outages import PostgresServer


@pytest.fixture
async def away_database(stoppable_postgres: PostgresServer) -> AsyncIterator[Database]:
    """The stoppable PostgreSQL; running again when the test ends, whatever the test did."""
    database = Database(normalise_database_url(stoppable_postgres.url))
    try:
        yield database
    finally:
        await database.dispose()
        if not stoppable_postgres.running:
            stoppable_postgres.start()


class Loader:
    def __init__(self, database: Database) -> None:
        self.database = database
        self.calls = 0

    async def __call__(
        self, symbol: str, expiry: date, day: date, after: datetime | None
    ) -> list[store.StoredMinute]:
        self.calls += 1
        async with self.database.sessions() as session:
            return await store.load_day(session, symbol, expiry, day, after)


async def test_a_held_day_is_served_marked_stale_while_the_database_is_away(
    away_database: Database,
    stoppable_postgres: PostgresServer,
    cache_backend: CacheBackend,
    manual_clock: ManualClock,
) -> None:
    symbol = "D" + uuid.uuid4().hex[:8].upper()
    loader = Loader(away_database)
    cache = MinuteCache(cache_backend, loader, TradingCalendar.bundled())
    for i in range(3):
        minute = OPEN + timedelta(minutes=i)
        manual_clock.set(minute + timedelta(seconds=5))
        async with away_database.sessions() as session:
            _, payload = await store.write_minute(session, symbol, EXPIRY, make_chain(minute, spot=26000 + i))
            await session.commit()
        await cache.put(symbol, EXPIRY, minute, payload)
    fresh = await cache.read(symbol, EXPIRY, DAY)
    assert fresh.stale is None and len(fresh.frame) == 3

    stoppable_postgres.stop()
    manual_clock.advance(timedelta(minutes=5))  # the rule wants a reload now
    calls = loader.calls
    held = await cache.read(symbol, EXPIRY, DAY)
    assert held.stale == DATABASE_AWAY
    assert held.frame.minutes == fresh.frame.minutes
    assert loader.calls == calls + 1  # it asked once ...
    again = await cache.read(symbol, EXPIRY, DAY)
    assert again.stale == DATABASE_AWAY and loader.calls == calls + 1  # ... and not at every read after
    assert cache.stats().stale_reads == 2

    # A day the cache holds nothing of: the database's error, which the API answers 503.
    cache.database_retry_seconds = 0
    with pytest.raises(Exception) as failed:
        await cache.read("NOTHELD", EXPIRY, DAY)
    assert database_unavailable(failed.value), repr(failed.value)

    # The minute job still polls while the database is away (it queues the minute, and puts it in the cache):
    # the cache is fresh again, and answers without the database.
    minute = OPEN + timedelta(minutes=7)
    manual_clock.set(minute + timedelta(seconds=5))
    await cache.put(symbol, EXPIRY, minute, encode(make_chain(minute)), load_first=False)
    polled = await cache.read(symbol, EXPIRY, DAY)
    assert polled.stale is None and len(polled.frame) == 4

    stoppable_postgres.start()
    manual_clock.advance(timedelta(minutes=5))
    back = await cache.read(symbol, EXPIRY, DAY)
    assert back.stale is None and len(back.frame) == 4  # the database asked again, and answering
