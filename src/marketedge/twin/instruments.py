"""The twin's instruments: five index underlyings, their expiry schedules, strike grids and contract keys.

The exchange token in a contract key is synthetic but stable and reversible (it packs the index, the expiry,
the strike and the side), so any key, an expired contract's too, decodes without a registry. Trading symbols
follow the exchanges' compact monthly and weekly forms (docs/twin.md, "The market").
"""

from __future__ import annotations

import calendar as _months
import math
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from marketedge.chain.calendar import TradingCalendar

OptionType = Literal["CE", "PE"]

TOKEN_EPOCH = date(2000, 1, 1)
TUESDAY = 1
THURSDAY = 3
_WEEKLY_MONTH_CODES = "123456789OND"
_MONTH_NAMES = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
# How many expiries are listed at once: weeklies within this many days, and this many monthlies.
WEEKLY_HORIZON_DAYS = 35
MONTHLY_COUNT = 3


@dataclass(frozen=True, slots=True)
class Underlying:
    """One index and the rules of its option contracts."""

    code: int  # 1..9, the first digit of every exchange token of its contracts
    name: str  # the trading-symbol prefix: NIFTY
    key: str  # the index's instrument key: NSE_INDEX|Nifty 50
    exchange: Literal["NSE", "BSE"]
    base_level: float  # the level the simulated index wanders around
    strike_step: float
    lot_size: int
    freeze_quantity: int
    weekly_weekday: int | None  # None: monthly expiries only
    monthly_weekday: int  # the last such weekday of the month
    atm_iv: float  # long-run ATM implied volatility (a fraction)
    dividend_yield: float
    peak_oi: float  # open interest (units) at the busiest strike of the nearest expiry

    @property
    def segment(self) -> str:
        return f"{self.exchange}_FO"

    @property
    def quote_name(self) -> str:
        """The index's name after the colon in quote maps: `NSE_INDEX:Nifty 50`."""
        return self.key.split("|", 1)[1]


NIFTY = Underlying(
    1, "NIFTY", "NSE_INDEX|Nifty 50", "NSE", 26_000, 50, 65, 1_800, TUESDAY, TUESDAY, 0.125, 0.012, 9_000_000
)
BANKNIFTY = Underlying(
    2,
    "BANKNIFTY",
    "NSE_INDEX|Nifty Bank",
    "NSE",
    59_000,
    100,
    30,
    900,
    None,
    TUESDAY,
    0.145,
    0.008,
    2_500_000,
)
FINNIFTY = Underlying(
    3,
    "FINNIFTY",
    "NSE_INDEX|Nifty Fin Service",
    "NSE",
    27_500,
    50,
    60,
    1_800,
    None,
    TUESDAY,
    0.14,
    0.010,
    600_000,
)
MIDCPNIFTY = Underlying(
    4,
    "MIDCPNIFTY",
    "NSE_INDEX|NIFTY MID SELECT",
    "NSE",
    13_500,
    25,
    120,
    2_800,
    None,
    TUESDAY,
    0.165,
    0.007,
    1_200_000,
)
SENSEX = Underlying(
    5,
    "SENSEX",
    "BSE_INDEX|SENSEX",
    "BSE",
    85_000,
    100,
    20,
    1_000,
    THURSDAY,
    THURSDAY,
    0.125,
    0.012,
    1_500_000,
)

UNDERLYINGS: tuple[Underlying, ...] = (NIFTY, BANKNIFTY, FINNIFTY, MIDCPNIFTY, SENSEX)
BY_KEY = {u.key: u for u in UNDERLYINGS}
BY_CODE = {u.code: u for u in UNDERLYINGS}
BY_NAME = {u.name: u for u in UNDERLYINGS}


@dataclass(frozen=True, slots=True)
class Contract:
    """One option contract, decoded from or encoded to its instrument key."""

    underlying: Underlying
    expiry: date
    strike: float
    option_type: OptionType

    @property
    def is_call(self) -> bool:
        return self.option_type == "CE"

    @property
    def exchange_token(self) -> str:
        u = self.underlying
        strike_index = round(self.strike / u.strike_step)
        days = (self.expiry - TOKEN_EPOCH).days
        return str(u.code * 10**10 + days * 10**5 + strike_index * 10 + (0 if self.is_call else 1))

    @property
    def instrument_key(self) -> str:
        return f"{self.underlying.segment}|{self.exchange_token}"

    def trading_symbol(self, monthly: bool) -> str:
        return trading_symbol(self.underlying, self.expiry, self.strike, self.option_type, monthly)


