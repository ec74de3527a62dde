"""The UI shell in a real browser: it loads with no console errors, at phone and desktop width."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from marketedge.auth import legal
from tests.e2e.conftest import Screen

pytestmark = pytest.mark.e2e

DISCLAIMER = "Not investment advice"


@pytest.mark.parametrize(("width", "height"), [(390, 844), (1440, 900)])
def test_the_shell_loads_cleanly(
    open_screen: Callable[..., Screen], screenshots: Path, width: int, height: int
) -> None:
    screen = open_screen(width=width, height=height, who=None)
    page = screen.page
    screen.goto("/")
    # A visitor is sent to the sign-in page, inside the same shell.
    page.get_by_role("heading", name="Sign in", level=1).wait_for()
    assert "Market Edge" in page.title()
    assert "Market Edge" in page.locator("header").inner_text()
    assert DISCLAIMER in page.locator("footer").inner_text()
    assert page.locator("nav").count() >= 1
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"horizontal page scroll at {width}px ({scroll_width}px wide)"
    page.screenshot(path=str(screenshots / f"shell-home-{width}.png"), full_page=True)
    screen.assert_clean()


def test_status_page_shows_the_servers_checks(open_screen: Callable[..., Screen]) -> None:
    screen = open_screen(who=None)
    screen.goto("/status")
    table = screen.page.get_by_role("table", name="Readiness checks")
    table.wait_for(timeout=20_000)
    body = table.inner_text().lower()
    assert "database" in body and "scheduler" in body
    screen.assert_clean()


def test_unknown_route_gets_a_helpful_page_and_unknown_api_a_json_404(
    open_screen: Callable[..., Screen], live_server: str
) -> None:
    screen = open_screen(who=None)
    screen.goto("/no/such/page")
    page = screen.page
    page.get_by_role("heading", name="Page not found").wait_for()
    assert page.locator("main a[href='/']").count() >= 1
    api = page.request.get(live_server + "/api/v1/no-such-endpoint")
    assert api.status == 404
    assert api.json()["error"]["code"] == "not_found"
    screen.assert_clean()


def test_a_visitor_reads_the_privacy_notice_the_backend_serves(open_screen: Callable[..., Screen]) -> None:
    """The text people consent to, version and all, readable without signing in (DPDP: an informed consent)."""
    screen = open_screen(who=None)
    screen.goto("/legal/privacy")
    page = screen.page
    page.get_by_role("heading", name="Privacy notice", level=1).wait_for()
    version = page.locator("dl.legal-version")
    version.wait_for(timeout=20_000)
    assert legal.version("privacy") in version.inner_text()
    text = page.get_by_role("article", name="Privacy notice")
    assert text.get_by_role("heading", name="Your rights", level=2).is_visible()
    assert "Data Protection Board of India" in text.inner_text()
    assert DISCLAIMER in page.locator("footer").inner_text()
    screen.assert_clean()
