"""The universe's indices as the database holds them: read by the minute job (which to poll) and by the market
data service (which to show); written by ingest/universe.py."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from marketedge.models import Instrument


async def enabled_instruments(session: AsyncSession) -> list[Instrument]:
    rows = await session.scalars(
        select(Instrument)
        .where(Instrument.enabled.is_(True))
        .order_by(Instrument.position, Instrument.symbol)
    )
    return list(rows)


async def all_instruments(session: AsyncSession) -> list[Instrument]:
    rows = await session.scalars(select(Instrument).order_by(Instrument.position, Instrument.symbol))
    return list(rows)
