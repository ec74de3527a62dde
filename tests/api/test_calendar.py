"""The calendar as the app uses it: read from Upstox (the twin), reported by the status answer and readiness,
overridden by an administrator (audited), refused to everyone else."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from marketedge.core import clock
from marketedge.core.clock import ManualClock, ist
from marketedge.core.config import Settings
from marketedge.core.db import Database
from marketedge.models import AuditEvent
from marketedge.twin.server import TwinServer


@pytest.fixture
def moved(twin: TwinServer) -> Iterator[ManualClock]:
    with clock.use_clock(ManualClock(ist(2027, 2, 24, 8, 0))) as manual:
        assert isinstance(manual, ManualClock)
        twin.state.clock.use(manual)
        yield manual
        twin.state.clock.reset()


@pytest.fixture
async def settings(
    settings: Settings, twin: TwinServer, moved: ManualClock, clean_calendar: None
) -> Settings:
    # The clock moves over days here: sessions must outlive it.
    return settings.model_copy(
        update={
            "upstox_base_url": twin.url,
            "session_idle_minutes": 60 * 24 * 30,
            "session_max_hours": 24 * 30,
        }
    )


@pytest.fixture
async def refreshed(app: FastAPI, admin_client: httpx.AsyncClient) -> AsyncIterator[FastAPI]:
    answer = await admin_client.post("/api/v1/admin/calendar/refresh")
    assert answer.status_code == 200, answer.text
    yield app


async def test_a_closure_only_upstox_announced_is_a_holiday_and_nothing_polls(
    refreshed: FastAPI, admin_client: httpx.AsyncClient, moved: ManualClock
) -> None:
    year = (await admin_client.get("/api/v1/admin/calendar", params={"year": 2027})).json()
    assert year["list_source"] == "upstox"
    closure = next(d for d in year["days"] if d["date"] == "2027-02-25")
    assert closure["kind"] == "holiday" and closure["source"] == "upstox" and not closure["trading"]
    republic = next(d for d in year["days"] if d["date"] == "2027-01-26")
    assert not republic["trading"]

    moved.set(ist(2027, 2, 25, 10, 0))
    status = (await admin_client.get("/api/v1/status")).json()
    assert status["market"]["state"] == "holiday"
    assert status["market"]["holiday"].startswith("Special closure")
    assert status["market"]["calendar"]["source"] == "upstox" and status["market"]["calendar"]["confirmed"]
    assert status["market"]["next_open"] == "2027-02-26T09:15:00+05:30"
    runtime = refreshed.state.runtime
    result = await runtime.job.run()
    assert result.status == "skipped" and result.error == "market closed"
    trigger = await admin_client.post("/api/v1/admin/ingest/run")
    assert trigger.json()["status"] == "market_closed"

    moved.set(ist(2027, 2, 26, 10, 0))
    assert (await admin_client.get("/api/v1/status")).json()["market"]["state"] == "open"


async def test_an_administrator_overrides_a_day_and_it_is_audited(
    refreshed: FastAPI, admin_client: httpx.AsyncClient, database: Database, moved: ManualClock
) -> None:
    body = {"state": "open", "open": "09:15", "close": "15:30", "description": "the exchange reopened"}
    answer = await admin_client.put("/api/v1/admin/calendar/2027-02-25", json=body)
    assert answer.status_code == 200, answer.text
    assert answer.json()["source"] == "operator" and answer.json()["trading"]
    moved.set(ist(2027, 2, 25, 10, 0))
    status = (await admin_client.get("/api/v1/status")).json()
    assert status["market"]["state"] == "open" and status["market"]["calendar"]["source"] == "operator"

    assert (await admin_client.delete("/api/v1/admin/calendar/2027-02-25")).status_code == 204
    assert (await admin_client.delete("/api/v1/admin/calendar/2027-02-25")).status_code == 404
    assert not refreshed.state.runtime.calendar.is_trading_day(ist(2027, 2, 25).date())
    async with database.sessions() as session:
        actions = list(
            await session.scalars(
                select(AuditEvent.action).where(AuditEvent.target == "2027-02-25").order_by(AuditEvent.id)
            )
        )
    assert actions[-2:] == ["calendar.set", "calendar.unset"]


@pytest.mark.parametrize(
    ("path", "body", "names"),
    [
        ("/api/v1/admin/calendar/2027-02-30", {"state": "closed"}, "day"),
        ("/api/v1/admin/calendar/tomorrow", {"state": "closed"}, "day"),
        ("/api/v1/admin/calendar/2027-03-01", {"state": "open"}, "hours"),
        ("/api/v1/admin/calendar/2027-03-01", {"state": "open", "open": "15:30", "close": "09:15"}, "before"),
        ("/api/v1/admin/calendar/2027-03-01", {"state": "closed", "open": "09:15"}, "no hours"),
        ("/api/v1/admin/calendar/2027-03-01", {"state": "open", "open": "9am", "close": "15:30"}, "open"),
        ("/api/v1/admin/calendar/2027-03-01", {"state": "maybe"}, "state"),
        ("/api/v1/admin/calendar/2027-03-01", {"state": "closed", "extra": 1}, "extra"),
        ("/api/v1/admin/calendar/1999-03-01", {"state": "closed"}, "year"),
    ],
)
async def test_bad_overrides_are_refused_with_what_was_wrong(
    refreshed: FastAPI,
    admin_client: httpx.AsyncClient,
    path: str,
    body: dict,
    names: str,  # type: ignore[type-arg]
) -> None:
    answer = await admin_client.put(path, json=body)
    assert answer.status_code == 422, answer.text
    assert names in answer.text
    assert refreshed.state.runtime.calendar.days(1999) == []


async def test_viewers_may_not_touch_the_calendar(app: FastAPI, viewer_client: httpx.AsyncClient) -> None:
    assert (await viewer_client.get("/api/v1/admin/calendar")).status_code == 403
    answer = await viewer_client.put("/api/v1/admin/calendar/2027-03-01", json={"state": "closed"})
    assert answer.status_code == 403
    assert app.state.runtime.calendar.is_trading_day(ist(2027, 3, 1).date())


async def test_readiness_warns_when_the_days_ahead_are_not_confirmed(
    app: FastAPI, client: httpx.AsyncClient, moved: ManualClock
) -> None:
    # Nothing read from Upstox: 2027 is only the provisional bundled list.
    check = (await client.get("/health/ready")).json()["checks"]["calendar"]
    assert check["status"] == "warn" and "2027: provisional list only" in check["detail"]
    moved.set(ist(2028, 1, 10, 8, 0))  # a year nobody has a list for
    check = (await client.get("/health/ready")).json()["checks"]["calendar"]
    assert check["status"] == "warn" and "2028: no list, weekdays assumed to trade" in check["detail"]
    status = (await client.get("/health/ready")).status_code
    assert status == 200  # a warning, not unready
