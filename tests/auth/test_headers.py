"""Security headers on UI and API answers, HSTS only over HTTPS, trusted hosts, body size limit, CORS
allow-list, proxy headers only from trusted proxies, and the API docs behind sign-in."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI

from marketedge.app import create_app
from marketedge.auth.security_headers import CONTENT_SECURITY_POLICY
from marketedge.core.config import Settings
from marketedge.core.db import Database
from tests.auth_fixtures import SignedIn, client_for, make_user
from tests.conftest import running

EXPECTED_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)


@pytest.fixture
async def custom_app(settings: Settings, tmp_path: Path) -> AsyncIterator[callable]:  # type: ignore[valid-type]
    """Build an app with some settings changed (and a tiny built UI)."""
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text("<!doctype html><title>Market Edge</title>")
    (dist / "assets" / "app.js").write_text("console.log('ui')")
    managers: list[LifespanManager] = []

    async def build(**changes: object) -> FastAPI:
        application = create_app(settings.model_copy(update={"frontend_dist": dist, **changes}))
        manager = running(application)
        await manager.__aenter__()
        managers.append(manager)
        return application

    yield build
    for manager in managers:
        await manager.__aexit__(None, None, None)


def assert_security_headers(response: httpx.Response) -> None:
    assert response.headers["content-security-policy"] == EXPECTED_CSP
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert response.headers["x-frame-options"] == "DENY"


async def test_ui_and_api_answers_carry_the_security_headers(custom_app) -> None:  # type: ignore[no-untyped-def]
    app = await custom_app()
    async with client_for(app) as http:
        for path in ("/", "/tracker", "/assets/app.js", "/health/live", "/api/v1/auth/me", "/api/v1/nothing"):
            response = await http.get(path)
            assert_security_headers(response)
            assert "strict-transport-security" not in response.headers  # plain http
    assert CONTENT_SECURITY_POLICY == EXPECTED_CSP


async def test_hsts_only_over_https(custom_app) -> None:  # type: ignore[no-untyped-def]
    app = await custom_app()
    async with client_for(app, base_url="https://testserver") as http:
        response = await http.get("/health/live")
    assert response.headers["strict-transport-security"].startswith("max-age=31536000")


async def test_proxy_headers_count_only_from_trusted_proxies(custom_app) -> None:  # type: ignore[no-untyped-def]
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    untrusted = await custom_app()
    async with client_for(untrusted) as http:
        assert "strict-transport-security" not in (await http.get("/health/live", headers=forwarded)).headers
    trusted = await custom_app(trusted_proxies=["127.0.0.1"])
    async with client_for(trusted) as http:
        assert "strict-transport-security" in (await http.get("/health/live", headers=forwarded)).headers


async def test_the_client_address_comes_from_a_trusted_proxy_only(custom_app, database: Database) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from marketedge.models.audit import AuditEvent

    app = await custom_app(trusted_proxies=["127.0.0.0/8"])
    user = await make_user(database)
    async with client_for(app) as http:
        await http.post(
            "/api/v1/auth/login",
            json={"email": user.email, "password": "wrong guess"},
            headers={"X-Forwarded-For": "198.51.100.1, 203.0.113.7, 127.0.0.2"},
        )
    async with database.sessions() as session:
        ip = await session.scalar(select(AuditEvent.ip).where(AuditEvent.actor == user.email))
    assert ip == "203.0.113.7"  # the nearest untrusted hop; what the client wrote first is not believed


async def test_unknown_hosts_are_refused(custom_app) -> None:  # type: ignore[no-untyped-def]
    app = await custom_app(trusted_hosts=["marketedge.example.com", "*.preview.example.com"])
    async with client_for(app, base_url="http://marketedge.example.com") as http:
        assert (await http.get("/health/live")).status_code == 200
        assert (
            await http.get("/health/live", headers={"Host": "pr-7.preview.example.com:8443"})
        ).status_code == 200
        bad = await http.get("/health/live", headers={"Host": "evil.example"})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_host"
    assert_security_headers(bad)


async def test_large_bodies_are_refused(custom_app) -> None:  # type: ignore[no-untyped-def]
    app = await custom_app(max_body_bytes=2048)
    big = b'{"email": "' + b"a" * 4096 + b'", "password": "x"}'
    async with client_for(app) as http:
        declared = await http.post(
            "/api/v1/auth/login", content=big, headers={"content-type": "application/json"}
        )
        assert declared.status_code == 413 and declared.json()["error"]["code"] == "payload_too_large"

        async def chunks():  # type: ignore[no-untyped-def]
            for start in range(0, len(big), 512):
                yield big[start : start + 512]

        streamed = await http.post(
            "/api/v1/auth/login", content=chunks(), headers={"content-type": "application/json"}
        )
        assert streamed.status_code == 413 and streamed.json()["error"]["code"] == "payload_too_large"


async def test_cors_answers_only_listed_origins(custom_app) -> None:  # type: ignore[no-untyped-def]
    closed = await custom_app()
    preflight = {"Origin": "https://app.example.com", "Access-Control-Request-Method": "POST"}
    async with client_for(closed) as http:
        answer = await http.options("/api/v1/auth/login", headers=preflight)
        assert "access-control-allow-origin" not in answer.headers
    listed = await custom_app(cors_origins=["https://app.example.com"])
    async with client_for(listed) as http:
        answer = await http.options("/api/v1/auth/login", headers=preflight)
        assert answer.headers["access-control-allow-origin"] == "https://app.example.com"
        assert answer.headers["access-control-allow-credentials"] == "true"
        other = await http.options(
            "/api/v1/auth/login", headers={**preflight, "Origin": "https://evil.example"}
        )
        assert "access-control-allow-origin" not in other.headers


async def test_the_openapi_document_needs_sign_in_and_the_cdn_docs_are_gone(
    client: httpx.AsyncClient, viewer: SignedIn
) -> None:
    assert (await client.get("/openapi.json")).status_code == 401
    schema = await viewer.client.get("/openapi.json")
    assert schema.status_code == 200 and "/api/v1/auth/login" in schema.json()["paths"]
    for path in ("/docs", "/redoc"):
        assert (await viewer.client.get(path)).status_code == 404
