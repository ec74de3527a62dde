"""Operator alerts, delivered to a real local HTTP receiver: once, reminded at a bounded interval, resolved
once; and the watchdog's conditions (database, Redis, no minute for 3 minutes, backfill failure)."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from marketedge.broker.alerts import Alerter
from marketedge.cache import RedisBackend
from marketedge.chain import store
from marketedge.core import clock
from marketedge.core.clock import ManualClock, ist
from marketedge.core.config import load_settings, normalise_database_url
from marketedge.core.db import Database
from marketedge.models import migrate
from marketedge.ops.alerts import (
    BACKFILL_FAILED,
    DATABASE_UNREACHABLE,
    MINUTES_MISSING,
    REDIS_UNREACHABLE,
    Alerts,
)
from marketedge.runtime import Runtime
from tests.factories import make_chain

SESSION_MINUTE = ist(2026, 11, 26, 10, 0, 50)  # a Thursday, the watchdog's second 50


class Receiver:
    """A webhook endpoint on 127.0.0.1 that keeps every JSON body it is sent."""

    def __init__(self, status: int = 200) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.status = status
        received = self.bodies
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", 0))
                received.append(json.loads(self.rfile.read(length)))
                self.send_response(outer.status)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: object) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/alerts"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    yield found
    found.close()


@pytest.fixture
def manual() -> Iterator[ManualClock]:
    with clock.use_clock(ManualClock(SESSION_MINUTE)) as moved:
        assert isinstance(moved, ManualClock)
        yield moved


async def test_an_alert_is_sent_once_reminded_then_resolved(receiver: Receiver, manual: ManualClock) -> None:
    alerts = Alerts(Alerter(receiver.url), remind_after=timedelta(minutes=30))
    seen: list[tuple[str, str]] = []
    alerts.listeners.append(lambda key, state: seen.append((key, state)))

    assert await alerts.fire(DATABASE_UNREACHABLE, "ConnectionRefusedError; 3 polled minutes waiting")
    for _ in range(5):  # the watchdog asks every minute: no repeat
        manual.advance(timedelta(seconds=60))
        assert not await alerts.fire(DATABASE_UNREACHABLE, "still down")
    manual.set(SESSION_MINUTE + timedelta(minutes=30))
    assert await alerts.fire(DATABASE_UNREACHABLE, "still down")
    assert [a.kind for a in alerts.active()] == [DATABASE_UNREACHABLE]
    manual.advance(timedelta(seconds=120))
    assert await alerts.resolve(DATABASE_UNREACHABLE, "The database answers again.")
    assert not await alerts.resolve(DATABASE_UNREACHABLE)

    assert [b["state"] for b in receiver.bodies] == ["firing", "reminder", "resolved"]
    first, reminder, resolved = receiver.bodies
    assert first["event"] == "database.unreachable" and first["state"] == "firing"
    assert first["severity"] == "critical"
    assert first["text"].startswith("Market Edge: CRITICAL: The database is unreachable.")
    assert "ConnectionRefusedError" in first["text"] and "What to do:" in first["text"]
    assert first["action"] == DATABASE_UNREACHABLE.action and first["runbook"].endswith("#database-lost")
    assert "since 10:00 IST" in reminder["text"] and reminder["text"].startswith("Market Edge: REMINDER")
    assert resolved["text"].startswith("Market Edge: RESOLVED: The database is unreachable (after 32 min)")
    assert seen == [
        ("database.unreachable", "firing"),
        ("database.unreachable", "reminder"),
        ("database.unreachable", "resolved"),
    ]


async def test_a_failing_webhook_never_breaks_the_caller(manual: ManualClock) -> None:
    refusing = Receiver(status=500)
    try:
        alerts = Alerts(Alerter(refusing.url))
        assert await alerts.fire(REDIS_UNREACHABLE, "TimeoutError")
        assert len(refusing.bodies) == 1
    finally:
        refusing.close()
    alerts = Alerts(Alerter("http://127.0.0.1:1/nothing-listens"))
    assert await alerts.fire(REDIS_UNREACHABLE, "TimeoutError")  # logged, not raised
    assert alerts.is_active(REDIS_UNREACHABLE)


@pytest.fixture
async def runtime_for(
    make_empty_database: Callable[[], str], receiver: Receiver
) -> AsyncIterator[Callable[..., Runtime]]:
    url = make_empty_database()
    await asyncio.to_thread(migrate.upgrade, normalise_database_url(url))
    made: list[Runtime] = []

    def make(**overrides: Any) -> Runtime:
        settings = load_settings(
            marketedge_env="test",
            database_url=url,
            scheduler_enabled=False,
            alert_webhook_url=receiver.url,
            **overrides,
        )
        runtime = Runtime(settings)
        made.append(runtime)
        return runtime

    yield make
    for runtime in made:
        await runtime.stop()


async def test_no_minute_for_three_minutes_during_the_session(
    runtime_for: Callable[..., Runtime], receiver: Receiver, manual: ManualClock
) -> None:
    runtime = runtime_for()
    async with runtime.db.sessions() as session:
        await store.write_minute(
            session, "NIFTY", SESSION_MINUTE.date(), make_chain(ist(2026, 11, 26, 9, 58))
        )
        await session.commit()
    await runtime.watchdog.check()  # 09:58 stored, 10:00:50 now: two minutes missing, not yet
    assert not runtime.alerts.is_active(MINUTES_MISSING)

    manual.advance(timedelta(seconds=60))
    await runtime.watchdog.check()
    assert runtime.alerts.is_active(MINUTES_MISSING)
    body = receiver.bodies[-1]
    assert body["event"] == "minutes.missing"
    assert "3 minutes missing, last stored minute 09:58 IST" in body["detail"]

    async with runtime.db.sessions() as session:
        await store.write_minute(
            session, "NIFTY", SESSION_MINUTE.date(), make_chain(ist(2026, 11, 26, 10, 1))
        )
        await session.commit()
    await runtime.watchdog.check()
    assert not runtime.alerts.is_active(MINUTES_MISSING)
    assert receiver.bodies[-1]["state"] == "resolved"


async def test_nothing_stored_since_the_open_counts_from_the_open(
    runtime_for: Callable[..., Runtime], receiver: Receiver, manual: ManualClock
) -> None:
    runtime = runtime_for()
    manual.set(ist(2026, 11, 26, 9, 16, 50))
    await runtime.watchdog.check()
    assert not runtime.alerts.is_active(MINUTES_MISSING)
    manual.set(ist(2026, 11, 26, 9, 17, 50))
    await runtime.watchdog.check()
    assert runtime.alerts.is_active(MINUTES_MISSING)
    assert "nothing stored today" in receiver.bodies[-1]["detail"]


async def test_database_and_redis_unreachable_then_back(
    runtime_for: Callable[..., Runtime], receiver: Receiver, manual: ManualClock
) -> None:
    runtime = runtime_for()
    working_db, working_cache = runtime.db, runtime.backend
    runtime.db = Database("postgresql+asyncpg://nobody:hunter2@127.0.0.1:1/none")
    runtime.backend = RedisBackend("redis://127.0.0.1:1/0")
    try:
        await runtime.watchdog.check()
    finally:
        await runtime.db.dispose()
        await runtime.backend.close()
        runtime.db, runtime.backend = working_db, working_cache
    assert {b["event"] for b in receiver.bodies} == {"database.unreachable", "redis.unreachable"}
    assert not any("hunter2" in json.dumps(b) or "127.0.0.1:1" in json.dumps(b) for b in receiver.bodies)
    assert not runtime.alerts.is_active(MINUTES_MISSING)  # not judged while the database is away

    manual.advance(timedelta(seconds=60))
    await runtime.watchdog.check()
    assert not runtime.alerts.is_active(DATABASE_UNREACHABLE)
    assert [b["event"] for b in receiver.bodies if b["state"] == "resolved"] == ["database.unreachable"]


async def test_the_watchdog_sleeps_outside_the_hours_around_a_session(
    runtime_for: Callable[..., Runtime], receiver: Receiver, manual: ManualClock
) -> None:
    runtime = runtime_for()
    working = runtime.db
    runtime.db = Database("postgresql+asyncpg://nobody@127.0.0.1:1/none")
    try:
        for at in (
            ist(2026, 11, 26, 2, 0),
            ist(2026, 11, 26, 17, 0),
            ist(2026, 11, 28, 11, 0),
        ):  # night, evening, Saturday
            manual.set(at)
            await runtime.watchdog.check()
    finally:
        await runtime.db.dispose()
        runtime.db = working
    assert receiver.bodies == []


async def test_a_failed_start_up_backfill_alerts(
    runtime_for: Callable[..., Runtime],
    receiver: Receiver,
    manual: ManualClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from marketedge import runtime as runtime_module
    from marketedge.ingest.backfill import BackfillReport

    runtime = runtime_for()

    async def token() -> str:
        return "a-token"

    monkeypatch.setattr(runtime, "current_token", token)

    async def broken(*args: object, **kwargs: object) -> BackfillReport:
        raise TimeoutError

    monkeypatch.setattr(runtime_module, "catch_up", broken)
    await runtime.catch_up()
    assert receiver.bodies[-1]["event"] == "backfill.failed"
    assert "2026-11-26: TimeoutError" in receiver.bodies[-1]["detail"]
    assert "marketedge backfill --date" in receiver.bodies[-1]["text"]

    async def partly(*args: object, **kwargs: object) -> BackfillReport:
        return BackfillReport(SESSION_MINUTE.date(), errors={"NIFTY:2026-12-01": "UpstreamUnavailable: 503"})

    monkeypatch.setattr(runtime_module, "catch_up", partly)
    manual.advance(timedelta(minutes=31))
    await runtime.catch_up()
    assert receiver.bodies[-1]["state"] == "reminder"
    assert "NIFTY:2026-12-01 (UpstreamUnavailable: 503)" in receiver.bodies[-1]["detail"]

    async def fine(*args: object, **kwargs: object) -> BackfillReport:
        return BackfillReport(SESSION_MINUTE.date())

    monkeypatch.setattr(runtime_module, "catch_up", fine)
    await runtime.catch_up()
    assert receiver.bodies[-1]["state"] == "resolved"
    assert not runtime.alerts.is_active(BACKFILL_FAILED)
