"""Pydantic models of what Upstox sends, normalised on read; they never leak into our own API."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any, Literal, Required

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SecretStr,
    TypeAdapter,
    computed_field,
    model_validator,
)
from typing_extensions import TypedDict

from marketedge.core.clock import IST
from marketedge.core.inputs import FIRST_YEAR, LAST_YEAR, within_years
from marketedge.greeks import PERCENT_THRESHOLD, iv_unit

IvUnit = Literal["percent", "fraction"]
CandleUnit = Literal["minutes", "hours", "days", "weeks", "months"]

#: The IV detection rule (marketedge.greeks.iv_unit): a response whose positive, finite IVs have a median
#: above this is in percent, otherwise a fraction.
IV_PERCENT_THRESHOLD = PERCENT_THRESHOLD


# ---------------------------------------------------------------------------------------------------------
# Field types


def _to_datetime(value: Any) -> Any:
    """Epoch milliseconds (int, float or digit string, as Upstox sends them) or ISO text → aware datetime."""
    if value is None:
        return value
    if isinstance(value, datetime):
        return _in_ist(value) if value.tzinfo else value.replace(tzinfo=IST)
    if isinstance(value, bool):
        raise ValueError("expected epoch milliseconds or an ISO timestamp")
    if isinstance(value, int | float):
        return _from_epoch_ms(float(value))
    if isinstance(value, str):
        text = value.strip()
        try:
            ms = float(text)
        except ValueError:
            parsed = datetime.fromisoformat(text)
            return _in_ist(parsed if parsed.tzinfo else parsed.replace(tzinfo=IST))
        return _from_epoch_ms(ms)
    raise ValueError("expected epoch milliseconds or an ISO timestamp")


def _from_epoch_ms(ms: float) -> datetime:
    if not math.isfinite(ms):
        raise ValueError("epoch milliseconds must be finite")
    try:
        return datetime.fromtimestamp(ms / 1000, tz=IST)
    except (OverflowError, OSError, ValueError):
        raise ValueError("epoch milliseconds out of range") from None


def _in_ist(when: datetime) -> datetime:
    try:
        return when.astimezone(IST)
    except OverflowError:  # within hours of year 1 or 9999
        raise ValueError("timestamp out of range") from None


def _within_years(value: datetime | None) -> datetime | None:
    if value is not None and not within_years(value):
        raise ValueError(f"expected a time in the years {FIRST_YEAR}–{LAST_YEAR}")
    return value


def _to_date(value: Any) -> Any:
    """'YYYY-MM-DD' (the contract and chain APIs) or epoch ms / ISO timestamps (the instrument master) → date."""
    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return value
    if isinstance(value, str) and len(value.strip()) == 10 and value.strip()[4] == "-":
        return date.fromisoformat(value.strip())
    return _to_datetime(value).astimezone(IST).date()


def _none_to_list(value: Any) -> Any:
    return [] if value is None else value


EpochMs = Annotated[datetime, BeforeValidator(_to_datetime)]
#: From a sender we cannot trust (the notifier webhook): bounded to sane years as well.
BoundedEpochMs = Annotated[EpochMs, AfterValidator(_within_years)]
UpstoxDate = Annotated[date, BeforeValidator(_to_date)]
StrList = Annotated[list[str], BeforeValidator(_none_to_list)]


class UpstoxModel(BaseModel):
    """Extra fields are ignored: Upstox adds fields without notice."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)


# ---------------------------------------------------------------------------------------------------------
# Tokens and the user


class TokenResponse(UpstoxModel):
    """`POST /v2/login/authorization/token`: a flat object, no envelope, no expires_in."""

    access_token: SecretStr
    extended_token: SecretStr | None = None
    user_id: str
    user_name: str | None = None
    email: str | None = None
    broker: str | None = None
    user_type: str | None = None
    exchanges: StrList = Field(default_factory=list)
    products: StrList = Field(default_factory=list)
    order_types: StrList = Field(default_factory=list)
    poa: bool | None = None
    is_active: bool | None = None


class TokenRequestAck(UpstoxModel):
    """`POST /v3/login/auth/token/request/{client_id}`: the request lapses at `authorization_expiry`."""

    authorization_expiry: EpochMs
    notifier_url: str | None = None


class NotifierPayload(UpstoxModel):
    """What Upstox POSTs to the notifier webhook after the user approves a v3 token request."""

    client_id: str
    user_id: str | None = None
    access_token: SecretStr
    token_type: str = "Bearer"  # noqa: S105 (a scheme name)
    expires_at: BoundedEpochMs | None = None
    issued_at: BoundedEpochMs | None = None
    message_type: str


