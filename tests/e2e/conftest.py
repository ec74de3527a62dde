"""Browser tests: the real app in a subprocess on a free port, driven by Playwright in Debian's Chromium.

The server (tests/e2e/market_server.py) runs on the Upstox twin with a trading morning of NIFTY stored and new
minutes arriving every 10 s (its clock runs six times fast), and has a viewer and an admin account."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import IN_CI

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
ARTIFACTS = ROOT / "artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
FAILURES = ARTIFACTS / "e2e-failures"
AXE = ROOT / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

#: A past trading day the twin simulates; the server's clock starts at SESSION_START on it.
SESSION_DAY = "2026-11-23"
SESSION_START = "10:00"
VIEWER = ("viewer@e2e.test", "e2e-viewer-password-2026")
ADMIN = ("admin@e2e.test", "e2e-admin-password-2026")

#: Console errors that are answers, not faults: asking who is signed in answers 401 to a visitor, and the
#: browser logs every 4xx resource; the admin-only broker status answers 403 to a viewer.
EXPECTED_CONSOLE = ("status of 401", "status of 403")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _need(condition: bool, message: str) -> None:
    if not condition:
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)


def _wait_for_morning(base: str, server: subprocess.Popen[bytes], log: Path, deadline: float) -> None:
    """Until the server answers, and its catch-up has stored the session up to the start."""
    with httpx.Client(base_url=base, timeout=5) as client:
        while time.monotonic() < deadline:
            if server.poll() is not None:
                pytest.fail(f"the server exited with {server.returncode}; see {log}")
            try:
                if client.post(
                    "/api/v1/auth/login", json={"email": VIEWER[0], "password": VIEWER[1]}
                ).is_success:
                    status = client.get("/api/v1/status").json()
                    poller, data = status.get("poller") or {}, status.get("data") or {}
                    if poller.get("catching_up") is False and data.get("last_minute"):
                        return
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
    server.kill()
    pytest.fail(f"the server did not store its morning in time; see {log}")


@contextlib.contextmanager
def market_server(
    tmp_path_factory: pytest.TempPathFactory,
    name: str,
    env: Callable[[str], dict[str, str]] | None = None,
    port: int | None = None,
) -> Iterator[str]:
    """tests/e2e/market_server.py on a free port (or `port`): the built UI on the twin, with the morning of
    SESSION_DAY stored and minutes still arriving. `env(base_url)` adds environment variables."""
    _need((ROOT / "frontend" / "dist" / "index.html").is_file(), "the UI is not built (make ui)")
    port = port or free_port()
    base = f"http://127.0.0.1:{port}"
    db = tmp_path_factory.mktemp(name) / "e2e.db"
    log = tmp_path_factory.mktemp(f"{name}-log") / "server.log"
    command = [
        sys.executable, str(HERE / "market_server.py"), "--port", str(port), "--database", f"sqlite:///{db}",
        "--day", SESSION_DAY, "--start", SESSION_START,
    ]  # fmt: skip
    with log.open("w") as out:
        server = subprocess.Popen(
            command,
            cwd=ROOT,
            env={**os.environ, "REDIS_URL": "", **(env(base) if env else {})},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            # A loaded CI machine imports slowly; the catch-up of 45 minutes adds a few seconds.
            _wait_for_morning(base, server, log, time.monotonic() + 180)
            yield base
        finally:
            server.terminate()
            server.wait(timeout=15)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The server most browser tests share."""
    with market_server(tmp_path_factory, "e2e") as base:
        yield base


def until(page: Any, script: str, timeout_ms: int = 30_000) -> Any:
    """Polls `script` (evaluated over the DevTools protocol, which the page's CSP does not govern; Playwright's
    wait_for_function would need 'unsafe-eval') until it answers something truthy."""
    deadline = time.monotonic() + timeout_ms / 1000
    while True:
        value = page.evaluate(script)
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout_ms} ms: {script}")
        page.wait_for_timeout(100)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Module-scoped: Playwright's sync API keeps an event loop running in this thread while it is open,
    which would stop later synchronous tests from using asyncio.run()."""

    _need(Path(CHROMIUM).exists(), f"Chromium not found at {CHROMIUM} (make browser installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


# Every Content-Security-Policy violation the page reports, kept where the test can read it.
_CSP_WATCH = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`);
});
"""


