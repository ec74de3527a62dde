"""SQLAlchemy models: tables only, no logic. Importing this package registers every table on Base.metadata."""

from marketedge.models.audit import AuditEvent
from marketedge.models.market import ChainMinuteRecord, IngestRun, Instrument, TrackedExpiry

__all__ = ["AuditEvent", "ChainMinuteRecord", "IngestRun", "Instrument", "TrackedExpiry"]
