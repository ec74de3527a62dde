"""The live broadcaster: one build per (parameters, minute) for every subscriber, the same bytes to each,
catch-up for one that fell behind, and reconnect hints spread at random."""

from __future__ import annotations

import asyncio
import random
import re
import time
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from fastapi import FastAPI

from marketedge.analytics.bands import Selection
from marketedge.analytics.service import Selected
from marketedge.analytics.tracker import TrackerQuery
from marketedge.api import live
from marketedge.api.live import RETRY_MAX_MS, RETRY_MIN_MS, LiveHub, StreamParams, retry_hint
from tests.api.conftest import LAST, drop_minutes_after_last, store_minute_after_last


@pytest.fixture
async def hub_app(day_app: FastAPI) -> AsyncIterator[FastAPI]:
    yield day_app
    await drop_minutes_after_last(day_app)


async def _store_minute(app: FastAPI, minute_offset: int) -> None:
    app.state.runtime.bus.publish(await store_minute_after_last(app, minute_offset, spot=26100))


async def _latest_day(app: FastAPI) -> tuple[Selected, StreamParams]:
    """NIFTY's latest stored day, and stream parameters for the default band on it."""
    first = await app.state.market_data.select("NIFTY", None, None)
    query = TrackerQuery(0.05, 0.6, Selection.dynamic, 1)
    return first, StreamParams(first.symbol, first.expiry, first.day, query, None)


async def _next_event(stream: AsyncIterator[bytes]) -> bytes:
    while True:
        chunk = await asyncio.wait_for(anext(stream), 5)
        if chunk.startswith(b"retry:"):  # the opening write: the retry hint, then (usually) the first event
            chunk = chunk.partition(b"\n\n")[2]
        if chunk.startswith(b"event:"):
            return chunk


async def test_many_subscribers_share_one_build_per_minute(hub_app: FastAPI) -> None:
    hub: LiveHub = hub_app.state.live
    rendered = hub_app.state.rendered
    first, params = await _latest_day(hub_app)
    streams = [hub.stream(params, None, first) for _ in range(200)]
    try:
        opening = [await _next_event(s) for s in streams]
        assert len(set(opening)) == 1 and f"id: {LAST.isoformat()}".encode() in opening[0]
        builds = rendered.builds
        await _store_minute(hub_app, 1)
        news = [await _next_event(s) for s in streams]
        assert len(set(news)) == 1 and f"id: {(LAST + timedelta(minutes=1)).isoformat()}".encode() in news[0]
        assert rendered.builds == builds + 1  # one build, two hundred subscribers
        assert hub.subscriber_count == 200
    finally:
        for s in streams:
            await s.aclose()
    assert hub.subscriber_count == 0


async def test_a_subscriber_that_fell_behind_catches_up_from_its_own_minute(hub_app: FastAPI) -> None:
    hub: LiveHub = hub_app.state.live
    first, params = await _latest_day(hub_app)
    stream = hub.stream(params, None, first)
    try:
        await _next_event(stream)
        for offset in range(1, 13):  # more minutes than its queue holds, while it does not read
            await _store_minute(hub_app, offset)
            for _ in range(100):
                if hub.announcements >= offset:
                    break
                await asyncio.sleep(0.01)
        got = await _next_event(stream)
        # Its queue overflowed: the one catch-up brings every minute after the last one it had, up to the newest.
        minutes = re.findall(rb'"minutes":\[([^\]]*)\]', got)[0]
        assert f"id: {(LAST + timedelta(minutes=12)).isoformat()}".encode() in got
        assert minutes.count(b"+05:30") == 12 and LAST.isoformat().encode() not in minutes
        # What is left in its queue is older than that: skipped, never sent twice.
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(_next_event(stream), 0.5)
    finally:
        await stream.aclose()


async def test_a_stream_started_with_a_day_read_before_an_announced_minute_opens_with_that_minute(
    hub_app: FastAPI,
) -> None:
    # The hot path reads the day, then the stream starts; a minute announced in between went to the
    # subscribers the hub had, not to this one: its opening event must carry it (seen at load as a 53 s wait).
    hub: LiveHub = hub_app.state.live
    stale, params = await _latest_day(hub_app)
    announced = hub.announcements
    await _store_minute(hub_app, 1)
    for _ in range(100):
        if hub.announcements > announced:
            break
        await asyncio.sleep(0.01)
    stream = hub.stream(params, None, stale)
    try:
        opening = await _next_event(stream)
        assert f"id: {(LAST + timedelta(minutes=1)).isoformat()}".encode() in opening
    finally:
        await stream.aclose()


async def test_heartbeats_come_at_a_random_delay_between_the_bounds(
    hub_app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each wait draws its own delay, so a thousand streams never write their heartbeats together."""
    monkeypatch.setattr(live, "HEARTBEAT_MIN_SECONDS", 0.02)
    monkeypatch.setattr(live, "HEARTBEAT_MAX_SECONDS", 0.12)
    hub: LiveHub = hub_app.state.live
    first, params = await _latest_day(hub_app)
    stream = hub.stream(params, None, first)
    try:
        await _next_event(stream)
        gaps = []
        for _ in range(12):
            started = time.perf_counter()
            assert await asyncio.wait_for(anext(stream), 5) == b": heartbeat\n\n"
            gaps.append(time.perf_counter() - started)
        assert min(gaps) >= 0.015 and max(gaps) < 1.0
        assert max(gaps) - min(gaps) > 0.02  # not one fixed period
    finally:
        await stream.aclose()


def test_reconnect_hints_are_spread_between_the_bounds() -> None:
    rng = random.Random(3)
    delays = [int(retry_hint(rng).split(b" ")[1]) for _ in range(500)]
    assert min(delays) >= RETRY_MIN_MS and max(delays) <= RETRY_MAX_MS
    assert len(set(delays)) > 400 and max(delays) - min(delays) > (RETRY_MAX_MS - RETRY_MIN_MS) * 0.9


async def test_backfilled_minutes_tell_open_screens_to_read_the_day_again(hub_app: FastAPI) -> None:
    """Earlier minutes filled from candles (a catch-up) change the day under open screens: each gets a
    `refresh` event, and the next stored minute still arrives as usual."""
    from marketedge.ingest.bus import MinuteStored

    hub: LiveHub = hub_app.state.live
    first, params = await _latest_day(hub_app)
    streams = [hub.stream(params, None, first) for _ in range(3)]
    try:
        for s in streams:
            await _next_event(s)
        generation = hub_app.state.hot.generation
        hub_app.state.runtime.bus.publish(
            MinuteStored(params.symbol, params.expiry, LAST.replace(hour=9, minute=40), backfilled=True)
        )
        for s in streams:
            assert await _next_event(s) == live.REFRESH
        assert hub_app.state.hot.generation > generation  # stored answers are built again
        await _store_minute(hub_app, 1)
        for s in streams:
            assert f"id: {(LAST + timedelta(minutes=1)).isoformat()}".encode() in await _next_event(s)
    finally:
        for s in streams:
            await s.aclose()
