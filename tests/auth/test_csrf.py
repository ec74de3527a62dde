"""State-changing requests with a session cookie need the CSRF token and a same-site origin; API keys don't."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from marketedge.auth.roles import Role, Scope
from marketedge.core.db import Database
from tests.auth_fixtures import STRONG_PASSWORD, SignedIn, api_key_for, client_for, make_user


def refused(response: httpx.Response, reason: str) -> None:
    assert response.status_code == 403, response.text
    assert response.json()["error"]["details"]["reason"] == reason


async def test_a_cookie_request_without_the_token_is_refused(viewer: SignedIn) -> None:
    del viewer.client.headers["X-CSRF-Token"]
    refused(await viewer.client.post("/api/v1/auth/logout"), "csrf")
    refused(await viewer.client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": "forged"}), "csrf")
    assert (await viewer.client.get("/api/v1/auth/me")).status_code == 200  # reads need no token
    ok = await viewer.client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": viewer.csrf})
    assert ok.status_code == 204


async def test_a_token_of_another_session_is_refused(
    app: FastAPI, database: Database, viewer: SignedIn
) -> None:
    from tests.auth_fixtures import sign_in

    other = await sign_in(app, database)
    await other.client.aclose()
    refused(await viewer.client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": other.csrf}), "csrf")


async def test_a_cross_site_request_is_refused_even_with_the_token(viewer: SignedIn) -> None:
    evil = {"Origin": "https://evil.example"}
    refused(await viewer.client.post("/api/v1/auth/logout", headers=evil), "origin")
    refused(
        await viewer.client.post("/api/v1/auth/logout", headers={"Sec-Fetch-Site": "cross-site"}),
        "sec-fetch-site",
    )
    same = await viewer.client.post(
        "/api/v1/auth/logout", headers={"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"}
    )
    assert same.status_code == 204


async def test_sign_in_from_another_site_is_refused(app: FastAPI, database: Database) -> None:
    user = await make_user(database)
    async with client_for(app) as http:
        response = await http.post(
            "/api/v1/auth/login",
            json={"email": user.email, "password": STRONG_PASSWORD},
            headers={"Origin": "https://evil.example"},
        )
    refused(response, "origin")


async def test_bearer_api_key_requests_are_exempt(app: FastAPI, database: Database) -> None:
    user = await make_user(database, Role.admin)
    key = await api_key_for(database, user, [Scope.admin])
    async with client_for(app, headers={"Authorization": f"Bearer {key}"}) as http:
        response = await http.patch(f"/api/v1/admin/users/{user.id}", json={"role": "admin"})
    assert response.status_code == 200, response.text
