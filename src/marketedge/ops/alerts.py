"""Operator alerts: what went wrong, what to do about it, sent once and then as a reminder at a bounded
interval, and a "resolved" message when it is over. The webhook itself is the broker's `Alerter` (one sender,
one setting: ALERT_WEBHOOK_URL); without a URL the alerts still go to the log at error level.

The `Watchdog` looks once a minute, around trading sessions only (so a scale-to-zero database is left asleep
at night), for: the database or Redis unreachable, no minute stored for 3 minutes during the session. The
start-up backfill raises `BACKFILL_FAILED`. Token alerts (a token needs approval, was rejected, is stored
again) are the token renewal's own (broker/renewal.py), with its own reminders, through the same sender.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal, Protocol

import structlog

from marketedge.cache import CacheBackend
from marketedge.chain import store
from marketedge.chain.calendar import TradingCalendar
from marketedge.core import clock
from marketedge.core.db import Database
from marketedge.ingest.job import MinuteJob
from marketedge.ingest.leader import LeaderLock

log = structlog.get_logger("marketedge.alerts")

Severity = Literal["critical", "warning"]
State = Literal["firing", "reminder", "resolved"]
RUNBOOK = "docs/operations.md"


@dataclass(frozen=True, slots=True)
class AlertKind:
    key: str
    title: str
    action: str  # what the operator should do, in one or two sentences
    severity: Severity = "critical"
    runbook: str = ""  # the section of docs/operations.md


MINUTES_MISSING = AlertKind(
    "minutes.missing",
    "No minute stored for 3 minutes during the session",
    "Open the status page for the last error. Upstox down: wait, the backfill fills the gap later. "
    "Token problem: see the token alert. App asleep or stopped: check the host and the external trigger.",
    runbook="upstox-down",
)
BACKFILL_FAILED = AlertKind(
    "backfill.failed",
    "Backfilling today's missed minutes failed",
    "Run `marketedge backfill --date YYYY-MM-DD` once Upstox answers again (the error says why it failed).",
    severity="warning",
    runbook="the-free-host-slept-through-the-open",
)
DATABASE_UNREACHABLE = AlertKind(
    "database.unreachable",
    "The database is unreachable",
    "Minutes are kept in memory (up to 8 hours) and written when it returns. Check the database provider's "
    "status page and DATABASE_URL; if the database is lost, restore the latest backup.",
    runbook="database-lost",
)
REDIS_UNREACHABLE = AlertKind(
    "redis.unreachable",
    "Redis is unreachable",
    "Readers fall back to the database, so pages may be slower. Check the Redis provider (free tiers "
    "cap commands and memory) and REDIS_URL; restart the app once it is back.",
    severity="warning",
    runbook="upstox-down",
)
CALENDAR_UNCONFIRMED = AlertKind(
    "calendar.unconfirmed",
    "Today's trading calendar is not confirmed",
    "Upstox's holiday list for this year has not been read (the detail says why), so the app is going by a "
    "provisional list or by the weekday rule. Check that Upstox answers; set a day by hand with "
    "`marketedge calendar set YYYY-MM-DD --closed` (or --open HH:MM-HH:MM) when the exchange has announced it.",
    severity="warning",
    runbook="the-exchange-calendar",
)
CALENDAR_CONFLICT = AlertKind(
    "calendar.conflict",
    "Upstox's timings close a day its holiday list keeps open",
    "The app follows the timings (nothing is polled that day). If the exchange is in fact open, override it: "
    "`marketedge calendar set YYYY-MM-DD --open 09:15-15:30`.",
    severity="warning",
    runbook="the-exchange-calendar",
)
KINDS = {
    k.key: k
    for k in (
        MINUTES_MISSING,
        BACKFILL_FAILED,
        DATABASE_UNREACHABLE,
        REDIS_UNREACHABLE,
        CALENDAR_UNCONFIRMED,
        CALENDAR_CONFLICT,
    )
}


class Sender(Protocol):
    """What sends one alert (the broker's Alerter): a log line, and the webhook when one is configured."""

    async def send(self, event: str, text: str, *, warning: bool = True, **facts: Any) -> None: ...


@dataclass(slots=True)
class ActiveAlert:
    kind: AlertKind
    since: datetime
    last_sent: datetime
    detail: str
    reminders: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "alert": self.kind.key,
            "title": self.kind.title,
            "severity": self.kind.severity,
            "since": self.since.isoformat(),
            "detail": self.detail,
            "action": self.kind.action,
        }