class Profile(UpstoxModel):
    """`GET /v2/user/profile`."""

    user_id: str
    user_name: str | None = None
    email: str | None = None
    broker: str | None = None
    user_type: str | None = None
    exchanges: StrList = Field(default_factory=list)
    products: StrList = Field(default_factory=list)
    order_types: StrList = Field(default_factory=list)
    poa: bool | None = None
    ddpi: bool | None = None
    is_active: bool | None = None


# ---------------------------------------------------------------------------------------------------------
# Calendar


class MarketStatus(UpstoxModel):
    """`GET /v2/market/status/{exchange}`: status such as NORMAL_OPEN, NORMAL_CLOSE, PRE_OPEN_START."""

    exchange: str
    status: str
    last_updated: EpochMs | None = None


class ExchangeTiming(UpstoxModel):
    """One exchange's session: in `GET /v2/market/timings/{date}` and a holiday's `open_exchanges`."""

    exchange: str
    start_time: EpochMs
    end_time: EpochMs


class Holiday(UpstoxModel):
    """`GET /v2/market/holidays[/{date}]`: special sessions appear here too, with their open exchanges."""

    date: UpstoxDate
    description: str = ""
    holiday_type: str | None = None
    closed_exchanges: StrList = Field(default_factory=list)
    open_exchanges: Annotated[list[ExchangeTiming], BeforeValidator(_none_to_list)] = Field(
        default_factory=list
    )


# ---------------------------------------------------------------------------------------------------------
# Options


class OptionContract(UpstoxModel):
    """`GET /v2/option/contract`: one contract; the source of expiries and lot sizes (never hard-coded)."""

    instrument_key: str
    expiry: UpstoxDate
    strike_price: float
    instrument_type: str  # "CE" | "PE"
    lot_size: int
    name: str | None = None
    segment: str | None = None
    exchange: str | None = None
    exchange_token: str | None = None
    trading_symbol: str | None = None
    tick_size: float | None = None
    freeze_quantity: float | None = None
    minimum_lot: int | None = None
    underlying_key: str | None = None
    underlying_type: str | None = None
    underlying_symbol: str | None = None
    weekly: bool | None = None


# The option chain is validated into dicts, not models: ~150 strikes × 7 objects, read every minute for every
# tracked expiry. pydantic checks these TypedDicts much faster than it builds the same models
# (docs/upstox-client.md), and the minute job only reads columns out of them.


class ChainMarketData(TypedDict, total=False):
    """A chain side's market data; any field may be missing or null."""

    ltp: float | None
    volume: int | None
    oi: float | None
    close_price: float | None  # the previous close
    bid_price: float | None
    bid_qty: int | None
    ask_price: float | None
    ask_qty: int | None
    prev_oi: float | None


class ChainGreeks(TypedDict, total=False):
    """A chain side's greeks as Upstox computed them: each may be missing, null, zero or absurd. `iv` is kept as
    sent (OptionChain.iv_unit says in which unit)."""

    iv: float | None
    delta: float | None
    gamma: float | None
    theta: float | None
    vega: float | None
    pop: float | None


class ChainSide(TypedDict, total=False):
    """The call or the put of one strike in the chain."""

    instrument_key: Required[str]
    market_data: ChainMarketData | None
    option_greeks: ChainGreeks | None


class ChainRow(TypedDict, total=False):
    """`GET /v2/option/chain`: one strike of one expiry. `pcr` is per strike (put OI / call OI)."""

    strike_price: Required[float]
    expiry: date | None
    pcr: float | None
    underlying_key: str | None
    underlying_spot_price: float | None
    call_options: ChainSide | None
    put_options: ChainSide | None


CHAIN_ROWS: TypeAdapter[list[ChainRow]] = TypeAdapter(list[ChainRow])


def chain_sides(row: ChainRow) -> list[ChainSide]:
    """The row's call and put, those that are there."""
    return [side for side in (row.get("call_options"), row.get("put_options")) if side is not None]


@dataclass(frozen=True, slots=True)
class OptionChain:
    """One expiry's chain: its rows, and the IV unit detected over the whole answer (the chain sends percent)."""

    rows: list[ChainRow]
    iv_unit: IvUnit

    @classmethod
    def of(cls, rows: list[ChainRow]) -> OptionChain:
        ivs = [(side.get("option_greeks") or {}).get("iv") for row in rows for side in chain_sides(row)]
        return cls(rows, detect_iv_unit(ivs, default="percent"))

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[ChainRow]:
        return iter(self.rows)

    def __getitem__(self, index: int) -> ChainRow:
        return self.rows[index]

    def iv_fraction(self, side: ChainSide | None) -> float | None:
        """A side's IV as a fraction (see iv_fraction)."""
        greeks = side.get("option_greeks") if side is not None else None
        return iv_fraction(greeks.get("iv") if greeks is not None else None, self.iv_unit)


