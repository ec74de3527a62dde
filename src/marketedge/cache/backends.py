"""Bytes key-value storage with expiry: in-process (one instance) or Redis (several share one)."""

from __future__ import annotations

import asyncio
import time
from abc import ABC, abstractmethod
from collections import OrderedDict


class CacheBackend(ABC):
    """The one interface both backends honour; tests run the same suite on each."""

    name: str

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

    def _drop(self, key: str) -> None:
        _, value = self._entries.pop(key)
        self._bytes -= len(value)


class RedisBackend(CacheBackend):
    name = "redis"

    def __init__(self, url: str, prefix: str = "me:") -> None:
        # A bounded pool that waits for a free connection rather than failing (free tiers cap connections).
        import redis.asyncio as aioredis  # only with REDIS_URL: a tenth of a second of start-up otherwise

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

    async def get(self, key: str) -> bytes | None:
        value = await self._redis.get(self._prefix + key)
        return value if value is None or isinstance(value, bytes) else value.encode()

    async def get_many(self, keys: list[str]) -> list[bytes | None]:
        if not keys:
            return []
        values = await self._redis.mget([self._prefix + k for k in keys])
        return [v if v is None or isinstance(v, bytes) else v.encode() for v in values]

    async def set(self, key: str, value: bytes, ttl_seconds: float) -> None:
        await self._redis.set(self._prefix + key, value, px=max(1, int(ttl_seconds * 1000)))

    async def delete(self, key: str) -> None:
        await self._redis.delete(self._prefix + key)

    async def ping(self) -> None:
        await asyncio.wait_for(self._redis.ping(), timeout=2)

    async def close(self) -> None:
        await self._redis.aclose()


def make_backend(redis_url: str | None, prefix: str = "me:") -> CacheBackend:
    return RedisBackend(redis_url, prefix) if redis_url else MemoryBackend()
