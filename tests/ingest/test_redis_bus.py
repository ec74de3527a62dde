"""The minute bus across replicas, against a real Redis: what one process publishes, every process hears,
and its own subscribers hear it once (at once, not again through Redis)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date

from marketedge.core.clock import ist
from marketedge.ingest.bus import MinuteBus, MinuteStored
from marketedge.ingest.redis_bus import RedisMinuteBus, make_bus

EVENT = MinuteStored("NIFTY", date(2026, 11, 27), ist(2026, 11, 25, 10, 16))


async def _drain(queue: asyncio.Queue[MinuteStored], wait: float = 0.5) -> list[MinuteStored]:
    got: list[MinuteStored] = []
    try:
        while True:
            got.append(await asyncio.wait_for(queue.get(), wait))
    except TimeoutError:
        return got


async def test_every_replica_hears_the_leaders_minute_once(redis_url: str) -> None:
    prefix = f"test:{uuid.uuid4().hex[:8]}:"
    leader, follower = RedisMinuteBus(redis_url, prefix), RedisMinuteBus(redis_url, prefix)
    await leader.start()
    await follower.start()
    try:
        at_leader, at_follower = leader.subscribe(), follower.subscribe()
        leader.publish(EVENT)
        assert await _drain(at_follower) == [EVENT]
        assert await _drain(at_leader) == [EVENT]  # its own, locally, and not a second time from Redis
        assert follower.received == 1 and leader.received == 0
    finally:
        await leader.close()
        await follower.close()


async def test_another_deployments_prefix_is_not_heard(redis_url: str) -> None:
    ours, theirs = RedisMinuteBus(redis_url, "test:ours:"), RedisMinuteBus(redis_url, "test:theirs:")
    await ours.start()
    await theirs.start()
    try:
        queue = ours.subscribe()
        theirs.publish(EVENT)
        assert await _drain(queue) == []
    finally:
        await ours.close()
        await theirs.close()


async def test_local_subscribers_hear_the_minute_even_when_redis_is_away() -> None:
    bus = RedisMinuteBus("redis://127.0.0.1:1/0")  # nothing listens there
    await bus.start()
    try:
        queue = bus.subscribe()
        bus.publish(EVENT)
        assert await _drain(queue, 0.2) == [EVENT]
    finally:
        await bus.close()


def test_without_redis_the_bus_stays_in_process() -> None:
    assert type(make_bus(None)) is MinuteBus
    assert isinstance(make_bus("redis://127.0.0.1:6379/0"), RedisMinuteBus)
