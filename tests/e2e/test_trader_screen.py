"""The trader's screen in a real browser on a simulated morning: sign in, the tracker's data, the delta band
moving chart and table, the CSV, a live minute, the chain replay, a full day's render time, accessibility in
both themes, screenshots, and the size of the JavaScript a first visit loads."""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
import statistics
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import ADMIN, HERE, ROOT, VIEWER, Screen, record, until

pytestmark = pytest.mark.e2e

WAIT = 30_000  # ms: a loaded machine is slow, a correct page still gets there
TRACKER_TABLE = "table.tracker-table"
FULL_DAY = HERE / "fixtures" / "summary-full-day.json"


def _wait_for_day(screen: Screen) -> Any:
    page = screen.page
    # The minute table loads when it comes near the screen (below the fold): go there, as a person would.
    page.locator(".tracker-table-slot").scroll_into_view_if_needed(timeout=WAIT)
    page.locator(f"{TRACKER_TABLE} tbody tr[aria-rowindex]").first.wait_for(timeout=WAIT)
    # The greek charts draw one after another; wait until every chart on the page has its canvas.
    page.locator(".time-chart canvas").first.wait_for(timeout=WAIT)
    until(page, "[...document.querySelectorAll('.time-chart')].every((c) => c.querySelector('canvas'))")
    return page


def _rows(page: Any) -> list[list[str]]:
    """The table's rendered rows (the virtualiser renders those in view and a few more), top first."""
    return list(
        page.eval_on_selector_all(
            f"{TRACKER_TABLE} tbody tr[aria-rowindex]",
            "rows => rows.map(r => [...r.querySelectorAll('th, td')].map(c => c.textContent))",
        )
    )


def _chart_pixels(page: Any) -> str:
    return str(page.eval_on_selector(".time-chart canvas", "c => c.toDataURL()"))


def test_sign_in_then_the_tracker_shows_the_morning(open_screen: Callable[..., Screen]) -> None:
    screen = open_screen(who=None)
    page = screen.page
    screen.goto("/?interval=1")
    page.get_by_role("heading", name="Sign in", level=1).wait_for(timeout=WAIT)
    assert "/login?next=" in page.url
    page.get_by_label("Email").fill(ADMIN[0])
    page.get_by_label("Password").fill(ADMIN[1])
    page.get_by_role("button", name="Sign in").click()

    page.get_by_role("heading", name="Greeks tracker", level=1).wait_for(timeout=WAIT)
    _wait_for_day(screen)
    assert page.url.endswith("/?interval=1")
    rows = _rows(page)
    assert len(rows) > 20
    assert re.fullmatch(r"\d\d:\d\d", rows[0][0])
    assert rows[0][0] > rows[1][0], "newest first"
    assert page.locator(".time-chart canvas").count() >= 5
    caption = page.locator(f"{TRACKER_TABLE} caption").inner_text()
    assert caption.startswith("NIFTY ") and "0.05–0.60" in caption
    assert page.get_by_role("button", name="Account: admin@e2e.test").is_visible()
    # Nothing about the session is kept where scripts can read it (the session cookie is httpOnly).
    assert page.evaluate("Object.keys(localStorage)") == []
    assert "me_session" not in page.evaluate("document.cookie")
    screen.assert_clean()


def test_moving_the_delta_band_changes_chart_and_table(open_screen: Callable[..., Screen]) -> None:
    screen = open_screen()
    screen.goto("/")
    page = _wait_for_day(screen)
    page.wait_for_timeout(300)  # the first draw has settled
    before_rows, before_pixels = _rows(page), _chart_pixels(page)

    # The lower handle, by keyboard: each arrow press is one step of 0.01.
    lower = page.get_by_role("slider", name="Lower delta")
    lower.focus()
    for _ in range(15):
        page.keyboard.press("ArrowRight")
    page.locator(f"{TRACKER_TABLE} caption", has_text="0.20–0.60").wait_for(state="attached", timeout=WAIT)
    assert "dmin=0.20&dmax=0.60" in page.url
    page.wait_for_timeout(300)

    after_rows = _rows(page)
    assert after_rows[1][2:] != before_rows[1][2:], "the table's greeks changed with the band"
    assert _chart_pixels(page) != before_pixels, "the chart was drawn again for the new band"
    assert page.get_by_role("spinbutton", name="From").input_value() == "0.20"
    screen.assert_clean()


