"""The split deployment docs/deploy.md recommends: the UI built with VITE_API_ORIGIN and served by a static host
with the single-page fallback (Vercel's part), the API on another origin of the same site with CORS_ORIGINS
(Render's part). Sign in, the tracker draws its day, a live minute arrives, sign out: no console error, and
every API call goes to the API's origin with the session cookie."""

from __future__ import annotations

import functools
import http.server
import os
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import (
    EXPECTED_CONSOLE,
    ROOT,
    VIEWER,
    free_port,
    market_server,
    until,
)

FRONTEND = ROOT / "frontend"
WAIT = 30_000  # ms
ROWS = "table.tracker-table tbody tr[aria-rowindex]"


class _SinglePage(http.server.SimpleHTTPRequestHandler):
    """A static host: files as they are, and index.html for any other path (the app's own routes)."""

    def send_head(self):  # type: ignore[no-untyped-def]
        path = Path(self.translate_path(self.path))
        if not path.is_file():
            self.path = "/index.html"
        return super().send_head()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def split(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, Path]]:
    """(UI origin, API origin, the UI built for it): both on 127.0.0.1, so one site and two origins, as
    app.example.com and api.example.com are."""
    api_port, ui_port = free_port(), free_port()
    api, ui = f"http://127.0.0.1:{api_port}", f"http://127.0.0.1:{ui_port}"
    out = tmp_path_factory.mktemp("split-ui")
    build = subprocess.run(
        ["npx", "vite", "build", "--outDir", str(out), "--emptyOutDir", "--logLevel", "error"],
        cwd=FRONTEND,
        env={**os.environ, "VITE_API_ORIGIN": api},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert build.returncode == 0, build.stderr
    handler = functools.partial(_SinglePage, directory=str(out))
    static = http.server.ThreadingHTTPServer(("127.0.0.1", ui_port), handler)
    threading.Thread(target=static.serve_forever, daemon=True).start()
    settings = {"CORS_ORIGINS": ui, "UI_ORIGIN": ui}
    try:
        with market_server(tmp_path_factory, "split", env=lambda _: settings, port=api_port):
            yield ui, api, out
    finally:
        static.shutdown()


def test_the_built_ui_names_the_api_origin_only_when_told(split: tuple[str, str, Path]) -> None:
    _, api, built = split

    def scripts(dist: Path) -> str:
        return "".join(p.read_text() for p in (dist / "assets").glob("*.js"))

    assert api in scripts(built) and api in (built / "index.html").read_text()  # the CSP's connect-src
    default = FRONTEND / "dist"  # `make ui`: the API on the page's own origin
    assert api not in scripts(default)
    assert "connect-src 'self'\"" in (default / "index.html").read_text()


def test_sign_in_track_a_live_minute_and_sign_out_across_origins(
    browser: Any, split: tuple[str, str, Path]
) -> None:
    ui, api, _ = split
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    problems: list[str] = []
    calls: list[str] = []
    page.on(
        "console",
        lambda m: (
            problems.append(m.text)
            if m.type == "error" and not any(known in m.text for known in EXPECTED_CONSOLE)
            else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("request", lambda r: calls.append(r.url) if "/api/" in r.url or "/health/" in r.url else None)
    try:
        page.goto(f"{ui}/?interval=1", wait_until="domcontentloaded")
        page.get_by_role("heading", name="Sign in", level=1).wait_for(timeout=WAIT)
        assert "connect-src 'self' " + api in (
            page.locator("meta[http-equiv=Content-Security-Policy]").get_attribute("content") or ""
        )
        page.get_by_label("Email").fill(VIEWER[0])
        page.get_by_label("Password").fill(VIEWER[1])
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("heading", name="Greeks tracker", level=1).wait_for(timeout=WAIT)
        page.locator(".time-chart canvas").first.wait_for(timeout=WAIT)
        assert page.url.startswith(ui)
        # The live stream (EventSource with the cookie, on the API's origin) brings the next minute.
        page.locator(".tracker-table-slot").scroll_into_view_if_needed(timeout=WAIT)
        newest = f"document.querySelector('{ROWS} th')?.textContent"
        first = until(page, newest)
        until(page, f"({newest} || '') > '{first}'", timeout_ms=60_000)
        page.get_by_role("button", name=f"Account: {VIEWER[0]}").click()
        page.get_by_role("button", name="Sign out").click()
        page.get_by_role("heading", name="Sign in", level=1).wait_for(timeout=WAIT)
    finally:
        context.close()
    assert problems == [], problems
    assert calls and all(url.startswith(api) for url in calls), [u for u in calls if not u.startswith(api)]
    assert any(url.startswith(f"{api}/api/v1/stream") for url in calls)
    assert any(url == f"{api}/api/v1/auth/logout" for url in calls)
