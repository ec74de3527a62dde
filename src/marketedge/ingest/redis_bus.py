"""The minute bus across replicas: Redis pub/sub carries each stored minute from the poller (the leader) to
every replica's subscribers. Same interface as MinuteBus; local subscribers hear local announcements at once,
without the round trip, and a Redis outage only costs the other replicas their live updates (readers still
get every minute on their next request, through the cache's freshness rule). `publish` never raises into the
minute job; an announcement Redis cannot take is dropped (logged once per outage), and the subscription is
made again, with back-off, until Redis answers."""

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
PUBLISH_TIMEOUT_SECONDS = 5.0  # a Redis that hangs must not hold the outbox for ever


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
        self.dropped = 0  # announcements Redis could not take
        self._publish_failing = False

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
                await asyncio.wait_for(self._redis.publish(self.channel, message), PUBLISH_TIMEOUT_SECONDS)
            except Exception as exc:
                self.dropped += 1
                if not self._publish_failing:
                    self._publish_failing = True
                    log.warning(
                        "minute bus: could not publish to Redis; other replicas miss live minutes until it "
                        "answers",
                        error=type(exc).__name__,
                    )
            else:
                if self._publish_failing:
                    self._publish_failing = False
                    log.info("minute bus: publishing to Redis again", dropped=self.dropped)

    async def _listen(self) -> None:
        attempt = 0
        while True:
            try:
                async with self._redis.pubsub(ignore_subscribe_messages=True) as pubsub:
                    await pubsub.subscribe(self.channel)
                    self._listening.set()
                    if attempt:
                        log.info("minute bus: subscribed to Redis again", attempts=attempt)
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
                # Once per outage at warning level; every retry after it at debug.
                (log.warning if attempt == 1 else log.debug)(
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
