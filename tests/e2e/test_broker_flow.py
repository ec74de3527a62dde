"""The Upstox connection in a real browser (issue #8): Connect, approve on the twin's login dialog, back on the
broker page with a valid OAuth token; a tampered `state` refused with the stored token untouched; and the v3
request (*Request a token*) waiting for approval, then showing the new token once the twin approves it.

These tests replace the stored token, so they run on a server of their own (the shared `live_server` keeps its
analytics token for the other browser tests). That server is the same market_server.py with
UPSTOX_NOTIFIER_URL pointing at itself, so the twin delivers approved v3 tokens to our notifier."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx
import pytest

from tests.e2e.conftest import _CSP_WATCH, ADMIN, EXPECTED_CONSOLE, Screen, market_server, until

pytestmark = pytest.mark.e2e

WAIT = 30_000  # ms
CALLBACK = "/api/v1/broker/upstox/callback"
STATUS = "/api/v1/broker/upstox/status"
#: A token the twin mints: secrets.token_urlsafe(32).
TOKEN_LIKE = re.compile(r"[A-Za-z0-9_-]{40,}")


@pytest.fixture(scope="module")
def broker_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server of this module's own, its notifier registered with the twin (for the v3 approval)."""
    with market_server(
        tmp_path_factory,
        "e2e-broker",
        lambda base: {"UPSTOX_NOTIFIER_URL": f"{base}/api/v1/broker/upstox/notifier"},
    ) as base:
        yield base


@pytest.fixture
def admin(browser: Any, broker_server: str, twin_url: str) -> Iterator[Screen]:
    """A tab signed in as the admin on this module's server (its own sign-in: conftest's session cache is
    for the shared server, and cookies do not tell ports apart)."""
    context = browser.new_context(viewport={"width": 1440, "height": 900}, reduced_motion="reduce")
    answer = context.request.post(
        broker_server + "/api/v1/auth/login",
        data=json.dumps({"email": ADMIN[0], "password": ADMIN[1]}),
        headers={"Content-Type": "application/json"},
    )
    assert answer.ok, answer.text()
    context.add_init_script(_CSP_WATCH)
    page = context.new_page()
    screen = Screen(page, broker_server)
    _watch_app(page, screen.problems, twin_url)
    yield screen
    context.close()


def _watch_app(page: Any, problems: list[str], twin_url: str) -> None:
    """conftest's watch, except the twin's missing favicon: its dialog is a bare page, not the app's."""

    def console(message: Any) -> None:
        if message.type != "error" or any(known in message.text for known in EXPECTED_CONSOLE):
            return
        if message.location.get("url") == f"{twin_url}/favicon.ico":
            return
        problems.append(f"console.error: {message.text} ({message.location.get('url')})")

    page.on("console", console)
    page.on("pageerror", lambda error: problems.append(f"pageerror: {error}"))


@pytest.fixture(scope="module")
def twin_url(broker_server: str) -> str:
    """The twin's base URL: where Connect sends the browser (the server starts the twin on a free port)."""
    with httpx.Client(base_url=broker_server, timeout=10) as client:
        assert client.post("/api/v1/auth/login", json={"email": ADMIN[0], "password": ADMIN[1]}).is_success
        answer = client.get("/api/v1/broker/upstox/connect", follow_redirects=False)
    assert answer.status_code == 302, answer.text
    parts = urlsplit(answer.headers["location"])
    assert parts.path == "/v2/login/authorization/dialog"
    return f"{parts.scheme}://{parts.netloc}"


def _status(screen: Screen) -> dict[str, Any]:
    """GET /status as the admin, with the tab's own cookies."""
    answer = screen.page.context.request.get(screen.base + STATUS)
    assert answer.ok, answer.text()
    status: dict[str, Any] = answer.json()
    return status


def _fact(screen: Screen, term: str) -> str:
    """The text of a fact (<dt>term</dt><dd>…</dd>) in the broker page's connection panel."""
    fact = screen.page.locator("section[aria-labelledby='broker-connection'] dl.facts > div").filter(
        has=screen.page.locator("dt", has_text=re.compile(f"^{re.escape(term)}$"))
    )
    return str(fact.locator("dd").inner_text()).strip()


