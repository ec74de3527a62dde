"""A stored trading morning (simulated against the twin, with a gap) and an app reading it at a pinned time."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from marketedge.app import create_app
from marketedge.auth.deps import Principal, require
from marketedge.auth.roles import Role
from marketedge.core import clock
from marketedge.core.clock import ManualClock, ist
from marketedge.core.config import Settings, load_settings, normalise_database_url
from marketedge.ingest.bus import MinuteStored
from marketedge.ingest.simulate import run_minutes, session_minutes
from marketedge.ingest.universe import set_universe
from marketedge.models import migrate
from marketedge.models.user import User
from marketedge.runtime import Runtime
from tests.conftest import drop_postgres_database, fresh_postgres_database, running

DAY = date(2026, 11, 25)
FIRST, LAST = ist(2026, 11, 25, 9, 15), ist(2026, 11, 25, 10, 15)
GAP = [ist(2026, 11, 25, 9, 40) + timedelta(minutes=i) for i in range(3)]  # 09:40–09:42 never stored
NOW = LAST + timedelta(minutes=1, seconds=20)


@pytest.fixture(scope="session")
def day_database_url(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[str]:
    import os

    wanted = os.environ.get("TEST_DATABASE_URL")
    if wanted and normalise_database_url(wanted).startswith("postgresql"):
        url, name = fresh_postgres_database(wanted)
        migrate.upgrade(normalise_database_url(url))
        yield url
        drop_postgres_database(wanted, name)
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('day') / 'day.db'}"
        migrate.upgrade(normalise_database_url(url))
        yield url


@pytest.fixture(scope="session")
async def simulated_day(day_database_url: str, cache_url: str | None) -> str:
    """NIFTY, nearest expiry, 09:15–10:15 with a three-minute gap, stored through the real pipeline."""
    settings = load_settings(
        marketedge_env="test", database_url=day_database_url, data_source="twin", scheduler_enabled=False
    )
    runtime = await Runtime.create(settings)
    try:
        async with runtime.db.sessions() as session:
            await set_universe(session, ["NIFTY"], expiries=1)
            await session.commit()
        minutes = [m for m in session_minutes(runtime.calendar, DAY, until=LAST) if m not in GAP]
        assert runtime.twin is not None
        results = await run_minutes(runtime.job, minutes, runtime.twin.state)
        assert all(r.status == "ok" for r in results), [r.error for r in results if r.status != "ok"]
    finally:
        await runtime.stop()
    return day_database_url


def as_viewer() -> Principal:
    return Principal(
        user=User(id=0, email="viewer@example.com", role="viewer", is_active=True), via="session"
    )


@pytest.fixture
def pinned_clock() -> Iterator[ManualClock]:
    with clock.use_clock(ManualClock(NOW)) as manual:
        assert isinstance(manual, ManualClock)
        yield manual


@pytest.fixture
def day_settings(simulated_day: str, cache_url: str | None, tmp_path: Path) -> Settings:
    return load_settings(
        marketedge_env="test",
        database_url=simulated_day,
        redis_url=cache_url,
        scheduler_enabled=False,
        health_cache_seconds=0,
        frontend_dist=tmp_path / "no-ui",
        cache_prefix=f"t{uuid.uuid4().hex[:12]}:",
    )


@pytest.fixture
async def day_app(day_settings: Settings, pinned_clock: ManualClock) -> AsyncIterator[FastAPI]:
    application = create_app(day_settings)
    # These tests are about the data: every request reads as a signed-in viewer. Who may call each route
    # is tested in tests/auth (test_route_table.py).
    application.dependency_overrides[require(Role.viewer)] = lambda: as_viewer()
    async with running(application):
        yield application


@pytest.fixture
async def day_client(day_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=day_app), base_url="http://testserver"
    ) as http:
        yield http


async def store_minute_after_last(application: FastAPI, offset: int, spot: float = 26000.0) -> MinuteStored:
    """Store NIFTY's minute LAST + offset (database, then cache) as the minute job would, and say what to
    announce: the caller publishes it on the bus or bumps the hot path. Undo with drop_minutes_after_last."""
    from marketedge.chain import store
    from tests.factories import make_chain

    runtime = application.state.runtime
    selected = await application.state.market_data.select("NIFTY", None, None)
    minute = LAST + timedelta(minutes=offset)
    async with runtime.db.sessions() as session:
        _, payload = await store.write_minute(
            session, "NIFTY", selected.expiry, make_chain(minute, spot=spot)
        )
        await session.commit()
    await runtime.cache.put("NIFTY", selected.expiry, minute, payload)
    return MinuteStored("NIFTY", selected.expiry, minute)


async def drop_minutes_after_last(application: FastAPI) -> None:
    """Leave the shared day as it was."""
    from sqlalchemy import delete

    from marketedge.models import ChainMinuteRecord

    async with application.state.runtime.db.sessions() as session:
        await session.execute(delete(ChainMinuteRecord).where(ChainMinuteRecord.minute > LAST))
        await session.commit()
