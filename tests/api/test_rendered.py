"""RenderedCache: one build for many askers, one version kept per question, bounded by bytes."""

from __future__ import annotations

import asyncio

import pytest

from marketedge.api.rendered import Rendered, RenderedCache, render


async def test_concurrent_askers_wait_on_one_build() -> None:
    cache = RenderedCache()
    calls = 0

    async def build() -> Rendered:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.01)
        return render(b'{"x": 1}' * 200, "application/json")

    answers = await asyncio.gather(*(cache.get("q", "v1", build) for _ in range(500)))
    assert calls == 1 and cache.builds == 1 and len({id(a) for a in answers}) == 1
    assert answers[0].gzipped is not None and len(answers[0].gzipped) < len(answers[0].body)


async def _never() -> Rendered:
    raise AssertionError("built, though a stored answer was expected")


async def test_a_new_version_replaces_the_old_one() -> None:
    cache = RenderedCache()

    async def build_a() -> Rendered:
        return render(b"a" * 2000, "text/plain")

    async def build_b() -> Rendered:
        return render(b"b" * 2000, "text/plain")

    await cache.get("q", "v1", build_a)
    size = cache.size_bytes
    second = await cache.get("q", "v2", build_b)
    assert len(cache) == 1 and cache.size_bytes == size and second.body.startswith(b"b")
    assert await cache.get("q", "v2", _never) is second  # stored: no build
    rebuilt = await cache.get("q", "v1", build_a)  # the old version is gone: built again
    assert rebuilt.body.startswith(b"a")


async def test_the_cache_stays_within_its_bytes() -> None:
    cache = RenderedCache(max_bytes=10_000)
    for i in range(50):

        async def build(i: int = i) -> Rendered:
            return render(bytes([i % 250]) * 900, "text/plain")

        await cache.get(f"q{i}", "v", build)
    assert cache.size_bytes <= 10_000 and len(cache) < 50
    assert (await cache.get("q49", "v", _never)).body == bytes([49]) * 900  # the newest is kept
    with pytest.raises(AssertionError, match="built"):
        await cache.get("q0", "v", _never)  # the oldest was evicted


async def test_a_failed_build_reaches_every_waiter_and_is_not_kept() -> None:
    cache = RenderedCache()

    async def boom() -> Rendered:
        await asyncio.sleep(0.01)
        raise ValueError("no data")

    results = await asyncio.gather(*(cache.get("q", "v", boom) for _ in range(5)), return_exceptions=True)
    assert all(isinstance(r, ValueError) for r in results) and len(cache) == 0
