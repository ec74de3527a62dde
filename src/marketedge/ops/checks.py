"""The readiness checks that look at the data: how old the last stored minute is, whether a broker token is
there to poll with, and whether the coming days' calendar is confirmed. Warnings, not failures: a restart fixes
none of them, so none makes the app unready."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from marketedge import clock, store
from marketedge.calendar import Source
from marketedge.ops.health import CheckResult

if TYPE_CHECKING:
    from marketedge.runtime import Runtime

STALE_AFTER_MINUTES = 3
CALENDAR_AHEAD_DAYS = 7


async def last_minute(runtime: Runtime) -> CheckResult:
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


async def broker_token(runtime: Runtime) -> CheckResult:
    if runtime.job.paused_for_token:
        return CheckResult("warn", "Upstox rejected the token; polling paused until a new one is stored")
    if await runtime.current_token() is None:
        return CheckResult("warn", "no Upstox token: connect the broker account")
    return CheckResult("ok", "token present")


async def calendar(runtime: Runtime) -> CheckResult:
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
