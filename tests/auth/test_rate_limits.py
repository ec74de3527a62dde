"""Sign-in lock-out and back-off per account and per address, API calls per user, the webhook: 429 with
Retry-After in the one error shape."""

from __future__ import annotations

import asyncio
import logging

import httpx
import pytest
from fastapi import APIRouter, FastAPI
from sqlalchemy import select

from marketedge.auth.deps import WEBHOOK
from marketedge.core.config import Settings
from marketedge.core.db import Database
from marketedge.core.errors import RateLimited
from marketedge.models.audit import AuditEvent
from tests.auth_fixtures import STRONG_PASSWORD, client_for, make_user, sign_in
from tests.outages import RedisServer


def assert_429(response: httpx.Response) -> int:
    assert response.status_code == 429, response.text
    assert response.json()["error"]["code"] == "rate_limited"
    retry_after = int(response.headers["retry-after"])
    assert retry_after >= 1
    return retry_after


async def test_five_failures_lock_the_account_even_for_the_right_password(
    app: FastAPI, database: Database
) -> None:
    user = await make_user(database)
    async with client_for(app) as http:
        for _ in range(5):
            wrong = await http.post(
                "/api/v1/auth/login", json={"email": user.email, "password": "wrong guess"}
            )
            assert wrong.status_code == 401
        locked = await http.post(
            "/api/v1/auth/login", json={"email": user.email, "password": STRONG_PASSWORD}
        )
        retry_after = assert_429(locked)
        assert 60 < retry_after <= 15 * 60
        other = await make_user(database)  # other accounts are not locked
        fine = await http.post("/api/v1/auth/login", json={"email": other.email, "password": STRONG_PASSWORD})
        assert fine.status_code == 200
    async with database.sessions() as session:
        actions = list(
            await session.scalars(
                select(AuditEvent.action).where(AuditEvent.actor == user.email).order_by(AuditEvent.id)
            )
        )
    assert actions.count("login.failure") == 5 and "login.locked" in actions


async def test_one_address_guessing_many_accounts_is_stopped(app: FastAPI, database: Database) -> None:
    async with client_for(app) as http:
        for i in range(20):
            wrong = await http.post(
                "/api/v1/auth/login", json={"email": f"guess-{i}@example.com", "password": "wrong guess"}
            )
            assert wrong.status_code == 401
        assert_429(await http.post("/api/v1/auth/login", json={"email": "x@example.com", "password": "p"}))


async def test_a_success_resets_the_account_failures(app: FastAPI, database: Database) -> None:
    user = await make_user(database)
    async with client_for(app) as http:
        for _ in range(2):
            for _ in range(4):
                await http.post("/api/v1/auth/login", json={"email": user.email, "password": "wrong guess"})
            ok = await http.post(
                "/api/v1/auth/login", json={"email": user.email, "password": STRONG_PASSWORD}
            )
            assert ok.status_code == 200


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"api_rate_limit": "5/minute"})


async def test_api_calls_are_limited_per_user(app: FastAPI, database: Database) -> None:
    first = await sign_in(app, database)
    second = await sign_in(app, database)
    async with first.client, second.client:
        for _ in range(5):
            assert (await first.client.get("/api/v1/auth/me")).status_code == 200
        assert_429(await first.client.get("/api/v1/auth/me"))
        assert (await second.client.get("/api/v1/auth/me")).status_code == 200


async def test_the_webhook_is_limited_per_address(app: FastAPI) -> None:
    router = APIRouter(dependencies=[WEBHOOK])

    @router.post("/api/v1/_probe/hook")
    async def hook() -> dict[str, bool]:
        return {"ok": True}

    app.include_router(router)
    async with client_for(app) as http:
        for _ in range(120):
            assert (await http.post("/api/v1/_probe/hook")).status_code == 200
        assert_429(await http.post("/api/v1/_probe/hook"))


async def test_while_redis_is_away_limits_hold_in_process_and_go_back_to_redis(
    redis_server: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    from limits import parse_many

    from marketedge.auth.ratelimit import RateLimiter

    two = parse_many("2/minute")
    limiter = RateLimiter(redis_server.url, prefix="test:rl", retry_shared_seconds=0.1)
    try:
        await limiter.hit(two, "asha")
        assert limiter.shared
        redis_server.stop()
        with caplog.at_level(logging.ERROR, logger="marketedge.auth.ratelimit"):
            # Never open: the process counts on its own (from zero) and refuses past the limit.
            await limiter.hit(two, "asha")
            await limiter.hit(two, "asha")
            with pytest.raises(RateLimited):
                await limiter.hit(two, "asha")
            with pytest.raises(RateLimited):
                await limiter.check(two, "asha")
        errors = [r.getMessage() for r in caplog.records if r.name == "marketedge.auth.ratelimit"]
        assert len(errors) == 1 and "counting in this process" in errors[0], errors
        assert not limiter.shared
        redis_server.start()
        await asyncio.sleep(0.15)
        assert limiter.shared
        # Back on Redis, which a restart emptied: counting starts there again.
        await limiter.hit(two, "asha")
        await limiter.hit(two, "asha")
        with pytest.raises(RateLimited):
            await limiter.hit(two, "asha")
    finally:
        await limiter.close()


async def test_rate_limit_keys_carry_the_cache_prefix(settings: Settings) -> None:
    from marketedge.app import create_app

    blue = create_app(settings.model_copy(update={"cache_prefix": "blue:"}))
    assert blue.state.security.limiter.prefix == "blue:rl"  # deployments sharing a Redis count apart
