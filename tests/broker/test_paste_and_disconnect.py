"""Pasting a token (validated with Upstox before it is saved) and disconnecting (logout at Upstox + delete)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from marketedge.auth.roles import Role
from marketedge.core.clock import ManualClock
from marketedge.twin.tokens import TokenKind as TwinKind
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
    assert (await live.admin.post(TOKEN, json={"token": working, "kind": "access"})).status_code == 200
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


async def test_an_analytics_tokens_validity_is_its_own_not_the_paste_time_plus_a_year(
    live: Live, shared_clock: ManualClock
) -> None:
    # Generated on Upstox's page 40 days before it is pasted here.
    minted_at = shared_clock.now() - timedelta(days=40)
    token = live.twin.state.tokens.mint(TwinKind.analytics, live.twin.state.config.user_id, minted_at).value
    answer = await live.admin.post(TOKEN, json={"token": token, "kind": "analytics"})
    assert answer.status_code == 200, answer.text
    valid_until = datetime.fromisoformat(answer.json()["valid_until"])
    assert abs(valid_until - (minted_at + timedelta(days=365))) < timedelta(seconds=1)


async def test_the_kind_said_is_held_against_what_the_token_says(live: Live) -> None:
    daily = live.twin.state.mint_token()
    answer = await live.admin.post(TOKEN, json={"token": daily, "kind": "analytics"})
    assert answer.status_code == 400
    assert "it is a daily access token, not an analytics token" in answer.json()["error"]["message"]
    assert "kind" in (await live.admin.post(TOKEN, json={"token": daily})).text  # must be said: 422
    assert await live.tokens.current_token() is None


async def test_an_analytics_token_that_says_nothing_of_itself_takes_the_date_given(
    live: Live, shared_clock: ManualClock
) -> None:
    opaque = live.twin.state.mint_token("analytics", opaque=True)
    unsaid = await live.admin.post(TOKEN, json={"token": opaque, "kind": "analytics"})
    assert unsaid.status_code == 400 and "valid_until" in unsaid.json()["error"]["message"]
    past = await live.admin.post(
        TOKEN, json={"token": opaque, "kind": "analytics", "valid_until": "2026-01-01"}
    )
    assert past.status_code == 400 and "is past" in past.json()["error"]["message"]
    said = await live.admin.post(
        TOKEN, json={"token": opaque, "kind": "analytics", "valid_until": "2027-10-01"}
    )
    assert said.status_code == 200, said.text
    assert said.json()["valid_until"] == "2027-10-01T00:00:00+05:30"
    # A daily token that says nothing still dies at 03:30.
    daily = live.twin.state.mint_token(opaque=True)
    stored = await live.admin.post(TOKEN, json={"token": daily, "kind": "access"})
    assert stored.json()["valid_until"] == "2026-11-26T03:30:00+05:30"


async def test_a_malformed_paste_is_a_422_that_does_not_echo_the_token(live: Live) -> None:
    secret = "a-secret-looking-value-" + "z" * 20
    answer = await live.admin.post(TOKEN, json={"token": secret, "kind": "extended"})
    assert answer.status_code == 422 and secret not in answer.text
    short = await live.admin.post(TOKEN, json={"token": "short", "kind": "access"})
    assert short.status_code == 422 and "short" not in short.text.replace("too_short", "")


async def test_when_upstox_cannot_be_reached_nothing_is_stored(live: Live) -> None:
    live.twin.state.add_fault("server_error", status=503, path_prefix="/v2/user/profile")
    answer = await live.admin.post(TOKEN, json={"token": live.twin.state.mint_token(), "kind": "access"})
    assert answer.status_code == 503 and answer.json()["error"]["code"] == "upstream_unavailable"
    assert not (await live.status())["connected"]


async def test_pasting_and_disconnecting_are_for_admins(live: Live) -> None:
    token = live.twin.state.mint_token()
    assert (await live.anonymous.post(TOKEN, json={"token": token, "kind": "access"})).status_code == 401
    assert (await live.anonymous.delete(PREFIX)).status_code == 401
    viewer = await live.client_as(Role.viewer)
    async with viewer:
        assert (await viewer.post(TOKEN, json={"token": token, "kind": "access"})).status_code == 403
        assert (await viewer.delete(PREFIX)).status_code == 403
    # A cookie session without the CSRF header is refused too.
    live.admin.headers.pop("X-CSRF-Token")
    assert (await live.admin.post(TOKEN, json={"token": token, "kind": "access"})).status_code == 403
    assert not (await live.status())["connected"]


async def test_disconnect_logs_out_at_upstox_and_deletes_the_token(live: Live) -> None:
    token = live.twin.state.mint_token()
    assert (await live.admin.post(TOKEN, json={"token": token, "kind": "access"})).status_code == 200
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
    assert (await live.admin.post(TOKEN, json={"token": token, "kind": "access"})).status_code == 200
    live.twin.state.tokens.revoke(token)
    answer = await live.admin.delete(PREFIX)
    assert answer.json() == {"disconnected": True, "logged_out": False}
    assert not (await live.status())["connected"]
