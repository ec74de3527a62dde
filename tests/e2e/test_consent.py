"""DPDP consent in a real browser (issue #11): a person who has not accepted the privacy notice signs in, gets
the consent screen first, agrees, and lands on the tracker; withdrawing consent from the account menu signs
them out everywhere, and the next sign-in asks again. The newcomer account of tests/e2e/market_server.py."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import Screen

pytestmark = pytest.mark.e2e

WAIT = 30_000  # ms
NEWCOMER = ("newcomer@e2e.test", "e2e-newcomer-password-2026")


def _sign_in_via_the_form(screen: Screen, path: str) -> Any:
    page = screen.page
    screen.goto(path)
    page.get_by_role("heading", name="Sign in", level=1).wait_for(timeout=WAIT)
    page.get_by_label("Email").fill(NEWCOMER[0])
    page.get_by_label("Password").fill(NEWCOMER[1])
    page.get_by_role("button", name="Sign in").click()
    return page


def _consent_screen(page: Any) -> None:
    page.get_by_role("heading", name="Your privacy", level=1).wait_for(timeout=WAIT)
    page.get_by_role("button", name="I agree").wait_for(timeout=WAIT)


def _agree_if_asked(page: Any) -> None:
    """After a sign-in: agree when the consent screen comes (it does not when an earlier test agreed)."""
    either = page.get_by_role("heading", name=re.compile("^(Your privacy|Greeks tracker)$"), level=1)
    either.wait_for(timeout=WAIT)
    if "/consent" in page.url:
        page.get_by_role("button", name="I agree").click()
    page.get_by_role("heading", name="Greeks tracker", level=1).wait_for(timeout=WAIT)


def _api_get(screen: Screen, path: str) -> httpx.Response:
    """What the backend answers this tab's cookies (the session cookie is httpOnly: read from the context)."""
    cookies = {c["name"]: c["value"] for c in screen.page.context.cookies()}
    with httpx.Client(base_url=screen.base, cookies=cookies, timeout=10) as client:
        return client.get(path)


def _api_status(screen: Screen, path: str) -> int:
    return _api_get(screen, path).status_code


def test_a_newcomer_agrees_on_the_consent_screen_then_lands_on_the_tracker(
    open_screen: Callable[..., Screen],
) -> None:
    screen = open_screen(who=None)
    page = _sign_in_via_the_form(screen, "/?interval=1")
    either = page.get_by_role("heading", name=re.compile("^(Your privacy|Greeks tracker)$"), level=1)
    either.wait_for(timeout=WAIT)
    if "/consent" not in page.url:
        pytest.fail("the newcomer was not asked for consent (did another test leave it given?)")
    _consent_screen(page)
    assert "next=%2F%3Finterval%3D1" in page.url
    # The data is refused until then, by the backend as well as the screen.
    assert _api_status(screen, "/api/v1/instruments") == 403
    privacy = page.get_by_role("link", name="privacy notice", exact=True)
    assert privacy.get_attribute("href") == "/legal/privacy"
    assert page.get_by_role("link", name="terms of use", exact=True).get_attribute("href") == "/legal/terms"
    assert page.get_by_role("button", name="Sign out").is_visible()
    for scheme in ("light", "dark"):
        screen.color_scheme(scheme)
        violations = screen.axe()
        assert violations == [], f"{scheme}: {json.dumps(violations, indent=1)}"

    page.get_by_role("button", name="I agree").click()

    page.get_by_role("heading", name="Greeks tracker", level=1).wait_for(timeout=WAIT)
    page.locator("table.tracker-table tbody tr[aria-rowindex]").first.wait_for(timeout=WAIT)
    assert page.url.endswith("/?interval=1")
    assert _api_status(screen, "/api/v1/instruments") == 200
    assert _api_get(screen, "/api/v1/account/consent").json()["current"] is True
    screen.assert_clean()


def test_withdrawing_consent_signs_out_and_the_next_sign_in_asks_again(
    open_screen: Callable[..., Screen],
) -> None:
    screen = open_screen(who=None)
    page = _sign_in_via_the_form(screen, "/")
    _agree_if_asked(page)
    # A second tab of the same person: withdrawal ends that session too.
    other = open_screen(who=None)
    other.page.context.add_cookies(page.context.cookies())
    assert _api_status(other, "/api/v1/auth/me") == 200

    page.get_by_role("button", name=f"Account: {NEWCOMER[0]}").click()
    page.get_by_role("button", name="Withdraw consent…").click()
    confirm = page.get_by_role("button", name="Withdraw and sign out")
    confirm.wait_for(timeout=WAIT)
    assert page.evaluate("document.activeElement.textContent") == "Withdraw and sign out"
    confirm.click()

    page.get_by_role("heading", name="Sign in", level=1).wait_for(timeout=WAIT)
    page.get_by_role("status").filter(has_text="Your consent is withdrawn").wait_for(timeout=WAIT)
    assert _api_status(other, "/api/v1/auth/me") == 401  # signed out everywhere
    other.goto("/chain")
    other.page.get_by_role("heading", name="Sign in", level=1).wait_for(timeout=WAIT)

    page.get_by_label("Email").fill(NEWCOMER[0])
    page.get_by_label("Password").fill(NEWCOMER[1])
    page.get_by_role("button", name="Sign in").click()
    _consent_screen(page)  # asked again
    screen.assert_clean()
