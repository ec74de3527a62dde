"""The OAuth flow over HTTP: Connect → the twin's dialog → Approve → our callback → a stored, valid token.
(The same flow clicked in headless Chromium on the broker page is the UI's test.)"""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from marketedge.auth.roles import Role
from tests.broker.conftest import PREFIX, Live


def _hidden_inputs(page: str) -> dict[str, str]:
    return {
        name: html.unescape(value)
        for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page)
    }


async def approve_on_dialog(live: Live) -> str:
    """Press Connect as the admin and Approve on the twin's dialog; answers our callback URL (code, state)."""
    connect = await live.admin.get(f"{PREFIX}/connect")
    assert connect.status_code == 302, connect.text
    dialog_url = connect.headers["location"]
    assert dialog_url.startswith(f"{live.twin.url}/v2/login/authorization/dialog?")
    query = parse_qs(urlsplit(dialog_url).query)
    assert query["client_id"] == [live.twin.state.config.client_id]
    assert query["redirect_uri"] == [f"{live.base}{PREFIX}/callback"]
    async with httpx.AsyncClient() as browser_at_upstox:
        page = await browser_at_upstox.get(dialog_url)
        assert page.status_code == 200 and "Approve" in page.text
        approved = await browser_at_upstox.post(
            f"{live.twin.url}/v2/login/authorization/dialog",
            data={**_hidden_inputs(page.text), "decision": "approve"},
        )
    assert approved.status_code == 302
    callback = approved.headers["location"]
    assert callback.startswith(f"{live.base}{PREFIX}/callback?")
    return callback


async def test_connect_approve_callback_stores_a_valid_token(live: Live) -> None:
    callback = await approve_on_dialog(live)
    landed = await live.admin.get(callback)
    assert landed.status_code == 302
    assert landed.headers["location"] == "/broker?result=connected"
    status = await live.status()
    assert status["connected"] and status["usable"]
    token = status["token"]
    assert token["kind"] == "access" and token["source"] == "oauth" and token["status"] == "valid"
    assert token["upstox_user"] == {"user_id": "TW1234", "user_name": "Twin Trader"}
    assert token["valid_until"] == "2026-11-26T03:30:00+05:30", "03:30 IST the next day"
    assert token["stored_by"].startswith("admin-")
    assert status["without_token_from"] is None
    actions = [e["action"] for e in status["events"]]
    assert actions[0] == "broker.token.stored"
    # The token stored is the one the twin issued, and it works for market data.
    stored = await live.tokens.current_token()
    assert stored is not None and live.twin.state.tokens.get(stored) is not None


async def test_a_tampered_state_is_refused_and_nothing_is_stored(live: Live) -> None:
    callback = await approve_on_dialog(live)
    parts = urlsplit(callback)
    query = parse_qs(parts.query)
    state = query["state"][0]
    body, signature = state.split(".")
    forged = f"{body[:-2]}{'A' if body[-2] != 'A' else 'B'}{body[-1]}.{signature}"
    landed = await live.admin.get(
        f"{live.base}{parts.path}", params={"code": query["code"][0], "state": forged}
    )
    assert landed.headers["location"] == "/broker?result=invalid_state"
    status = await live.status()
    assert not status["connected"] and status["token"] is None
    assert status["events"][0]["action"] == "broker.oauth.refused"
    assert status["events"][0]["details"] == {"reason": "bad signature"}


@pytest.mark.parametrize("case", ["other_browser", "no_state"])
async def test_a_callback_without_this_browsers_state_is_refused(live: Live, case: str) -> None:
    callback = await approve_on_dialog(live)
    if case == "other_browser":
        # The same URL opened by a browser that did not press Connect (no state cookie): a login CSRF.
        other = await live.client_as(Role.admin)
        async with other:
            landed = await other.get(callback)
    else:
        parts = urlsplit(callback)
        code = parse_qs(parts.query)["code"][0]
        landed = await live.admin.get(f"{live.base}{parts.path}", params={"code": code})
    assert landed.headers["location"] == "/broker?result=invalid_state"
    assert not (await live.status())["connected"]


async def test_the_same_nonce_cannot_complete_two_logins(live: Live) -> None:
    callback = await approve_on_dialog(live)
    nonce = live.admin.cookies.get("me_broker_oauth")
    assert nonce
    assert (await live.admin.get(callback)).headers["location"] == "/broker?result=connected"
    assert live.admin.cookies.get("me_broker_oauth") is None, "the callback clears the state cookie"
    async with httpx.AsyncClient(base_url=live.base, cookies={"me_broker_oauth": nonce}) as replay:
        again = await replay.get(callback)
    assert again.headers["location"] == "/broker?result=invalid_state"


async def test_a_denied_login_lands_on_the_page_with_denied(live: Live) -> None:
    connect = await live.admin.get(f"{PREFIX}/connect")
    state = parse_qs(urlsplit(connect.headers["location"]).query)["state"][0]
    landed = await live.admin.get(f"{PREFIX}/callback", params={"error": "access_denied", "state": state})
    assert landed.headers["location"] == "/broker?result=denied"
    assert not (await live.status())["connected"]


async def test_connect_is_for_admins_and_needs_the_upstox_app(live: Live) -> None:
    assert (await live.anonymous.get(f"{PREFIX}/connect")).status_code == 401
    viewer = await live.client_as(Role.viewer)
    async with viewer:
        assert (await viewer.get(f"{PREFIX}/connect")).status_code == 403
        assert (await viewer.get(f"{PREFIX}/status")).status_code == 403
    live.tokens.app = type(live.tokens.app)()  # UPSTOX_CLIENT_ID unset
    answer = await live.admin.get(f"{PREFIX}/connect")
    assert answer.status_code == 409 and answer.json()["error"]["code"] == "broker_not_configured"
