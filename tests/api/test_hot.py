"""The hot path: a signed-in viewer's repeat question is answered from memory with the same bytes, ETag and
headers as the full path; no credential, a new minute, an unknown key or a spent allowance goes the full way."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI

from marketedge.api.hot import HotPathMiddleware
from marketedge.app import create_app
from marketedge.auth.roles import Role
from marketedge.core.clock import ManualClock
from marketedge.core.config import Settings
from marketedge.ingest.bus import MinuteStored
from tests.api.conftest import drop_minutes_after_last, store_minute_after_last
from tests.auth_fixtures import api_key_for, client_for, make_user, sign_in
from tests.conftest import running

SUMMARY = "/api/v1/greeks/summary?instrument=NIFTY&delta_min=0.1&delta_max=0.5"
STATUS = "/api/v1/status"


@pytest.fixture
async def signed_app(day_settings: Settings, pinned_clock: ManualClock) -> AsyncIterator[FastAPI]:
    """The day's app with the real access checks (no override): the hot path needs a credential."""
    application = create_app(day_settings)
    async with running(application):
        yield application


@pytest.fixture
async def viewer_http(signed_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    signed = await sign_in(signed_app, signed_app.state.db, Role.viewer)
    async with signed.client:
        yield signed.client


async def test_a_repeat_question_is_answered_from_memory_with_the_same_bytes(
    signed_app: FastAPI, viewer_http: httpx.AsyncClient
) -> None:
    hot = signed_app.state.hot
    first = await viewer_http.get(SUMMARY)
    assert first.status_code == 200 and hot.hits == 0
    second = await viewer_http.get(SUMMARY)
    assert hot.hits == 1
    assert second.content == first.content and second.headers["etag"] == first.headers["etag"]
    for name in ("cache-control", "vary", "content-type", "content-security-policy", "x-request-id"):
        assert name in second.headers, name
    assert second.headers["cache-control"].startswith("private, max-age=")
    # gzip when asked (httpx asks by default and decodes), 304 when the client has it
    assert second.headers.get("content-encoding") == "gzip"
    again = await viewer_http.get(SUMMARY, headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and hot.hits == 2 and again.content == b""


async def test_csv_by_accept_is_a_different_question(viewer_http: httpx.AsyncClient) -> None:
    as_json = await viewer_http.get(SUMMARY)
    for _ in range(2):
        as_csv = await viewer_http.get(SUMMARY, headers={"Accept": "text/csv"})
        assert as_csv.headers["content-type"].startswith("text/csv")
        assert as_csv.headers["content-disposition"].startswith("attachment")
    assert (await viewer_http.get(SUMMARY)).content == as_json.content


async def test_no_credential_or_a_bad_one_never_gets_a_stored_answer(
    signed_app: FastAPI, viewer_http: httpx.AsyncClient
) -> None:
    assert (await viewer_http.get(SUMMARY)).status_code == 200
    async with client_for(signed_app) as anonymous:
        assert (await anonymous.get(SUMMARY)).status_code == 401
        wrong = {"Authorization": "Bearer me_" + "x" * 43}
        assert (await anonymous.get(SUMMARY, headers=wrong)).status_code == 401
        forged = {"Cookie": "me_session=not-a-session"}
        assert (await anonymous.get(SUMMARY, headers=forged)).status_code == 401
    assert signed_app.state.hot.hits == 0


async def test_an_api_key_is_checked_once_then_trusted_for_the_grant(signed_app: FastAPI) -> None:
    user = await make_user(signed_app.state.db, Role.viewer)
    key = await api_key_for(signed_app.state.db, user)
    async with client_for(signed_app, headers={"Authorization": f"Bearer {key}"}) as http:
        answers = [await http.get(SUMMARY) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert signed_app.state.hot.hits == 2
    signed_app.state.hot.forget_grants()  # what revoking does on this replica: the next request is checked
    async with client_for(signed_app, headers={"Authorization": f"Bearer {key}"}) as http:
        assert (await http.get(SUMMARY)).status_code == 200
    assert signed_app.state.hot.hits == 2


async def test_an_ingest_only_key_is_refused_and_never_granted(signed_app: FastAPI) -> None:
    from marketedge.auth.roles import Scope

    admin = await make_user(signed_app.state.db, Role.admin)
    key = await api_key_for(signed_app.state.db, admin, [Scope.ingest])
    async with client_for(signed_app, headers={"Authorization": f"Bearer {key}"}) as http:
        assert [(await http.get(SUMMARY)).status_code for _ in range(2)] == [403, 403]
    assert signed_app.state.hot.hits == 0


async def test_a_stored_minute_ends_the_stored_answers_and_the_clock_ends_those_that_follow_it(
    signed_app: FastAPI, viewer_http: httpx.AsyncClient, pinned_clock: ManualClock
) -> None:
    hot = signed_app.state.hot
    await viewer_http.get(SUMMARY)
    await viewer_http.get(SUMMARY)
    assert hot.hits == 1
    hot.bump()  # what the broadcaster does for every stored minute
    await viewer_http.get(SUMMARY)
    assert hot.hits == 1
    await viewer_http.get(SUMMARY)
    await viewer_http.get(STATUS)
    await viewer_http.get(STATUS)
    assert hot.hits == 3
    # The clock turns before the new minute is stored: the summary is built from stored minutes only and is
    # still the route's answer; the status changes with the clock and goes to the route again.
    pinned_clock.advance(timedelta(minutes=1))
    await viewer_http.get(SUMMARY)
    assert hot.hits == 4
    await viewer_http.get(STATUS)
    assert hot.hits == 4
    # A second turn without a stored minute (after the close, Upstox away): the route answers again.
    pinned_clock.advance(timedelta(minutes=1))
    await viewer_http.get(SUMMARY)
    assert hot.hits == 4
    await viewer_http.get(SUMMARY)
    assert hot.hits == 5


async def test_under_a_display_delay_every_answer_ends_with_its_clock_minute(
    day_settings: Settings, pinned_clock: ManualClock
) -> None:
    application = create_app(day_settings.model_copy(update={"display_delay_minutes": 15}))
    async with running(application):
        signed = await sign_in(application, application.state.db, Role.viewer)
        async with signed.client as http:
            first = await http.get(SUMMARY)
            await http.get(SUMMARY)
            assert application.state.hot.hits == 1
            pinned_clock.advance(timedelta(minutes=1))
            later = await http.get(SUMMARY)
            assert application.state.hot.hits == 1
    # A minute later, one more minute is past the delay: the answer the route built has it.
    assert len(later.json()["minutes"]) == len(first.json()["minutes"]) + 1


async def test_the_broadcaster_bumps_the_hot_path_on_each_announcement(signed_app: FastAPI) -> None:
    import asyncio

    hot, live = signed_app.state.hot, signed_app.state.live
    before = hot.mark()
    selected = await signed_app.state.market_data.select("NIFTY", None, None)
    signed_app.state.runtime.bus.publish(MinuteStored("NIFTY", selected.expiry, selected.frame.minutes[-1]))
    for _ in range(50):
        if live.announcements:
            break
        await asyncio.sleep(0.01)
    assert hot.mark() != before


async def test_a_spent_allowance_is_answered_429_by_the_full_path(
    day_settings: Settings, pinned_clock: ManualClock
) -> None:
    application = create_app(day_settings.model_copy(update={"api_rate_limit": "3/minute"}))
    async with running(application):
        signed = await sign_in(application, application.state.db, Role.viewer)
        async with signed.client as http:
            statuses = [(await http.get(SUMMARY)).status_code for _ in range(5)]
    assert statuses[:3] == [200, 200, 200] and statuses[3:] == [429, 429]


async def test_instruments_and_sessions_are_built_once_a_minute(
    signed_app: FastAPI, viewer_http: httpx.AsyncClient, pinned_clock: ManualClock
) -> None:
    rendered = signed_app.state.rendered
    signed_app.state.hot.grant_seconds = 0  # the full path each time, to count the builds
    for _ in range(3):
        assert (await viewer_http.get("/api/v1/instruments")).status_code == 200
        assert (await viewer_http.get("/api/v1/sessions?instrument=nifty")).status_code == 200
    assert rendered.builds == 2
    pinned_clock.advance(timedelta(minutes=1))
    await viewer_http.get("/api/v1/instruments")
    assert rendered.builds == 3


async def test_a_pages_requests_wait_for_one_check_of_their_credential(
    signed_app: FastAPI, viewer_http: httpx.AsyncClient
) -> None:
    import asyncio

    page = [
        SUMMARY,
        "/api/v1/instruments",
        "/api/v1/sessions?instrument=NIFTY",
        "/api/v1/chain?instrument=NIFTY",
    ]
    for path in page:  # someone else opened the page this minute: the answers are stored
        assert (await viewer_http.get(path)).status_code == 200
    newcomer = await sign_in(signed_app, signed_app.state.db, Role.viewer)
    hits = signed_app.state.hot.hits
    async with newcomer.client as http:
        answers = await asyncio.gather(*(http.get(path) for path in page))
    assert [a.status_code for a in answers] == [200] * 4
    assert signed_app.state.hot.hits - hits == 3  # one full check, three answered from memory after it


async def test_a_known_stream_start_goes_straight_to_the_broadcaster(
    signed_app: FastAPI, viewer_http: httpx.AsyncClient
) -> None:
    from tests.api.test_stream import StreamReader

    cookie = [(b"cookie", f"me_session={viewer_http.cookies['me_session']}".encode())]
    query = "instrument=NIFTY&delta_min=0.1&delta_max=0.5"
    first = StreamReader(signed_app, "/api/v1/stream", query, cookie)
    try:
        opening = await first.next_event()
        assert first.status == 200 and signed_app.state.hot.stream_hits == 0
    finally:
        await first.close()
    # Later starts in the same minute share one read of the day (a thousand of them at 09:15).
    service = signed_app.state.market_data
    reads: list[object] = []
    select = service.select

    async def counted(*args: object) -> object:
        reads.append(args)
        return await select(*args)

    service.select = counted
    for n in (1, 2):
        again = StreamReader(signed_app, "/api/v1/stream", query, cookie)
        try:
            assert await again.next_event() == opening and again.status == 200
            assert signed_app.state.hot.stream_hits == n
        finally:
            await again.close()
    assert len(reads) == 1
    signed_app.state.hot.bump()  # a stored minute: the next start reads the day again
    again = StreamReader(signed_app, "/api/v1/stream", query, cookie)
    try:
        await again.next_event()
        assert len(reads) == 2
    finally:
        await again.close()
    anonymous = StreamReader(signed_app, "/api/v1/stream", query)
    try:
        body = (await __import__("asyncio").wait_for(anonymous.chunks.get(), 5)).decode()
        assert anonymous.status == 401 and "event:" not in body
    finally:
        await anonymous.close()


async def test_the_status_answer_is_served_from_memory_and_rebuilt_when_a_minute_is_stored(
    signed_app: FastAPI, viewer_http: httpx.AsyncClient
) -> None:
    """Every open screen asks for /status: repeats cost no database read; a stored minute shows at once."""
    hot, service = signed_app.state.hot, signed_app.state.status
    built: list[object] = []
    build = service._build

    async def counted(now: object) -> object:
        built.append(now)
        return await build(now)

    service._build = counted
    first = await viewer_http.get("/api/v1/status")
    assert first.status_code == 200 and first.headers["cache-control"].startswith("private, max-age=")
    second = await viewer_http.get("/api/v1/status")
    assert hot.hits == 1 and second.content == first.content and len(built) == 1
    hot.bump()  # a minute stored: the next asker gets a new build, not the memo of this clock minute
    third = await viewer_http.get("/api/v1/status")
    assert third.status_code == 200 and len(built) == 2 and hot.hits == 1
    async with client_for(signed_app) as anonymous:
        assert (await anonymous.get("/api/v1/status")).status_code == 401


async def test_who_am_i_comes_from_the_snapshot_as_the_full_path_answers_it(signed_app: FastAPI) -> None:
    """Every page load asks /auth/me: for a session the snapshot vouches for it costs no database read, and
    says exactly what the route says; a sign-out on this replica stops it at once, not at the next refresh."""
    hot = signed_app.state.hot
    signed = await sign_in(signed_app, signed_app.state.db, Role.viewer)
    async with signed.client as http, client_for(signed_app) as other_tab:
        other_tab.cookies.set("me_session", signed.token)
        full = await http.get("/api/v1/auth/me")  # a session newer than the snapshot: the route answers
        assert full.status_code == 200 and hot.me_hits == 0
        await hot.credentials.refresh()
        fast = await http.get("/api/v1/auth/me")
        assert fast.status_code == 200 and hot.me_hits == 1
        assert fast.json() == full.json()
        assert fast.json()["consent"] == {"required": True, "current": True, "needed": False}
        for name in ("content-security-policy", "x-request-id", "x-content-type-options"):
            assert name in fast.headers, name
        assert fast.headers["cache-control"] == "no-store"
        with_query = await http.get("/api/v1/auth/me", params={"x": "1"})  # not the plain question: the route
        assert with_query.status_code == 200 and hot.me_hits == 1
        assert (await http.post("/api/v1/auth/logout")).status_code == 204
        assert (await other_tab.get("/api/v1/auth/me")).status_code == 401
        assert (await other_tab.get(SUMMARY)).status_code == 401
    assert hot.me_hits == 1


async def test_who_am_i_without_consent_is_the_routes_answer(signed_app: FastAPI) -> None:
    hot = signed_app.state.hot
    signed = await sign_in(signed_app, signed_app.state.db, Role.viewer, consented=False)
    await hot.credentials.refresh()
    async with signed.client as http:
        answer = await http.get("/api/v1/auth/me")
    assert answer.status_code == 200 and answer.json()["consent"]["needed"] is True
    assert hot.me_hits == 0


async def test_the_tracker_opening_answer_is_served_from_memory_too(
    signed_app: FastAPI, viewer_http: httpx.AsyncClient
) -> None:
    hot = signed_app.state.hot
    path = "/api/v1/tracker?instrument=NIFTY&delta_min=0.1&delta_max=0.5"
    first = await viewer_http.get(path)
    second = await viewer_http.get(path)
    assert first.status_code == second.status_code == 200
    assert hot.hits == 1 and second.content == first.content
    hot.bump()  # a stored minute: the status and summary inside may have changed
    await viewer_http.get(path)
    assert hot.hits == 1


class _CountingApp:
    """Counts the requests the hot path hands to the app (the full path)."""

    def __init__(self, app: object) -> None:
        self.app, self.calls = app, 0

    async def __call__(self, scope: object, receive: object, send: object) -> None:
        self.calls += 1
        await self.app(scope, receive, send)  # type: ignore[operator]


@pytest.fixture
async def minute_app(signed_app: FastAPI) -> AsyncIterator[FastAPI]:
    yield signed_app
    await drop_minutes_after_last(signed_app)


@pytest.mark.parametrize("path", [SUMMARY, "/api/v1/tracker?instrument=NIFTY&delta_min=0.1&delta_max=0.5"])
async def test_after_a_stored_minute_the_hot_path_builds_the_answer_again_without_the_route(
    minute_app: FastAPI, viewer_http: httpx.AsyncClient, path: str
) -> None:
    hot = minute_app.state.hot
    before = await viewer_http.get(path)
    assert before.status_code == 200
    layer = minute_app.middleware_stack
    while not isinstance(layer, HotPathMiddleware):  # the metrics middleware wraps it
        layer = layer.app  # type: ignore[union-attr]
    counting = _CountingApp(layer.app)
    layer.app = counting
    minute_app.state.hot.bump(await store_minute_after_last(minute_app, 1))
    after = await viewer_http.get(path)
    assert after.status_code == 200 and counting.calls == 0 and hot.rebuilt == 1
    summary = after.json() if path == SUMMARY else after.json()["summary"]
    assert (
        summary["latest_minute"]
        != (before.json() if path == SUMMARY else before.json()["summary"])["latest_minute"]
    ), "the new minute is in the answer"
    assert after.headers["etag"] != before.headers["etag"]
    repeat = await viewer_http.get(path)
    assert repeat.content == after.content and hot.hits == 1 and hot.rebuilt == 1, "built once, then kept"
    hot.grant_seconds = 0  # the hot path off: the route's own answer is the same bytes
    assert (await viewer_http.get(path)).content == after.content and counting.calls == 1


async def test_a_question_that_cannot_be_answered_again_goes_to_the_route(
    signed_app: FastAPI, viewer_http: httpx.AsyncClient
) -> None:
    from marketedge.core.errors import NotFound

    hot = signed_app.state.hot
    first = await viewer_http.get(SUMMARY)
    key = ("/api/v1/greeks/summary", SUMMARY.partition("?")[2].encode(), False)
    assert hot.again(key) is not None

    async def gone() -> object:
        raise NotFound("no such day any more")

    hot.keep(key, hot.mark(), hot.answer(key, hot.mark()), False, gone)
    hot.bump()
    answer = await viewer_http.get(SUMMARY)
    assert answer.status_code == 200 and answer.content == first.content and hot.rebuilt == 0
    again = hot.again(key)
    assert again is not None and again[0] is not gone, "the route's answer brought its own way back"


async def test_a_page_on_the_uis_own_origin_may_read_hot_answers_as_it_reads_the_routes(
    day_settings: Settings, pinned_clock: ManualClock
) -> None:
    """The UI on another origin (CORS_ORIGINS): a hot answer carries what the CORS middleware adds to the
    route's, so the browser lets the page read it; an origin not named gets neither."""
    ui = "https://app.example.com"
    application = create_app(day_settings.model_copy(update={"cors_origins": [ui]}))
    async with running(application):
        signed = await sign_in(application, application.state.db, Role.viewer)
        async with signed.client as http:
            routed = await http.get(SUMMARY, headers={"Origin": ui})
            hot = await http.get(SUMMARY, headers={"Origin": ui})
            me = await http.get("/api/v1/auth/me", headers={"Origin": ui})
            stranger = await http.get(SUMMARY, headers={"Origin": "https://elsewhere.example"})
        assert application.state.hot.hits >= 2
    for answer in (routed, hot, me):
        assert answer.status_code == 200
        assert answer.headers["access-control-allow-origin"] == ui
        assert answer.headers["access-control-allow-credentials"] == "true"
        assert "ETag" in answer.headers["access-control-expose-headers"]
        assert "Origin" in answer.headers.get_list("vary") or "Origin" in answer.headers["vary"]
    assert stranger.status_code == 200 and "access-control-allow-origin" not in stranger.headers
