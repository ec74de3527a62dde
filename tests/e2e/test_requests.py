"""What the tracker asks the server for, counted in the browser: on open its data in one request (GET
/api/v1/tracker: status, instruments, sessions and the summary together) besides who is signed in and the
stream, then nothing but the stream while live minutes arrive (docs/scaling.md, "For the UI")."""

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

    # The address names no index: the opening answer is for the first index the server lists, and brings the
    # indices, the status, the days and the day's summary; nothing else is asked.
    assert sorted(on_open) == sorted(["GET /api/v1/auth/me", "GET /api/v1/tracker", "GET /api/v1/stream"]), (
        on_open
    )
    assert later == [], f"only the open stream while live, but the page sent {later}"
    assert page.locator(".badge", has_text="Live").count() == 1
    screen.assert_clean()


def test_the_tracker_opens_with_one_request_for_its_data(open_screen: Callable[..., Screen]) -> None:
    """An address with its index (a bookmark, a shared view): who is signed in, the opening answer, the stream;
    no separate instruments, sessions, status or summary."""
    screen = open_screen()
    page = screen.page
    sent: list[str] = []

    def log(request: Any) -> None:
        url = urlsplit(request.url)
        if url.path.startswith("/api/") or url.path.startswith("/health"):
            sent.append(f"{request.method} {url.path}")

    page.on("request", log)
    screen.goto("/?instrument=NIFTY&dmin=0.20&dmax=0.50")
    page.locator(f"{TRACKER_TABLE} tbody tr[aria-rowindex]").first.wait_for(timeout=WAIT)
    page.locator(".badge", has_text="Live").wait_for(timeout=WAIT)
    page.wait_for_timeout(500)  # a request the page was going to send on open has been sent
    record("tracker requests with an index", {"on open": sent})

    assert sorted(sent) == sorted(["GET /api/v1/auth/me", "GET /api/v1/tracker", "GET /api/v1/stream"]), sent
    assert "0.20–0.50" in page.locator(f"{TRACKER_TABLE} caption").inner_text()
    screen.assert_clean()
