"""DISPLAY_DELAY_MINUTES: nothing newer than now − N minutes leaves the API (tracker, chain, strike, latest)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI

from marketedge.analytics.service import MarketData
from marketedge.auth.roles import Role
from marketedge.cache import MemoryBackend, MinuteCache
from marketedge.chain.calendar import TradingCalendar
from marketedge.chain.store import load_day
from marketedge.core import clock
from marketedge.core.clock import ManualClock, ist
from marketedge.core.config import load_settings, normalise_database_url
from marketedge.core.db import Database
from tests.auth_fixtures import sign_in
from tests.conftest import running

NOW = ist(2026, 11, 25, 9, 31, 20)  # the stored morning runs 09:15–09:29


async def _market_data(url: str, delay: int) -> tuple[MarketData, Database]:
    database = Database(normalise_database_url(url))

    async def loader(symbol, expiry, day, after):  # type: ignore[no-untyped-def]
        async with database.sessions() as session:
            return await load_day(session, symbol, expiry, day, after)

    calendar = TradingCalendar.bundled()
    cache = MinuteCache(MemoryBackend(), loader, calendar)
    return MarketData(database, cache, calendar, display_delay_minutes=delay), database


@pytest.mark.parametrize(
    ("delay", "now", "latest"),
    [
        (0, NOW, ist(2026, 11, 25, 9, 29)),
        (5, NOW, ist(2026, 11, 25, 9, 26)),
        (15, NOW, ist(2026, 11, 25, 9, 16)),
        (5, ist(2026, 11, 25, 9, 40), ist(2026, 11, 25, 9, 29)),  # all of it is old enough
    ],
)
async def test_the_newest_minute_served_is_capped_at_now_minus_the_delay(
    stored_day: str, delay: int, now: object, latest: object
) -> None:
    service, database = await _market_data(stored_day, delay)
    try:
        with clock.use_clock(ManualClock(now)):  # type: ignore[arg-type]
            selected = await service.select("NIFTY", None, None)
            again = await service.select("NIFTY", None, None)
    finally:
        await database.dispose()
    assert selected.frame.minutes[-1] == latest
    assert selected.frame.minutes[0] == ist(2026, 11, 25, 9, 15)
    assert len(selected.frame.epoch_minutes) == len(selected.frame) == selected.frame.values.shape[0]
    assert again.frame is selected.frame  # the same cut is reused within the minute (its derived arrays too)


async def test_a_session_younger_than_the_delay_has_nothing_to_show(stored_day: str) -> None:
    service, database = await _market_data(stored_day, 30)
    try:
        with clock.use_clock(ManualClock(NOW)):
            selected = await service.select("NIFTY", None, None)
            assert len(selected.frame) == 0
    finally:
        await database.dispose()


@pytest.fixture
async def delayed_app(stored_day: str, tmp_path: Path) -> AsyncIterator[FastAPI]:
    settings = load_settings(
        marketedge_env="test",
        database_url=stored_day,
        scheduler_enabled=False,
        health_cache_seconds=0,
        frontend_dist=tmp_path / "no-ui",
        cache_prefix=f"t{uuid.uuid4().hex[:12]}:",
        display_delay_minutes=10,
    )
    with clock.use_clock(ManualClock(NOW)):
        from marketedge.app import create_app

        application = create_app(settings)
        async with running(application):
            yield application


async def test_the_api_serves_the_delayed_view(delayed_app: FastAPI) -> None:
    viewer = await sign_in(delayed_app, delayed_app.state.db, Role.viewer)
    cutoff = (NOW - timedelta(minutes=10)).replace(second=0)  # 09:21
    async with viewer.client as http:
        summary = (await http.get("/api/v1/greeks/summary", params={"instrument": "NIFTY"})).json()
        assert summary["latest_minute"] == cutoff.isoformat()
        assert summary["minutes"][-1] == cutoff.isoformat()
        late = await http.get("/api/v1/greeks/summary", params={"instrument": "NIFTY", "to": "09:29"})
        assert late.json()["minutes"][-1] == cutoff.isoformat()
        chain = (await http.get("/api/v1/chain", params={"instrument": "NIFTY", "at": "09:29"})).json()
        assert chain["minute"] == cutoff.isoformat()
        assert chain["minutes_stored"][-1] == cutoff.isoformat()
        assert all(m <= cutoff.isoformat() for m in chain["minutes_stored"])
        strike = chain["strikes"][len(chain["strikes"]) // 2]
        one = await http.get(
            "/api/v1/greeks/strike", params={"instrument": "NIFTY", "strike": strike, "side": "CE"}
        )
        assert one.json()["minutes"][-1] == cutoff.isoformat()
        csv = await http.get("/api/v1/greeks/summary", params={"instrument": "NIFTY", "format": "csv"})
        assert csv.text.strip().splitlines()[-1].startswith(cutoff.isoformat())
        assert "09:29" not in csv.text and "09:22" not in csv.text

        # A minute later, one more minute is shown (and no more).
        assert isinstance(clock.current(), ManualClock)
        clock.current().set(NOW + timedelta(minutes=1))  # type: ignore[attr-defined]
        later = (await http.get("/api/v1/greeks/summary", params={"instrument": "NIFTY"})).json()
        assert later["latest_minute"] == (cutoff + timedelta(minutes=1)).isoformat()
