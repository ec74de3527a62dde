"""Backfill: the missed minutes of a day rebuilt from Upstox's 1-minute candles (every contract near the money
plus the underlying), greeks from our engine, marked GreeksSource.backfill and stored with origin BACKFILL.

Candles carry no bid/ask and no previous-day OI, so those stay null; a contract that did not trade in a minute
carries its last price forward (what the chain's last price would have shown).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import numpy as np
import structlog

from marketedge import clock, store
from marketedge.cache import MinuteCache
from marketedge.calendar import TradingCalendar, years_to_expiry
from marketedge.db import Database
from marketedge.frames import FIELD_INDEX, FIELDS, GREEKS, ChainMinute, GreeksSource
from marketedge.ingest.normalise import price_chain
from marketedge.ingest.universe import Target, resolve_targets, tracked_targets
from marketedge.upstox import UpstoxClient
from marketedge.upstox.schemas import Candle

log = structlog.get_logger(__name__)

STRIKE_WINDOW = 0.10  # contracts within ±10 % of the spot: more than any delta band of 0.05 or above needs


@dataclass(slots=True)
class BackfillReport:
    day: date
    filled: dict[str, int] = field(default_factory=dict)  # target label → minutes filled
    missing_before: dict[str, int] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def total_filled(self) -> int:
        return sum(self.filled.values())


async def backfill_day(
    database: Database,
    cache: MinuteCache,
    client: UpstoxClient,
    calendar: TradingCalendar,
    day: date,
    *,
    rate: float = 0.065,
    now: datetime | None = None,
) -> BackfillReport:
    """Fill every missing minute of `day` up to the last finished minute (or the close)."""
    now = now or clock.now()
    session = calendar.session(day)
    report = BackfillReport(day)
    if session is None or now < session.open + timedelta(minutes=1):
        return report
    last = min(clock.floor_minute(now) - timedelta(minutes=1), session.close)
    expected = [m for m in session.minutes() if m <= last]
    async with database.sessions() as db_session:
        targets = await tracked_targets(db_session, day)
        if not targets:
            targets = await resolve_targets(db_session, client, session.open)
            await db_session.commit()
    for target in targets:
        label = f"{target.symbol}:{target.expiry.isoformat()}"
        try:
            async with database.sessions() as db_session:
                have = await store.stored_minutes(db_session, target.symbol, target.expiry, session)
            missing = [m for m in expected if m not in have]
            report.missing_before[label] = len(missing)
            if not missing:
                continue
            chains = await _rebuild(client, target, day, missing, rate, is_today=day == now.date())
            async with database.sessions() as db_session:
                written = [
                    await store.write_minute(
                        db_session, target.symbol, target.expiry, c, origin=store.BACKFILL
                    )
                    for c in chains
                ]
                await db_session.commit()
            for chain, (inserted, payload) in zip(chains, written, strict=True):
                if inserted:
                    await cache.put(target.symbol, target.expiry, chain.minute, payload)
            report.filled[label] = sum(inserted for inserted, _ in written)
        except Exception as exc:  # one target's failure must not stop the others
            log.warning("backfill failed for a target", target=label, error=type(exc).__name__, exc_info=True)
            report.errors[label] = f"{type(exc).__name__}: {exc}"
    log.info("backfill done", day=day.isoformat(), filled=report.total_filled, errors=len(report.errors))
    return report


async def _rebuild(
    client: UpstoxClient, target: Target, day: date, minutes: list[datetime], rate: float, *, is_today: bool
) -> list[ChainMinute]:
    async def candles(key: str) -> list[Candle]:
        if is_today:
            return await client.intraday_candles(key, "minutes", 1)
        return await client.historical_candles(key, "minutes", 1, day, day)

    underlying = _series(await candles(target.instrument_key), day)
    spots = [underlying.get(m) for m in minutes]
    known = [s for s in spots if s is not None]
    if not known:
        raise ValueError("no candles for the underlying on that day")
    centre = float(np.median([s[0] for s in known]))
    contracts = await client.option_contracts(target.instrument_key, target.expiry)
    near = [c for c in contracts if abs(c.strike_price / centre - 1) <= STRIKE_WINDOW]
    strikes = np.unique([c.strike_price for c in near])
    column = {s: i for i, s in enumerate(strikes)}
    fetched = await asyncio.gather(*(candles(c.instrument_key) for c in near))
    # (minute, side, strike) arrays of close, cumulative volume and OI, carried forward over quiet minutes.
    m_index = {m: i for i, m in enumerate(minutes)}
    price = np.full((len(minutes), 2, strikes.size), np.nan)
    volume = np.full_like(price, np.nan)
    oi = np.full_like(price, np.nan)
    for contract, rows in zip(near, fetched, strict=True):
        side = 0 if contract.instrument_type == "CE" else 1
        k = column[contract.strike_price]
        running_volume = 0.0
        last: tuple[float, float] | None = None
        by_minute = _series(rows, day)
        for minute in sorted(by_minute):
            running_volume += by_minute[minute][1]
            by_minute[minute] = (by_minute[minute][0], running_volume, by_minute[minute][2])
        for minute in minutes:
            if minute in by_minute:
                close, cumulative, open_interest = by_minute[minute]
                last = (close, open_interest)
                volume[m_index[minute], side, k] = cumulative
            elif last is not None:
                close, open_interest = last
            else:
                continue
            price[m_index[minute], side, k] = close
            oi[m_index[minute], side, k] = open_interest
    chains = []
    for i, minute in enumerate(minutes):
        spot = spots[i]
        if spot is None or not np.isfinite(price[i]).any():
            continue  # nothing traded yet: a gap stays a gap
        values = np.full((len(FIELDS), 2, strikes.size), np.nan)
        values[FIELD_INDEX["ltp"]] = price[i]
        values[FIELD_INDEX["volume"]] = volume[i]
        values[FIELD_INDEX["oi"]] = oi[i]
        t = years_to_expiry(minute, target.expiry)
        priced = price_chain(values, strikes, spot[0], t, rate, implied_source=GreeksSource.backfill)
        values[[FIELD_INDEX[n] for n in GREEKS]] = priced.greeks
        source = priced.source
        chains.append(ChainMinute(minute, spot[0], strikes.astype(np.float64), values, source))
    return chains


def _series(candles: list[Candle], day: date) -> dict[datetime, tuple[float, float, float]]:
    """minute → (close, volume, oi) for the candles of that IST day."""
    out: dict[datetime, tuple[float, float, float]] = {}
    for candle in candles:
        minute = clock.floor_minute(candle.timestamp.astimezone(clock.IST))
        if minute.date() == day:
            out[minute] = (
                candle.close,
                float(candle.volume),
                float(candle.oi) if candle.oi is not None else np.nan,
            )
    return out
