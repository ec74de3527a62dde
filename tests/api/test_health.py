"""Liveness and readiness: each check reported, 503 when one fails, nothing internal leaked."""

from __future__ import annotations

import httpx
from fastapi import FastAPI


async def test_live_answers_without_io(client: httpx.AsyncClient) -> None:
    for path in ("/health/live", "/health"):
        response = await client.get(path)
        assert response.status_code == 200
        assert response.json() == {"status": "ok"}
        assert response.headers["x-request-id"]


async def test_ready_reports_each_check(client: httpx.AsyncClient) -> None:
    response = await client.get("/health/ready")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) >= {"database", "cache", "scheduler", "last_minute", "broker_token"}
    assert all(body["checks"][name]["status"] == "ok" for name in ("database", "cache", "scheduler"))
    # No token in a test app: a warning, which does not make it unready.
    assert body["checks"]["broker_token"]["status"] == "warn"
    assert "minute" in body["checks"]["last_minute"]["detail"]


async def test_ready_is_503_naming_the_failing_check_without_leaking_the_address(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    from marketedge.core.db import Database

    working = app.state.db
    app.state.db = Database("postgresql+asyncpg://nobody:hunter2@127.0.0.1:1/nothing")
    try:
        response = await client.get("/health/ready")
    finally:
        await app.state.db.dispose()
        app.state.db = working
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "fail"
    assert body["checks"]["database"]["status"] == "fail"
    assert body["checks"]["cache"]["status"] == "ok"
    assert "hunter2" not in response.text and "127.0.0.1" not in response.text


async def test_ready_fails_when_the_scheduler_stops(app: FastAPI, client: httpx.AsyncClient) -> None:
    app.state.scheduler.shutdown(wait=False)
    response = await client.get("/health/ready")
    assert response.status_code == 503
    assert response.json()["checks"]["scheduler"] == {"status": "fail", "detail": "stopped"}
    app.state.scheduler.start()