def _assert_no_token_in(html: str, fingerprint: str) -> None:
    """No string in the page that could be a token hashes to the stored token's fingerprint."""
    leaked = [
        s for s in TOKEN_LIKE.findall(html) if hashlib.sha256(s.encode()).hexdigest()[:12] == fingerprint
    ]
    assert leaked == [], "the page shows the stored token"


def _stored_fingerprint(status: dict[str, Any]) -> str:
    stored = [e for e in status["events"] if e["action"] == "broker.token.stored"]
    assert stored, status["events"]
    fingerprint = str(stored[0]["details"]["fingerprint"])
    assert re.fullmatch(r"[0-9a-f]{12}", fingerprint)
    return fingerprint


def _forge_actor(state: str, actor: str) -> str:
    """The signed state `<base64url JSON>.<signature>` with its admin ("a") replaced, the signature kept."""
    body, signature = state.split(".")
    data = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    assert data["a"] == ADMIN[0]
    data["a"] = actor
    forged = base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).rstrip(b"=").decode()
    assert forged != body
    return f"{forged}.{signature}"


def _open_broker_page(screen: Screen) -> Any:
    screen.goto("/broker")
    page = screen.page
    page.get_by_role("heading", name="Broker", level=1).wait_for(timeout=WAIT)
    page.locator("#broker-connection").wait_for(timeout=WAIT)
    return page


def _connect_to_dialog(screen: Screen, twin_url: str) -> Any:
    """Clicks Connect with Upstox and waits for the twin's authorization dialog."""
    page = _open_broker_page(screen)
    page.get_by_role("link", name="Connect with Upstox").click()
    page.wait_for_url(f"{twin_url}/v2/login/authorization/dialog?**", timeout=WAIT)
    page.get_by_role("heading", name="Upstox twin").wait_for(timeout=WAIT)
    return page


def test_connect_approve_on_the_twin_and_come_back_with_a_valid_token(admin: Screen, twin_url: str) -> None:
    before = _status(admin)
    assert before["simulated"] is True
    assert before["setup"]["client_configured"] is True
    assert before["token"]["kind"] == "analytics", "the server starts with the demo's analytics token"

    page = _connect_to_dialog(admin, twin_url)
    query = dict(parse_qsl(urlsplit(page.url).query))
    # The dialog was asked to send the browser back to this server's callback, with a signed state.
    assert query["redirect_uri"] == admin.base + CALLBACK
    assert query["state"]
    assert "Twin Trader" in page.locator("body").inner_text()

    page.get_by_role("button", name="Approve").click()
    page.wait_for_url(f"{admin.base}/broker?result=connected", timeout=WAIT)
    notice = page.locator("p.notice--ok", has_text="Connected: the new token is stored")
    notice.wait_for(timeout=WAIT)

    after = _status(admin)
    token = after["token"]
    assert after["usable"] is True
    assert (token["kind"], token["source"], token["status"], token["readable"]) == (
        "access",
        "oauth",
        "valid",
        True,
    )
    assert token["upstox_user"] == {"user_id": "TW1234", "user_name": "Twin Trader"}
    assert token["stored_by"] == ADMIN[0]
    # An access token dies at 03:30 IST after it was made: the server's day is SESSION_DAY.
    assert token["valid_until"] == "2026-11-24T03:30:00+05:30"

    # The page shows that token once its status has been fetched again (the landing page fetches it afresh).
    page.locator("dd", has_text="Access token (from an Upstox login)").wait_for(timeout=WAIT)
    assert _fact(admin, "Token") == "Access token (from an Upstox login)"
    assert _fact(admin, "State") == "valid"
    assert _fact(admin, "Upstox user") == "Twin Trader"
    valid_until = _fact(admin, "Valid until")
    assert re.search(r"\b24\b.*Nov.*2026, 03:30 IST|Nov.*\b24\b.*2026, 03:30 IST", valid_until), valid_until
    assert "(oauth)" in _fact(admin, "Stored")
    assert page.locator("#broker-connection .badge", has_text="Working").count() == 1

    _assert_no_token_in(page.content(), _stored_fingerprint(after))
    admin.assert_clean()


