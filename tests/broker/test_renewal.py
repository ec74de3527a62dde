"""Renewal over real HTTP against the twin, with the clock moved: the token dies at 03:30 IST, the 08:30 job
asks for a new one, the account holder approves, and the 09:15 minute runs with it; a 401 mid-session starts
the same renewal and polling resumes after approval with no manual step."""

from __future__ import annotations

from datetime import time, timedelta
from typing import Any

import httpx
import orjson
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy import delete, update

from marketedge.broker.alerts import Alerter
from marketedge.broker.renewal import DAILY_JOB_ID, TokenRenewal
from marketedge.broker.token_state import UpstoxApp
from marketedge.core.clock import IST, ManualClock, ist
from marketedge.ingest.universe import set_universe
from marketedge.models import BrokerToken, ChainMinuteRecord, IngestRun, TrackedExpiry
from tests.broker.conftest import PREFIX, Live, delivered, wait_for


async def paste(live: Live, token: str, kind: str = "access") -> dict[str, Any]:
    answer = await live.admin.post(f"{PREFIX}/token", json={"token": token, "kind": kind})
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


async def track_nifty(live: Live) -> None:
    async with live.database.sessions() as session:
        for table in (ChainMinuteRecord, IngestRun, TrackedExpiry):
            await session.execute(delete(table))
        await set_universe(session, ["NIFTY"], expiries=1)
        await session.commit()


class Recorder:
    """An alert webhook (Slack-like) that keeps what it receives."""

    def __init__(self) -> None:
        self.posts: list[dict[str, Any]] = []

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.posts.append(orjson.loads(request.content))
        return httpx.Response(200, json={"ok": True})

    @property
    def events(self) -> list[str]:
        return [p["event"] for p in self.posts]


def record_alerts(live: Live) -> Recorder:
    recorder = Recorder()
    live.renewal.alerter = Alerter(
        "https://hooks.example.invalid/T000", transport=httpx.MockTransport(recorder.handler)
    )
    return recorder


async def test_expired_at_0330_renewed_at_0830_polled_at_0915(live: Live, shared_clock: ManualClock) -> None:
    await track_nifty(live)
    alerts = record_alerts(live)
    shared_clock.set(ist(2026, 11, 25, 15, 0))  # Wednesday after the close: today's token
    old = live.twin.state.mint_token()
    assert (await paste(live, old))["valid_until"] == "2026-11-26T03:30:00+05:30"

    shared_clock.set(ist(2026, 11, 26, 3, 31))  # Thursday, past 03:30 IST
    status = await live.status()
    assert status["token"]["status"] == "expired" and not status["usable"]
    assert status["without_token_from"] == "2026-11-26T03:31:00+05:30"
    assert status["renewal"]["next_at"] == "2026-11-26T08:30:00+05:30"
    assert await live.runtime.current_token() is None

    shared_clock.set(ist(2026, 11, 26, 8, 30))
    assert await live.renewal.daily() == "requested"  # what the scheduler runs at RENEWAL_TIME
    status = await live.status()
    assert status["renewal"]["waiting_for_approval"]
    assert status["renewal"]["request"]["trigger"] == "renewal"
    assert status["renewal"]["reminding_until"] == "2026-11-26T09:15:00+05:30"
    assert alerts.events == ["renewal_needed"]
    assert "approve it in the Upstox app" in alerts.posts[0]["text"]

    shared_clock.set(ist(2026, 11, 26, 8, 40))
    assert await live.renewal.remind() is True
    assert alerts.events[-1] == "reminder"

    shared_clock.set(ist(2026, 11, 26, 8, 44))  # the account holder taps Approve
    assert await delivered(live.twin) == [200]
    assert alerts.events[-1] == "token_stored" and live.renewal.reminding_until is None
    status = await live.status()
    assert status["usable"] and status["token"]["kind"] == "v3"
    assert status["token"]["valid_until"] == "2026-11-27T03:30:00+05:30"

    shared_clock.set(ist(2026, 11, 26, 9, 15, 3))
    result = await live.runtime.job.run()
    assert result.status == "ok", result
    assert result.minute == ist(2026, 11, 26, 9, 15)
    new = live.twin.state.tokens.deliveries[-1].payload["access_token"]
    assert await live.runtime.current_token() == new != old


