"""What the twin sends: Upstox's JSON shapes built from market snapshots and the calendar (cached per minute)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

import numpy as np

from marketedge.chain.calendar import NORMAL_CLOSE, DayKind, Session, TradingCalendar
from marketedge.twin.candles import MinuteBars, contract_bars, index_bars
from marketedge.twin.instruments import TOKEN_EPOCH, Contract, Underlying, trading_symbol
from marketedge.twin.market import Market, Minute, Side, Snapshot
from marketedge.twin.tokens import epoch_ms

EQUITY_EXCHANGES = ("NSE", "NFO", "BSE", "BFO")
CLOSED_ON_HOLIDAYS = ("NSE", "NFO", "CDS", "BSE", "BFO", "BCD")
TICK_SIZE_PAISE = 5.0  # Upstox quotes the option tick size in paise: 5.0 = ₹0.05


def keys_for(u: Underlying, expiry: date, strikes: np.ndarray, is_call: bool) -> list[str]:
    """Instrument keys of one side of an expiry, vectorised (the token format is in instruments.py)."""
    index = np.round(strikes / u.strike_step).astype(np.int64)
    tokens = u.code * 10**10 + (expiry - TOKEN_EPOCH).days * 10**5 + index * 10 + (0 if is_call else 1)
    prefix = f"{u.segment}|"
    return [prefix + str(token) for token in tokens.tolist()]


def _market_data(side: Side, row: int) -> tuple[list[Any], ...]:
    assert side.close_price is not None
    return (
        side.ltp[row].tolist(),
        side.volume[row].tolist(),
        side.oi[row].tolist(),
        side.close_price[row].tolist(),
        side.bid[row].tolist(),
        side.bid_qty[row].tolist(),
        side.ask[row].tolist(),
        side.ask_qty[row].tolist(),
        side.prev_oi[row].tolist(),
    )


def _greeks(side: Side, row: int, iv_scale: float) -> tuple[list[Any], ...]:
    assert side.delta is not None and side.gamma is not None and side.theta is not None
    assert side.vega is not None and side.iv is not None and side.pop is not None
    return (
        np.round(side.vega[row], 4).tolist(),
        np.round(side.theta[row], 4).tolist(),
        np.round(side.gamma[row], 4).tolist(),
        np.round(side.delta[row], 4).tolist(),
        np.round(side.iv[row] * iv_scale, 4 if iv_scale == 1.0 else 2).tolist(),
        np.round(side.pop[row], 2).tolist(),
    )


def chain_rows(snapshot: Snapshot, keys: tuple[list[str], list[str]] | None = None) -> list[dict[str, Any]]:
    """The option-chain `data` list: one row per strike, IV in percent, pcr per strike.

    `keys` (call keys, put keys) may be passed in when already known, to save building the strings."""
    u, expiry, strikes = snapshot.underlying, snapshot.expiry, snapshot.strikes
    call, put = snapshot.call, snapshot.put
    call_oi, put_oi = call.oi[0].astype(np.float64), put.oi[0].astype(np.float64)
    pcr = np.round(np.divide(put_oi, call_oi, out=np.zeros_like(put_oi), where=call_oi > 0), 4).tolist()
    spot = round(float(snapshot.spot[0]), 2)
    expiry_text = expiry.isoformat()

    def side_dicts(side: Side, keys: list[str]) -> list[dict[str, Any]]:
        # Literal dicts over zipped columns: the fastest way to build ~300 small objects in Python.
        return [
            {
                "instrument_key": key,
                "market_data": {
                    "ltp": ltp,
                    "volume": volume,
                    "oi": oi,
                    "close_price": close_price,
                    "bid_price": bid,
                    "bid_qty": bid_qty,
                    "ask_price": ask,
                    "ask_qty": ask_qty,
                    "prev_oi": prev_oi,
                },
                "option_greeks": {
                    "vega": vega,
                    "theta": theta,
                    "gamma": gamma,
                    "delta": delta,
                    "iv": iv,
                    "pop": pop,
                },
            }
            for (
                key,
                ltp,
                volume,
                oi,
                close_price,
                bid,
                bid_qty,
                ask,
                ask_qty,
                prev_oi,
                vega,
                theta,
                gamma,
                delta,
                iv,
                pop,
            ) in zip(keys, *_market_data(side, 0), *_greeks(side, 0, 100.0), strict=True)
        ]

    call_keys, put_keys = keys or (keys_for(u, expiry, strikes, True), keys_for(u, expiry, strikes, False))
    calls = side_dicts(call, call_keys)
    puts = side_dicts(put, put_keys)
    return [
        {
            "expiry": expiry_text,
            "pcr": ratio,
            "strike_price": strike,
            "underlying_key": u.key,
            "underlying_spot_price": spot,
            "call_options": c,
            "put_options": p,
        }
        for strike, ratio, c, p in zip(strikes.tolist(), pcr, calls, puts, strict=True)
    ]


class Payloads:
    """Builds and caches the larger answers for one Market."""

    def __init__(self, market: Market) -> None:
        self.market = market
        self.chain = lru_cache(maxsize=64)(self._chain)
        self._keys = lru_cache(maxsize=256)(self._chain_keys)
        self.contracts = lru_cache(maxsize=16)(self._contracts)
        self.holidays = lru_cache(maxsize=8)(self._holidays)
        self.bars = lru_cache(maxsize=512)(self._bars)

    def _bars(self, instrument: Underlying | Contract, day: date) -> MinuteBars:
        """One session's 1-minute bars of an index or a contract."""
        if isinstance(instrument, Contract):
            return contract_bars(self.market, instrument, day)
        return index_bars(self.market, instrument, day)

    def _chain(self, u: Underlying, expiry: date, minute: Minute) -> list[dict[str, Any]]:
        snapshot = self.market.chain(u, expiry, minute.session.day, minute.index)
        return chain_rows(snapshot, self._keys(u, expiry, minute.session.day))

    def _chain_keys(self, u: Underlying, expiry: date, day: date) -> tuple[list[str], list[str]]:
        strikes = self.market.strikes(u, expiry, day)
        return keys_for(u, expiry, strikes, True), keys_for(u, expiry, strikes, False)

    def _contracts(self, u: Underlying, today: date, session_day: date) -> list[dict[str, Any]]:
        """Every listed contract of an underlying: the /v2/option/contract rows, by expiry, strike, CE/PE."""
        rows: list[dict[str, Any]] = []
        schedule = self.market.schedule
        for expiry in self.market.listed_expiries(u, today):
            monthly = schedule.is_monthly(u, expiry)
            strikes = self.market.strikes(u, expiry, session_day)
            calls = keys_for(u, expiry, strikes, True)
            puts = keys_for(u, expiry, strikes, False)
            for strike, call_key, put_key in zip(strikes.tolist(), calls, puts, strict=True):
                for key, kind in ((call_key, "CE"), (put_key, "PE")):
                    rows.append(
                        {
                            "name": u.name,
                            "segment": u.segment,
                            "exchange": u.exchange,
                            "expiry": expiry.isoformat(),
                            "weekly": not monthly,
                            "instrument_key": key,
                            "exchange_token": key.split("|", 1)[1],
                            "trading_symbol": trading_symbol(u, expiry, strike, kind, monthly),
                            "tick_size": TICK_SIZE_PAISE,
                            "lot_size": u.lot_size,
                            "instrument_type": kind,
                            "freeze_quantity": float(u.freeze_quantity),
                            "underlying_key": u.key,
                            "underlying_type": "INDEX",
                            "underlying_symbol": u.name,
                            "strike_price": strike,
                            "minimum_lot": u.lot_size,
                        }
                    )
        return rows

    def _holidays(self, year: int) -> list[dict[str, Any]]:
        calendar = self.market.calendar
        day = date(year, 1, 1)
        rows = []
        while day.year == year:
            entry = holiday_entry(calendar, day)
            if entry is not None:
                rows.append(entry)
            day += timedelta(days=1)
        return rows

    def symbol(self, contract: Contract) -> str:
        """`NSE_FO:NIFTY26DEC26000CE`, the key of the quote maps."""
        u = contract.underlying
        monthly = self.market.schedule.is_monthly(u, contract.expiry)
        return f"{u.segment}:{contract.trading_symbol(monthly)}"

    def contract_quote(self, contract: Contract, minute: Minute, with_greeks: bool) -> dict[str, Any]:
        side, position = self.market.contract_at(contract, minute)
        assert side.close_price is not None
        quote: dict[str, Any] = {
            "last_price": float(side.ltp[0, position]),
            "instrument_token": contract.instrument_key,
            "ltq": contract.underlying.lot_size,
            "volume": int(side.volume[0, position]),
            "cp": float(side.close_price[0, position]),
        }
        if with_greeks:
            assert side.iv is not None and side.vega is not None and side.gamma is not None
            assert side.theta is not None and side.delta is not None
            quote.update(
                iv=round(float(side.iv[0, position]), 4),
                vega=round(float(side.vega[0, position]), 4),
                gamma=round(float(side.gamma[0, position]), 4),
                theta=round(float(side.theta[0, position]), 4),
                delta=round(float(side.delta[0, position]), 4),
                oi=float(side.oi[0, position]),
            )
        return quote

    def index_quote(self, u: Underlying, minute: Minute) -> dict[str, Any]:
        return {
            "last_price": round(self.market.index_level(u, minute), 2),
            "instrument_token": u.key,
            "ltq": 0,
            "volume": 0,
            "cp": round(self.market.index_previous_close(u, minute), 2),
        }


