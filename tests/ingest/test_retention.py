"""Retention drops per-strike minutes older than RETENTION_DAYS and keeps the rest."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, func, select

from marketedge.chain import store
from marketedge.core import clock
from marketedge.core.clock import ManualClock, ist
from marketedge.core.config import Settings
from marketedge.models import ChainMinuteRecord
from marketedge.runtime import Runtime
from tests.factories import make_chain


async def test_old_minutes_go_recent_ones_stay(settings: Settings) -> None:
    now = ist(2026, 11, 25, 16, 5)
    runtime = Runtime(settings.model_copy(update={"retention_days": 30}))
    try:
        async with runtime.db.sessions() as session:
            await session.execute(delete(ChainMinuteRecord))
            for minute in (now - timedelta(days=45), now - timedelta(days=31), now - timedelta(days=29), now):
                await store.write_minute(session, "RET", now.date(), make_chain(minute.replace(hour=10)))
            await session.commit()
        with clock.use_clock(ManualClock(now)):
            removed = await runtime.retention()
        assert removed == 2
        async with runtime.db.sessions() as session:
            left = await session.scalar(select(func.count()).select_from(ChainMinuteRecord))
        assert left == 2
    finally:
        await runtime.stop()
