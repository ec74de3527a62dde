"""Readiness beyond "does it answer": Redis away is a warning (the cache serves from memory and the database)
and the replica stays in the load balancer; settings unfit for production are a warning; the database away
is still a failure."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from marketedge.app import create_app
from marketedge.cache import MemoryBackend, RedisBackend
from marketedge.core.config import Environment, Settings, config_warnings
from marketedge.core.db import Database
from marketedge.ops import checks
from tests.conftest import running
from tests.outages import RedisServer, eventually


def production(settings: Settings, **changes: object) -> Settings:
    return settings.model_copy(update={"marketedge_env": Environment.production, **changes})


async def test_settings_fit_for_production_pass(settings: Settings) -> None:
    assert await checks.config(settings) == checks.CheckResult("ok", "no warnings")  # not production
    fit = production(settings, trusted_hosts=["edge.example.com"], trusted_proxies=["10.0.0.0/8"])
    assert (await checks.config(fit)).status == "ok"


async def test_open_hosts_or_no_proxies_warn_in_production(settings: Settings) -> None:
    hosts = await checks.config(production(settings, trusted_hosts=["*"], trusted_proxies=["10.0.0.0/8"]))
    assert hosts.status == "warn" and "TRUSTED_HOSTS" in hosts.detail and "PROXIES" not in hosts.detail
    proxies = await checks.config(
        production(settings, trusted_hosts=["edge.example.com"], trusted_proxies=[])
    )
    assert proxies.status == "warn" and "TRUSTED_PROXIES" in proxies.detail
    unfit = production(settings, trusted_hosts=["*"], trusted_proxies=[])
    both = await checks.config(unfit)
    assert len(config_warnings(unfit)) == 2 and both.detail == "; ".join(config_warnings(unfit))


async def test_the_cache_check_warns_while_redis_is_away(redis_server: RedisServer) -> None:
    assert await checks.cache(MemoryBackend()) == checks.CheckResult("ok", "memory reachable")
    backend = RedisBackend(redis_server.url, prefix=f"test:{uuid.uuid4().hex}:", retry_seconds=0.1)
    try:
        assert await checks.cache(backend) == checks.CheckResult("ok", "redis reachable")
        redis_server.stop()
        # The probe itself finds Redis away: a warning, not a failure, before any read noticed.
        assert await checks.cache(backend) == checks.CheckResult("warn", checks.CACHE_DEGRADED)
        assert await checks.cache(backend) == checks.CheckResult("warn", checks.CACHE_DEGRADED)
        redis_server.start()
        await eventually(lambda: not backend.degraded, what="the backend back on Redis")
        assert await checks.cache(backend) == checks.CheckResult("ok", "redis reachable")
    finally:
        await backend.close()


@pytest.fixture
async def redis_app(settings: Settings, redis_server: RedisServer) -> AsyncIterator[FastAPI]:
    application = create_app(settings.model_copy(update={"redis_url": redis_server.url}))
    async with running(application):
        yield application


async def test_ready_stays_200_with_redis_away_and_fails_with_the_database(
    redis_app: FastAPI, redis_server: RedisServer
) -> None:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=redis_app), base_url="http://testserver"
    ) as http:
        ready = await http.get("/health/ready")
        assert ready.status_code == 200, ready.text
        assert ready.json()["checks"]["cache"] == {"status": "ok", "detail": "redis reachable"}
        assert ready.json()["checks"]["config"]["status"] == "ok"

        redis_server.stop()
        ready = await http.get("/health/ready")
        assert ready.status_code == 200, ready.text
        body = ready.json()
        assert body["status"] == "ok"
        assert body["checks"]["cache"] == {"status": "warn", "detail": checks.CACHE_DEGRADED}
        assert body["checks"]["database"]["status"] == "ok"

        # Without its database a replica cannot take writes: that is still a failure.
        working = redis_app.state.db
        redis_app.state.db = Database("postgresql+asyncpg://nobody@127.0.0.1:1/nothing")
        try:
            ready = await http.get("/health/ready")
        finally:
            await redis_app.state.db.dispose()
            redis_app.state.db = working
        assert ready.status_code == 503
        assert ready.json()["checks"]["database"]["status"] == "fail"
        assert ready.json()["checks"]["cache"]["status"] == "warn"


async def test_ready_warns_on_settings_unfit_for_production(settings: Settings) -> None:
    application = create_app(production(settings, trusted_hosts=["*"], trusted_proxies=[]))
    async with (
        running(application),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=application), base_url="http://testserver"
        ) as http,
    ):
        ready = await http.get("/health/ready")
    assert ready.status_code == 200, ready.text
    config = ready.json()["checks"]["config"]
    assert config["status"] == "warn" and "TRUSTED_HOSTS" in config["detail"]
