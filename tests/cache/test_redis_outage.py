"""Redis going away and coming back, against a redis-server of the test's own: the cache backend serves from
memory meanwhile (logging once) and returns to Redis when it answers, without serving what Redis held from
before; the minute cache and the token service keep answering; the minute bus never raises into the minute
job and subscribes again."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator
from datetime import date, timedelta

import pytest
import redis.asyncio as aioredis
from redis.exceptions import RedisError
from sqlalchemy import delete

from marketedge.cache import MinuteCache, RedisBackend
from marketedge.chain import store
from marketedge.chain.calendar import TradingCalendar
from marketedge.core.clock import ManualClock
from marketedge.core.config import Settings, normalise_database_url
from marketedge.core.db import Database
from marketedge.ingest.bus import MinuteStored
from marketedge.ingest.redis_bus import RedisMinuteBus
from marketedge.models import BrokerToken
from marketedge.runtime import Runtime
from tests.cache.conftest import EXPIRY, OPEN
from tests.factories import make_chain
from tests.outages import PostgresServer, RedisServer, eventually, free_port

RETRY = 0.1  # seconds between probes of an absent Redis in these tests (5 s in production)


@pytest.fixture
async def backend(redis_server: RedisServer) -> AsyncIterator[RedisBackend]:
    cache = RedisBackend(redis_server.url, prefix=f"test:{uuid.uuid4().hex}:", retry_seconds=RETRY)
    yield cache
    await cache.close()


async def test_while_redis_is_away_the_backend_serves_from_memory_and_goes_back_when_it_answers(
    redis_server: RedisServer, backend: RedisBackend, caplog: pytest.LogCaptureFixture
) -> None:
    await backend.set("before", b"1", 60)
    assert await backend.get("before") == b"1" and not backend.degraded
    redis_server.stop()
    with caplog.at_level(logging.WARNING, logger="marketedge.cache.backends"):
        # Not in memory: reads as missing, so the minute cache loads it from the database.
        assert await backend.get("before") is None
        assert backend.degraded and backend.since is not None
        for i in range(50):  # no request waits on Redis any more, and nothing more is logged
            await backend.set(f"k{i}", b"x", 60)
        await backend.set("during", b"2", 60)
        assert await backend.get("during") == b"2"
        assert await backend.get_many(["during", "before"]) == [b"2", None]
        await backend.delete("during")
        assert await backend.get("during") is None
        with pytest.raises((RedisError, OSError)):
            await backend.ping()  # the watchdog's question is about Redis itself (redis.unreachable)
    warnings = [r.getMessage() for r in caplog.records if r.name == "marketedge.cache.backends"]
    assert len(warnings) == 1, warnings
    assert "redis: unreachable; serving from memory and the database until it answers" in warnings[0]
    await backend.set("during", b"2", 60)
    redis_server.start()
    await eventually(lambda: not backend.degraded, what="the backend back on Redis")
    assert backend.since is None and backend.outages == 1
    assert await backend.get("during") is None  # the memory is emptied; Redis never had it
    await backend.set("after", b"3", 60)
    raw = aioredis.Redis.from_url(redis_server.url)
    try:
        assert await raw.get(backend._prefix + "after") == b"3"
    finally:
        await raw.aclose()
    await backend.ping()


async def test_what_changed_in_memory_is_deleted_in_redis_when_it_returns(
    lasting_redis_server: RedisServer,
) -> None:
    """Redis comes back holding what it had (a network cut, not a restart): a key written or deleted in
    memory meanwhile must not be read from Redis as it was before."""
    backend = RedisBackend(lasting_redis_server.url, prefix=f"test:{uuid.uuid4().hex}:", retry_seconds=RETRY)
    try:
        await backend.set("index", b"morning only", 600)
        await backend.set("token", b"rejected meanwhile", 600)
        await backend.set("untouched", b"kept", 600)
        lasting_redis_server.stop()
        await backend.set("index", b"morning and noon", 600)
        await backend.delete("token")
        assert await backend.get("index") == b"morning and noon" and backend.degraded
        lasting_redis_server.start()
        await eventually(lambda: not backend.degraded, what="the backend back on Redis")
        assert await backend.get("index") is None  # not the morning only: the database is asked again
        assert await backend.get("token") is None  # not the rejected token
        assert await backend.get("untouched") == b"kept"
    finally:
        await backend.close()


async def test_a_redis_that_never_answers_leaves_a_working_memory_cache() -> None:
    backend = RedisBackend(f"redis://127.0.0.1:{free_port()}/0", retry_seconds=RETRY)
    try:
        assert await backend.get("k") is None
        await backend.set("k", b"v", 60)
        assert await backend.get("k") == b"v"
        assert backend.degraded
    finally:
        await backend.close()  # the probe stops with it


async def test_the_minute_cache_keeps_answering_while_redis_is_away(
    database: Database, redis_server: RedisServer, backend: RedisBackend, manual_clock: ManualClock
) -> None:
    symbol = "R" + uuid.uuid4().hex[:8].upper()
    loads = 0

    async def loader(symbol: str, expiry: date, day: date, after: object) -> list[store.StoredMinute]:
        nonlocal loads
        loads += 1
        async with database.sessions() as session:
            return await store.load_day(session, symbol, expiry, day, None)

    async def poll(i: int) -> None:
        """What the minute job does: the database first, then the cache."""
        minute = OPEN + timedelta(minutes=i)
        manual_clock.set(minute + timedelta(seconds=5))
        async with database.sessions() as session:
            _, payload = await store.write_minute(session, symbol, EXPIRY, make_chain(minute, spot=26000 + i))
            await session.commit()
        await cache.put(symbol, EXPIRY, minute, payload)

    cache = MinuteCache(backend, loader, TradingCalendar.bundled())
    for i in range(3):
        await poll(i)
    assert len(await cache.day(symbol, EXPIRY, OPEN.date())) == 3
    redis_server.stop()
    await poll(3)  # the index is not in memory: the put loads the day from the database first
    assert backend.degraded
    assert len(await cache.day(symbol, EXPIRY, OPEN.date())) == 4
    # Another replica, whose Redis is away too and whose memory is empty: the database answers.
    other = RedisBackend(redis_server.url, prefix=backend._prefix, retry_seconds=RETRY)
    try:
        frame = await MinuteCache(other, loader, TradingCalendar.bundled()).day(symbol, EXPIRY, OPEN.date())
        assert len(frame) == 4
    finally:
        await other.close()
    redis_server.start()  # empty: a restarted Redis
    await eventually(lambda: not backend.degraded, what="the backend back on Redis")
    before = loads
    await poll(4)
    frame = await cache.day(symbol, EXPIRY, OPEN.date())
    assert len(frame) == 5 and loads == before + 1  # the day read again once, then served from Redis
    assert len(await cache.day(symbol, EXPIRY, OPEN.date())) == 5 and loads == before + 1


async def test_the_token_service_keeps_its_token_while_redis_is_away(
    settings: Settings, redis_server: RedisServer, stoppable_postgres: PostgresServer
) -> None:
    url = normalise_database_url(stoppable_postgres.url)
    database = Database(url)
    async with database.sessions() as session:
        await session.execute(delete(BrokerToken))
        await session.commit()
    await database.dispose()
    update = {"data_source": "twin", "redis_url": redis_server.url, "database_url": url}
    runtime = await Runtime.create(settings.model_copy(update=update))
    try:
        backend = runtime.backend
        assert isinstance(backend, RedisBackend)
        backend.retry_seconds = RETRY
        token = await runtime.current_token()  # the demo stored a minted token
        assert token is not None
        redis_server.stop()
        assert await runtime.current_token() == token
        assert backend.degraded
        redis_server.start()
        await eventually(lambda: not backend.degraded, what="the backend back on Redis")
        assert await runtime.current_token() == token
    finally:
        await runtime.stop()


async def _heard(queue: asyncio.Queue[MinuteStored], wait: float) -> list[MinuteStored]:
    got: list[MinuteStored] = []
    try:
        while True:
            got.append(await asyncio.wait_for(queue.get(), wait))
    except TimeoutError:
        return got


async def test_the_minute_bus_survives_redis_going_away_and_coming_back(redis_server: RedisServer) -> None:
    prefix = f"test:{uuid.uuid4().hex[:8]}:"
    leader, follower = RedisMinuteBus(redis_server.url, prefix), RedisMinuteBus(redis_server.url, prefix)
    await leader.start()
    await follower.start()
    try:
        at_leader, at_follower = leader.subscribe(), follower.subscribe()
        first = MinuteStored("NIFTY", EXPIRY, OPEN)
        leader.publish(first)
        assert await _heard(at_follower, 0.5) == [first]
        assert await _heard(at_leader, 0.1) == [first]

        redis_server.stop()
        during = MinuteStored("NIFTY", EXPIRY, OPEN + timedelta(minutes=1))
        leader.publish(during)  # never raises into the minute job
        assert await _heard(at_leader, 0.3) == [during]  # this replica's streams still hear it
        await eventually(lambda: leader.dropped >= 1, what="the announcement given up")

        redis_server.start()
        # The follower subscribes again by itself (back-off 0.5, 1, 2, 5, 10 s); announce until it hears.
        later = MinuteStored("NIFTY", EXPIRY, OPEN + timedelta(minutes=2))
        deadline = asyncio.get_running_loop().time() + 20
        heard: list[MinuteStored] = []
        while not heard and asyncio.get_running_loop().time() < deadline:
            leader.publish(later)
            heard = await _heard(at_follower, 0.5)
        assert heard and set(heard) == {later}
        assert during not in heard  # given up while Redis was away, not delivered late
    finally:
        await leader.close()
        await follower.close()
