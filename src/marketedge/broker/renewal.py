"""The daily renewal: at RENEWAL_TIME on trading days, validate the stored token with a real call; when it is
missing, expired, rejected or will not last the session, send the v3 token request (one tap for the account
holder), alert, and keep reminding until a valid token is stored or the deadline passes. A 401 at any time
starts the same renewal at once (`token_rejected`)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING

import structlog
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from marketedge.auth import audit
from marketedge.broker.alerts import Alerter
from marketedge.broker.lifetimes import ACCESS_TOKEN_DEATH, TokenKind
from marketedge.chain.calendar import TradingCalendar
from marketedge.core import clock
from marketedge.core.clock import IST
from marketedge.core.errors import AppError
from marketedge.upstox import UpstoxError

if TYPE_CHECKING:
    from marketedge.broker.service import TokenService

log = structlog.get_logger(__name__)

DAILY_JOB_ID = "token-renewal"
REMINDER_JOB_ID = "token-reminder"
#: An automatic renewal does not ping the phone again while a request this young is still pending.
REQUEST_REUSE = timedelta(minutes=15)

_REASONS = {
    "missing": "no Upstox token is stored",
    "expired": "the Upstox token has expired",
    "rejected": "Upstox rejected the token",
    "expiring": "the Upstox token will not last the session",
    "unreadable": "the stored Upstox token cannot be decrypted (check TOKEN_ENCRYPTION_KEY)",
}


def _hm(when: datetime) -> str:
    return when.astimezone(IST).strftime("%H:%M")


class TokenRenewal:
    """Owns the daily job and the reminders; the TokenService tells it when a token lands or is rejected."""

    def __init__(
        self,
        service: TokenService,
        calendar: TradingCalendar,
        alerter: Alerter,
        *,
        renewal_time: time = time(8, 30),
        reminder_minutes: int = 10,
        scheduler: AsyncIOScheduler | None = None,
    ) -> None:
        self.service = service
        self.calendar = calendar
        self.alerter = alerter
        self.renewal_time = renewal_time
        self.reminder_minutes = reminder_minutes
        self.scheduler = scheduler
        self.reminding_until: datetime | None = None
        self.reason: str | None = None
        self._is_leader: Callable[[], Awaitable[bool]] | None = None
        self._tasks: set[asyncio.Task[object]] = set()
        self._starting: asyncio.Task[object] | None = None
        service.renewal = self

    # ------------------------------------------------------------------------------------------------------
    # Scheduling

    def install(self, scheduler: AsyncIOScheduler, is_leader: Callable[[], Awaitable[bool]]) -> None:
        """The daily job in the runtime's scheduler (run by the one leader among replicas)."""
        self.scheduler = scheduler
        self._is_leader = is_leader
        scheduler.add_job(
            self._scheduled_daily,
            CronTrigger(hour=self.renewal_time.hour, minute=self.renewal_time.minute, timezone=IST),
            id=DAILY_JOB_ID,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=15 * 60,
            replace_existing=True,
        )

    async def _scheduled_daily(self) -> None:
        if self._is_leader is None or await self._is_leader():
            await self.daily()

    def next_run(self, now: datetime | None = None) -> datetime | None:
        """The next daily check: RENEWAL_TIME on the next trading day (today if it is still ahead)."""
        now = (now or clock.now()).astimezone(IST)
        for ahead in range(0, 15):
            day = now.date() + timedelta(days=ahead)
            if self.calendar.is_trading_day(day):
                at = datetime.combine(day, self.renewal_time, tzinfo=IST)
                if at > now:
                    return at
        return None

    def deadline(self, now: datetime) -> datetime | None:
        """Until when a renewal started now keeps reminding: the session's open before it, its close during
        it. None when a token requested now could not serve a session (a closed day, after the close, or
        before 03:30, when a new access token would die within the hour): the next daily check handles it."""
        session = self.calendar.session(now.date())
        if session is None or now.astimezone(IST).time() < ACCESS_TOKEN_DEATH:
            return None
        if now < session.open:
            return session.open
        if now < session.close:
            return session.close
        return None

    async def catch_up(self) -> None:
        """On start (the free host slept through RENEWAL_TIME, a deploy): today's check if it was missed."""
        now = clock.now()
        session = self.calendar.session(now.date())
        today_at = datetime.combine(now.date(), self.renewal_time, tzinfo=IST)
        if session is not None and today_at <= now < session.close:
            await self.daily()

    # ------------------------------------------------------------------------------------------------------
    # The daily check and the renewal

    async def daily(self) -> str:
        """Validate the stored token with a real call; renew when it will not carry today's session.
        Answers closed, ok or what `start` answers."""
        now = clock.now()
        session = self.calendar.session(now.date())
        if session is None or now >= session.close:
            log.info("broker: no session today, no token check", day=now.date().isoformat())
            return "closed"
        check = await self.service.check()
        if check is None:
            return await self.start("missing")
        await audit.record_now(
            self.service.database,
            audit.SYSTEM,
            "broker.renewal.checked",
            target=self.service.broker,
            details={
                "status": check.status.value,
                "validation": check.outcome,
                "valid_until": check.expires_at.astimezone(IST).isoformat(),
            },
        )
        if check.usable and check.expires_at > session.close:
            log.info(
                "broker: the token covers today's session",
                kind=check.kind.value,
                valid_until=check.expires_at.astimezone(IST).isoformat(),
                validation=check.outcome,
            )
            return "ok"
        if check.usable:
            return await self.start("expiring", kind=check.kind, expires_at=check.expires_at)
        return await self.start("unreadable" if check.outcome == "unreadable" else check.status.value)

    async def start(
        self,
        reason: str,
        *,
        trigger: str = "renewal",
        kind: TokenKind | None = None,
        expires_at: datetime | None = None,
    ) -> str:
        """Renew now: send the v3 request (unless a young one is pending), alert, remind until the deadline.
        Answers requested, waiting (a pending request reused), alerted (none could be sent) or deferred."""
        now = clock.now()
        what = _REASONS.get(reason, reason)
        if reason == "expiring" and expires_at is not None:
            what = f"the Upstox {kind.value if kind else ''} token expires at {_hm(expires_at)} IST, before the session ends"
            if kind is TokenKind.analytics:
                what += " (generate a new analytics token on the Upstox developer page)"
        deadline = self.deadline(now)
        if deadline is None:
            at = self.next_run(now)
            await self.alerter.send(
                "renewal_deferred",
                f"{what}; no session needs it now, so the next check runs "
                + (f"{at:%a %d %b %H:%M} IST" if at else "on the next trading day"),
                reason=reason,
            )
            return "deferred"
        answer = "alerted"
        if not self.service.app.configured:
            action = (
                "no token request can be sent (UPSTOX_CLIENT_ID/UPSTOX_CLIENT_SECRET are not set): connect "
                "or paste a token on the broker page"
            )
        else:
            since = await self.service.pending_since(now)
            if since is not None and now - since < REQUEST_REUSE:
                answer = "waiting"
                action = (
                    f"the token request sent at {_hm(since)} IST is waiting: approve it in the Upstox app"
                )
            else:
                try:
                    await self.service.request_token(trigger, audit.SYSTEM)
                    answer = "requested"
                    action = "a token request was sent: approve it in the Upstox app or on WhatsApp"
                except (AppError, UpstoxError) as exc:
                    log.warning("broker: the v3 token request failed", error=type(exc).__name__)
                    action = (
                        f"the token request failed ({type(exc).__name__}): connect or paste a token on the "
                        "broker page"
                    )
        self.reason = reason
        self.reminding_until = deadline
        self._schedule_reminders()
        await audit.record_now(
            self.service.database,
            audit.SYSTEM,
            "broker.renewal.started",
            target=self.service.broker,
            details={"reason": reason, "outcome": answer, "until": deadline.isoformat()},
        )
        await self.alerter.send(
            "renewal_needed",
            f"{what}; {action}. Reminders every {self.reminder_minutes} min until {_hm(deadline)} IST.",
            reason=reason,
            outcome=answer,
            until=deadline.isoformat(),
        )
        return answer

    def token_rejected(self) -> None:
        """Called by the service after a 401 marked the token rejected: renew at once, in the background
        (the caller is an Upstox call in flight)."""
        if self._starting is not None and not self._starting.done():
            return
        self._starting = self._spawn(self.start("rejected", trigger="rejected"))

    async def token_stored(self, kind: TokenKind, expires_at: datetime) -> None:
        if self.reminding_until is not None:
            self.stop_reminders()
            await self.alerter.send(
                "token_stored",
                f"a valid Upstox token is stored ({kind.value}, until {expires_at.astimezone(IST):%d %b %H:%M} "
                "IST); polling resumes",
                warning=False,
            )

    # ------------------------------------------------------------------------------------------------------
    # Reminders

    async def remind(self) -> bool:
        """One reminder; False (and the reminders stop) once a token is usable or the deadline passed."""
        if self.reminding_until is None:
            return False
        if await self.service.usable():
            self.stop_reminders()
            return False
        now = clock.now()
        if now >= self.reminding_until:
            session = self.calendar.session(now.date())
            when = "opened" if session is not None and now < session.close else "ended"
            await self.alerter.send(
                "renewal_gave_up",
                f"the session {when} without a valid Upstox token; reminders stop. Polling resumes by itself "
                "once a token is stored (approve the request, or connect on the broker page)",
            )
            self.stop_reminders()
            return False
        await self.alerter.send(
            "reminder",
            f"still no valid Upstox token ({_REASONS.get(self.reason or '', self.reason)}): approve the "
            f"token request in the Upstox app, or connect on the broker page. Next reminder in "
            f"{self.reminder_minutes} min.",
            reason=self.reason,
            until=self.reminding_until.isoformat(),
        )
        return True

    def _schedule_reminders(self) -> None:
        if self.scheduler is None or not self.scheduler.running:
            return
        self.scheduler.add_job(
            self.remind,
            IntervalTrigger(minutes=self.reminder_minutes, timezone=IST),
            id=REMINDER_JOB_ID,
            max_instances=1,
            coalesce=True,
            replace_existing=True,
        )

    def stop_reminders(self) -> None:
        self.reminding_until = None
        self.reason = None
        if self.scheduler is not None and self.scheduler.get_job(REMINDER_JOB_ID) is not None:
            self.scheduler.remove_job(REMINDER_JOB_ID)

    # ------------------------------------------------------------------------------------------------------

    def _spawn(self, coroutine: Awaitable[object]) -> asyncio.Task[object]:
        task: asyncio.Task[object] = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._finished)
        return task

    def _finished(self, task: asyncio.Task[object]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("broker: renewal failed", error=type(task.exception()).__name__)

    async def wait_idle(self) -> None:
        """Wait for background work: the service's rejection marks and the renewals they start (tests)."""
        while self._tasks or self.service._tasks:
            await self.service.wait_idle()
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def aclose(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*list(self._tasks), return_exceptions=True)
        self.stop_reminders()
