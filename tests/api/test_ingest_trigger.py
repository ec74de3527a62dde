"""POST /api/v1/admin/ingest/run over HTTP: admins and admins' keys with the ingest scope; others refused."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from marketedge.auth.roles import Role, Scope
from tests.auth_fixtures import api_key_for, client_for, make_user, sign_in

PATH = "/api/v1/admin/ingest/run"


async def test_an_ingest_key_runs_the_minute_and_viewers_cannot(app: FastAPI) -> None:
    admin = await make_user(app.state.db, Role.admin)
    key = await api_key_for(app.state.db, admin, [Scope.ingest])
    async with client_for(app, headers={"Authorization": f"Bearer {key}"}) as http:
        answer = await http.post(PATH)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    # The test app has no Upstox token (and the clock may be outside the session): nothing is polled.
    assert body["status"] in ("market_closed", "no_token") and body["minute"]
    assert answer.headers["cache-control"] == "no-store"
    viewer = await sign_in(app, app.state.db, Role.viewer)
    async with viewer.client:
        assert (await viewer.client.post(PATH)).status_code == 403
    async with client_for(app) as anonymous:
        assert (await anonymous.post(PATH)).status_code == 401


async def test_a_read_key_of_an_admin_may_not_trigger(app: FastAPI) -> None:
    admin = await make_user(app.state.db, Role.admin)
    key = await api_key_for(app.state.db, admin, [Scope.read])
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://testserver",
        headers={"Authorization": f"Bearer {key}"},
    ) as http:
        assert (await http.post(PATH)).status_code == 403