def holiday_entry(calendar: TradingCalendar, day: date) -> dict[str, Any] | None:
    """The /v2/market/holidays entry for a date, as Upstox writes it, or None for an ordinary day.

    A closure is a TRADING_HOLIDAY closing the equity exchanges; a day that trades at other hours (Muhurat on a
    Diwali holiday, a Saturday session) lists the exchanges open and when; a settlement holiday closes nothing."""
    entry = calendar.entry(day)
    session = calendar.session(day)
    if session is not None and session.special:
        description = entry.description if entry and entry.description else "Special trading session"
        # Upstox lists Muhurat (an evening session) under the day's closure; other sessions on their own.
        closed = session.open.timetz().replace(tzinfo=None) >= NORMAL_CLOSE
        return {
            "date": day.isoformat(),
            "description": description,
            "holiday_type": "TRADING_HOLIDAY" if closed else "SPECIAL_TIMING",
            "closed_exchanges": list(CLOSED_ON_HOLIDAYS) if closed else [],
            "open_exchanges": timings(session),
        }
    if entry is not None and entry.kind is DayKind.holiday:
        return {
            "date": day.isoformat(),
            "description": entry.description,
            "holiday_type": "TRADING_HOLIDAY",
            "closed_exchanges": list(CLOSED_ON_HOLIDAYS),
            "open_exchanges": [],
        }
    if entry is not None and entry.kind is DayKind.settlement:
        return {
            "date": day.isoformat(),
            "description": entry.description,
            "holiday_type": "SETTLEMENT_HOLIDAY",
            "closed_exchanges": [],
            "open_exchanges": [],
        }
    return None