def test_the_csv_holds_what_the_table_shows(open_screen: Callable[..., Screen]) -> None:
    screen = open_screen()
    screen.goto("/?greeks=delta,theta,iv&cols=level,change")
    page = _wait_for_day(screen)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download CSV").click()
    shown = _rows(page)
    text = Path(download.value.path()).read_text(encoding="utf-8")
    lines = list(csv.reader(io.StringIO(text)))
    header, body = lines[0], lines[1:]
    assert header[:3] == ["Date", "Time (IST)", "Spot"]
    assert len(header) == 3 + 3 * 3 * 2
    by_time = {line[1]: line[1:] for line in body}

    def plain(cell: str) -> str:
        return cell.replace(",", "").replace("\u2212", "-").removeprefix("+").replace("—", "")

    for row in shown:
        assert by_time.get(row[0]) == [plain(cell) for cell in row], row[0]
    # The newest rows may have grown since the download; every row shown is in it, newest first.
    assert [line[1] for line in body] == sorted((line[1] for line in body), reverse=True)
    assert download.value.suggested_filename.startswith("NIFTY-")
    screen.assert_clean()


def test_a_new_minute_arrives_live(open_screen: Callable[..., Screen]) -> None:
    screen = open_screen()
    screen.goto("/")
    page = _wait_for_day(screen)
    page.locator(".badge", has_text="Live").wait_for(timeout=WAIT)
    newest = _rows(page)[0][0]
    loads = []
    page.on("request", lambda r: loads.append(r.url) if "/greeks/summary" in r.url else None)
    # The server's clock runs six times fast: a minute every 10 s, pushed over the stream.
    until(
        page, f"document.querySelector('{TRACKER_TABLE} tbody tr[aria-rowindex] th').textContent > '{newest}'"
    )
    assert loads == [], "the new minute came through the stream, not a reload"
    assert page.locator(".badge", has_text="Live").count() == 1
    screen.assert_clean()


def test_the_chain_replays_the_day_and_opens_a_strike(open_screen: Callable[..., Screen]) -> None:
    screen = open_screen()
    screen.goto("/chain")
    page = screen.page
    caption = page.locator("table.chain-table caption")
    caption.wait_for(state="attached", timeout=WAIT)
    assert page.locator("tr.row--atm").count() == 1
    assert "ATM" in page.locator("tr.row--atm").inner_text()

    slider = page.get_by_role("slider", name=re.compile("Minute"))
    slider.focus()
    page.keyboard.press("Home")
    page.locator("table.chain-table caption", has_text="at 09:15 IST").wait_for(
        state="attached", timeout=WAIT
    )
    assert "at=09%3A15" in page.url
    for _ in range(10):
        page.keyboard.press("ArrowRight")
    page.locator("table.chain-table caption", has_text="at 09:25 IST").wait_for(
        state="attached", timeout=WAIT
    )

    page.locator("tr.row--atm button.strike-button").click()
    panel = page.get_by_role("region", name=re.compile(r"CE: change since 09:15 IST"))
    panel.wait_for(timeout=WAIT)
    page.locator("#strike-title").wait_for()
    # The charts draw after the strike's minutes arrive (a request of its own), so wait for the sixth canvas.
    panel.locator(".time-chart canvas").nth(5).wait_for(timeout=WAIT)
    assert panel.locator(".time-chart canvas").count() == 6
    # click, not check(): the side lives in the address, so the radio turns checked once the address has
    # changed and the panel (now named for PE) has drawn again; check() looked at once and failed a CI run.
    panel.get_by_role("radio", name="PE (put)").click()
    put_panel = page.get_by_role("region", name=re.compile(r"PE: change since"))
    put_panel.wait_for(timeout=WAIT)
    assert put_panel.get_by_role("radio", name="PE (put)").is_checked()
    assert "side=PE" in page.url
    screen.assert_clean()


