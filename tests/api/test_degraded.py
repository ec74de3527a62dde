"""Degrade, don't fail: with Redis away, reads come from memory and the database and readiness only warns;
with the database away, the answers the app holds are served with `X-Data-Stale: database unavailable` (their
minutes say how old they are), on the hot path and the full path alike, and a question it holds nothing for is
a 503 with Retry-After, never a 500.

The servers are the tests' own (tests/outages.py): a PostgreSQL holding a simulated morning, stopped and
started again, and a redis-server killed and restarted."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI

from marketedge.app import create_app
from marketedge.auth.deps import require
from marketedge.auth.roles import Role
from marketedge.cache import RedisBackend
from marketedge.core import clock
from marketedge.core.clock import ManualClock, ist
from marketedge.core.config import Settings, load_settings, normalise_database_url
from marketedge.ingest.simulate import run_minutes, session_minutes
from marketedge.ingest.universe import set_universe
from marketedge.runtime import Runtime
from tests.api.conftest import as_viewer
from tests.auth_fixtures import client_for, sign_in
from tests.conftest import running
from tests.outages import PostgresServer, RedisServer, eventually

DAY, EARLIER = date(2026, 11, 25), date(2026, 11, 23)
LAST = ist(2026, 11, 25, 9, 30)
NOW = LAST + timedelta(minutes=1, seconds=20)
STALE = "database unavailable"
SUMMARY = "/api/v1/greeks/summary?instrument=NIFTY&delta_min=0.1&delta_max=0.5"
HELD = (
    SUMMARY,
    "/api/v1/chain?instrument=NIFTY",
    "/api/v1/instruments",
    "/api/v1/sessions?instrument=NIFTY",
    "/api/v1/status",
    "/api/v1/tracker?instrument=NIFTY&delta_min=0.1&delta_max=0.5",
)
UNCHANGED = HELD[:2]  # built from the stored minutes only: the same bytes as before the outage


@pytest.fixture(scope="session")
async def outage_day(stoppable_postgres: PostgresServer) -> str:
    """Two mornings of NIFTY's nearest expiry, stored through the real pipeline in the stoppable PostgreSQL:
    the 23rd (09:15–09:20), never read by the app below, and the 25th (09:15–09:30), which it warms."""
    url = normalise_database_url(stoppable_postgres.url)
    settings = load_settings(
        marketedge_env="test", database_url=url, data_source="twin", scheduler_enabled=False
    )
    runtime = await Runtime.create(settings)
    try:
        async with runtime.db.sessions() as session:
            await set_universe(session, ["NIFTY"], expiries=1)
            await session.commit()
        assert runtime.twin is not None
        for day, until in ((EARLIER, ist(2026, 11, 23, 9, 20)), (DAY, LAST)):
            results = await run_minutes(
                runtime.job, session_minutes(runtime.calendar, day, until=until), runtime.twin.state
            )
            assert all(r.status == "ok" for r in results), [r.error for r in results if r.status != "ok"]
    finally:
        await runtime.stop()
    return url


@pytest.fixture
def pinned() -> Iterator[ManualClock]:
    with clock.use_clock(ManualClock(NOW)) as manual:
        assert isinstance(manual, ManualClock)
        yield manual


@pytest.fixture
def database_back(stoppable_postgres: PostgresServer) -> Iterator[PostgresServer]:
    """The stoppable PostgreSQL, running again when the test ends whatever it did."""
    try:
        yield stoppable_postgres
    finally:
        if not stoppable_postgres.running:
            stoppable_postgres.start()


def outage_settings(database_url: str, redis_url: str | None, tmp_path: Path) -> Settings:
    return load_settings(
        marketedge_env="test",
        database_url=database_url,
        redis_url=redis_url,
        scheduler_enabled=False,
        health_cache_seconds=0,
        frontend_dist=tmp_path / "no-ui",
        cache_prefix=f"t{uuid.uuid4().hex[:12]}:",
    )


@pytest.fixture
async def held_app(
    outage_day: str, cache_url: str | None, tmp_path: Path, pinned: ManualClock
) -> AsyncIterator[FastAPI]:
    """The app over the stoppable database, with the pass's cache (in-process, or the shared Redis)."""
    application = create_app(outage_settings(outage_day, cache_url, tmp_path))
    async with running(application):
        yield application


