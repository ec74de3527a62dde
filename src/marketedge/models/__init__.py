"""SQLAlchemy models: tables only, no logic. Importing this package registers every table on Base.metadata."""

from marketedge.models.audit import AuditEvent

__all__ = ["AuditEvent"]
