"""Sign-in sets a hardened cookie; sessions end on logout, password change, disable, idle and absolute expiry."""

from __future__ import annotations

from datetime import timedelta

import httpx
from fastapi import FastAPI

from marketedge.auth.roles import Role
from marketedge.core import clock
from marketedge.core.clock import ManualClock
from marketedge.core.db import Database
from tests.auth_fixtures import STRONG_PASSWORD, client_for, make_user, sign_in


async def login(http: httpx.AsyncClient, email: str, password: str = STRONG_PASSWORD) -> httpx.Response:
    return await http.post("/api/v1/auth/login", json={"email": email, "password": password})


def set_cookie_headers(response: httpx.Response) -> dict[str, str]:
    return {h.split("=", 1)[0]: h for h in response.headers.get_list("set-cookie")}


async def test_login_sets_an_httponly_samesite_cookie_and_answers_the_csrf_token(
    app: FastAPI, database: Database
) -> None:
    user = await make_user(database)
    async with client_for(app) as http:
        response = await login(http, user.email.upper())
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["user"]["email"] == user.email and body["via"] == "session"
        cookies = set_cookie_headers(response)
        session_cookie = cookies["me_session"].lower()
        assert (
            "httponly" in session_cookie and "samesite=lax" in session_cookie and "path=/" in session_cookie
        )
        assert "secure" not in session_cookie  # plain http here
        assert "httponly" not in cookies["me_csrf"].lower()  # the UI reads it
        assert http.cookies["me_csrf"] == body["csrf_token"]
        assert response.headers["cache-control"] == "no-store"
        me = await http.get("/api/v1/auth/me")
        assert me.status_code == 200
        assert me.json()["csrf_token"] == body["csrf_token"]


async def test_the_cookie_is_secure_over_https(app: FastAPI, database: Database) -> None:
    user = await make_user(database)
    async with client_for(app, base_url="https://testserver") as http:
        response = await login(http, user.email)
    assert response.status_code == 200
    assert "secure" in set_cookie_headers(response)["me_session"].lower()


async def test_wrong_password_and_unknown_email_answer_alike(app: FastAPI, database: Database) -> None:
    user = await make_user(database)
    async with client_for(app) as http:
        wrong = await login(http, user.email, "not the password at all")
        unknown = await login(http, "nobody-here@example.com")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["error"]["message"] == unknown.json()["error"]["message"]
    assert "me_session" not in wrong.headers.get("set-cookie", "")


async def test_a_disabled_user_cannot_sign_in(app: FastAPI, database: Database) -> None:
    user = await make_user(database)
    admin = await sign_in(app, database, Role.admin)
    async with admin.client:
        assert (
            await admin.client.patch(f"/api/v1/admin/users/{user.id}", json={"is_active": False})
        ).status_code == 200
    async with client_for(app) as http:
        assert (await login(http, user.email)).status_code == 401


async def test_logout_revokes_the_session(app: FastAPI, database: Database) -> None:
    signed = await sign_in(app, database)
    async with signed.client as http:
        assert (await http.get("/api/v1/auth/me")).status_code == 200
        response = await http.post("/api/v1/auth/logout")
        assert response.status_code == 204
        assert (
            'me_session=""' in response.headers["set-cookie"] or "Max-Age=0" in response.headers["set-cookie"]
        )
    async with client_for(app) as replay:  # the old token, replayed
        replay.cookies.set("me_session", signed.token)
        assert (await replay.get("/api/v1/auth/me")).status_code == 401


async def test_sessions_expire_when_idle_and_at_the_absolute_limit(app: FastAPI, database: Database) -> None:
    settings = app.state.security.settings
    manual = ManualClock(clock.now())
    with clock.use_clock(manual):
        signed = await sign_in(app, database)
        async with signed.client as http:
            manual.advance(timedelta(minutes=settings.session_idle_minutes - 1))
            assert (await http.get("/api/v1/auth/me")).status_code == 200  # activity keeps it alive
            manual.advance(timedelta(minutes=settings.session_idle_minutes - 1))
            assert (await http.get("/api/v1/auth/me")).status_code == 200
            manual.advance(timedelta(minutes=settings.session_idle_minutes))
            assert (await http.get("/api/v1/auth/me")).status_code == 401  # idle too long

        busy = await sign_in(app, database)
        async with busy.client as http:
            deadline = manual.now() + timedelta(hours=settings.session_max_hours)
            while manual.now() + timedelta(minutes=30) < deadline:
                manual.advance(timedelta(minutes=30))
                assert (await http.get("/api/v1/auth/me")).status_code == 200
            manual.set(deadline)
            assert (await http.get("/api/v1/auth/me")).status_code == 401  # never past the absolute limit


