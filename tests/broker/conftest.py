"""The whole app served by uvicorn on a real port (in the test's event loop), talking to the Upstox twin over
real HTTP both ways: the app calls the twin, and the twin posts approved v3 tokens to the app's notifier.

Both share one ManualClock (the app's `marketedge.core.clock` and the twin's), so tests move time for both."""

from __future__ import annotations

import asyncio
import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from sqlalchemy import delete

from marketedge.app import create_app
from marketedge.auth import sessions
from marketedge.auth.deps import SecurityState
from marketedge.auth.ratelimit import RateLimiter
from marketedge.auth.roles import Role
from marketedge.broker.renewal import TokenRenewal
from marketedge.broker.service import TokenService
from marketedge.core import clock
from marketedge.core.clock import ManualClock, ist
from marketedge.core.config import Settings
from marketedge.core.db import Database
from marketedge.models import AuditEvent, BrokerToken, BrokerTokenRequest
from marketedge.runtime import Runtime
from marketedge.twin.server import TwinServer
from tests.auth_fixtures import make_user, start_session

START = ist(2026, 11, 25, 11, 0)  # a Wednesday, mid-session (the twin fixture's start too)
PREFIX = "/api/v1/broker/upstox"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Live:
    """The served app: its base URL, the app and runtime objects, admin and anonymous clients."""

    base: str
    app: FastAPI
    twin: TwinServer
    database: Database
    admin: httpx.AsyncClient
    anonymous: httpx.AsyncClient
    answers: list[httpx.Response] = field(default_factory=list)

    @property
    def runtime(self) -> Runtime:
        runtime: Runtime = self.app.state.runtime
        return runtime

    @property
    def tokens(self) -> TokenService:
        return self.runtime.tokens

    @property
    def renewal(self) -> TokenRenewal:
        return self.runtime.renewal

    async def status(self) -> dict[str, Any]:
        answer = await self.admin.get(f"{PREFIX}/status")
        assert answer.status_code == 200, answer.text
        body: dict[str, Any] = answer.json()
        return body

    async def client_as(self, role: Role) -> httpx.AsyncClient:
        user = await make_user(self.database, role)
        token, csrf = await start_session(self.app, self.database, user)
        return self._client(token, csrf)

    def _client(self, session_token: str | None, csrf: str | None) -> httpx.AsyncClient:
        headers = {sessions.CSRF_HEADER: csrf} if csrf else {}
        http = httpx.AsyncClient(
            base_url=self.base,
            headers=headers,
            timeout=20,
            event_hooks={"response": [self._keep]},
        )
        if session_token:
            http.cookies.set(sessions.SESSION_COOKIE, session_token)
        return http

    async def _keep(self, response: httpx.Response) -> None:
        await response.aread()
        self.answers.append(response)


@pytest.fixture
def shared_clock(twin: TwinServer) -> Iterator[ManualClock]:
    """The app's clock and the twin's, one ManualClock at START."""
    with clock.use_clock(ManualClock(START)) as manual:
        assert isinstance(manual, ManualClock)
        twin.state.clock.use(manual)
        try:
            yield manual
        finally:
            twin.state.clock.reset()


@pytest.fixture
def live_settings(settings: Settings, twin: TwinServer) -> Settings:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    config = twin.state.config
    return settings.model_copy(
        update={
            "upstox_base_url": twin.url,
            "upstox_client_id": config.client_id,
            "upstox_client_secret": config.client_secret,
            "upstox_notifier_url": f"{base}{PREFIX}/notifier",
            "cache_prefix": f"t{uuid.uuid4().hex[:12]}:",
            # The tests move the clock by days: the admin's session must outlive that.
            "session_idle_minutes": 7 * 24 * 60,
            "session_max_hours": 30 * 24,
        }
    )


async def clean_broker_tables(database: Database) -> None:
    """Each test starts disconnected, with no token events (the session's database is shared)."""
    async with database.sessions() as session:
        await session.execute(delete(BrokerTokenRequest))
        await session.execute(delete(BrokerToken))
        await session.execute(delete(AuditEvent).where(AuditEvent.action.startswith("broker.")))
        await session.commit()


@pytest.fixture
async def live(
    live_settings: Settings, twin: TwinServer, database: Database, shared_clock: ManualClock
) -> AsyncIterator[Live]:
    await clean_broker_tables(database)
    assert live_settings.upstox_notifier_url
    twin.state.configure(notifier_url=live_settings.upstox_notifier_url)
    base = live_settings.upstox_notifier_url.removesuffix(f"{PREFIX}/notifier")
    port = int(base.rsplit(":", 1)[1])
    app = create_app(live_settings)
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="on", log_config=None, access_log=False)
    )
    serving = asyncio.create_task(server.serve())
    for _ in range(500):
        if server.started or serving.done():
            break
        await asyncio.sleep(0.01)
    assert server.started, "the app did not start"
    # Rate-limit counters of its own, so the Redis pass does not carry one test's hits into the next.
    security: SecurityState = app.state.security
    limiter = RateLimiter(security.settings.redis_url, prefix=f"test:rl:{uuid.uuid4().hex}")
    app.state.security = SecurityState(security.settings, limiter)
    admin_user = await make_user(database, Role.admin)
    token, csrf = await start_session(app, database, admin_user)
    live = Live(base, app, twin, database, admin=httpx.AsyncClient(), anonymous=httpx.AsyncClient())
    live.admin = live._client(token, csrf)
    live.anonymous = live._client(None, None)
    try:
        yield live
    finally:
        await live.renewal.wait_idle()
        await live.admin.aclose()
        await live.anonymous.aclose()
        server.should_exit = True
        await serving
        await limiter.close()


async def delivered(twin: TwinServer, seconds: float = 15.0) -> list[int | None]:
    """Approve every pending v3 request on the twin and wait for its posts to our notifier to finish."""
    deliveries = twin.state.approve()
    for delivery in deliveries:
        done = await asyncio.to_thread(delivery.done.wait, seconds)
        assert done, "the twin's notifier post did not finish"
        assert delivery.error is None, delivery.error
    return [d.status for d in deliveries]


async def wait_for(condition: Any, seconds: float = 10.0) -> None:
    """Poll an async condition until it is true."""
    for _ in range(int(seconds / 0.02)):
        if await condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("condition not met in time")
