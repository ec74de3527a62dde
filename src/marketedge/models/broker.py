"""Broker tables: the stored Upstox token (encrypted) and the v3 token requests sent to the account holder."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from marketedge.core.db import Base, BigIntPK, UTCDateTime


class BrokerToken(Base):
    """The one current token of a broker connection ("upstox"; "upstox-twin" for the demo's twin).

    `ciphertext` is the token encrypted with TOKEN_ENCRYPTION_KEY (Fernet); the plain token is never stored.
    `fingerprint` (12 hex digits of its SHA-256) tells which token Upstox rejected without holding it.
    """

    __tablename__ = "broker_token"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    broker: Mapped[str] = mapped_column(String(32), nullable=False, unique=True)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)  # access | v3 | analytics
    source: Mapped[str] = mapped_column(String(16), nullable=False)  # oauth | notifier | paste | cli | …
    status: Mapped[str] = mapped_column(String(16), nullable=False)  # valid | expired | rejected
    ciphertext: Mapped[str] = mapped_column(Text, nullable=False)
    fingerprint: Mapped[str] = mapped_column(String(16), nullable=False)
    upstox_user_id: Mapped[str | None] = mapped_column(String(64))
    upstox_user_name: Mapped[str | None] = mapped_column(String(128))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    stored_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    stored_by: Mapped[str] = mapped_column(String(254), nullable=False)
    status_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    last_validated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_validation: Mapped[str | None] = mapped_column(String(32))  # ok | rejected | refused | unreachable


class BrokerTokenRequest(Base):
    """A v3 token request: Upstox asks the account holder to approve; the token arrives at the notifier."""

    __tablename__ = "broker_token_request"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    broker: Mapped[str] = mapped_column(String(32), nullable=False)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    # Upstox lets the request lapse at this instant (03:30 IST after it was made).
    authorization_expiry: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    trigger: Mapped[str] = mapped_column(String(16), nullable=False)  # manual | renewal | rejected | cli
    requested_by: Mapped[str] = mapped_column(String(254), nullable=False)
    state: Mapped[str] = mapped_column(String(16), nullable=False)  # pending | fulfilled
    fulfilled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_broker_token_request_broker_requested_at", "broker", "requested_at"),)