def iv_fraction(iv: float | None, unit: IvUnit | None) -> float | None:
    """IV as a fraction (0.142 for 14.2 %). None when Upstox gave no usable IV: missing, not finite, or not
    positive (it sends 0 on deep ITM rows), as in marketedge.greeks.normalise_iv; the raw value is kept.

    >>> iv_fraction(14.2, "percent"), iv_fraction(0.142, "fraction"), iv_fraction(0.0, "percent")
    (0.142, 0.142, None)
    """
    if iv is None or unit is None or not math.isfinite(iv) or iv <= 0:
        return None
    return iv / 100.0 if unit == "percent" else iv


class _HasIv(UpstoxModel):
    """Keeps `iv` exactly as delivered and exposes `iv_fraction` once the response's unit is known."""

    iv: float | None = None
    #: The unit detected for the whole response (set by the client, see `detect_iv_unit`).
    iv_unit: IvUnit | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def iv_fraction(self) -> float | None:
        """IV as a fraction (see the function iv_fraction)."""
        return iv_fraction(self.iv, self.iv_unit)


class OptionGreekQuote(_HasIv):
    """`GET /v3/market-quote/option-greek`: one contract; `symbol` is the map key (EXCH:TRADINGSYMBOL)."""

    instrument_token: str  # the instrument key, e.g. NSE_FO|51059
    symbol: str | None = None
    last_price: float | None = None
    ltq: int | None = None
    volume: int | None = None
    cp: float | None = None  # the previous close
    oi: float | None = None
    delta: float | None = None
    gamma: float | None = None
    theta: float | None = None
    vega: float | None = None


class LtpQuote(UpstoxModel):
    """`GET /v3/market-quote/ltp`: one instrument; `symbol` is the map key (EXCH:TRADINGSYMBOL)."""

    instrument_token: str
    symbol: str | None = None
    last_price: float | None = None
    ltq: int | None = None
    volume: int | None = None
    cp: float | None = None


class Candle(UpstoxModel):
    """One candle of `GET /v3/historical-candle/...`, read from `[timestamp, o, h, l, c, volume, oi]`."""

    timestamp: EpochMs
    open: float
    high: float
    low: float
    close: float
    volume: int = 0
    oi: float | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_row(cls, value: Any) -> Any:
        if isinstance(value, list | tuple):
            if len(value) < 5:
                raise ValueError("a candle needs at least [timestamp, open, high, low, close]")
            names = ("timestamp", "open", "high", "low", "close", "volume", "oi")
            return dict(zip(names, value, strict=False))
        return value


class CandleData(UpstoxModel):
    candles: Annotated[list[Candle], BeforeValidator(_none_to_list)] = Field(default_factory=list)


# ---------------------------------------------------------------------------------------------------------
# Error bodies


class ErrorDetail(UpstoxModel):
    """One entry of the error envelope; Upstox sends both snake_case and the older camelCase names."""

    error_code: str | None = None
    message: str | None = None
    property_path: str | None = None
    invalid_value: Any = None

    @model_validator(mode="before")
    @classmethod
    def _camel_case(cls, value: Any) -> Any:
        if isinstance(value, dict):
            value = dict(value)
            for snake, camel in (
                ("error_code", "errorCode"),
                ("property_path", "propertyPath"),
                ("invalid_value", "invalidValue"),
            ):
                if value.get(snake) is None and value.get(camel) is not None:
                    value[snake] = value[camel]
        return value


# ---------------------------------------------------------------------------------------------------------
# IV units


def detect_iv_unit(values: Iterable[float | None], default: IvUnit) -> IvUnit:
    """The unit of one response's IVs, by marketedge.greeks.iv_unit: percent when the median of its positive
    finite IVs exceeds 3, else a fraction.

    Zero, negative, missing and non-finite IVs (deep ITM rows show 0) say nothing about the unit; a response
    without any usable IV gets the endpoint's documented unit (`default`).

    >>> detect_iv_unit([14.2, 0.0, None, 262.0, 13.1], "fraction")
    'percent'
    >>> detect_iv_unit([0.142, 0.131, 2.62], "percent")
    'fraction'
    >>> detect_iv_unit([0.0, None], "percent")
    'percent'
    """
    known = [v for v in values if v is not None]
    return iv_unit(known) or default if known else default


def normalise_quote_iv(quotes: Iterable[OptionGreekQuote]) -> list[OptionGreekQuote]:
    """Stamp every quote of one option-greek response with the unit detected over the whole response."""
    quotes = list(quotes)
    unit = detect_iv_unit((q.iv for q in quotes), default="fraction")
    for q in quotes:
        q.iv_unit = unit
    return quotes
