"""Admins edit the universe at runtime; viewers cannot; bad edits are refused and change nothing."""

from __future__ import annotations

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from marketedge.core.db import Database
from marketedge.models import AuditEvent

PATH = "/api/v1/admin/universe"


async def test_an_admin_sets_the_tracked_indices(
    admin_client: httpx.AsyncClient, app: FastAPI, database: Database
) -> None:
    body = {
        "instruments": [
            {"symbol": "banknifty", "expiries_tracked": 1},
            {"symbol": "NIFTY", "expiries_tracked": 3},
        ]
    }
    response = await admin_client.put(PATH, json=body)
    assert response.status_code == 200, response.text
    rows = {r["symbol"]: r for r in response.json()["instruments"]}
    assert rows["BANKNIFTY"]["enabled"] and rows["BANKNIFTY"]["expiries_tracked"] == 1
    assert (
        rows["NIFTY"]["expiries_tracked"] == 3 and rows["BANKNIFTY"]["position"] < rows["NIFTY"]["position"]
    )
    assert all(not r["enabled"] for s, r in rows.items() if s not in ("NIFTY", "BANKNIFTY"))
    assert (await admin_client.get(PATH)).json()["instruments"] == response.json()["instruments"]
    async with database.sessions() as session:
        events = list(
            await session.scalars(select(AuditEvent).where(AuditEvent.action == "universe.changed"))
        )
    assert events and events[-1].target == "BANKNIFTY,NIFTY"


async def test_bad_edits_are_refused_and_change_nothing(admin_client: httpx.AsyncClient) -> None:
    before = (await admin_client.get(PATH)).json()
    for body in (
        {"instruments": [{"symbol": "DOWJONES"}]},
        {"instruments": [{"symbol": "NIFTY"}, {"symbol": "nifty"}]},
        {"instruments": []},
        {"instruments": [{"symbol": "NIFTY", "expiries_tracked": 0}]},
        {"instruments": [{"symbol": "NIFTY", "colour": "red"}]},
        {"nothing": True},
    ):
        response = await admin_client.put(PATH, json=body)
        assert response.status_code == 422, (body, response.text)
        assert response.json()["error"]["message"]
    assert (await admin_client.get(PATH)).json() == before


async def test_viewers_may_not_edit_the_universe(viewer_client: httpx.AsyncClient) -> None:
    assert (await viewer_client.get(PATH)).status_code == 403
    assert (await viewer_client.put(PATH, json={"instruments": [{"symbol": "NIFTY"}]})).status_code == 403
