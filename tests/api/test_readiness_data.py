"""Readiness reports how old the last stored minute is, and warns when the session goes stale."""

from __future__ import annotations

from datetime import timedelta

import httpx

from marketedge.core.clock import ManualClock
from tests.api.conftest import LAST


async def test_last_minute_age_during_the_session(
    day_client: httpx.AsyncClient, pinned_clock: ManualClock
) -> None:
    body = (await day_client.get("/health/ready")).json()
    assert body["checks"]["last_minute"] == {
        "status": "ok",
        "detail": "last minute 2026-11-25 10:15 IST (1 min ago)",
    }
    pinned_clock.set(LAST + timedelta(minutes=9))
    stale = await day_client.get("/health/ready")
    assert stale.status_code == 200, "stale data warns; it does not make the app unready"
    assert stale.json()["checks"]["last_minute"]["status"] == "warn"
    assert "9 minutes ago" in stale.json()["checks"]["last_minute"]["detail"]