async def test_a_401_mid_session_renews_and_polling_resumes_by_itself(
    live: Live, shared_clock: ManualClock
) -> None:
    await track_nifty(live)
    alerts = record_alerts(live)
    shared_clock.set(ist(2026, 11, 25, 10, 0, 3))
    first = live.twin.state.mint_token()
    await paste(live, first)
    assert (await live.runtime.job.run()).status == "ok"

    live.twin.state.tokens.revoke(first)  # Upstox drops the token mid-session
    shared_clock.set(ist(2026, 11, 25, 10, 1, 3))
    failed = await live.runtime.job.run()
    assert failed.status == "failed" and live.runtime.job.paused_for_token
    await wait_for(lambda: _pending_on_twin(live))  # the renewal sent the v3 request at once
    await live.renewal.wait_idle()
    status = await live.status()
    assert status["token"]["status"] == "rejected" and not status["usable"]
    assert status["renewal"]["request"]["trigger"] == "rejected"
    assert status["renewal"]["reminding_until"] == "2026-11-25T15:30:00+05:30"
    assert [e["action"] for e in status["events"][:3]] == [
        "broker.renewal.started",
        "broker.token.requested",
        "broker.token.rejected",
    ]
    assert alerts.events == ["renewal_needed"] and alerts.posts[0]["reason"] == "rejected"

    shared_clock.set(ist(2026, 11, 25, 10, 2, 3))
    assert (await live.runtime.job.run()).status == "failed", "still paused: no new token yet"

    shared_clock.set(ist(2026, 11, 25, 10, 2, 30))
    assert await delivered(live.twin) == [200]  # approved on the phone
    shared_clock.set(ist(2026, 11, 25, 10, 3, 3))
    resumed = await live.runtime.job.run()
    assert resumed.status == "ok" and not live.runtime.job.paused_for_token


async def _pending_on_twin(live: Live) -> bool:
    return bool(live.twin.state.tokens.requests)


async def test_many_401s_at_once_send_one_request(live: Live, shared_clock: ManualClock) -> None:
    from marketedge.upstox import TokenInvalid
    from marketedge.upstox.errors import token_fingerprint

    shared_clock.set(ist(2026, 11, 25, 10, 0))
    token = live.twin.state.mint_token()
    await paste(live, token)
    error = TokenInvalid("Invalid token", status=401, token_fingerprint=token_fingerprint(token))
    for _ in range(5):
        await live.tokens.token_rejected(error)
    await live.renewal.wait_idle()
    assert len(live.twin.state.tokens.requests) == 1
    events = [e["action"] for e in (await live.status())["events"]]
    assert events.count("broker.token.rejected") == 1


async def test_a_401_for_an_older_token_leaves_the_new_one_alone(live: Live) -> None:
    from marketedge.upstox import TokenInvalid

    await paste(live, live.twin.state.mint_token())
    await live.tokens.token_rejected(TokenInvalid("x", status=401, token_fingerprint="0123456789ab"))
    assert (await live.status())["usable"]
    assert not live.twin.state.tokens.requests


async def test_a_valid_analytics_token_needs_nothing(live: Live, shared_clock: ManualClock) -> None:
    analytics = live.twin.state.mint_token("analytics")
    stored = await paste(live, analytics, "analytics")
    assert stored["kind"] == "analytics" and stored["upstox_user"] is None  # the twin refuses its profile
    assert stored["valid_until"] == "2027-11-25T11:00:00+05:30"
    shared_clock.set(ist(2026, 11, 26, 8, 30))
    assert await live.renewal.daily() == "ok"
    assert not live.twin.state.tokens.requests
    status = await live.status()
    assert status["events"][0]["action"] == "broker.renewal.checked"
    assert status["events"][0]["details"]["validation"] == "ok"
    assert status["without_token_from"] is None


async def test_a_token_that_will_not_last_the_session_is_renewed(
    live: Live, shared_clock: ManualClock
) -> None:
    shared_clock.set(ist(2026, 11, 26, 8, 0))
    await paste(live, live.twin.state.mint_token())
    async with live.database.sessions() as session:  # say Upstox gave it until noon
        await session.execute(update(BrokerToken).values(expires_at=ist(2026, 11, 26, 12, 0)))
        await session.commit()
    await live.tokens.cache.delete("broker:upstox:token")
    assert (await live.status())["without_token_from"] == "2026-11-26T12:00:00+05:30"
    shared_clock.set(ist(2026, 11, 26, 8, 30))
    assert await live.renewal.daily() == "requested"


