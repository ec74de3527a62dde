"""Pasting a token (validated with Upstox before it is saved) and disconnecting (logout at Upstox + delete)."""

from __future__ import annotations

import pytest

from marketedge.auth.roles import Role
from tests.broker.conftest import PREFIX, Live

TOKEN = f"{PREFIX}/token"


async def test_a_pasted_access_token_is_validated_and_stored(live: Live) -> None:
    token = live.twin.state.mint_token()
    answer = await live.admin.post(TOKEN, json={"token": token, "kind": "access"})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["kind"], body["source"], body["status"]) == ("access", "paste", "valid")
    assert body["upstox_user"]["user_id"] == "TW1234" and body["last_validation"] == "ok"
    assert token not in answer.text
    assert await live.tokens.current_token() == token


@pytest.mark.parametrize(
    ("case", "kind", "message"),
    [
        ("unknown", "access", "rejected"),
        ("revoked", "access", "rejected"),
        ("extended", "access", "extended token"),
        ("analytics_as_access", "access", "choose analytics"),
        ("not_ascii", "access", "not an Upstox token"),
    ],
)
async def test_a_bad_paste_is_refused_and_the_working_token_stays(
    live: Live, case: str, kind: str, message: str
) -> None:
    working = live.twin.state.mint_token()
    assert (await live.admin.post(TOKEN, json={"token": working})).status_code == 200
    candidates = {
        "unknown": "x" * 43,
        "revoked": live.twin.state.mint_token(),
        "extended": live.twin.state.mint_token("extended"),
        "analytics_as_access": live.twin.state.mint_token("analytics"),
        "not_ascii": "tökén-ünicode-" + "x" * 20,  # cannot even go into a header
    }
    if case == "revoked":
        live.twin.state.tokens.revoke(candidates[case])
    answer = await live.admin.post(TOKEN, json={"token": candidates[case], "kind": kind})
    assert answer.status_code == 400, answer.text
    error = answer.json()["error"]
    assert error["code"] == "broker_token_refused" and message in error["message"]
    assert await live.tokens.current_token() == working
    status = await live.status()
    assert status["events"][0]["action"] == "broker.token.refused"


async def test_a_malformed_paste_is_a_422_that_does_not_echo_the_token(live: Live) -> None:
    secret = "a-secret-looking-value-" + "z" * 20
    answer = await live.admin.post(TOKEN, json={"token": secret, "kind": "extended"})
    assert answer.status_code == 422 and secret not in answer.text
    short = await live.admin.post(TOKEN, json={"token": "short"})
    assert short.status_code == 422 and "short" not in short.text.replace("too_short", "")


async def test_when_upstox_cannot_be_reached_nothing_is_stored(live: Live) -> None:
    live.twin.state.add_fault("server_error", status=503, path_prefix="/v2/user/profile")
    answer = await live.admin.post(TOKEN, json={"token": live.twin.state.mint_token()})
    assert answer.status_code == 503 and answer.json()["error"]["code"] == "upstream_unavailable"
    assert not (await live.status())["connected"]


async def test_pasting_and_disconnecting_are_for_admins(live: Live) -> None:
    token = live.twin.state.mint_token()
    assert (await live.anonymous.post(TOKEN, json={"token": token})).status_code == 401
    assert (await live.anonymous.delete(PREFIX)).status_code == 401
    viewer = await live.client_as(Role.viewer)
    async with viewer:
        assert (await viewer.post(TOKEN, json={"token": token})).status_code == 403
        assert (await viewer.delete(PREFIX)).status_code == 403
    # A cookie session without the CSRF header is refused too.
    live.admin.headers.pop("X-CSRF-Token")
    assert (await live.admin.post(TOKEN, json={"token": token})).status_code == 403
    assert not (await live.status())["connected"]


async def test_disconnect_logs_out_at_upstox_and_deletes_the_token(live: Live) -> None:
    token = live.twin.state.mint_token()
    assert (await live.admin.post(TOKEN, json={"token": token})).status_code == 200
    answer = await live.admin.delete(PREFIX)
    assert answer.status_code == 200
    assert answer.json() == {"disconnected": True, "logged_out": True}
    twin_token = live.twin.state.tokens.get(token)
    assert twin_token is not None and twin_token.revoked, "Upstox was told to log it out"
    status = await live.status()
    assert not status["connected"] and status["token"] is None
    assert status["events"][0]["action"] == "broker.token.disconnected"
    assert await live.tokens.current_token() is None
    again = await live.admin.delete(PREFIX)
    assert again.json() == {"disconnected": False, "logged_out": False}


async def test_a_dead_token_is_still_deleted_on_disconnect(live: Live) -> None:
    token = live.twin.state.mint_token()
    assert (await live.admin.post(TOKEN, json={"token": token})).status_code == 200
    live.twin.state.tokens.revoke(token)
    answer = await live.admin.delete(PREFIX)
    assert answer.json() == {"disconnected": True, "logged_out": False}
    assert not (await live.status())["connected"]