def timings(session: Session | None) -> list[dict[str, Any]]:
    if session is None:
        return []
    start, end = int(epoch_ms(session.open)), int(epoch_ms(session.close))
    return [{"exchange": e, "start_time": start, "end_time": end} for e in EQUITY_EXCHANGES]


def market_status(calendar: TradingCalendar, exchange: str, now: datetime) -> dict[str, Any]:
    """NORMAL_OPEN during the session; the equity exchanges also show pre-open and closing phases."""
    session = calendar.session(now.date())
    status, since = "NORMAL_CLOSE", now.replace(hour=0, minute=0, second=0, microsecond=0)
    if session is not None:
        close = session.close
        phases: list[tuple[datetime, str]] = []
        if exchange in ("NSE", "BSE"):
            phases += [
                (session.open - timedelta(minutes=15), "PRE_OPEN_START"),
                (session.open - timedelta(minutes=7), "PRE_OPEN_END"),
            ]
        phases.append((session.open, "NORMAL_OPEN"))
        if exchange in ("NSE", "BSE"):
            phases += [(close, "CLOSING_START"), (close + timedelta(minutes=10), "CLOSING_END")]
            phases.append((close + timedelta(minutes=30), "NORMAL_CLOSE"))
        else:
            phases.append((close, "NORMAL_CLOSE"))
        for start, name in phases:
            if now >= start:
                status, since = name, start
    return {"exchange": exchange, "status": status, "last_updated": int(epoch_ms(since))}
