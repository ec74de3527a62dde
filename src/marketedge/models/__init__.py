"""SQLAlchemy models: tables only, no logic. Importing this package registers every table on Base.metadata."""

from marketedge.models.audit import AuditEvent
from marketedge.models.broker import BrokerToken, BrokerTokenRequest
from marketedge.models.consent import Consent
from marketedge.models.market import (
    ChainMinuteRecord,
    IngestRun,
    Instrument,
    MarketCalendarYear,
    MarketDay,
    TrackedExpiry,
)
from marketedge.models.user import ApiKey, User, UserSession

__all__ = [
    "ApiKey",
    "AuditEvent",
    "BrokerToken",
    "BrokerTokenRequest",
    "ChainMinuteRecord",
    "Consent",
    "IngestRun",
    "Instrument",
    "MarketCalendarYear",
    "MarketDay",
    "TrackedExpiry",
    "User",
    "UserSession",
]
