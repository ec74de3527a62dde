"""Background work steps aside for requests waiting for their answer: the pacer waits while the metrics
middleware counts waiting requests, never longer than its bound, and not at all when none wait."""

from __future__ import annotations

import asyncio
import time

import httpx
from fastapi import FastAPI
from starlette.types import Receive, Scope, Send

from marketedge.core.yield_to_requests import Pacer
from marketedge.ops.metrics import Metrics, MetricsMiddleware


async def test_a_turn_is_immediate_when_no_request_waits() -> None:
    pacer = Pacer(most=1.0)
    started = time.perf_counter()
    for _ in range(50):
        await pacer.turn()
    assert time.perf_counter() - started < 0.5
    assert pacer.deferred == 0


async def test_a_turn_waits_until_the_waiting_requests_are_answered() -> None:
    waiting = 2
    pacer = Pacer(most=5.0, poll=0.001)
    pacer.waiting = lambda: waiting

    async def answer_them() -> None:
        nonlocal waiting
        await asyncio.sleep(0.05)
        waiting = 0

    answering = asyncio.create_task(answer_them())
    started = time.perf_counter()
    await pacer.turn()
    assert 0.05 <= time.perf_counter() - started < 2.0
    assert pacer.deferred == 1
    await answering


async def test_a_turn_is_never_longer_than_its_bound() -> None:
    pacer = Pacer(most=0.05, poll=0.001)
    pacer.waiting = lambda: 1  # requests keep coming: background work is delayed, not starved
    started = time.perf_counter()
    await pacer.turn()
    assert 0.05 <= time.perf_counter() - started < 1.0


async def test_the_metrics_middleware_counts_a_request_as_waiting_until_its_answer_starts() -> None:
    metrics = Metrics(process=False)
    seen: dict[str, int] = {}
    started, release = asyncio.Event(), asyncio.Event()

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        seen["before"] = metrics.http.waiting
        await send({"type": "http.response.start", "status": 200, "headers": []})
        seen["after headers"] = metrics.http.waiting
        started.set()
        await release.wait()  # a stream: in flight, no longer waiting
        await send({"type": "http.response.body", "body": b"ok"})

    async def failing(scope: Scope, receive: Receive, send: Send) -> None:
        raise RuntimeError("no answer at all")

    transport = httpx.ASGITransport(app=MetricsMiddleware(app, metrics))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        request = asyncio.create_task(client.get("/"))
        await asyncio.wait_for(started.wait(), 5)
        assert seen == {"before": 1, "after headers": 0}
        assert metrics.http.in_flight == 1 and metrics.http.waiting == 0
        release.set()
        assert (await request).text == "ok"
    assert metrics.http.in_flight == 0 and metrics.http.waiting == 0

    broken = httpx.ASGITransport(app=MetricsMiddleware(failing, metrics), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=broken, base_url="http://test") as client:
        assert (await client.get("/")).status_code == 500
    assert metrics.http.waiting == 0  # a request that never answered is not waiting forever


async def test_the_app_wires_the_pacer_to_the_waiting_requests(app: FastAPI) -> None:
    runtime = app.state.runtime
    metrics: Metrics = app.state.metrics
    metrics.http.waiting += 3
    try:
        assert runtime.pacer.waiting() == 3
    finally:
        metrics.http.waiting -= 3
    assert runtime.job._pacer is runtime.pacer