async def test_with_the_database_away_held_answers_are_served_with_their_age(
    held_app: FastAPI, database_back: PostgresServer, pinned: ManualClock
) -> None:
    # Every stale read asks the database (5 s apart in production), so the return is seen at once here.
    held_app.state.runtime.cache.database_retry_seconds = 0
    signed = await sign_in(held_app, held_app.state.db, Role.viewer)
    async with signed.client as http:
        before = {path: await http.get(path) for path in HELD}
        for path, answer in before.items():
            assert answer.status_code == 200, (path, answer.text)
            assert "x-data-stale" not in answer.headers
        database_back.stop()
        # Four minutes on: the rule wants every day reloaded, and every answer of the last minute is outdated.
        pinned.advance(timedelta(minutes=4))
        rebuilt = held_app.state.hot.rebuilt
        after = {path: await http.get(path) for path in HELD}
        assert held_app.state.hot.rebuilt == rebuilt + len(HELD)  # the hot path answered them all
        for path, answer in after.items():
            assert answer.status_code == 200, (path, answer.text)
            assert answer.headers["x-data-stale"] == STALE, path
        for path in UNCHANGED:
            assert after[path].content == before[path].content
            assert after[path].headers["etag"] == before[path].headers["etag"]
        assert after[SUMMARY].json()["latest_minute"] == LAST.isoformat()  # its age, in its own terms
        # The hot path's repeat, and a 304 for a client that has it: still said to be stale.
        repeat = await http.get(SUMMARY, headers={"If-None-Match": after[SUMMARY].headers["etag"]})
        assert repeat.status_code == 304 and repeat.headers["x-data-stale"] == STALE

    # The full path (routing, the route itself) says the same; the access check is the test's here, since a
    # signed-in check needs the database.
    held_app.dependency_overrides[require(Role.viewer)] = as_viewer
    async with client_for(held_app) as anonymous:
        for path in HELD:
            answer = await anonymous.get(path)
            assert answer.status_code == 200, (path, answer.text)
            assert answer.headers["x-data-stale"] == STALE, path
        # A day the app never read: nothing held, so the database's 503, never a 500.
        missing = await anonymous.get(f"{SUMMARY}&date={EARLIER.isoformat()}")
        assert missing.status_code == 503, missing.text
        assert missing.json()["error"]["code"] == "database_unavailable"
        assert missing.headers["retry-after"]

        ready = await anonymous.get("/health/ready")
        assert ready.status_code == 503 and ready.json()["checks"]["database"]["status"] == "fail"

        database_back.start()
        pinned.advance(timedelta(seconds=40))  # a new minute: the universe and the answers are read again
        for path in HELD:
            answer = await anonymous.get(path)
            assert answer.status_code == 200, (path, answer.text)
            assert "x-data-stale" not in answer.headers, path
        assert (await anonymous.get(f"{SUMMARY}&date={EARLIER.isoformat()}")).status_code == 200


@pytest.fixture
async def redis_app(
    outage_day: str, redis_server: RedisServer, tmp_path: Path, pinned: ManualClock
) -> AsyncIterator[FastAPI]:
    """The app over the stoppable database and a Redis of the test's own."""
    application = create_app(outage_settings(outage_day, redis_server.url, tmp_path))
    async with running(application):
        backend = application.state.runtime.backend
        assert isinstance(backend, RedisBackend)
        backend.retry_seconds = 0.1
        yield application


async def test_with_redis_away_reads_come_from_memory_and_the_database(
    redis_app: FastAPI, redis_server: RedisServer, pinned: ManualClock
) -> None:
    backend = redis_app.state.runtime.backend
    signed = await sign_in(redis_app, redis_app.state.db, Role.viewer)
    async with signed.client as http:
        before = await http.get(SUMMARY)
        assert before.status_code == 200
        redis_server.stop()
        pinned.advance(timedelta(minutes=4))  # stale by the rule: the day is read from the database again
        loads = redis_app.state.runtime.cache.load_count
        for path in HELD:
            answer = await http.get(path)
            assert answer.status_code == 200, (path, answer.text)
            assert "x-data-stale" not in answer.headers  # the database answered: fresh, not stale
        assert backend.degraded
        assert redis_app.state.runtime.cache.load_count > loads
        assert (await http.get(SUMMARY)).json()["latest_minute"] == LAST.isoformat()

        # A reader the hot path has not seen: the full path, with its rate limits in Redis too.
        other = await sign_in(redis_app, redis_app.state.db, Role.viewer)
        async with other.client as newcomer:
            assert (await newcomer.get(SUMMARY)).status_code == 200

        ready = await http.get("/health/ready")
        assert ready.status_code == 200, ready.text
        assert ready.json()["checks"]["cache"] == {
            "status": "warn",
            "detail": "degraded: serving from memory and the database",
        }

        redis_server.start()
        await eventually(lambda: not backend.degraded, what="the cache back on Redis")
        ready = await http.get("/health/ready")
        assert ready.json()["checks"]["cache"] == {"status": "ok", "detail": "redis reachable"}
        pinned.advance(timedelta(minutes=1))
        assert (await http.get(SUMMARY)).status_code == 200