def test_a_tampered_state_is_refused_and_the_token_stays(admin: Screen, twin_url: str) -> None:
    before = _status(admin)
    assert before["usable"] is True

    page = _connect_to_dialog(admin, twin_url)
    state = page.locator("input[name=state]")
    original = state.get_attribute("value")
    assert original
    # The state's payload rewritten to name another person, its signature kept; the twin still issues a
    # genuine code for it.
    tampered = _forge_actor(original, "viewer@e2e.test")
    state.evaluate("(input, value) => { input.value = value; }", tampered)
    with page.expect_response(lambda r: CALLBACK in r.url) as callback:
        page.get_by_role("button", name="Approve").click()
    sent = dict(parse_qsl(urlsplit(callback.value.url).query))
    assert sent["state"] == tampered and sent["code"], "the callback got a real code with the tampered state"
    assert callback.value.status == 302

    page.wait_for_url(f"{admin.base}/broker?result=invalid_state", timeout=WAIT)
    page.locator("p.notice--error", has_text="That login link expired or came from another browser").wait_for(
        timeout=WAIT
    )
    assert page.locator("p.notice--ok").count() == 0

    after = _status(admin)
    assert after["token"] == before["token"], "a refused callback leaves the stored token as it was"
    assert after["usable"] is True
    refused = after["events"][0]
    assert (refused["action"], refused["details"]) == ("broker.oauth.refused", {"reason": "bad signature"})
    assert [e for e in after["events"] if e["action"] == "broker.token.stored"] == [
        e for e in before["events"] if e["action"] == "broker.token.stored"
    ]

    # The same tampered state opened straight from the address bar (no twin in between): refused too.
    parts = urlsplit(admin.base + CALLBACK)
    page.goto(urlunsplit(parts._replace(query=urlencode({"code": sent["code"], "state": tampered}))))
    page.wait_for_url(f"{admin.base}/broker?result=invalid_state", timeout=WAIT)
    page.locator("p.notice--error", has_text="That login link expired").wait_for(timeout=WAIT)
    assert _status(admin)["token"] == before["token"]

    _assert_no_token_in(page.content(), _stored_fingerprint(after))
    admin.assert_clean()


def test_request_on_the_phone_waits_then_shows_the_approved_token(admin: Screen, twin_url: str) -> None:
    page = _open_broker_page(admin)
    button = page.get_by_role("button", name="Request a token")
    button.wait_for(timeout=WAIT)
    assert button.is_enabled()
    button.click()

    page.locator("p.notice", has_text="Waiting for approval on the account holder's phone").wait_for(
        timeout=WAIT
    )
    waiting = page.get_by_role("button", name="Waiting for approval…")
    waiting.wait_for(timeout=WAIT)
    assert waiting.is_disabled()
    assert _status(admin)["renewal"]["waiting_for_approval"] is True

    # The account holder taps Approve: the twin posts the new token to our notifier and waits for the answer.
    approved = httpx.post(f"{twin_url}/twin/v3/approve", json={"wait": True, "timeout": 20}, timeout=30)
    assert approved.status_code == 200, approved.text
    deliveries = approved.json()["deliveries"]
    assert [(d["done"], d["status"]) for d in deliveries] == [(True, 200)], deliveries
    delivered = deliveries[0]["access_token"]

    # The page polls while it waits, and shows the new token without a reload.
    page.locator("dd", has_text="Access token (approved on the phone)").wait_for(timeout=WAIT)
    until(page, "!document.body.innerText.includes('Waiting for approval')")
    assert page.get_by_role("button", name="Request a token").is_enabled()
    assert _fact(admin, "Upstox user") == "Twin Trader"
    assert "(notifier)" in _fact(admin, "Stored")

    status = _status(admin)
    token = status["token"]
    assert status["usable"] is True and status["renewal"]["waiting_for_approval"] is False
    assert (token["kind"], token["source"], token["status"]) == ("v3", "notifier", "valid")
    assert status["renewal"]["request"]["state"] == "fulfilled"
    assert _stored_fingerprint(status) == hashlib.sha256(delivered.encode()).hexdigest()[:12]

    html = page.content()
    assert delivered not in html
    _assert_no_token_in(html, _stored_fingerprint(status))
    admin.assert_clean()
