"""The minute bus across replicas: Redis pub/sub carries each stored minute from the poller (the leader) to
every replica's subscribers. Same interface as MinuteBus; local subscribers hear local announcements at once,
without the round trip, and a Redis outage only costs the other replicas their live updates (readers still
get every minute on their next request, through the cache's freshness rule)."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from datetime import date, datetime

import orjson
import structlog

from marketedge.ingest.bus import MinuteBus, MinuteStored

log = structlog.get_logger(__name__)

RECONNECT_SECONDS = (0.5, 1, 2, 5, 10)


class RedisMinuteBus(MinuteBus):
    def __init__(self, url: str, prefix: str = "me:", queue_size: int = 32) -> None:
        super().__init__(queue_size)
        import redis.asyncio as aioredis  # only with REDIS_URL

        self._redis = aioredis.Redis.from_url(url, socket_connect_timeout=5, health_check_interval=30)
        self.channel = f"{prefix}minutes"
        self.origin = uuid.uuid4().hex  # our own announcements come back from Redis: this tells them apart
        self._outbox: asyncio.Queue[bytes] = asyncio.Queue(256)
        self._tasks: list[asyncio.Task[None]] = []
        self._listening = asyncio.Event()
        self.received = 0

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._tasks = [loop.create_task(self._listen()), loop.create_task(self._send())]
        # Subscribed before start() returns (when Redis answers), so no announcement made after it is missed.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._listening.wait(), timeout=5)

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks = []
        await self._redis.aclose()

    def publish(self, event: MinuteStored) -> None:
        super().publish(event)
        message = orjson.dumps(
            {
                "origin": self.origin,
                "symbol": event.symbol,
                "expiry": event.expiry.isoformat(),
                "minute": event.minute.isoformat(),
                "backfilled": event.backfilled,
            }
        )
        if self._outbox.full():  # Redis is away: the oldest announcement is the least useful one
            self._outbox.get_nowait()
        self._outbox.put_nowait(message)

    async def _send(self) -> None:
        while True:
            message = await self._outbox.get()
            try:
                await self._redis.publish(self.channel, message)
            except Exception as exc:
                log.warning("minute bus: could not publish to Redis", error=type(exc).__name__)

    async def _listen(self) -> None:
        attempt = 0
        while True:
            try:
                async with self._redis.pubsub(ignore_subscribe_messages=True) as pubsub:
                    await pubsub.subscribe(self.channel)
                    self._listening.set()
                    attempt = 0
                    while True:
                        message = await pubsub.get_message(timeout=30.0)
                        if message is not None and message.get("type") == "message":
                            self._deliver(message["data"])
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                delay = RECONNECT_SECONDS[min(attempt, len(RECONNECT_SECONDS) - 1)]
                attempt += 1
                log.warning(
                    "minute bus: Redis subscription lost; retrying", error=type(exc).__name__, delay=delay
                )
                await asyncio.sleep(delay)

    def _deliver(self, data: bytes) -> None:
        try:
            fields = orjson.loads(data)
            if fields.get("origin") == self.origin:
                return
            event = MinuteStored(
                str(fields["symbol"]),
                date.fromisoformat(fields["expiry"]),
                datetime.fromisoformat(fields["minute"]),
                bool(fields.get("backfilled", False)),
            )
        except (ValueError, KeyError, TypeError):
            log.warning("minute bus: ignored a malformed announcement")
            return
        self.received += 1
        MinuteBus.publish(self, event)


def make_bus(redis_url: str | None, prefix: str = "me:") -> MinuteBus:
    return RedisMinuteBus(redis_url, prefix) if redis_url else MinuteBus()
