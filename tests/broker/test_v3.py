"""The v3 token request over HTTP: we request, the twin approves and posts the token to our notifier, which
validates it with the twin before storing it. Forged posts change nothing."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from marketedge.auth.roles import Role
from marketedge.upstox.errors import token_fingerprint
from tests.broker.conftest import PREFIX, Live, delivered

NOTIFIER = f"{PREFIX}/notifier"


def notification(live: Live, token: str, **changes: Any) -> dict[str, Any]:
    config = live.twin.state.config
    body = {
        "client_id": config.client_id,
        "user_id": config.user_id,
        "access_token": token,
        "token_type": "Bearer",
        "expires_at": "1795987800000",  # 2026-11-26 03:30 IST
        "issued_at": "1795930200000",
        "message_type": "access_token",
    }
    body.update(changes)
    return body


async def test_request_then_approval_on_the_phone_stores_the_token(live: Live) -> None:
    requested = await live.admin.post(f"{PREFIX}/request")
    assert requested.status_code == 202, requested.text
    answer = requested.json()
    assert answer["authorization_expiry"] == "2026-11-26T03:30:00+05:30"
    assert answer["notifier_url"] == f"{live.base}{NOTIFIER}"
    waiting = await live.status()
    assert waiting["renewal"]["waiting_for_approval"] and not waiting["connected"]
    assert waiting["renewal"]["request"]["trigger"] == "manual"

    assert await delivered(live.twin) == [200]

    status = await live.status()
    assert status["usable"] and not status["renewal"]["waiting_for_approval"]
    token = status["token"]
    assert (token["kind"], token["source"], token["stored_by"]) == ("v3", "notifier", "upstox")
    assert token["valid_until"] == "2026-11-26T03:30:00+05:30"
    assert token["upstox_user"]["user_id"] == "TW1234"
    assert status["renewal"]["request"]["state"] == "fulfilled"
    delivered_token = live.twin.state.tokens.deliveries[0].payload["access_token"]
    assert await live.tokens.current_token() == delivered_token


async def test_request_needs_an_admin(live: Live) -> None:
    assert (await live.anonymous.post(f"{PREFIX}/request")).status_code == 401
    viewer = await live.client_as(Role.viewer)
    async with viewer:
        assert (await viewer.post(f"{PREFIX}/request")).status_code == 403
    assert live.twin.state.tokens.requests == [], "no request reached Upstox"


async def _stored_fingerprint(live: Live) -> str | None:
    token = await live.tokens.current_token()
    return token_fingerprint(token) if token else None


@pytest.mark.parametrize(
    ("case", "status", "code"),
    [
        ("not_json", 400, "invalid_notification"),
        ("json_array", 400, "invalid_notification"),
        ("missing_fields", 400, "invalid_notification"),
        ("number_token", 400, "invalid_notification"),
        ("wrong_client_id", 403, "notification_refused"),
        ("other_message_type", 400, "invalid_notification"),
        ("bad_token", 400, "broker_token_refused"),
        ("revoked_token", 400, "broker_token_refused"),
        ("extended_token", 400, "broker_token_refused"),
        ("other_user", 409, "broker_user_mismatch"),
        ("empty", 400, "invalid_notification"),
        ("huge", 400, "invalid_notification"),
    ],
)
async def test_forged_notifier_posts_change_nothing(live: Live, case: str, status: int, code: str) -> None:
    working = live.twin.state.mint_token()
    assert (
        await live.admin.post(f"{PREFIX}/token", json={"token": working, "kind": "access"})
    ).status_code == 200
    assert (await live.admin.post(f"{PREFIX}/request")).status_code == 202  # a request is open
    before = await live.status()
    fresh = live.twin.state.mint_token()  # a good token: only the forged field makes the post bad
    revoked = live.twin.state.mint_token()
    live.twin.state.tokens.revoke(revoked)
    bodies: dict[str, bytes] = {
        "not_json": b"client_id=twin-client-id&access_token=" + fresh.encode(),
        "json_array": orjson.dumps([notification(live, fresh)]),
        "missing_fields": orjson.dumps({"client_id": live.twin.state.config.client_id}),
        "number_token": orjson.dumps(notification(live, fresh, access_token=12345)),
        "wrong_client_id": orjson.dumps(notification(live, fresh, client_id="someone-else")),
        "other_message_type": orjson.dumps(notification(live, fresh, message_type="order_update")),
        "bad_token": orjson.dumps(notification(live, "not-a-token-" + "x" * 30)),
        "revoked_token": orjson.dumps(notification(live, revoked)),
        "extended_token": orjson.dumps(notification(live, live.twin.state.mint_token("extended"))),
        "other_user": orjson.dumps(notification(live, fresh, user_id="ZZ9999")),
        "empty": b"",
        "huge": orjson.dumps(notification(live, fresh, padding="x" * 20_000)),
    }
    answer = await live.anonymous.post(
        NOTIFIER, content=bodies[case], headers={"Content-Type": "application/json"}
    )
    assert answer.status_code == status, answer.text
    assert answer.json()["error"]["code"] == code
    assert fresh not in answer.text and working not in answer.text
    after = await live.status()
    assert after["token"] == before["token"], "the stored token is untouched"
    assert await live.tokens.current_token() == working
    # Anyone can post: a refusal is counted by reason, never written to the audit log (junk could fill it).
    assert after["events"] == before["events"]
    metrics = (await live.admin.get("/metrics")).text
    refused = [line for line in metrics.splitlines() if line.startswith("marketedge_notifier_refused_total{")]
    assert len(refused) == 1 and refused[0].endswith(" 1.0"), refused


async def test_a_valid_token_without_an_open_request_is_refused(live: Live) -> None:
    valid = live.twin.state.mint_token()
    answer = await live.anonymous.post(NOTIFIER, json=notification(live, valid))
    assert answer.status_code == 409 and answer.json()["error"]["code"] == "no_token_request"
    assert not (await live.status())["connected"]


async def test_after_a_disconnect_a_late_approval_does_not_reconnect(live: Live) -> None:
    assert (await live.admin.post(f"{PREFIX}/request")).status_code == 202
    assert (await live.admin.delete(PREFIX)).status_code == 200
    assert await delivered(live.twin) == [409]
    assert not (await live.status())["connected"]


async def test_the_notifier_is_rate_limited_per_address(live: Live) -> None:
    answers = [(await live.anonymous.post(NOTIFIER, content=b"{}")).status_code for _ in range(125)]
    assert set(answers[:120]) == {400}
    assert answers[-1] == 429