def test_a_full_day_renders_in_under_200_ms_after_the_data_arrives(
    open_screen: Callable[..., Screen],
) -> None:
    """376 minutes (a recorded full session, served for the summary request), five charts, the table: from the
    answer parsed (performance mark in the fetcher) to the next frame after charts and table are drawn. Also
    the layout shift while the page fills in (the loading shapes have the sizes of what replaces them)."""
    screen = open_screen()
    page = screen.page
    page.add_init_script(
        "window.__cls = 0; new PerformanceObserver((list) => { for (const e of list.getEntries())"
        " if (!e.hadRecentInput) window.__cls += e.value; }).observe({ type: 'layout-shift', buffered: true });"
    )
    body = FULL_DAY.read_bytes()
    page.route(
        re.compile(r"/api/v1/greeks/summary\?"),
        lambda route: route.fulfill(status=200, body=body, headers={"Content-Type": "application/json"}),
    )

    def without_summary(route: Any) -> None:
        # The tracker's opening answer brings the day itself; without it the screen asks /greeks/summary (above).
        answer = route.fetch()
        bundle = answer.json()
        bundle["summary"] = None
        route.fulfill(response=answer, body=json.dumps(bundle))

    page.route(re.compile(r"/api/v1/tracker\?"), without_summary)
    durations: list[float] = []
    shifts: list[float] = []
    for _ in range(6):
        screen.goto("/")
        page.locator(".time-chart canvas").first.wait_for(timeout=WAIT)
        until(page, "performance.getEntriesByName('tracker:render').length > 0")
        durations.append(float(page.evaluate("performance.getEntriesByName('tracker:render')[0].duration")))
        page.wait_for_timeout(300)
        shifts.append(float(page.evaluate("window.__cls")))
    rows = page.locator(f"{TRACKER_TABLE}").get_attribute("aria-rowcount")
    cores = page.evaluate("navigator.hardwareConcurrency")
    # The first load also compiles the page's code; the others are what a trader sees on each new day or band.
    warm = durations[1:]
    record(
        "full_day_render_ms",
        {
            "first_load": round(durations[0], 1),
            "median": round(statistics.median(warm), 1),
            "best": round(min(warm), 1),
            "all": [round(d, 1) for d in durations],
            "cumulative_layout_shift": round(max(shifts), 4),
            "rows": rows,
            "cpu_cores": cores,
            "load_average": _load_average(),
        },
    )
    print(
        f"\nfull day render: median {statistics.median(warm):.0f} ms, best {min(warm):.0f} ms, all {durations}"
    )
    assert rows == str(376 + 3)
    assert max(shifts) < 0.1, shifts  # "good" by the Core Web Vitals threshold
    # The budget is 200 ms on a mid-range laptop; a shared CI box is slower and noisier, so the test only
    # catches a real regression here, and the measured numbers go to artifacts/e2e-measurements.json.
    assert statistics.median(warm) < 1000, durations
    screen.assert_clean()


def _load_average() -> float | None:
    try:
        return float(Path("/proc/loadavg").read_text().split()[0])
    except OSError:
        return None


SCREENS = [
    ("tracker", "/", "date-picker"),
    ("chain", "/chain", "strike"),
    ("status", "/status", None),
    ("broker", "/broker", None),
    ("login", "/login", None),
    ("legal-terms", "/legal/terms", None),
    ("legal-privacy", "/legal/privacy", None),
    ("legal-disclaimer", "/legal/disclaimer", None),
    ("legal-accessibility", "/legal/accessibility", None),
    ("not-found", "/no/such/page", None),
]


def _settle(screen: Screen, name: str, extra: str | None) -> None:
    page = screen.page
    page.locator("h1").first.wait_for(timeout=WAIT)
    if name == "tracker":
        _wait_for_day(screen)
    if name == "chain":
        page.locator("table.chain-table").wait_for(timeout=WAIT)
    if extra == "strike":
        page.locator("tr.row--atm button.strike-button").click()
        page.locator("#strike-title").wait_for(timeout=WAIT)
        page.locator("section .time-chart canvas").first.wait_for(timeout=WAIT)
    if name == "status":
        page.get_by_role("table", name="Readiness checks").wait_for(timeout=WAIT)
    if name == "broker":
        page.get_by_role("heading", name="Recent token events").wait_for(timeout=WAIT)
    if name.startswith("legal-"):
        # The text the backend serves, with its version, not the loading placeholder.
        page.locator("dl.legal-version").wait_for(timeout=WAIT)
        page.locator("article.prose p").first.wait_for(timeout=WAIT)
    page.wait_for_timeout(250)


def _fits(page: Any, name: str, width: int) -> None:
    if page.viewport_size["width"] != width:
        page.set_viewport_size({"width": width, "height": page.viewport_size["height"]})
        page.wait_for_timeout(300)
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{name}: horizontal page scroll at {width}px ({scroll_width}px)"


def _dark(page: Any) -> None:
    """The theme switch in the header: the page follows it at once."""
    page.get_by_role("button", name="Dark theme").click()
    until(page, "document.documentElement.dataset.theme === 'dark'")
    page.wait_for_timeout(200)


