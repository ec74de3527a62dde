"""The minute store: chain minutes written once and read back by day, in the database. Only the cache reads it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from marketedge.chain.calendar import Session
from marketedge.chain.frames import ChainMinute, encode
from marketedge.core.clock import IST, UTC
from marketedge.models import ChainMinuteRecord

LIVE, BACKFILL = 0, 1


@dataclass(frozen=True, slots=True)
class StoredMinute:
    minute: datetime
    payload: bytes


@dataclass(frozen=True, slots=True)
class DayCount:
    day: date
    expiry: date
    minutes: int
    first: datetime
    last: datetime


async def write_minute(
    session: AsyncSession, symbol: str, expiry: date, chain: ChainMinute, origin: int = LIVE
) -> tuple[bool, bytes]:
    """Store one chain minute unless it is already stored (a retry or a second poller adds nothing).

    Returns (inserted, payload). The caller commits."""
    payload = encode(chain)
    inserted = await write_payload(
        session, symbol, expiry, chain.minute, chain.spot, chain.strike_count, payload, origin
    )
    return inserted, payload


async def write_payload(
    session: AsyncSession,
    symbol: str,
    expiry: date,
    minute: datetime,
    spot: float,
    strike_count: int,
    payload: bytes,
    origin: int = LIVE,
) -> bool:
    """Store one chain minute already encoded (the outage queue keeps minutes so) unless it is stored; True
    when it was inserted. The caller commits."""
    values = {
        "symbol": symbol,
        "expiry": expiry,
        "minute": minute.astimezone(UTC),
        "spot": spot,
        "strike_count": strike_count,
        "origin": origin,
        "payload": payload,
    }
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(ChainMinuteRecord).values(**values).on_conflict_do_nothing()
    result = await session.execute(statement)
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def load_day(
    session: AsyncSession, symbol: str, expiry: date, day: date, after: datetime | None = None
) -> list[StoredMinute]:
    """Every stored minute of that IST day (or only those after `after`), in time order."""
    start, end = _day_bounds(day)
    if after is not None:
        start = max(start, after.astimezone(UTC) + timedelta(seconds=1))
    rows = await session.execute(
        select(ChainMinuteRecord.minute, ChainMinuteRecord.payload)
        .where(
            ChainMinuteRecord.symbol == symbol,
            ChainMinuteRecord.expiry == expiry,
            ChainMinuteRecord.minute >= start,
            ChainMinuteRecord.minute < end,
        )
        .order_by(ChainMinuteRecord.minute)
    )
    return [StoredMinute(m.astimezone(IST), p) for m, p in rows]


async def stored_minutes(
    session: AsyncSession, symbol: str, expiry: date, session_: Session
) -> set[datetime]:
    """The minutes of a session already stored for one instrument-expiry (for gap filling)."""
    rows = await session.execute(
        select(ChainMinuteRecord.minute).where(
            ChainMinuteRecord.symbol == symbol,
            ChainMinuteRecord.expiry == expiry,
            ChainMinuteRecord.minute >= session_.open.astimezone(UTC),
            ChainMinuteRecord.minute <= session_.close.astimezone(UTC),
        )
    )
    return {m.astimezone(IST) for (m,) in rows}


async def day_counts(
    session: AsyncSession, symbol: str, *, since: date | None = None, before: date | None = None
) -> list[DayCount]:
    """Per IST day and expiry: how many minutes are stored, the first and the last (of the days from `since`
    and before `before` when given)."""
    query = select(ChainMinuteRecord.expiry, ChainMinuteRecord.minute).where(
        ChainMinuteRecord.symbol == symbol
    )
    if since is not None:
        query = query.where(ChainMinuteRecord.minute >= _day_bounds(since)[0])
    if before is not None:
        query = query.where(ChainMinuteRecord.minute < _day_bounds(before)[0])
    rows = await session.execute(query.order_by(ChainMinuteRecord.minute))
    by_day: dict[tuple[date, date], list[datetime]] = {}
    for expiry, minute in rows:
        local = minute.astimezone(IST)
        by_day.setdefault((local.date(), expiry), []).append(local)
    return [DayCount(day, expiry, len(ms), ms[0], ms[-1]) for (day, expiry), ms in sorted(by_day.items())]


async def latest_minute(session: AsyncSession) -> datetime | None:
    value = await session.scalar(select(func.max(ChainMinuteRecord.minute)))
    return value.astimezone(IST) if value is not None else None


async def delete_before(session: AsyncSession, cutoff: datetime) -> int:
    """Retention: drop chain minutes older than the cutoff. The caller commits."""
    result = await session.execute(delete(ChainMinuteRecord).where(ChainMinuteRecord.minute < cutoff))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime(day.year, day.month, day.day, tzinfo=IST)
    return start.astimezone(UTC), (start + timedelta(days=1)).astimezone(UTC)
