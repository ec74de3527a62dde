"""Catch-up: a day's missed minutes rebuilt from Upstox's 1-minute candles (the underlying and the contracts the
bands can need), greeks from our engine, stored with origin BACKFILL and GreeksSource.backfill.

It runs on the limiter's catch-up lane, so the live minute never waits behind it; one target at a time, each
target's minutes and their run records written in one transaction, so a restart resumes with the targets not yet
filled. A contract whose candles fail leaves that strike out of the rebuilt minutes (recorded), not the target.
Candles carry no bid/ask and no previous-day OI: those stay null. A contract that did not trade in a minute
carries its last price forward (what the chain's last price would have shown).
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import structlog
from numpy.typing import NDArray

from marketedge.cache import MinuteCache
from marketedge.chain import store
from marketedge.chain.calendar import Session, TradingCalendar, years_to_expiry
from marketedge.chain.frames import CE, FIELD_INDEX, FIELDS, GREEKS, PE, ChainMinute, GreeksSource
from marketedge.core import clock
from marketedge.core.db import Database
from marketedge.ingest.bus import MinuteBus, MinuteStored
from marketedge.ingest.normalise import normalise_chain, price_chain
from marketedge.ingest.universe import Target, ensure_default_universe, resolve_targets, tracked_targets
from marketedge.models import IngestRun
from marketedge.upstox import Budget, Lane, UpstoxClient, UpstoxError
from marketedge.upstox.limits import MARGIN_SECONDS as LIMITER_MARGIN
from marketedge.upstox.schemas import Candle, OptionContract

log = structlog.get_logger(__name__)

STRIKE_WINDOW = 0.10  # never beyond ±10 % of the spot
DELTA_EDGE = 0.01  # rebuild the strikes whose |delta| may be within [0.01, 0.99] over the day
YIELD_EVERY = 8  # minutes rebuilt between two turns of the event loop (live work and requests go first)
CONCURRENCY = 8  # candle requests in flight at once (the limiter paces them; more only queues in the pool)


def catch_up_seconds(
    calls: int, budgets: Sequence[Budget], *, reserve: float, live_per_minute: int = 0
) -> float:
    """How long `calls` requests to one API take on the catch-up lane when nothing else limits them: each goes
    as soon as every window has room within the catch-up's share (docs/pipeline.md, "Catch-up"). With one budget
    for all APIs, the live minute's calls (`live_per_minute`) come out of that share too."""
    limits = []
    for b in budgets:
        share = max(1, min(b.calls - 1, math.floor(b.calls * (1 - reserve))))
        live = math.ceil(live_per_minute * b.seconds / 60) if b.seconds >= 60 else 0
        limits.append((b.seconds + LIMITER_MARGIN, max(1, share - live)))
    times: list[float] = []
    for i in range(calls):
        at = times[-1] if times else 0.0
        for window, limit in limits:
            if i >= limit:
                at = max(at, times[i - limit] + window)
        times.append(at)
    return times[-1] if times else 0.0


@dataclass(slots=True)
class BackfillReport:
    day: date
    filled: dict[str, int] = field(default_factory=dict)  # target label → minutes filled
    missing_before: dict[str, int] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    strike_gaps: dict[str, list[str]] = field(default_factory=dict)  # target → contracts left out, "25000 CE"
    calls: int = 0  # Upstox calls made
    seconds: float = 0.0

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
    targets: Sequence[Target] | None = None,
    bus: MinuteBus | None = None,
    lane: Lane = Lane.catchup,
) -> BackfillReport:
    """Fill every missing minute of `day` up to the last finished minute (or the close)."""
    started = time.perf_counter()
    now = now or clock.now()
    session = calendar.session(day)
    report = BackfillReport(day)
    if session is None or now < session.open + timedelta(minutes=1):
        return report
    last = min(clock.floor_minute(now) - timedelta(minutes=1), session.close)
    expected = [m for m in session.minutes() if m <= last]
    if targets is None:
        targets = await _targets(database, client, day, session)
    for target in targets:
        label = f"{target.symbol}:{target.expiry.isoformat()}"
        try:
            async with database.sessions() as db_session:
                have = await store.stored_minutes(db_session, target.symbol, target.expiry, session)
            missing = [m for m in expected if m not in have]
            report.missing_before[label] = len(missing)
            if not missing:
                continue
            rebuilt = await _Rebuild(
                client, target, session, missing, rate, lane, is_today=day == now.date()
            ).run()
            report.calls += rebuilt.calls
            if rebuilt.gaps:
                report.strike_gaps[label] = rebuilt.gaps
            report.filled[label] = await _store(database, cache, target, rebuilt)
            if bus is not None and rebuilt.chains:
                # Earlier minutes changed under open screens: they ask for the day again.
                bus.publish(
                    MinuteStored(target.symbol, target.expiry, rebuilt.chains[0].minute, backfilled=True)
                )
        except Exception as exc:  # one target's failure must not stop the others
            log.warning("backfill failed for a target", target=label, error=type(exc).__name__, exc_info=True)
            report.errors[label] = f"{type(exc).__name__}: {exc}"
    report.seconds = time.perf_counter() - started
    log.info(
        "backfill done",
        day=day.isoformat(),
        filled=report.total_filled,
        errors=len(report.errors),
        calls=report.calls,
        strike_gaps=sum(len(g) for g in report.strike_gaps.values()),
        seconds=round(report.seconds, 1),
    )
    return report