@pytest.mark.parametrize(("name", "path", "extra"), SCREENS, ids=[s[0] for s in SCREENS])
def test_every_screen_is_accessible_in_both_themes_and_fits_phone_and_desktop(
    open_screen: Callable[..., Screen], screenshots: Path, name: str, path: str, extra: str | None
) -> None:
    """axe-core (WCAG 2.2 A/AA rules) finds nothing in the light and the dark theme; no horizontal page scroll
    from 360 to 1920 px; screenshots at 1440 and 390 px in both themes; no console error, no CSP violation."""
    who = ADMIN if name in ("broker", "status") else None if name == "login" else VIEWER
    found: dict[str, list[dict[str, Any]]] = {}

    desktop = open_screen(width=1440, height=900, who=who)
    page = desktop.page
    desktop.goto(path)
    _settle(desktop, name, extra)
    _fits(page, name, 1440)
    page.screenshot(path=str(screenshots / f"{name}-1440-light.png"), full_page=True)
    found["light"] = desktop.axe()
    _dark(page)
    page.screenshot(path=str(screenshots / f"{name}-1440-dark.png"), full_page=True)
    found["dark"] = desktop.axe()
    if extra == "date-picker":
        page.get_by_role("button", name=re.compile("^Date ")).click()
        page.get_by_role("dialog").wait_for()
        found["dark, calendar open"] = desktop.axe()
        page.screenshot(path=str(screenshots / f"{name}-calendar-1440-dark.png"))
        page.keyboard.press("Escape")
    _fits(page, name, 1920)
    desktop.assert_clean()

    phone = open_screen(width=390, height=844, who=who)
    page = phone.page
    phone.goto(path)
    _settle(phone, name, extra)
    _fits(page, name, 390)
    page.screenshot(path=str(screenshots / f"{name}-390-light.png"), full_page=True)
    _dark(page)
    page.screenshot(path=str(screenshots / f"{name}-390-dark.png"), full_page=True)
    _fits(page, name, 360)
    phone.assert_clean()

    assert all(violations == [] for violations in found.values()), json.dumps(found, indent=1)


def test_a_tracker_page_load_asks_for_at_most_150_kb_of_javascript_compressed(
    open_screen: Callable[..., Screen],
) -> None:
    """A phone opening the tracker, nothing cached: what crosses the wire for scripts (transferSize), every
    asset compressed (the build's .br, chosen by Accept-Encoding) and marked Vary: Accept-Encoding."""
    screen = open_screen(width=390, height=844)
    page = screen.page
    encodings: dict[str, tuple[str | None, str | None, int]] = {}

    def answered(response: Any) -> None:
        if "/assets/" in response.url:
            headers = response.headers
            encodings[response.url] = (
                headers.get("content-encoding"),
                headers.get("vary"),
                int(headers.get("content-length", 0)),
            )

    page.on("response", answered)
    screen.goto("/")
    page.locator(".time-chart canvas").first.wait_for(timeout=WAIT)
    page.wait_for_load_state("networkidle")
    scripts = page.evaluate(
        "performance.getEntriesByType('resource').filter(e => e.name.endsWith('.js'))"
        ".map(e => [e.name.split('/').pop(), e.transferSize, e.decodedBodySize])"
    )
    wire = sum(size for _, size, _ in scripts)
    record("tracker_js_on_the_wire", {"bytes": wire, "scripts": scripts})
    assert scripts and wire <= 150 * 1024, scripts
    assert not any(name.startswith("TrackerTable") for name, _, _ in scripts), (
        "the table loads when scrolled to"
    )
    for url, (coding, vary, length) in encodings.items():
        assert vary == "Accept-Encoding", url
        if url.endswith((".js", ".css")) and (coding or length >= 1024):  # the build skips files under 1 KB
            assert coding == "br", (url, coding, length)
    screen.assert_clean()


def test_a_first_visit_loads_under_200_kb_of_javascript() -> None:
    """The entry chunk and what index.html preloads, gzipped: what every first visit costs before a page's
    own chunk (the tracker's, with the chart library, comes after)."""
    dist = ROOT / "frontend" / "dist"
    index = (dist / "index.html").read_text()
    initial = re.findall(r'(?:src|href)="/(assets/[^"]+\.js)"', index)
    sizes = {name: len(gzip.compress((dist / name).read_bytes(), 9)) for name in initial}
    total = sum(sizes.values())
    tracker = sorted((dist / "assets").glob("TrackerPage-*.js"))
    record(
        "initial_js_gzip_bytes", {"total": total, "files": sizes, "tracker_chunk": [p.name for p in tracker]}
    )
    assert initial, "index.html loads no script"
    assert total < 200 * 1024, sizes