@dataclass
class Screen:
    """A browser tab on the app, with what went wrong in it."""

    page: Any
    base: str
    problems: list[str] = field(default_factory=list)
    network: list[str] = field(default_factory=list)  # what the tab asked and got, for a failure's report

    def goto(self, path: str) -> None:
        self.page.goto(self.base + path, wait_until="domcontentloaded")

    def csp_violations(self) -> list[str]:
        return list(self.page.evaluate("window.__cspViolations || []"))

    def assert_clean(self) -> None:
        assert self.problems == [], self.problems
        assert self.csp_violations() == []

    def color_scheme(self, scheme: str) -> None:
        """The system's light or dark preference, emulated, and the page drawn in it: axe once read the footer
        half switched (light-theme text on the dark surface) right after the emulation changed."""
        self.page.emulate_media(color_scheme=scheme)
        until(self.page, f"matchMedia('(prefers-color-scheme: {scheme})').matches")
        self.page.evaluate(
            "() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))"
        )

    def axe(self) -> list[dict[str, Any]]:
        """axe-core's violations (WCAG 2.0–2.2 A and AA rules) on the page as it is now."""
        if not self.page.evaluate("typeof window.axe === 'object'"):
            # Evaluated through the DevTools protocol, which the page's CSP does not govern (a <script> tag
            # with inline content would be refused, rightly).
            self.page.evaluate(AXE.read_text(encoding="utf-8"))
        result = self.page.evaluate(
            """async () => {
              const r = await axe.run(document, {
                runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
                resultTypes: ['violations'],
              });
              return r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' :: ' + n.failureSummary) }));
            }"""
        )
        return list(result)


def _watch(page: Any, problems: list[str]) -> None:
    def console(message: Any) -> None:
        if message.type == "error" and not any(known in message.text for known in EXPECTED_CONSOLE):
            problems.append(f"console.error: {message.text}")

    page.on("console", console)
    page.on("pageerror", lambda error: problems.append(f"pageerror: {error}"))


_SIGNED_IN: dict[tuple[str, str], dict[str, Any]] = {}


def _session_of(browser: Any, base: str, who: tuple[str, str]) -> dict[str, Any]:
    """One sign-in per person for the whole run (sign-in is rate-limited), its cookies reused by every tab."""
    if who not in _SIGNED_IN:
        context = browser.new_context()
        answer = context.request.post(
            base + "/api/v1/auth/login",
            data=json.dumps({"email": who[0], "password": who[1]}),
            headers={"Content-Type": "application/json"},
        )
        assert answer.ok, answer.text()
        _SIGNED_IN[who] = context.storage_state()
        context.close()
    return _SIGNED_IN[who]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Marks a test whose body failed, so open_screen can keep what its tabs showed."""
    outcome: Any = yield
    report = outcome.get_result()
    if report.when == "call" and report.failed:
        item.stash[_FAILED] = True


_FAILED = pytest.StashKey[bool]()


def _keep_failure(name: str, index: int, screen: Screen) -> None:
    """A failed test's tab: a screenshot, the text on screen, the console problems and the requests made."""
    FAILURES.mkdir(parents=True, exist_ok=True)
    stem = FAILURES / f"{re.sub(r'[^A-Za-z0-9_.-]+', '_', name)}-{index}"
    try:
        screen.page.screenshot(path=f"{stem}.png", full_page=True)
        text = screen.page.inner_text("body")
    except Exception as exc:  # the tab may be gone: keep what is known
        text = f"(page not readable: {exc})"
    lines = [f"url: {screen.page.url}", "", "problems:", *screen.problems, "", "requests:", *screen.network]
    Path(f"{stem}.txt").write_text("\n".join([*lines, "", "text on screen:", text]) + "\n")


@pytest.fixture
def open_screen(
    browser: Any, live_server: str, request: pytest.FixtureRequest
) -> Iterator[Callable[..., Screen]]:
    """Opens a tab (a fresh context) at a width and colour scheme, signed in as `who` (None: a visitor).
    When the test fails, each tab's screenshot, text and requests are kept in artifacts/e2e-failures/."""
    contexts: list[Any] = []
    screens: list[Screen] = []

    def open_(
        width: int = 1440,
        height: int = 900,
        scheme: str = "light",
        who: tuple[str, str] | None = VIEWER,
        reduced_motion: str = "reduce",
    ) -> Screen:
        context = browser.new_context(
            viewport={"width": width, "height": height},
            color_scheme=scheme,
            reduced_motion=reduced_motion,
            accept_downloads=True,
            storage_state=_session_of(browser, live_server, who) if who is not None else None,
        )
        contexts.append(context)
        context.add_init_script(_CSP_WATCH)
        page = context.new_page()
        screen = Screen(page, live_server)
        _watch(page, screen.problems)
        started = time.monotonic()
        page.on(
            "response",
            lambda r: screen.network.append(f"{time.monotonic() - started:7.2f} s {r.status} {r.url}"),
        )
        page.on("requestfailed", lambda r: screen.network.append(f"failed {r.url}: {r.failure}"))
        screens.append(screen)
        return screen

    yield open_
    if request.node.stash.get(_FAILED, False):
        for index, screen in enumerate(screens):
            _keep_failure(request.node.name, index, screen)
    for context in contexts:
        context.close()


def record(name: str, value: Any) -> None:
    """Adds a measurement to artifacts/e2e-measurements.json (the report reads it)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / "e2e-measurements.json"
    data = json.loads(path.read_text()) if path.exists() else {}
    data[name] = value
    path.write_text(json.dumps(data, indent=2) + "\n")
