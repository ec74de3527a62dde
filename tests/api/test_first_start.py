"""The app started for the first time at 10:30 (a first deploy, or the free host waking late), nothing stored:
its catch-up fills the day from 09:15, so the headline "change since 09:15" is measured from 09:15."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI

from marketedge.app import create_app
from marketedge.auth.roles import Role
from marketedge.broker.lifetimes import TokenKind, TokenSource
from marketedge.core import clock
from marketedge.core.clock import ManualClock, ist
from marketedge.core.config import load_settings, normalise_database_url
from marketedge.core.db import Database
from marketedge.models import migrate
from marketedge.runtime import Runtime
from marketedge.twin.server import TwinServer
from tests.auth_fixtures import sign_in
from tests.conftest import drop_postgres_database, fresh_postgres_database, running

WOKE = ist(2026, 11, 25, 10, 30, 2)


@pytest.fixture
def new_database(tmp_path: Path) -> Iterator[str]:
    """An empty, migrated database: this deployment has never run."""
    wanted = os.environ.get("TEST_DATABASE_URL")
    if wanted and normalise_database_url(wanted).startswith("postgresql"):
        url, name = fresh_postgres_database(wanted)
        migrate.upgrade(normalise_database_url(url))
        yield url
        drop_postgres_database(wanted, name)
    else:
        url = f"sqlite:///{tmp_path / 'first.db'}"
        migrate.upgrade(normalise_database_url(url))
        yield url


@pytest.fixture
async def first_app(
    new_database: str, twin: TwinServer, cache_url: str | None, tmp_path: Path
) -> AsyncIterator[FastAPI]:
    settings = load_settings(
        marketedge_env="test",
        database_url=new_database,
        redis_url=cache_url,
        cache_prefix=f"t{uuid.uuid4().hex[:12]}:",
        frontend_dist=tmp_path / "no-ui",
        scheduler_enabled=False,
        upstox_base_url=twin.url,
        # Upstox's limits and the catch-up's pace have their own test (tests/ingest/test_catch_up.py): here the
        # twin and the app both lift them, so the whole morning is filled in seconds.
        upstox_rate_limits="100000/1s",
    )
    twin.state.configure(rate_per_second=None, rate_per_minute=None, rate_per_30_minutes=None)
    with clock.use_clock(ManualClock(WOKE)) as moved:
        twin.state.clock.use(moved)
        application = create_app(settings)
        async with running(application):
            yield application
        twin.state.clock.reset()


async def test_a_first_start_at_1030_has_its_baseline_at_0915(first_app: FastAPI, twin: TwinServer) -> None:
    runtime: Runtime = first_app.state.runtime
    await runtime.tokens.accept(
        twin.state.mint_token("analytics"), TokenKind.analytics, TokenSource.paste, "t"
    )
    report = await runtime.catch_up()
    assert report is not None and not report.errors
    assert report.filled and all(n == 75 for n in report.filled.values())  # 09:15 … 10:29, every target
    database: Database = runtime.db
    viewer = await sign_in(first_app, database, Role.viewer)
    async with viewer.client as http:
        answer = await http.get("/api/v1/greeks/summary", params={"instrument": "NIFTY"})
        assert answer.status_code == 200, answer.text
        body = answer.json()
        today = (await http.get("/api/v1/status")).json()["today"]
    # The status page says the morning was filled afterwards, and shows no gap.
    assert today["backfilled"] == 75 and today["gaps"] == [] and today["runs"] == 0
    assert body["baseline"]["minute"] == "2026-11-25T09:15:00+05:30"
    assert body["baseline"]["late_by_minutes"] == 0
    assert body["minutes"][0] == "2026-11-25T09:15:00+05:30" and len(body["minutes"]) == 75
    assert None not in body["series"]["net"]["delta"]["level"]  # no gap left in the morning