async def test_a_token_rejected_by_the_check_is_renewed(live: Live, shared_clock: ManualClock) -> None:
    token = live.twin.state.mint_token()
    await paste(live, token)
    live.twin.state.tokens.revoke(token)
    shared_clock.set(ist(2026, 11, 25, 14, 0))
    assert await live.renewal.daily() == "requested"
    status = await live.status()
    assert status["token"]["status"] == "rejected" and status["token"]["last_validation"] == "rejected"


async def test_without_the_upstox_app_it_alerts_and_reminds_until_the_open(
    live: Live, shared_clock: ManualClock
) -> None:
    alerts = record_alerts(live)
    live.tokens.app = UpstoxApp()
    shared_clock.set(ist(2026, 11, 26, 8, 30))
    assert await live.renewal.daily() == "alerted"
    assert "UPSTOX_CLIENT_ID" in alerts.posts[-1]["text"] and alerts.posts[-1]["reason"] == "missing"
    shared_clock.set(ist(2026, 11, 26, 9, 0))
    assert await live.renewal.remind() is True
    shared_clock.set(ist(2026, 11, 26, 9, 15))
    assert await live.renewal.remind() is False
    assert alerts.events == ["renewal_needed", "reminder", "renewal_gave_up"]
    assert "session opened" in alerts.posts[-1]["text"]
    assert live.renewal.reminding_until is None


async def test_a_second_renewal_within_minutes_does_not_ping_the_phone_again(
    live: Live, shared_clock: ManualClock
) -> None:
    shared_clock.set(ist(2026, 11, 26, 8, 30))
    assert await live.renewal.start("missing") == "requested"
    shared_clock.set(ist(2026, 11, 26, 8, 40))
    assert await live.renewal.start("missing") == "waiting"
    assert len(live.twin.state.tokens.requests) == 1
    shared_clock.set(ist(2026, 11, 26, 8, 50))
    assert await live.renewal.start("missing") == "requested"


async def test_after_the_close_renewal_waits_for_the_next_morning(
    live: Live, shared_clock: ManualClock
) -> None:
    alerts = record_alerts(live)
    shared_clock.set(ist(2026, 11, 27, 16, 0))  # Friday evening
    assert await live.renewal.start("rejected") == "deferred"
    assert not live.twin.state.tokens.requests
    assert "Mon 30 Nov 08:30 IST" in alerts.posts[-1]["text"]
    shared_clock.set(ist(2026, 11, 28, 10, 0))  # Saturday
    assert await live.renewal.daily() == "closed"


def test_the_daily_job_runs_at_renewal_time_on_trading_days() -> None:
    from marketedge.chain.calendar import TradingCalendar

    class _Service:
        renewal = None

    renewal = TokenRenewal(
        _Service(),  # type: ignore[arg-type]
        TradingCalendar.bundled(),
        Alerter(None),
        renewal_time=time(8, 30),
    )
    scheduler = AsyncIOScheduler(timezone=IST)

    async def leader() -> bool:
        return True

    renewal.install(scheduler, leader)
    job = scheduler.get_job(DAILY_JOB_ID)
    assert job is not None
    fire = job.trigger.get_next_fire_time(None, ist(2026, 11, 25, 9, 0))
    assert fire == ist(2026, 11, 26, 8, 30)
    assert renewal.next_run(ist(2026, 11, 27, 9, 0)) == ist(2026, 11, 30, 8, 30), "Friday → Monday"
    assert renewal.next_run(ist(2026, 11, 23, 9, 0)) == ist(2026, 11, 25, 8, 30), "skips the 24th (holiday)"
    assert renewal.next_run(ist(2026, 11, 25, 8, 29)) == ist(2026, 11, 25, 8, 30)
    assert renewal.deadline(ist(2026, 11, 25, 2, 0)) is None, "before 03:30 a new token would die at once"
    assert renewal.deadline(ist(2026, 11, 25, 8, 30)) == ist(2026, 11, 25, 9, 15)
    assert renewal.deadline(ist(2026, 11, 25, 11, 0)) == ist(2026, 11, 25, 15, 30)
    assert renewal.deadline(ist(2026, 11, 25, 11, 0) + timedelta(hours=5)) is None
