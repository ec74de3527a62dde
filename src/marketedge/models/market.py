"""Market tables: the universe of instruments and expiries, each stored chain minute, each minute job run, and
what Upstox and the operator say of the exchange calendar."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Text,
    Time,
)
from sqlalchemy.orm import Mapped, mapped_column

from marketedge.core.db import Base, BigIntPK, UTCDateTime


class Instrument(Base):
    """An index whose options are tracked (the universe, editable by an admin)."""

    __tablename__ = "instrument"

    symbol: Mapped[str] = mapped_column(String(16), primary_key=True)  # NIFTY, BANKNIFTY, …
    instrument_key: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)  # NSE_INDEX|Nifty 50
    name: Mapped[str] = mapped_column(String(64), nullable=False)
    exchange: Mapped[str] = mapped_column(String(8), nullable=False)  # NSE, BSE
    expiries_tracked: Mapped[int] = mapped_column(SmallInteger, nullable=False, default=2)
    enabled: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    position: Mapped[int] = mapped_column(SmallInteger, nullable=False, default=0)
    lot_size: Mapped[int | None] = mapped_column(Integer)  # from the option contracts, never hard-coded
    strike_step: Mapped[float | None] = mapped_column(Float)  # from the option contracts
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


class TrackedExpiry(Base):
    """An expiry chosen for polling on a trading day (resolved each morning from Upstox's option contracts)."""

    __tablename__ = "tracked_expiry"

    symbol: Mapped[str] = mapped_column(
        String(16), ForeignKey("instrument.symbol", ondelete="CASCADE"), primary_key=True
    )
    expiry: Mapped[date] = mapped_column(Date, primary_key=True)
    trading_day: Mapped[date] = mapped_column(Date, primary_key=True)
    lot_size: Mapped[int | None] = mapped_column(Integer)
    strike_count: Mapped[int | None] = mapped_column(Integer)


class ChainMinuteRecord(Base):
    """One instrument-expiry's whole option chain at one minute, in the compact form of marketedge.chain.frames.

    One row per chain minute (not per option) keeps a row's overhead off each option: see docs/storage.md.
    """

    __tablename__ = "chain_minute"

    symbol: Mapped[str] = mapped_column(String(16), primary_key=True)
    expiry: Mapped[date] = mapped_column(Date, primary_key=True)
    minute: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    spot: Mapped[float] = mapped_column(Float, nullable=False)
    strike_count: Mapped[int] = mapped_column(SmallInteger, nullable=False)
    origin: Mapped[int] = mapped_column(SmallInteger, nullable=False)  # 0 live poll, 1 backfill
    payload: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)

    __table_args__ = (Index("ix_chain_minute_minute", "minute"),)


class IngestRun(Base):
    """One run of the minute job: when, how long, and what happened to each instrument-expiry."""

    __tablename__ = "ingest_run"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    minute: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    trigger: Mapped[str] = mapped_column(String(16), nullable=False)  # schedule, manual, external, backfill
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    duration_ms: Mapped[float] = mapped_column(Float, nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False)  # ok, partial, failed, skipped
    stored: Mapped[int] = mapped_column(SmallInteger, nullable=False, default=0)
    outcomes: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    error: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index("ix_ingest_run_minute", "minute"),)


class MarketDay(Base):
    """What one layer says of one date: Upstox's holiday list, Upstox's timings for the date, or the operator.
    The bundled list stays in the package (marketedge/data/holidays.json)."""

    __tablename__ = "market_day"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    layer: Mapped[str] = mapped_column(String(16), primary_key=True)  # upstox-list, upstox-timings, operator
    kind: Mapped[str] = mapped_column(String(16), nullable=False)  # holiday, session, settlement
    open_time: Mapped[time | None] = mapped_column(Time)
    close_time: Mapped[time | None] = mapped_column(Time)
    description: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    updated_by: Mapped[str | None] = mapped_column(String(320))  # the operator's email; None for Upstox


class MarketCalendarYear(Base):
    """A year whose holiday list was read from Upstox (its market_day rows of layer upstox-list are the list)."""

    __tablename__ = "market_calendar_year"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    read_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    entries: Mapped[int] = mapped_column(Integer, nullable=False)
