"""The same contract for the in-process and the Redis backend."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest

from marketedge.cache import CacheBackend, MemoryBackend, RedisBackend


@pytest.fixture(params=["memory", "redis"])
async def backend(request: pytest.FixtureRequest) -> AsyncIterator[CacheBackend]:
    if request.param == "memory":
        yield MemoryBackend()
        return
    url = request.getfixturevalue("redis_url")
    redis = RedisBackend(url, prefix=f"test:{uuid.uuid4().hex}:")
    yield redis
    await redis.close()


async def test_set_get_delete(backend: CacheBackend) -> None:
    assert await backend.get("k") is None
    await backend.set("k", b"\x00value", ttl_seconds=60)
    assert await backend.get("k") == b"\x00value"
    await backend.set("k", b"newer", ttl_seconds=60)
    assert await backend.get("k") == b"newer"
    await backend.set("other", b"2", ttl_seconds=60)
    assert await backend.get_many(["k", "missing", "other"]) == [b"newer", None, b"2"]
    assert await backend.get_many([]) == []
    await backend.delete("k")
    assert await backend.get("k") is None
    await backend.ping()


async def test_entries_expire(backend: CacheBackend) -> None:
    await backend.set("short", b"x", ttl_seconds=0.05)
    await backend.set("long", b"y", ttl_seconds=60)
    await asyncio.sleep(0.15)
    assert await backend.get("short") is None
    assert await backend.get("long") == b"y"


async def test_memory_backend_evicts_least_recently_used_by_bytes() -> None:
    cache = MemoryBackend(max_bytes=10)
    await cache.set("a", b"12345", 60)
    await cache.set("b", b"12345", 60)
    assert await cache.get("a") == b"12345"  # a is now the most recent
    await cache.set("c", b"123", 60)
    assert await cache.get("b") is None
    assert await cache.get("a") == b"12345"
    assert cache.size_bytes == 8
    await cache.set("huge", b"x" * 11, 60)
    assert await cache.get("huge") is None