class Alerts:
    """De-duplicated alerts: `fire` sends the first time, then at most once per `remind_after` while the
    condition lasts; `resolve` sends one all-clear. State is per process (the watchdog runs on the leader)."""

    def __init__(self, sender: Sender, *, remind_after: timedelta = timedelta(minutes=30)) -> None:
        self._sender = sender
        self._remind_after = remind_after
        self._active: dict[str, ActiveAlert] = {}
        self._lock = asyncio.Lock()
        # Told (alert key, state) of every message sent: the metrics counter.
        self.listeners: list[Callable[[str, State], None]] = []

    def active(self) -> list[ActiveAlert]:
        return sorted(self._active.values(), key=lambda a: a.since)

    def is_active(self, kind: AlertKind) -> bool:
        return kind.key in self._active

    async def fire(self, kind: AlertKind, detail: str = "", **facts: Any) -> bool:
        """Raise (or keep up) an alert; True when a message went out now."""
        now = clock.now()
        async with self._lock:
            current = self._active.get(kind.key)
            if current is None:
                current = self._active[kind.key] = ActiveAlert(kind, now, now, detail)
                state: State = "firing"
            elif now - current.last_sent >= self._remind_after:
                current.last_sent, current.detail = now, detail or current.detail
                current.reminders += 1
                state = "reminder"
            else:
                current.detail = detail or current.detail
                return False
            await self._send(kind, state, current, facts)
        return True

    async def resolve(self, kind: AlertKind, detail: str = "") -> bool:
        """End an alert; True when it was active (and the all-clear went out)."""
        async with self._lock:
            current = self._active.pop(kind.key, None)
            if current is None:
                return False
            current.detail = detail
            await self._send(kind, "resolved", current, {})
        return True

    async def _send(self, kind: AlertKind, state: State, alert: ActiveAlert, facts: dict[str, Any]) -> None:
        if state == "resolved":
            lasted = max(1, int((clock.now() - alert.since).total_seconds() // 60))
            text = f"RESOLVED: {kind.title} (after {lasted} min). {alert.detail}".strip()
        else:
            prefix = "REMINDER" if state == "reminder" else kind.severity.upper()
            since = f" since {alert.since:%H:%M} IST" if state == "reminder" else ""
            detail = f" {alert.detail.rstrip('.')}." if alert.detail else ""
            text = f"{prefix}: {kind.title}{since}.{detail} What to do: {kind.action}"
        runbook = f"{RUNBOOK}#{kind.runbook}" if kind.runbook else RUNBOOK
        try:
            await self._sender.send(
                kind.key,  # the webhook body's "event"; "state" says firing, reminder or resolved
                text,
                warning=state != "resolved",
                state=state,
                severity=kind.severity,
                title=kind.title,
                detail=alert.detail,
                action=kind.action,
                runbook=runbook,
                since=alert.since.isoformat(),
                **facts,
            )
        except Exception:  # a sender must never take the watchdog down with it
            log.warning("alert could not be sent", alert=kind.key, exc_info=True)
        for listener in self.listeners:
            listener(kind.key, state)


class Watched(Protocol):
    """What the watchdog looks at (runtime.Runtime is one)."""

    @property
    def backend(self) -> CacheBackend: ...
    @property
    def calendar(self) -> TradingCalendar: ...
    @property
    def db(self) -> Database: ...
    @property
    def job(self) -> MinuteJob: ...
    @property
    def leader(self) -> LeaderLock: ...


class Watchdog:
    """Runs each minute (second 50, after the minute job) on processes that run the scheduler."""

    STALE_MINUTES = 3
    CHECK_TIMEOUT = 5.0
    # Look from this long before the open (the token renewal runs then) until this long after the close.
    BEFORE_OPEN = timedelta(minutes=45)
    AFTER_CLOSE = timedelta(minutes=30)

    def __init__(self, runtime: Watched, alerts: Alerts) -> None:
        self._runtime = runtime
        self._alerts = alerts

    async def check(self) -> None:
        now = clock.now()
        if not self._watching(now):
            await self._alerts.resolve(MINUTES_MISSING, "The session is over.")
            return
        database_ok = await self._database()
        await self._redis()
        # The poller's state is the leader's to report (a replica that takes the lead over reports it next).
        if database_ok and await self._runtime.leader.ensure():
            await self._minutes(now)

    def _watching(self, now: datetime) -> bool:
        session = self._runtime.calendar.session(now.date())
        return (
            session is not None and session.open - self.BEFORE_OPEN <= now <= session.close + self.AFTER_CLOSE
        )

    async def _database(self) -> bool:
        try:
            await asyncio.wait_for(self._runtime.db.ping(), timeout=self.CHECK_TIMEOUT)
        except Exception as exc:
            queue = self._runtime.job.queue
            where = "in memory and a file" if queue.spilled else "in memory"
            dropped = f"; {queue.dropped} dropped (the catch-up rebuilds them)" if queue.dropped else ""
            await self._alerts.fire(
                DATABASE_UNREACHABLE,
                f"{_why(exc)}; {queue.minutes} polled chain minute(s) waiting {where} "
                f"({queue.size / 2**20:.1f} MB){dropped}",
            )
            return False
        await self._alerts.resolve(DATABASE_UNREACHABLE, "The database answers again.")
        return True

    async def _redis(self) -> None:
        backend = self._runtime.backend
        if backend.name != "redis":
            return
        try:
            await asyncio.wait_for(backend.ping(), timeout=self.CHECK_TIMEOUT)
        except Exception as exc:
            await self._alerts.fire(REDIS_UNREACHABLE, _why(exc))
            return
        await self._alerts.resolve(REDIS_UNREACHABLE, "Redis answers again.")

    async def _minutes(self, now: datetime) -> None:
        calendar = self._runtime.calendar
        session = calendar.session(now.date())
        if session is None or not calendar.is_open(now):
            await self._alerts.resolve(MINUTES_MISSING, "The session is over.")
            return
        async with self._runtime.db.sessions() as db:
            latest = await store.latest_minute(db)
        newest_good = latest if latest is not None and latest >= session.open else None
        since = newest_good if newest_good is not None else session.open - timedelta(minutes=1)
        missing = int((clock.floor_minute(now) - since).total_seconds() // 60)
        if missing >= self.STALE_MINUTES:
            last = self._runtime.job.last_result
            reason = ""
            if self._runtime.job.paused_for_token:
                reason = "; polling is paused: Upstox rejected the token (see the token alert)"
            elif last is not None:
                reason = f"; last run: {last.status}" + (f" ({last.error})" if last.error else "")
            stored = f"last stored minute {newest_good:%H:%M} IST" if newest_good else "nothing stored today"
            await self._alerts.fire(MINUTES_MISSING, f"{missing} minutes missing, {stored}{reason}")
        elif missing <= 1:
            await self._alerts.resolve(
                MINUTES_MISSING, f"Minutes are stored again (latest {since:%H:%M} IST)."
            )


def _why(exc: BaseException) -> str:
    # The class name only: messages of connection errors can hold host names and user names.
    return "no answer within 5 s" if isinstance(exc, TimeoutError) else type(exc).__name__