async def test_a_password_change_ends_every_other_session(app: FastAPI, database: Database) -> None:
    user = await make_user(database)
    first = await sign_in(app, database, user=user)
    second = await sign_in(app, database, user=user)
    async with first.client, second.client:
        response = await first.client.post(
            "/api/v1/auth/password",
            json={"current_password": STRONG_PASSWORD, "new_password": "a brand new long passphrase"},
        )
        assert response.status_code == 204, response.text
        assert (await first.client.get("/api/v1/auth/me")).status_code == 200
        assert (await second.client.get("/api/v1/auth/me")).status_code == 401
    async with client_for(app) as http:
        assert (await login(http, user.email)).status_code == 401
        assert (await login(http, user.email, "a brand new long passphrase")).status_code == 200


async def test_a_password_change_needs_the_current_password_and_a_good_new_one(
    app: FastAPI, viewer_client: httpx.AsyncClient
) -> None:
    wrong = await viewer_client.post(
        "/api/v1/auth/password",
        json={"current_password": "nope", "new_password": "a brand new long passphrase"},
    )
    assert wrong.status_code == 400 and wrong.json()["error"]["code"] == "wrong_password"
    weak = await viewer_client.post(
        "/api/v1/auth/password", json={"current_password": STRONG_PASSWORD, "new_password": "Password123!"}
    )
    assert weak.status_code == 422 and "common" in weak.json()["error"]["message"]


async def test_disabling_a_user_ends_their_sessions(app: FastAPI, database: Database) -> None:
    signed = await sign_in(app, database)
    admin = await sign_in(app, database, Role.admin)
    async with signed.client, admin.client:
        assert (await signed.client.get("/api/v1/auth/me")).status_code == 200
        await admin.client.patch(f"/api/v1/admin/users/{signed.user.id}", json={"is_active": False})
        assert (await signed.client.get("/api/v1/auth/me")).status_code == 401
        await admin.client.patch(f"/api/v1/admin/users/{signed.user.id}", json={"is_active": True})
        assert (await signed.client.get("/api/v1/auth/me")).status_code == 401  # re-enabling revives nothing


async def test_an_invited_user_must_change_the_one_time_password_first(
    app: FastAPI, database: Database
) -> None:
    admin = await sign_in(app, database, Role.admin)
    async with admin.client:
        invite = await admin.client.post(
            "/api/v1/admin/users/invite", json={"email": "Invitee-x1@Example.com"}
        )
    assert invite.status_code == 201, invite.text
    one_time = invite.json()["one_time_password"]
    async with client_for(app) as http:
        signed = await login(http, "invitee-x1@example.com", one_time)
        assert signed.status_code == 200
        assert signed.json()["user"]["must_change_password"] is True
        http.headers["X-CSRF-Token"] = signed.json()["csrf_token"]
        blocked = await http.get("/api/v1/account/api-keys")
        assert (
            blocked.status_code == 403
            and blocked.json()["error"]["details"]["reason"] == "password_change_required"
        )
        changed = await http.post(
            "/api/v1/auth/password",
            json={"current_password": one_time, "new_password": "my own long passphrase"},
        )
        assert changed.status_code == 204
        # Then the consent screen (CONSENT_REQUIRED): a new person has accepted nothing yet.
        asked = await http.get("/api/v1/account/api-keys")
        assert asked.status_code == 403 and asked.json()["error"]["details"]["reason"] == "consent_required"
        required = (await http.get("/api/v1/account/consent")).json()["required"]
        assert (await http.post("/api/v1/account/consent", json=required)).status_code == 200
        assert (await http.get("/api/v1/account/api-keys")).status_code == 200


class _GrantMemory:
    """Stands in for the market-data hot path's memory of accepted credentials (api/hot.py)."""

    def __init__(self) -> None:
        self.forgotten = 0

    def forget_grants(self) -> None:
        self.forgotten += 1


async def test_every_revocation_makes_remembered_credentials_forgotten(
    app: FastAPI, database: Database
) -> None:
    memory = _GrantMemory()
    app.state.hot = memory
    signed = await sign_in(app, database)
    admin = await sign_in(app, database, Role.admin)
    async with signed.client as http, admin.client:
        key = (await http.post("/api/v1/account/api-keys", json={"name": "k"})).json()
        assert memory.forgotten == 0
        await http.delete(f"/api/v1/account/api-keys/{key['id']}")
        assert memory.forgotten == 1
        await http.post(
            "/api/v1/auth/password",
            json={"current_password": STRONG_PASSWORD, "new_password": "a brand new long passphrase"},
        )
        assert memory.forgotten == 2
        await admin.client.patch(f"/api/v1/admin/users/{signed.user.id}", json={"role": "admin"})
        assert memory.forgotten == 2  # a role change revokes nothing
        await http.post("/api/v1/auth/logout")
        assert memory.forgotten == 3
        await admin.client.patch(f"/api/v1/admin/users/{signed.user.id}", json={"is_active": False})
        assert memory.forgotten == 4
        await admin.client.delete(f"/api/v1/admin/users/{signed.user.id}")
        assert memory.forgotten == 5
