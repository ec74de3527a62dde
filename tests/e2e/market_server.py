"""The app for the browser tests: a simulated trading morning that keeps going while the tests watch.

`marketedge serve` on the Upstox twin (DATA_SOURCE=twin), with the clock pinned to a past trading day and run
SPEED times as fast: the runtime's own catch-up fills the session from 09:15 up to the start, then a new minute
is polled every 60/SPEED seconds (so "a new minute arrives live" takes seconds, not a minute). NIFTY only, one
expiry; a viewer and an admin account who have accepted the privacy notice and terms, and a newcomer who has
not (the consent screen's tests). Run as a script by tests/e2e/conftest.py:

    python tests/e2e/market_server.py --port P --database sqlite:///…/e2e.db --day 2026-11-23 --start 10:00
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
from collections.abc import AsyncIterator
from datetime import date, datetime, time, timedelta

VIEWER = ("viewer@e2e.test", "e2e-viewer-password-2026")
ADMIN = ("admin@e2e.test", "e2e-admin-password-2026")
NEWCOMER = ("newcomer@e2e.test", "e2e-newcomer-password-2026")


async def _prepare(database_url: str) -> None:
    """The universe (NIFTY, nearest expiry) and the three accounts, before the app starts."""
    from marketedge.auth import consent, legal
    from marketedge.auth.roles import Role
    from marketedge.auth.users import create_user
    from marketedge.core.config import load_settings
    from marketedge.core.db import Database
    from marketedge.ingest.universe import set_universe

    settings = load_settings(database_url=database_url)
    database = Database(settings.database_url)
    try:
        async with database.sessions() as session:
            await set_universe(session, ["NIFTY"], expiries=1)
            for (email, password), role in ((VIEWER, Role.viewer), (ADMIN, Role.admin)):
                user = await create_user(session, email, password, role, check_rules=False)
                await consent.give(session, user.id, email, legal.consent_versions(), ip=None)
            await create_user(session, NEWCOMER[0], NEWCOMER[1], Role.viewer, check_rules=False)
            await session.commit()
    finally:
        await database.dispose()


async def _tick(app: object, speed: float) -> None:
    """Poll each new minute of the (fast) clock, as the scheduler would at :03 of a real minute."""
    from marketedge.core import clock

    runtime = app.state.runtime  # type: ignore[attr-defined]
    done: datetime | None = None
    while True:
        await asyncio.sleep(min(1.0, 10 / speed))
        if runtime.catching_up:
            continue
        now = clock.now()
        minute = clock.floor_minute(now)
        if now - minute < timedelta(seconds=3) or minute == done:
            continue
        if not runtime.calendar.is_open(minute):
            continue
        await runtime.job.run(minute, trigger="e2e")
        done = minute


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--database", required=True)
    parser.add_argument("--day", type=date.fromisoformat, required=True)
    parser.add_argument("--start", type=time.fromisoformat, default=time(10, 0))
    parser.add_argument("--speed", type=float, default=6.0)
    args = parser.parse_args()

    os.environ.update(
        DATABASE_URL=args.database,
        MARKETEDGE_ENV="development",
        DATA_SOURCE="twin",
        SCHEDULER_ENABLED="false",
        REDIS_URL="",
    )
    import uvicorn

    from marketedge.app import create_app
    from marketedge.core import clock
    from marketedge.core.config import get_settings, normalise_database_url
    from marketedge.models import migrate

    get_settings.cache_clear()
    migrate.upgrade(normalise_database_url(args.database))
    asyncio.run(_prepare(args.database))
    clock.set_clock(clock.ShiftedClock(datetime.combine(args.day, args.start, tzinfo=clock.IST), args.speed))

    app = create_app(get_settings())
    inner = app.router.lifespan_context

    @contextlib.asynccontextmanager
    async def lifespan(application: object) -> AsyncIterator[None]:
        async with inner(application):  # type: ignore[arg-type]
            ticker = asyncio.get_running_loop().create_task(_tick(application, args.speed))
            try:
                yield
            finally:
                ticker.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await ticker

    app.router.lifespan_context = lifespan
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning", server_header=False)


if __name__ == "__main__":
    main()
