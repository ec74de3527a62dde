"""Bytes key-value storage with expiry: in-process (one instance) or Redis (several share one), the latter
falling back to memory while Redis is away."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from abc import ABC, abstractmethod
from collections import OrderedDict
from datetime import datetime

import structlog

from marketedge.core import clock

log = structlog.get_logger(__name__)

RETRY_SECONDS = 5.0  # while Redis is away, how often it is asked again
FALLBACK_MAX_BYTES = 64 * 1024 * 1024  # memory standing in for Redis: days of payloads (docs/pipeline.md)
MAX_TOUCHED = 100_000  # keys remembered for deletion in Redis on its return (16 a polled minute)


class CacheBackend(ABC):
    """The one interface both backends honour; tests run the same suite on each."""

    name: str

    @property
    def degraded(self) -> bool:
        """True while the backend serves from a fallback (Redis away): answers stay right, but replicas no
        longer share what they cache; readiness and metrics report it."""
        return False

    @abstractmethod
    async def get(self, key: str) -> bytes | None: ...

    async def get_many(self, keys: list[str]) -> list[bytes | None]:
        return [await self.get(key) for key in keys]

    @abstractmethod
    async def set(self, key: str, value: bytes, ttl_seconds: float) -> None: ...

    @abstractmethod
    async def delete(self, key: str) -> None: ...

    @abstractmethod
    async def ping(self) -> None:
        """Raise if the backend cannot be reached."""

    async def close(self) -> None:
        """Release connections; nothing to do for backends that hold none."""
        return None


class MemoryBackend(CacheBackend):
    """An LRU bounded by bytes, with per-entry expiry. Safe within one event loop."""

    name = "memory"

    def __init__(self, max_bytes: int = 256 * 1024 * 1024) -> None:
        self._entries: OrderedDict[str, tuple[float, bytes]] = OrderedDict()
        self._bytes = 0
        self._max_bytes = max_bytes

    @property
    def size_bytes(self) -> int:
        return self._bytes

    async def get(self, key: str) -> bytes | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        expires, value = entry
        if expires <= time.monotonic():
            self._drop(key)
            return None
        self._entries.move_to_end(key)
        return value

    async def set(self, key: str, value: bytes, ttl_seconds: float) -> None:
        if key in self._entries:
            self._drop(key)
        if len(value) > self._max_bytes:
            return
        self._entries[key] = (time.monotonic() + ttl_seconds, value)
        self._bytes += len(value)
        while self._bytes > self._max_bytes:
            oldest = next(iter(self._entries))
            self._drop(oldest)

    async def delete(self, key: str) -> None:
        if key in self._entries:
            self._drop(key)

    async def ping(self) -> None:
        return None

    def clear(self) -> None:
        self._entries.clear()
        self._bytes = 0

    def _drop(self, key: str) -> None:
        _, value = self._entries.pop(key)
        self._bytes -= len(value)


class RedisBackend(CacheBackend):
    """Redis, shared by every replica, degrading to this process's memory while Redis is away.

    The first Redis error (refused, timed out, reset, out of memory) is logged once and turns the backend
    *degraded*: reads and writes go to a bounded in-process MemoryBackend (a key it does not hold reads as
    missing, so the minute cache loads the day from the database as usual) and requests never wait on Redis.
    A background probe pings Redis every `retry_seconds`; when it answers, the keys written or deleted in
    memory meanwhile are deleted in Redis (Redis may still hold what they were before the outage: a day's
    index without the minutes polled since, a token rejected since), the memory is emptied, and Redis alone
    serves again. A circuit breaker in a few lines: what it must do on return is ours, not a library's."""

    name = "redis"

    def __init__(
        self,
        url: str,
        prefix: str = "me:",
        *,
        retry_seconds: float = RETRY_SECONDS,
        fallback_max_bytes: int = FALLBACK_MAX_BYTES,
    ) -> None:
        # A bounded pool that waits for a free connection rather than failing (free tiers cap connections).
        import redis.asyncio as aioredis  # only with REDIS_URL: a tenth of a second of start-up otherwise
        from redis.exceptions import RedisError

        pool = aioredis.BlockingConnectionPool.from_url(
            url,
            max_connections=16,
            timeout=5,
            socket_timeout=5,
            socket_connect_timeout=5,
            health_check_interval=30,
        )
        self._redis = aioredis.Redis(connection_pool=pool)
        self._prefix = prefix
        # Redis' own errors, and the socket's (builtin ConnectionError and TimeoutError are OSErrors).
        self._errors: tuple[type[BaseException], ...] = (RedisError, OSError)
        self.retry_seconds = retry_seconds
        self._fallback = MemoryBackend(fallback_max_bytes)
        self._touched: set[str] = set()  # keys set or deleted in memory while degraded
        self._lost_track = False  # more keys touched than remembered: every key of ours goes on return
        self._probe: asyncio.Task[None] | None = None
        self._since: float | None = None  # time.monotonic() of the first error of this outage
        self.since: datetime | None = None  # when this outage began, for health and metrics
        self.outages = 0

    @property
    def degraded(self) -> bool:
        return self._since is not None

    async def get(self, key: str) -> bytes | None:
        if self._since is None:
            try:
                value = await self._redis.get(self._prefix + key)
            except self._errors as exc:
                self._trip(exc)
            else:
                return value if value is None or isinstance(value, bytes) else value.encode()
        return await self._fallback.get(key)

    async def get_many(self, keys: list[str]) -> list[bytes | None]:
        if not keys:
            return []
        if self._since is None:
            try:
                values = await self._redis.mget([self._prefix + k for k in keys])
            except self._errors as exc:
                self._trip(exc)
            else:
                return [v if v is None or isinstance(v, bytes) else v.encode() for v in values]
        return await self._fallback.get_many(keys)

    async def set(self, key: str, value: bytes, ttl_seconds: float) -> None:
        if self._since is None:
            try:
                await self._redis.set(self._prefix + key, value, px=max(1, int(ttl_seconds * 1000)))
                return
            except self._errors as exc:
                self._trip(exc)
        self._touch(key)
        await self._fallback.set(key, value, ttl_seconds)

    async def delete(self, key: str) -> None:
        if self._since is None:
            try:
                await self._redis.delete(self._prefix + key)
                return
            except self._errors as exc:
                self._trip(exc)
        self._touch(key)
        await self._fallback.delete(key)

    async def ping(self) -> None:
        """Reach Redis itself (degraded or not): raise when it does not answer within 2 s."""
        try:
            await asyncio.wait_for(self._redis.ping(), timeout=2)
        except self._errors as exc:
            self._trip(exc)
            raise

    async def close(self) -> None:
        if self._probe is not None:
            self._probe.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._probe
            self._probe = None
        await self._redis.aclose()

    def _touch(self, key: str) -> None:
        if len(self._touched) < MAX_TOUCHED:
            self._touched.add(key)
        else:
            self._lost_track = True

    def _trip(self, exc: BaseException) -> None:
        """Redis failed: degrade (logged once per outage) and start probing for its return."""
        if self._since is not None:
            return
        self._since = time.monotonic()
        self.since = clock.utcnow()
        self.outages += 1
        log.warning(
            "redis: unreachable; serving from memory and the database until it answers",
            error=type(exc).__name__,
            retry_seconds=self.retry_seconds,
        )
        self._probe = asyncio.get_running_loop().create_task(self._until_back())

    async def _until_back(self) -> None:
        while True:
            await asyncio.sleep(self.retry_seconds)
            try:
                await asyncio.wait_for(self._redis.ping(), timeout=min(2.0, self.retry_seconds))
                await self._forget_in_redis()
            except self._errors:
                continue  # still away: memory serves on, quietly
            except Exception:
                log.warning("redis: probe failed unexpectedly; trying again", exc_info=True)
                continue
            outage = time.monotonic() - (self._since or time.monotonic())
            # Nothing awaited between the last delete and here: no write can land in memory unseen.
            self._since = None
            self.since = None
            self._probe = None
            self._fallback.clear()
            log.info("redis: answering again; memory fallback emptied", outage_seconds=round(outage, 1))
            return

    async def _forget_in_redis(self) -> None:
        """Delete in Redis what this process wrote or deleted in memory while Redis was away, so nobody reads
        what Redis held before the outage (readers then load it again from the database)."""
        if self._lost_track:
            cursor: int = 0
            while True:
                cursor, keys = await self._redis.scan(cursor, match=self._prefix + "*", count=1000)
                if keys:
                    await self._redis.unlink(*keys)
                if cursor == 0:
                    break
            self._lost_track = False
            self._touched.clear()
        while self._touched:
            batch = list(itertools.islice(self._touched, 500))
            await self._redis.unlink(*[self._prefix + k for k in batch])
            self._touched.difference_update(batch)


def make_backend(redis_url: str | None, prefix: str = "me:") -> CacheBackend:
    return RedisBackend(redis_url, prefix) if redis_url else MemoryBackend()
