"""DPDP consent: the legal texts are public and versioned; a person accepts the versions they read, can see and
withdraw that consent (signed out everywhere, keys revoked); with CONSENT_REQUIRED nothing else works before."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from marketedge.app import create_app
from marketedge.auth import legal
from marketedge.auth.roles import Role, Scope
from marketedge.core.config import Settings
from marketedge.models import AuditEvent
from tests.auth_fixtures import api_key_for, client_for, sign_in
from tests.conftest import running


@pytest.fixture
async def gated_app(settings: Settings) -> AsyncIterator[FastAPI]:
    application = create_app(
        settings.model_copy(
            update={
                "consent_required": True,
                "legal_operator": "Example Traders LLP",
                "legal_contact": "privacy@example.com",
            }
        )
    )
    async with running(application):
        yield application


async def test_the_legal_texts_are_public_versioned_and_name_the_operator(gated_app: FastAPI) -> None:
    async with client_for(gated_app) as anonymous:
        listed = await anonymous.get("/api/v1/legal")
        assert listed.status_code == 200
        names = {d["name"]: d["version"] for d in listed.json()["documents"]}
        assert set(names) == {"privacy", "terms", "disclaimer", "accessibility"}
        assert listed.json()["consent_to"] == ["privacy", "terms"]
        for name, version in names.items():
            answer = await anonymous.get(f"/api/v1/legal/{name}")
            assert answer.status_code == 200
            body = answer.json()
            assert body["version"] == version == legal.version(name)
            assert "{operator}" not in body["markdown"] and "{contact}" not in body["markdown"]
            assert "public" in answer.headers["cache-control"]
        privacy = (await anonymous.get("/api/v1/legal/privacy")).json()["markdown"]
        assert "Example Traders LLP" in privacy and "privacy@example.com" in privacy
        assert "Data Protection Board" in privacy and "72 hours" in privacy
        disclaimer = (await anonymous.get("/api/v1/legal/disclaimer")).json()["markdown"]
        assert "Not investment advice" in disclaimer
        assert (await anonymous.get("/api/v1/legal/cookies")).status_code == 404


async def test_consent_is_asked_recorded_and_withdrawn(gated_app: FastAPI) -> None:
    database = gated_app.state.db
    person = await sign_in(gated_app, database, Role.viewer, consented=False)
    key = await api_key_for(database, person.user, [Scope.read])
    async with person.client as http:
        refused = await http.get("/api/v1/instruments")
        assert refused.status_code == 403
        assert refused.json()["error"]["details"]["reason"] == "consent_required"
        me = await http.get("/api/v1/auth/me")
        assert me.status_code == 200
        assert me.json()["consent"] == {"required": True, "current": False, "needed": True}

        asked = (await http.get("/api/v1/account/consent")).json()
        assert asked["current"] is False and asked["required"] == legal.consent_versions()

        stale = await http.post(
            "/api/v1/account/consent", json={"privacy": "2020-01-01", "terms": "2020-01-01"}
        )
        assert stale.status_code == 409
        given = await http.post("/api/v1/account/consent", json=asked["required"])
        assert given.status_code == 200, given.text
        assert given.json()["current"] is True
        assert given.json()["accepted"] == asked["required"]
        assert (await http.get("/api/v1/instruments")).status_code == 200
        assert (await http.get("/api/v1/auth/me")).json()["consent"]["needed"] is False

        withdrawn = await http.delete("/api/v1/account/consent")
        assert withdrawn.status_code == 204
        assert (await http.get("/api/v1/auth/me")).status_code == 401  # signed out everywhere
    async with client_for(gated_app, headers={"Authorization": f"Bearer {key}"}) as script:
        assert (await script.get("/api/v1/instruments")).status_code == 401  # the key was revoked

    again = await sign_in(gated_app, database, Role.viewer, user=person.user)
    async with again.client as http:
        assert (await http.get("/api/v1/instruments")).status_code == 403
        history = (await http.get("/api/v1/account/consent")).json()["history"]
        assert [(h["document"], h["withdrawn_at"] is not None) for h in history] == [
            ("privacy", True),
            ("terms", True),
        ]
        # The way out needs no consent: download your data, delete your account.
        assert (await http.get("/api/v1/account/export")).status_code == 200

    async with database.sessions() as session:
        actions = list(
            await session.scalars(
                select(AuditEvent.action).where(
                    AuditEvent.actor == person.user.email, AuditEvent.action.startswith("consent.")
                )
            )
        )
    assert actions == ["consent.given", "consent.withdrawn"]


def test_consent_is_required_by_default() -> None:
    assert Settings.model_fields["consent_required"].default is True


async def test_without_consent_required_the_data_routes_stay_open(settings: Settings) -> None:
    ungated = create_app(settings.model_copy(update={"consent_required": False}))
    async with running(ungated):
        person = await sign_in(ungated, ungated.state.db, Role.viewer, consented=False)
        async with person.client as http:
            assert (await http.get("/api/v1/instruments")).status_code == 200
            assert (await http.get("/api/v1/account/consent")).json()["current"] is False
            me = (await http.get("/api/v1/auth/me")).json()
            assert me["consent"] == {"required": False, "current": False, "needed": False}


async def test_the_account_export_holds_the_consent_records(gated_app: FastAPI) -> None:
    database = gated_app.state.db
    person = await sign_in(gated_app, database, Role.viewer, consented=False)
    versions = legal.consent_versions()
    async with person.client as http:
        given = await http.post("/api/v1/account/consent", json=versions)
        assert given.status_code == 200, given.text
        exported = (await http.get("/api/v1/account/export")).json()
        assert (await http.delete("/api/v1/account/consent")).status_code == 204
    records = exported["consents"]
    assert [(r["document"], r["version"], r["withdrawn_at"]) for r in records] == [
        ("privacy", versions["privacy"], None),
        ("terms", versions["terms"], None),
    ]
    assert all(r["given_at"] and r["ip"] for r in records)

    # After withdrawing: a new session (before any new consent) still downloads, withdrawal times included.
    again = await sign_in(gated_app, database, Role.viewer, user=person.user)
    async with again.client as http:
        answer = await http.get("/api/v1/account/export")
    assert answer.status_code == 200
    after = answer.json()["consents"]
    assert [(r["document"], r["version"]) for r in after] == [
        ("privacy", versions["privacy"]),
        ("terms", versions["terms"]),
    ]
    assert all(r["withdrawn_at"] is not None and r["withdrawn_at"] >= r["given_at"] for r in after)


async def test_consent_needs_a_browser_session_and_the_csrf_token(gated_app: FastAPI) -> None:
    database = gated_app.state.db
    person = await sign_in(gated_app, database, Role.viewer, consented=False)
    key = await api_key_for(database, person.user, [Scope.read])
    versions = legal.consent_versions()
    async with client_for(gated_app, headers={"Authorization": f"Bearer {key}"}) as script:
        assert (await script.post("/api/v1/account/consent", json=versions)).status_code == 403
    async with person.client as http:
        http.headers.pop("x-csrf-token")
        assert (await http.post("/api/v1/account/consent", json=versions)).status_code == 403


def test_every_document_has_a_version() -> None:
    for name in legal.DOCUMENTS:
        assert legal.version(name)
    assert set(legal.consent_versions()) == {"privacy", "terms"}


async def test_the_anonymous_cannot_read_or_give_consent(gated_app: FastAPI) -> None:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=gated_app), base_url="http://testserver"
    ) as http:
        assert (await http.get("/api/v1/account/consent")).status_code == 401


async def test_the_hot_path_does_not_serve_a_session_without_consent(gated_app: FastAPI) -> None:
    database = gated_app.state.db
    agreed = await sign_in(gated_app, database, Role.viewer)
    stranger = await sign_in(gated_app, database, Role.viewer, consented=False)
    await gated_app.state.hot.credentials.refresh()  # both sessions are live when the snapshot is taken
    async with agreed.client as first, stranger.client as second:
        assert (await first.get("/api/v1/instruments")).status_code == 200
        assert (await first.get("/api/v1/instruments")).status_code == 200  # now an answer in memory
        refused = await second.get("/api/v1/instruments")
        assert refused.status_code == 403
        assert refused.json()["error"]["details"]["reason"] == "consent_required"


def test_without_an_operator_configured_no_sentence_starts_in_lower_case() -> None:
    import re

    from marketedge.core.config import load_settings

    settings = load_settings(marketedge_env="test", legal_operator=None)
    for name in legal.DOCUMENTS:
        text = legal.document(name, settings).markdown
        assert "{operator}" not in text
        assert not re.search(r"(^|[.!?:]\s+)the operator of this", text, flags=re.M), name
        assert "The operator of this Market Edge service" in text or "the operator of this" in text, name