async def catch_up(
    database: Database,
    cache: MinuteCache,
    client: UpstoxClient,
    calendar: TradingCalendar,
    day: date,
    *,
    passes: int = 3,
    **options: Any,
) -> BackfillReport:
    """Backfill again while a pass filled something: minutes that ended while a pass ran (the one the app started
    in, the live minutes that failed meanwhile) are filled by the next."""
    total = BackfillReport(day)
    for n in range(passes):
        report = await backfill_day(database, cache, client, calendar, day, **options)
        if n == 0:
            total.missing_before = report.missing_before
        for label, filled in report.filled.items():
            total.filled[label] = total.filled.get(label, 0) + filled
        for label, gaps in report.strike_gaps.items():
            total.strike_gaps[label] = sorted(set(total.strike_gaps.get(label, [])) | set(gaps))
        total.errors = report.errors
        total.calls += report.calls
        total.seconds += report.seconds
        if report.total_filled == 0:
            break
    return total


async def _targets(database: Database, client: UpstoxClient, day: date, session: Session) -> list[Target]:
    """The day's targets: those the minute job resolved, else resolved now (a first start: seed the universe)."""
    async with database.sessions() as db_session:
        found = await tracked_targets(db_session, day)
        if not found:
            await ensure_default_universe(db_session)
            found = await resolve_targets(db_session, client, session.open)
            await db_session.commit()
    return found


@dataclass(slots=True)
class _Rebuilt:
    chains: list[ChainMinute]
    gaps: list[str]
    calls: int


