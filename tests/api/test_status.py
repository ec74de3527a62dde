"""The status answer over the simulated morning: market open, fresh data, the gap explained."""

from __future__ import annotations

import httpx


async def test_status_explains_the_morning(day_client: httpx.AsyncClient) -> None:
    response = await day_client.get("/api/v1/status")
    assert response.status_code == 200
    body = response.json()
    assert body["market"]["state"] == "open"
    assert body["market"]["session"]["open"] == "2026-11-25T09:15:00+05:30"
    assert body["data"] == {
        "last_minute": "2026-11-25T10:15:00+05:30",
        "age_minutes": 1,
        "expected_minute": "2026-11-25T10:16:00+05:30",
        "fresh": True,
    }
    assert body["today"]["ok"] == 58 and body["today"]["failed"] == 0
    assert body["today"]["gaps"] == [
        {
            "from": "2026-11-25T09:40:00+05:30",
            "to": "2026-11-25T09:42:00+05:30",
            "minutes": 3,
            "reason": "no run (the app was not polling)",
        }
    ]
    assert body["poller"]["paused_for_token"] is False
    assert (await day_client.get("/api/v1/status", params={"x": 1})).status_code == 422
