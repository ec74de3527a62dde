"""The readiness checks that look at the data: how old the last stored minute is, and whether a broker token
is there to poll with. Warnings, not failures: a restart fixes neither, so neither makes the app unready."""

from __future__ import annotations

from typing import TYPE_CHECKING

from marketedge import clock, store
from marketedge.ops.health import CheckResult

if TYPE_CHECKING:
    from marketedge.runtime import Runtime

STALE_AFTER_MINUTES = 3


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