def trading_symbol(u: Underlying, expiry: date, strike: float, option_type: str, monthly: bool) -> str:
    """NIFTY26DEC26000CE for a monthly expiry, NIFTY2612226000CE (YY, M, DD) for a weekly one."""
    strike_text = f"{strike:.0f}" if float(strike).is_integer() else f"{strike:g}"
    yy = f"{expiry.year % 100:02d}"
    if monthly:
        return f"{u.name}{yy}{_MONTH_NAMES[expiry.month - 1]}{strike_text}{option_type}"
    return f"{u.name}{yy}{_WEEKLY_MONTH_CODES[expiry.month - 1]}{expiry.day:02d}{strike_text}{option_type}"


def decode_contract_key(key: str) -> Contract | None:
    """The contract a `NSE_FO|…` / `BSE_FO|…` key stands for, or None when it is not one of the twin's."""
    segment, sep, token = key.partition("|")
    if not sep or not token.isdigit() or len(token) != 11:
        return None
    number = int(token)
    code, rest = divmod(number, 10**10)
    days, rest = divmod(rest, 10**5)
    strike_index, kind = divmod(rest, 10)
    u = BY_CODE.get(code)
    if u is None or segment != u.segment or kind > 1 or strike_index == 0:
        return None
    try:
        expiry = TOKEN_EPOCH + timedelta(days=days)
    except OverflowError:
        return None
    return Contract(u, expiry, strike_index * u.strike_step, "CE" if kind == 0 else "PE")


class ExpirySchedule:
    """Which expiry dates an underlying has: weekly and monthly weekdays, moved back over holidays."""

    def __init__(self, calendar: TradingCalendar) -> None:
        self._calendar = calendar
        self._monthly_cache: dict[tuple[int, int, int], date] = {}

    def trading_day_on_or_before(self, day: date) -> date:
        for _ in range(30):
            if self._calendar.is_trading_day(day):
                return day
            day -= timedelta(days=1)
        return day

    def monthly_expiry(self, u: Underlying, year: int, month: int) -> date:
        """The last `monthly_weekday` of the month, or the trading day before it when that is a holiday."""
        cache_key = (u.code, year, month)
        found = self._monthly_cache.get(cache_key)
        if found is None:
            last = date(year, month, _months.monthrange(year, month)[1])
            last -= timedelta(days=(last.weekday() - u.monthly_weekday) % 7)
            found = self.trading_day_on_or_before(last)
            self._monthly_cache[cache_key] = found
        return found

    def is_monthly(self, u: Underlying, expiry: date) -> bool:
        return self.monthly_expiry(u, expiry.year, expiry.month) == expiry

    def is_expiry(self, u: Underlying, day: date) -> bool:
        """Whether some contract of this underlying expires on this date."""
        if self.is_monthly(u, day):
            return True
        if u.weekly_weekday is None:
            return False
        # The nominal weekday of the week this day belongs to (a holiday moves an expiry back by up to a few days).
        for ahead in range(0, 7):
            nominal = day + timedelta(days=ahead)
            if nominal.weekday() == u.weekly_weekday:
                return self.trading_day_on_or_before(nominal) == day
        return False

    def listed(self, u: Underlying, as_of: date) -> list[date]:
        """The expiries trading on `as_of`, nearest first: weeklies a few weeks out, and the next monthlies."""
        found: set[date] = set()
        year, month = as_of.year, as_of.month
        while len([d for d in found if self.is_monthly(u, d)]) < MONTHLY_COUNT:
            expiry = self.monthly_expiry(u, year, month)
            if expiry >= as_of:
                found.add(expiry)
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        if u.weekly_weekday is not None:
            first = as_of + timedelta(days=(u.weekly_weekday - as_of.weekday()) % 7)
            nominal = first
            while nominal <= as_of + timedelta(days=WEEKLY_HORIZON_DAYS):
                expiry = self.trading_day_on_or_before(nominal)
                if expiry >= as_of:
                    found.add(expiry)
                nominal += timedelta(days=7)
        return sorted(found)


def strike_range_fraction(days_to_expiry: float) -> float:
    """How far either side of spot strikes are listed: ±14 % for a week out, widening to ±20 % at 90 days."""
    return 0.14 + 0.06 * min(1.0, max(days_to_expiry, 0.0) / 90.0)


def strike_grid(u: Underlying, reference: float, days_to_expiry: float) -> NDArray[np.float64]:
    """The listed strikes around a reference level (the previous close), on the underlying's step."""
    width = strike_range_fraction(days_to_expiry)
    step = u.strike_step
    low = math.ceil(reference * (1.0 - width) / step)
    high = math.floor(reference * (1.0 + width) / step)
    return np.arange(low, high + 1, dtype=np.float64) * step


def plausible_strike(u: Underlying, strike: float, reference: float) -> bool:
    """Loose check for decoded keys: on the grid and within ±40 % of the reference level."""
    on_grid = abs(strike / u.strike_step - round(strike / u.strike_step)) < 1e-9
    return on_grid and 0.6 * reference <= strike <= 1.4 * reference
