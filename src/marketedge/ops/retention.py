"""Retention of the logs kept in the database: the audit log (AUDIT_RETENTION_DAYS, at least a year) and the
record of minute-job runs (INGEST_RUN_RETENTION_DAYS). Per-strike chain minutes have their own rule
(RETENTION_DAYS, store.delete_before). Run daily by the leader with the chain-minute retention."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from marketedge.core.config import Settings
from marketedge.models import AuditEvent, IngestRun

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
