"""The universe: which indices are tracked, and each trading morning which expiries, from Upstox's contracts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
import structlog
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from marketedge.chain.calendar import expiry_instant
from marketedge.chain.instruments import all_instruments, enabled_instruments
from marketedge.core import clock
from marketedge.core.errors import InvalidInput
from marketedge.models import Instrument, TrackedExpiry
from marketedge.upstox import TokenInvalid, UpstoxClient, UpstoxError
from marketedge.upstox.schemas import OptionContract


@dataclass(frozen=True, slots=True)
class IndexSpec:
    symbol: str
    instrument_key: str
    name: str
    exchange: str


# Upstox's keys for the indices (docs/upstox-api.md §4). Lot sizes, strike steps and expiries are
# never written here: they come from the option contracts every morning.
KNOWN_INDICES: dict[str, IndexSpec] = {
    s.symbol: s
    for s in (
        IndexSpec("NIFTY", "NSE_INDEX|Nifty 50", "Nifty 50", "NSE"),
        IndexSpec("BANKNIFTY", "NSE_INDEX|Nifty Bank", "Nifty Bank", "NSE"),
        IndexSpec("FINNIFTY", "NSE_INDEX|Nifty Fin Service", "Nifty Financial Services", "NSE"),
        IndexSpec("MIDCPNIFTY", "NSE_INDEX|NIFTY MID SELECT", "Nifty Midcap Select", "NSE"),
        IndexSpec("SENSEX", "BSE_INDEX|SENSEX", "S&P BSE Sensex", "BSE"),
        IndexSpec("BANKEX", "BSE_INDEX|BANKEX", "S&P BSE Bankex", "BSE"),
    )
}
log = structlog.get_logger(__name__)

DEFAULT_UNIVERSE = ("NIFTY", "BANKNIFTY", "FINNIFTY", "SENSEX")
DEFAULT_EXPIRIES = 2


@dataclass(frozen=True, slots=True)
class Target:
    """One instrument-expiry to poll."""

    symbol: str
    instrument_key: str
    expiry: date


async def ensure_default_universe(session: AsyncSession, symbols: tuple[str, ...] = DEFAULT_UNIVERSE) -> None:
    """Seed the default instruments into an empty universe (an admin edits it later). The caller commits."""
    if await session.scalar(select(Instrument.symbol).limit(1)) is not None:
        return
    now = clock.utcnow()
    for position, symbol in enumerate(symbols):
        spec = KNOWN_INDICES[symbol]
        session.add(
            Instrument(
                symbol=spec.symbol,
                instrument_key=spec.instrument_key,
                name=spec.name,
                exchange=spec.exchange,
                expiries_tracked=DEFAULT_EXPIRIES,
                enabled=True,
                position=position,
                updated_at=now,
            )
        )
    await session.flush()


async def set_universe(
    session: AsyncSession, symbols: list[str], expiries: int | dict[str, int] = DEFAULT_EXPIRIES
) -> None:
    """Track exactly these indices (known to Upstox by name), in this order, each with its number of
    expiries (one number for all, or per symbol). The caller commits."""
    unknown = [s for s in symbols if s not in KNOWN_INDICES]
    if unknown:
        raise ValueError(f"unknown index {', '.join(unknown)}; known: {', '.join(KNOWN_INDICES)}")
    await ensure_default_universe(session)
    existing = {i.symbol: i for i in await all_instruments(session)}
    now = clock.utcnow()
    for instrument in existing.values():
        instrument.enabled = instrument.symbol in symbols
    for position, symbol in enumerate(symbols):
        spec = KNOWN_INDICES[symbol]
        instrument = existing.get(symbol) or Instrument(
            symbol=symbol, instrument_key=spec.instrument_key, name=spec.name, exchange=spec.exchange
        )
        count = expiries if isinstance(expiries, int) else expiries.get(symbol, DEFAULT_EXPIRIES)
        instrument.enabled, instrument.position, instrument.expiries_tracked = True, position, count
        instrument.updated_at = now
        session.add(instrument)
    await session.flush()


def nearest_expiries(contracts: list[OptionContract], now: datetime, count: int) -> list[date]:
    """The `count` nearest expiries still trading at `now`."""
    expiries = sorted({c.expiry for c in contracts if expiry_instant(c.expiry) >= now})
    return expiries[:count]


def strike_step(contracts: list[OptionContract], expiry: date) -> float | None:
    strikes = np.unique([c.strike_price for c in contracts if c.expiry == expiry])
    steps = np.diff(strikes)
    steps = steps[steps > 0]
    return float(np.min(steps)) if steps.size else None


async def resolve_targets(session: AsyncSession, client: UpstoxClient, as_of: datetime) -> list[Target]:
    """Ask Upstox for each enabled instrument's contracts; track the nearest expiries for `day`.

    Stores the choice (tracked_expiry) and the lot size and strike step on the instrument. An instrument
    whose contracts cannot be read keeps the expiries tracked earlier that day, if any. The caller commits."""
    now, day = as_of, as_of.date()
    targets: list[Target] = []
    for instrument in await enabled_instruments(session):
        try:
            contracts = await client.option_contracts(instrument.instrument_key)
        except TokenInvalid:
            raise
        except UpstoxError as exc:
            log.warning("could not read option contracts", symbol=instrument.symbol, error=str(exc))
            continue
        expiries = nearest_expiries(contracts, now, instrument.expiries_tracked)
        if not expiries:
            continue
        first = expiries[0]
        lots = [c.lot_size for c in contracts if c.expiry == first]
        instrument.lot_size = lots[0] if lots else instrument.lot_size
        instrument.strike_step = strike_step(contracts, first) or instrument.strike_step
        instrument.updated_at = clock.utcnow()
        await session.execute(
            delete(TrackedExpiry).where(
                TrackedExpiry.symbol == instrument.symbol, TrackedExpiry.trading_day == day
            )
        )
        for expiry in expiries:
            lot = next((c.lot_size for c in contracts if c.expiry == expiry), None)
            count = len({c.strike_price for c in contracts if c.expiry == expiry})
            session.add(
                TrackedExpiry(
                    symbol=instrument.symbol, expiry=expiry, trading_day=day, lot_size=lot, strike_count=count
                )
            )
            targets.append(Target(instrument.symbol, instrument.instrument_key, expiry))
    await session.flush()
    return targets


async def tracked_targets(session: AsyncSession, day: date) -> list[Target]:
    """The targets already resolved for `day` (no Upstox call)."""
    rows = await session.execute(
        select(TrackedExpiry.symbol, Instrument.instrument_key, TrackedExpiry.expiry)
        .join(Instrument, Instrument.symbol == TrackedExpiry.symbol)
        .where(TrackedExpiry.trading_day == day, Instrument.enabled.is_(True))
        .order_by(Instrument.position, TrackedExpiry.expiry)
    )
    return [Target(s, k, e) for s, k, e in rows]


async def change_universe(session: AsyncSession, counts: dict[str, int]) -> list[str]:
    """Track exactly these indices, in this order, each with its number of expiries (an admin's change). The
    indices whose expiry count changed get today's expiries chosen again at the next minute; they are
    returned. Refuses duplicates and unknown indices with InvalidInput. The caller commits."""
    symbols = list(counts)
    unknown = [s for s in symbols if s not in KNOWN_INDICES]
    if unknown:
        raise InvalidInput(
            f"unknown index {', '.join(unknown)}",
            details={"field": "instruments", "known": sorted(KNOWN_INDICES)},
        )
    before = {i.symbol: i.expiries_tracked for i in await all_instruments(session) if i.enabled}
    await set_universe(session, symbols, counts)
    changed = [s for s in symbols if before.get(s) != counts[s]]
    if changed:
        await session.execute(
            delete(TrackedExpiry).where(
                TrackedExpiry.symbol.in_(changed), TrackedExpiry.trading_day == clock.today()
            )
        )
    return changed
