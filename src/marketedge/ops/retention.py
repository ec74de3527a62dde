"""Retention: per-strike chain minutes (RETENTION_DAYS), the audit log (AUDIT_RETENTION_DAYS, at least a year)
and the record of minute-job runs (INGEST_RUN_RETENTION_DAYS). Run daily by the leader (runtime.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from marketedge.chain import store
from marketedge.core import clock
from marketedge.core.config import Settings
from marketedge.core.db import Database
from marketedge.models import AuditEvent, IngestRun

log = structlog.get_logger(__name__)

AUDIT_MINIMUM_DAYS = 365  # DPDP Rules 2025: logs of processing kept at least a year


@dataclass(frozen=True, slots=True)
class Purged:
    audit_events: int
    ingest_runs: int


async def purge_logs(session: AsyncSession, settings: Settings, now: datetime) -> Purged:
    """Delete audit events and run records older than their windows. The caller commits."""
    audit_days = max(settings.audit_retention_days, AUDIT_MINIMUM_DAYS)
    audit = await session.execute(delete(AuditEvent).where(AuditEvent.at < now - timedelta(days=audit_days)))
    runs = await session.execute(
        delete(IngestRun).where(IngestRun.minute < now - timedelta(days=settings.ingest_run_retention_days))
    )
    return Purged(int(audit.rowcount or 0), int(runs.rowcount or 0))  # type: ignore[attr-defined]


async def apply_retention(db: Database, settings: Settings) -> int:
    """Drop what is past its window, in one transaction; the number of chain minutes removed."""
    cutoff = clock.utcnow() - timedelta(days=settings.retention_days)
    async with db.sessions() as session:
        removed = await store.delete_before(session, cutoff)
        purged = await purge_logs(session, settings, clock.utcnow())
        await session.commit()
    log.info(
        "retention: old chain minutes removed",
        removed=removed,
        cutoff=cutoff.isoformat(),
        audit_events=purged.audit_events,
        ingest_runs=purged.ingest_runs,
    )
    return removed