class _Rebuild:
    """One target's missing minutes from candles."""

    def __init__(
        self,
        client: UpstoxClient,
        target: Target,
        session: Session,
        minutes: list[datetime],
        rate: float,
        lane: Lane,
        *,
        is_today: bool,
    ) -> None:
        self.client, self.target, self.session, self.minutes = client, target, session, minutes
        self.rate, self.lane, self.is_today = rate, lane, is_today
        self.calls = 0
        self._in_flight = asyncio.Semaphore(CONCURRENCY)
        # Minutes of the session up to the last missing one: candles are placed on this grid.
        self.grid = int((minutes[-1] - session.open).total_seconds() // 60) + 1

    async def candles(self, key: str) -> list[Candle]:
        async with self._in_flight:
            self.calls += 1
            if self.is_today:
                return await self.client.intraday_candles(key, "minutes", 1, lane=self.lane)
            day = self.session.day
            return await self.client.historical_candles(key, "minutes", 1, day, day, lane=self.lane)

    async def run(self) -> _Rebuilt:
        target = self.target
        spot = self.on_grid(await self.candles(target.instrument_key))[0]
        if not np.isfinite(spot).any():
            raise ValueError("no candles for the underlying on that day")
        self.calls += 1
        contracts = await self.client.option_contracts(target.instrument_key, target.expiry, lane=self.lane)
        near = await self.near(contracts, spot)
        strikes = np.unique([c.strike_price for c in near])
        column = {s: i for i, s in enumerate(strikes)}
        fetched = await asyncio.gather(
            *(self.candles(c.instrument_key) for c in near), return_exceptions=True
        )
        # (grid minute, side, strike): close carried forward, volume summed from the open, OI carried forward.
        price = np.full((self.grid, 2, strikes.size), np.nan)
        volume = np.full_like(price, np.nan)
        oi = np.full_like(price, np.nan)
        gaps = []
        for contract, got in zip(near, fetched, strict=True):
            if isinstance(got, BaseException):
                if not isinstance(got, UpstoxError | ValueError):
                    raise got
                gaps.append(f"{contract.strike_price:g} {contract.instrument_type}")
                continue
            side, k = (CE if contract.instrument_type == "CE" else PE), column[contract.strike_price]
            price[:, side, k], volume[:, side, k], oi[:, side, k] = self.on_grid(got)
        rows = [int((m - self.session.open).total_seconds() // 60) for m in self.minutes]
        chains = []
        for n, (minute, row) in enumerate(zip(self.minutes, rows, strict=True)):
            if n % YIELD_EVERY == 0:
                await asyncio.sleep(0)
            if not np.isfinite(spot[row]) or not np.isfinite(price[row]).any():
                continue  # nothing traded yet: a gap stays a gap
            values = np.full((len(FIELDS), 2, strikes.size), np.nan)
            values[FIELD_INDEX["ltp"]] = price[row]
            values[FIELD_INDEX["volume"]] = volume[row]
            values[FIELD_INDEX["oi"]] = oi[row]
            t = years_to_expiry(minute, target.expiry)
            priced = price_chain(
                values, strikes, float(spot[row]), t, self.rate, implied_source=GreeksSource.backfill
            )
            values[[FIELD_INDEX[g] for g in GREEKS]] = priced.greeks
            chains.append(
                ChainMinute(minute, float(spot[row]), strikes.astype(np.float64), values, priced.source)
            )
        return _Rebuilt(chains, sorted(gaps), self.calls)

    async def near(self, contracts: list[OptionContract], spot: NDArray[np.float64]) -> list[OptionContract]:
        """The contracts whose |delta| may be within [DELTA_EDGE, 1 - DELTA_EDGE] at some minute of the day: the
        moneyness range where today's chain has such deltas, over the day's range of the spot (within ±10 %)."""
        low, high = float(np.nanmin(spot)), float(np.nanmax(spot))
        lower, upper = 1.0 - STRIKE_WINDOW, 1.0 + STRIKE_WINDOW
        if not self.is_today:  # today's chain says nothing of an earlier day's time to expiry
            return self.within(contracts, low * lower, high * upper)
        try:
            self.calls += 1
            answer = await self.client.option_chain(
                self.target.instrument_key, self.target.expiry, lane=self.lane
            )
            minute = clock.floor_minute(clock.now())
            chain, _ = normalise_chain(answer.rows, minute, self.target.expiry, self.rate)
        except (UpstoxError, ValueError) as exc:
            log.info("backfill: no chain to narrow the strikes; ±10 % of the spot", error=type(exc).__name__)
        else:
            delta = np.abs(chain.field("delta"))
            with np.errstate(invalid="ignore"):
                useful = ((delta >= DELTA_EDGE) & (delta <= 1 - DELTA_EDGE)).any(axis=0)
            if useful.any():
                lower = max(lower, float(chain.strikes[useful].min()) / chain.spot)
                upper = min(upper, float(chain.strikes[useful].max()) / chain.spot)
        return self.within(contracts, low * lower, high * upper)

    @staticmethod
    def within(contracts: list[OptionContract], low: float, high: float) -> list[OptionContract]:
        """The contracts with strikes in [low, high], and one strike step beyond on each side."""
        strikes = np.unique([c.strike_price for c in contracts])
        step = float(np.min(np.diff(strikes))) if strikes.size > 1 else 0.0
        return [c for c in contracts if low - step <= c.strike_price <= high + step]

    def on_grid(
        self, candles: list[Candle]
    ) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
        """(close, volume since the open, OI) on the session's minute grid, carried over minutes without a candle."""
        at = np.array(
            [
                int((c.timestamp.astimezone(clock.IST) - self.session.open).total_seconds() // 60)
                for c in candles
            ],
            dtype=np.int64,
        )
        keep = (at >= 0) & (at < self.grid)
        at = at[keep]
        picked = [c for c, k in zip(candles, keep.tolist(), strict=True) if k]
        close = np.full(self.grid, np.nan)
        traded = np.zeros(self.grid)
        open_interest = np.full(self.grid, np.nan)
        close[at] = [c.close for c in picked]
        traded[at] = [float(c.volume) for c in picked]
        open_interest[at] = [np.nan if c.oi is None else float(c.oi) for c in picked]
        volume = np.cumsum(traded)
        if at.size:
            volume[: int(at.min())] = np.nan
        else:
            volume[:] = np.nan
        return _carried(close), volume, _carried(open_interest)


def _carried(values: NDArray[np.float64]) -> NDArray[np.float64]:
    """Each NaN takes the last value before it; NaNs before the first value stay."""
    index = np.where(np.isfinite(values), np.arange(values.size), -1)
    np.maximum.accumulate(index, out=index)
    return np.where(index >= 0, values[np.maximum(index, 0)], np.nan)


async def _store(database: Database, cache: MinuteCache, target: Target, rebuilt: _Rebuilt) -> int:
    """The rebuilt minutes and one run record for each, in one transaction; then the cache."""
    label = f"{target.symbol}:{target.expiry.isoformat()}"
    detail = "rebuilt from 1-minute candles"
    if rebuilt.gaps:
        detail += (
            f"; without {len(rebuilt.gaps)} contract(s) whose candles failed: {', '.join(rebuilt.gaps[:10])}"
        )
    async with database.sessions() as db_session:
        written = []
        for chain in rebuilt.chains:
            inserted, payload = await store.write_minute(
                db_session, target.symbol, target.expiry, chain, origin=store.BACKFILL
            )
            written.append((chain, inserted, payload))
            if inserted:
                db_session.add(
                    IngestRun(
                        minute=chain.minute,
                        trigger="backfill",
                        started_at=clock.utcnow(),
                        duration_ms=0.0,
                        status="partial" if rebuilt.gaps else "ok",
                        stored=1,
                        outcomes={
                            label: {"status": "stored", "detail": detail, "strikes": chain.strike_count}
                        },
                        error=None,
                    )
                )
        await db_session.commit()
    fresh = [(chain.minute, payload) for chain, inserted, payload in written if inserted]
    await cache.put_many(target.symbol, target.expiry, fresh)
    return len(fresh)
