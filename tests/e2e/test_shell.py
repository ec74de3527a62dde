"""The UI shell in a real browser: it loads with no console errors, at phone and desktop width."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.e2e

DISCLAIMER = "Not investment advice"


def _open(browser: Any, url: str, width: int, height: int) -> tuple[Any, Any, list[str]]:
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    problems: list[str] = []
    page.on(
        "console", lambda m: problems.append(f"console.{m.type}: {m.text}") if m.type == "error" else None
    )
    page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
    page.goto(url, wait_until="networkidle")
    return context, page, problems


@pytest.mark.parametrize(("width", "height"), [(390, 844), (1440, 900)])
def test_the_shell_loads_cleanly(
    browser: Any, live_server: str, screenshots: Path, width: int, height: int
) -> None:
    context, page, problems = _open(browser, live_server + "/", width, height)
    try:
        assert "Market Edge" in page.title()
        assert page.locator("header").inner_text().find("Market Edge") >= 0
        assert DISCLAIMER in page.locator("footer").inner_text()
        assert page.locator("nav").count() >= 1
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= width, f"horizontal page scroll at {width}px ({scroll_width}px wide)"
        page.screenshot(path=str(screenshots / f"shell-home-{width}.png"), full_page=True)
        assert problems == []
    finally:
        context.close()


def test_status_page_shows_the_servers_checks(browser: Any, live_server: str, screenshots: Path) -> None:
    context, page, problems = _open(browser, live_server + "/status", 1440, 900)
    try:
        page.get_by_text("database").first.wait_for(timeout=10_000)
        body = page.locator("main").inner_text().lower()
        assert "database" in body and "scheduler" in body
        page.screenshot(path=str(screenshots / "shell-status-1440.png"), full_page=True)
        assert problems == []
    finally:
        context.close()


def test_unknown_route_gets_a_helpful_page_and_unknown_api_a_json_404(browser: Any, live_server: str) -> None:
    context, page, problems = _open(browser, live_server + "/no/such/page", 1440, 900)
    try:
        assert "not found" in page.locator("main").inner_text().lower()
        assert page.locator("main a[href='/']").count() >= 1
        api = page.request.get(live_server + "/api/v1/no-such-endpoint")
        assert api.status == 404
        assert api.json()["error"]["code"] == "not_found"
        assert problems == []
    finally:
        context.close()
