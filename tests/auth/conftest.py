"""Account tests: the signed-in fixtures, and an app whose rate-limit counters are its own (so the
PostgreSQL + Redis pass, whose counters share one Redis, does not carry one test's sign-ins into the next)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from fastapi import FastAPI

from marketedge.app import create_app
from marketedge.auth.deps import SecurityState
from marketedge.auth.ratelimit import RateLimiter
from marketedge.core.config import Settings
from tests.auth_fixtures import admin, admin_client, viewer, viewer_client  # noqa: F401  (fixtures)
from tests.conftest import running


def isolate_rate_limits(app: FastAPI) -> RateLimiter:
    state: SecurityState = app.state.security
    limiter = RateLimiter(state.settings.redis_url, prefix=f"test:rl:{uuid.uuid4().hex}")
    app.state.security = SecurityState(state.settings, limiter)
    return limiter


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[FastAPI]:
    application = create_app(settings)
    async with running(application):
        limiter = isolate_rate_limits(application)
        yield application
        await limiter.close()
