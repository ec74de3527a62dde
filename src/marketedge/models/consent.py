"""Consent: which version of which legal document a person accepted, when, from where, and its withdrawal."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from marketedge.core.db import Base, BigIntPK, UTCDateTime


class Consent(Base):
    __tablename__ = "consent"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    user_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("app_user.id", ondelete="CASCADE"), nullable=False
    )
    document: Mapped[str] = mapped_column(String(32), nullable=False)  # privacy, terms
    version: Mapped[str] = mapped_column(String(32), nullable=False)
    given_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    ip: Mapped[str | None] = mapped_column(String(64))
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_consent_user_id_document", "user_id", "document"),)
