"""What the tracker asks the server for, counted in the browser: the requests on open, then nothing but the
stream while live minutes arrive (docs/scaling.md, "For the UI")."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.e2e.conftest import Screen, record

pytestmark = pytest.mark.e2e

WAIT = 30_000  # ms
TRACKER_TABLE = "table.tracker-table"
NEWEST = f"document.querySelector('{TRACKER_TABLE} tbody tr[aria-rowindex] th')?.textContent ?? ''"


def _newest(screen: Screen) -> str:
    return str(screen.page.evaluate(NEWEST))


def _after(screen: Screen, minute: str) -> str:
    """Waits for a newer minute at the top of the table (the server stores one every 10 s)."""
    deadline = time.monotonic() + WAIT / 1000
    while (newest := _newest(screen)) <= minute:
        if time.monotonic() > deadline:
            raise AssertionError(f"no minute after {minute} within {WAIT} ms")
        screen.page.wait_for_timeout(200)
    return newest


def test_the_tracker_asks_for_the_stream_only_while_minutes_arrive(
    open_screen: Callable[..., Screen],
) -> None:
    screen = open_screen()
    page = screen.page
    sent: list[tuple[float, str, str]] = []

    def log(request: Any) -> None:
        url = urlsplit(request.url)
        if url.path.startswith("/api/") or url.path.startswith("/health"):
            sent.append((time.monotonic(), request.method, url.path))

    page.on("request", log)
    screen.goto("/")
    page.locator(f"{TRACKER_TABLE} tbody tr[aria-rowindex]").first.wait_for(timeout=WAIT)
    page.locator(".badge", has_text="Live").wait_for(timeout=WAIT)
    first = _newest(screen)
    on_open = [f"{method} {path}" for _, method, path in sent]

    # Two stored minutes through the stream (20 s here; the badge re-renders on its own timer meanwhile).
    steady_from = time.monotonic()
    second = _after(screen, first)
    third = _after(screen, second)
    later = [f"{method} {path}" for at, method, path in sent if at >= steady_from]
    record(
        "tracker requests",
        {"on open": on_open, "while two minutes arrived": later, "minutes": [first, third]},
    )

    assert "GET /api/v1/stream" in on_open
    assert on_open.count("GET /api/v1/status") == 1
    assert on_open.count("GET /api/v1/greeks/summary") == 1
    assert later == [], f"only the open stream while live, but the page sent {later}"
    assert page.locator(".badge", has_text="Live").count() == 1
    screen.assert_clean()
