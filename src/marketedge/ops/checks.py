"""Readiness checks beyond "does it answer": how old the last stored minute is, whether a broker token is
there to poll with, whether the coming days' calendar is confirmed, whether the settings are fit for
production, and whether the cache serves from Redis or, Redis being away, from memory. Warnings, not failures:
a restart fixes none of them, so none makes the app unready."""

from __future__ import annotations

from datetime import timedelta
from typing import Protocol

from marketedge.cache import CacheBackend
from marketedge.chain import store
from marketedge.chain.calendar import Source, TradingCalendar
from marketedge.core import clock
from marketedge.core.config import Settings, config_warnings
from marketedge.core.db import Database
from marketedge.ingest.job import MinuteJob
from marketedge.ops.health import CheckResult


class Checked(Protocol):
    """What the data checks read (runtime.Runtime is one)."""

    @property
    def calendar(self) -> TradingCalendar: ...
    @property
    def db(self) -> Database: ...
    @property
    def job(self) -> MinuteJob: ...
    async def current_token(self) -> str | None: ...


CACHE_DEGRADED = "degraded: serving from memory and the database"

STALE_AFTER_MINUTES = 3
CALENDAR_AHEAD_DAYS = 7


async def last_minute(runtime: Checked) -> CheckResult:
    async with runtime.db.sessions() as session:
        latest = await store.latest_minute(session)
    now = clock.now()
    if latest is None:
        return CheckResult("warn", "no minute stored yet")
    age = int((clock.floor_minute(now) - latest).total_seconds() // 60)
    when = f"{latest:%Y-%m-%d %H:%M} IST"
    if runtime.calendar.is_open(now):
        if age > STALE_AFTER_MINUTES:
            return CheckResult("warn", f"last minute {when}, {age} minutes ago, during the session")
        return CheckResult("ok", f"last minute {when} ({age} min ago)")
    return CheckResult("ok", f"market closed; last minute {when}")


async def broker_token(runtime: Checked) -> CheckResult:
    if runtime.job.paused_for_token:
        return CheckResult("warn", "Upstox rejected the token; polling paused until a new one is stored")
    if await runtime.current_token() is None:
        return CheckResult("warn", "no Upstox token: connect the broker account")
    return CheckResult("ok", "token present")


async def calendar(runtime: Checked) -> CheckResult:
    """Whether the days ahead are confirmed by the exchange's calendar (through Upstox or the operator)."""
    cal, today = runtime.calendar, clock.today()
    ahead = [today + timedelta(days=i) for i in range(CALENDAR_AHEAD_DAYS)]
    unconfirmed = sorted({d.year for d in ahead if not cal.known(d)})
    if not unconfirmed:
        return CheckResult("ok", f"today: {cal.source(today).value}")
    says = ", ".join(f"{year}: {_coverage(cal.coverage(year))}" for year in unconfirmed)
    return CheckResult("warn", f"calendar not confirmed ({says}); docs/operations.md, the exchange calendar")


def _coverage(source: Source | None) -> str:
    return "no list, weekdays assumed to trade" if source is None else f"{source.value} list only"


async def cache(backend: CacheBackend) -> CheckResult:
    """Redis away is a warning, not a failure: the backend serves from memory and the database meanwhile
    (cache/backends.py), so a load balancer must keep the replica. Any other error fails."""
    if backend.degraded:
        return CheckResult("warn", CACHE_DEGRADED)
    try:
        await backend.ping()
    except Exception:
        if backend.degraded:  # the ping found Redis away and the backend turned to memory
            return CheckResult("warn", CACHE_DEGRADED)
        raise
    return CheckResult("ok", f"{backend.name} reachable")


async def config(settings: Settings) -> CheckResult:
    """Settings that work but should not stay so in production (config.config_warnings)."""
    warnings = config_warnings(settings)
    if warnings:
        return CheckResult("warn", "; ".join(warnings))
    return CheckResult("ok", "no warnings")
