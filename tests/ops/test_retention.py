"""Retention of the logs in the database: audit events at least a year (AUDIT_RETENTION_DAYS), run records
INGEST_RUN_RETENTION_DAYS; the daily retention job applies both with the chain-minute rule."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import select

from marketedge.core import clock
from marketedge.core.clock import UTC, ManualClock, ist
from marketedge.core.config import ConfigError, load_settings, normalise_database_url
from marketedge.models import AuditEvent, IngestRun, migrate
from marketedge.runtime import Runtime

NOW = ist(2026, 11, 25, 16, 5)


async def test_old_audit_events_and_run_records_go_recent_ones_stay(
    make_empty_database: Callable[[], str],
) -> None:
    url = make_empty_database()
    await asyncio.to_thread(migrate.upgrade, normalise_database_url(url))
    settings = load_settings(
        marketedge_env="test",
        database_url=url,
        scheduler_enabled=False,
        audit_retention_days=400,
        ingest_run_retention_days=90,
    )
    runtime = Runtime(settings)
    ages = [0, 89, 91, 364, 399, 401, 800]
    try:
        async with runtime.db.sessions() as session:
            for days in ages:
                at = (NOW - timedelta(days=days)).astimezone(UTC)
                session.add(AuditEvent(at=at, actor="system", action="test.retention", target=str(days)))
                session.add(
                    IngestRun(
                        minute=at,
                        trigger="schedule",
                        started_at=at,
                        duration_ms=1.0,
                        status="ok",
                        stored=1,
                        outcomes={},
                        error=str(days),
                    )
                )
            await session.commit()
        with clock.use_clock(ManualClock(NOW)):
            await runtime.retention()
        async with runtime.db.sessions() as session:
            audit_left = sorted(int(t) for t in await session.scalars(select(AuditEvent.target)))
            runs_left = sorted(int(e) for e in await session.scalars(select(IngestRun.error)))
    finally:
        await runtime.stop()
    assert audit_left == [0, 89, 91, 364, 399]
    assert runs_left == [0, 89]


def test_the_audit_log_cannot_be_kept_less_than_a_year() -> None:
    with pytest.raises(ConfigError, match="AUDIT_RETENTION_DAYS"):
        load_settings(marketedge_env="test", audit_retention_days=180)
    assert load_settings(marketedge_env="test").audit_retention_days >= 365
