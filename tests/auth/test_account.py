"""Your own account: API keys (shown once, hashed, scoped, revocable), your data download, deleting it."""

from __future__ import annotations

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from marketedge.auth.api_keys import key_hash
from marketedge.auth.roles import Role
from marketedge.core.db import Database
from marketedge.models.user import ApiKey, User
from tests.auth_fixtures import STRONG_PASSWORD, SignedIn, client_for, sign_in


async def test_an_api_key_is_shown_once_stored_hashed_and_revocable(
    viewer: SignedIn, app: FastAPI, database: Database
) -> None:
    http = viewer.client
    created = await http.post("/api/v1/account/api-keys", json={"name": "my script"})
    assert created.status_code == 201, created.text
    key = created.json()["key"]
    assert key.startswith("me_") and created.json()["scopes"] == ["read"]
    listed = (await http.get("/api/v1/account/api-keys")).json()
    assert listed[0]["prefix"] == key[:10] and "key" not in listed[0]
    async with database.sessions() as session:
        stored = await session.scalar(select(ApiKey).where(ApiKey.user_id == viewer.user.id))
    assert stored is not None and stored.key_hash == key_hash(key) and key not in str(stored.__dict__)

    async with client_for(app, headers={"Authorization": f"Bearer {key}"}) as keyed:
        me = await keyed.get("/api/v1/auth/me")
        assert me.status_code == 200 and me.json()["via"] == "api_key" and me.json()["csrf_token"] is None
        # A key cannot manage keys, change the password or delete the account.
        assert (await keyed.post("/api/v1/account/api-keys", json={"name": "x"})).status_code == 403
        assert (await keyed.get("/api/v1/account/export")).status_code == 403
        revoked = await http.delete(f"/api/v1/account/api-keys/{stored.id}")
        assert revoked.status_code == 204
        assert (await keyed.get("/api/v1/auth/me")).status_code == 401
    assert (await http.delete(f"/api/v1/account/api-keys/{stored.id + 10_000}")).status_code == 404


async def test_key_scopes_follow_the_role(app: FastAPI, database: Database) -> None:
    viewer = await sign_in(app, database, Role.viewer)
    admin = await sign_in(app, database, Role.admin)
    async with viewer.client, admin.client:
        refused = await viewer.client.post(
            "/api/v1/account/api-keys", json={"name": "x", "scopes": ["admin"]}
        )
        assert refused.status_code == 403
        ingest = await admin.client.post(
            "/api/v1/account/api-keys", json={"name": "cron", "scopes": ["ingest"]}
        )
        assert ingest.status_code == 201
        read_only = await admin.client.post("/api/v1/account/api-keys", json={"name": "ro"})
    async with client_for(app, headers={"Authorization": f"Bearer {ingest.json()['key']}"}) as keyed:
        assert (await keyed.get("/api/v1/admin/users")).status_code == 403  # ingest scope is not admin
    async with client_for(app, headers={"Authorization": f"Bearer {read_only.json()['key']}"}) as keyed:
        assert (await keyed.get("/api/v1/admin/users")).status_code == 403  # an admin's read key reads only
        assert (await keyed.get("/api/v1/auth/me")).status_code == 200


async def test_a_malformed_or_unknown_key_is_401(client: httpx.AsyncClient) -> None:
    for header in ("Bearer me_" + "x" * 43, "Bearer nope", "Basic dXNlcjpwYXNz", "Bearer"):
        answer = await client.get("/api/v1/auth/me", headers={"Authorization": header})
        assert answer.status_code == 401, header


async def test_a_person_downloads_their_data(viewer: SignedIn) -> None:
    await viewer.client.post("/api/v1/account/api-keys", json={"name": "export me"})
    answer = await viewer.client.get("/api/v1/account/export")
    assert answer.status_code == 200
    data = answer.json()
    assert data["user"]["email"] == viewer.user.email
    assert [k["name"] for k in data["api_keys"]] == ["export me"]
    assert data["sessions"] and "id" not in data["sessions"][0]
    assert any(e["action"] == "api_key.created" for e in data["audit_events"])
    assert viewer.token not in answer.text and viewer.csrf not in answer.text


async def test_a_person_deletes_their_account(app: FastAPI, database: Database) -> None:
    signed = await sign_in(app, database)
    async with signed.client as http:
        wrong = await http.request("DELETE", "/api/v1/account", json={"password": "not it"})
        assert wrong.status_code == 400
        gone = await http.request("DELETE", "/api/v1/account", json={"password": STRONG_PASSWORD})
        assert gone.status_code == 204
        assert (await http.get("/api/v1/auth/me")).status_code == 401
    async with database.sessions() as session:
        assert await session.get(User, signed.user.id) is None
