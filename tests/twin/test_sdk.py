"""The proof that the twin speaks Upstox: the official Upstox Python SDK, pointed at the twin, reads every answer
into its own models."""

from collections.abc import Iterator
from datetime import date

import pytest
import upstox_client
from upstox_client.rest import ApiException

from marketedge.twin.server import TwinServer

NIFTY = "NSE_INDEX|Nifty 50"


@pytest.fixture
def sdk(twin: TwinServer, twin_token: str) -> Iterator[upstox_client.ApiClient]:
    configuration = upstox_client.Configuration()
    configuration.host = twin.url
    configuration.access_token = twin_token
    client = upstox_client.ApiClient(configuration)
    yield client
    client.rest_client.pool_manager.clear()


def test_profile(sdk: upstox_client.ApiClient, twin: TwinServer) -> None:
    answer = upstox_client.UserApi(sdk).get_profile("2.0")
    assert answer.status == "success"
    assert isinstance(answer.data, upstox_client.ProfileData)
    assert answer.data.user_id == twin.state.config.user_id
    assert answer.data.broker == "UPSTOX" and answer.data.is_active is True
    assert "NFO" in answer.data.exchanges


def test_option_contracts(sdk: upstox_client.ApiClient) -> None:
    contracts = upstox_client.OptionsApi(sdk).get_option_contracts(NIFTY).data
    assert all(isinstance(c, upstox_client.InstrumentData) for c in contracts)
    expiries = sorted({c.expiry.date() for c in contracts})
    assert expiries[0] == date(2026, 12, 1) and len(expiries) == 7
    first = [c for c in contracts if c.expiry.date() == expiries[0]]
    assert {c.lot_size for c in contracts} == {65} and {c.minimum_lot for c in contracts} == {65}
    assert {c.instrument_type for c in first} == {"CE", "PE"}
    assert 140 <= len(first) // 2 <= 170
    assert all(c.strike_price % 50 == 0 and c.underlying_key == NIFTY for c in first)
    assert all(c.instrument_key.startswith("NSE_FO|") for c in first)
    monthly = [c for c in contracts if c.expiry.date() == date(2026, 12, 29)]
    assert monthly[0].weekly is False and monthly[0].trading_symbol.startswith("NIFTY26DEC")
    one = (
        upstox_client.OptionsApi(sdk)
        .get_option_contracts("NSE_INDEX|Nifty Bank", expiry_date="2026-12-29")
        .data
    )
    assert {c.lot_size for c in one} == {30} and {c.expiry.date() for c in one} == {date(2026, 12, 29)}


def test_option_chain(sdk: upstox_client.ApiClient) -> None:
    rows = upstox_client.OptionsApi(sdk).get_put_call_option_chain(NIFTY, "2026-12-01").data
    assert all(isinstance(r, upstox_client.OptionStrikeData) for r in rows)
    assert 140 <= len(rows) <= 170
    spot = rows[0].underlying_spot_price
    assert 22_000 < spot < 30_000
    atm = min(rows, key=lambda r: abs(r.strike_price - spot))
    call, put = atm.call_options, atm.put_options
    assert isinstance(call.market_data, upstox_client.MarketData)
    assert isinstance(call.option_greeks, upstox_client.AnalyticsData)
    assert 8 < call.option_greeks.iv < 25  # percent, as Upstox sends it in the chain
    assert 0.3 < call.option_greeks.delta < 0.7 and -0.7 < put.option_greeks.delta < -0.3
    assert call.option_greeks.theta < 0 and call.option_greeks.vega > 0 and call.option_greeks.gamma > 0
    assert call.market_data.bid_price <= call.market_data.ltp < call.market_data.ask_price
    assert isinstance(call.market_data.volume, int) and call.market_data.oi > 0
    assert atm.pcr == pytest.approx(put.market_data.oi / call.market_data.oi, abs=1e-3)
    deep = rows[0]
    assert deep.call_options.option_greeks.delta == 1.0 and deep.call_options.option_greeks.iv == 0.0


def test_holidays_timings_and_status(sdk: upstox_client.ApiClient) -> None:
    api = upstox_client.MarketHolidaysAndTimingsApi(sdk)
    holidays = api.get_holidays().data
    assert all(isinstance(h, upstox_client.HolidayData) for h in holidays)
    republic = next(h for h in holidays if h._date.date() == date(2026, 1, 26))
    assert republic.holiday_type == "TRADING_HOLIDAY" and "NFO" in republic.closed_exchanges
    # Muhurat: listed, as Upstox does, under the day's closure with the exchanges open in the evening.
    muhurat = next(h for h in holidays if h.open_exchanges)
    assert muhurat._date.date() == date(2026, 11, 8) and muhurat.open_exchanges[0].exchange == "NSE"
    assert muhurat.holiday_type == "TRADING_HOLIDAY"
    settlement = next(h for h in holidays if h.holiday_type == "SETTLEMENT_HOLIDAY")
    assert settlement._date.date() == date(2026, 2, 19) and settlement.closed_exchanges == []
    (gurpurb,) = api.get_holiday("2026-11-24").data
    assert gurpurb.description.startswith("Prakash Gurpurb")
    timings = api.get_exchange_timings("2026-11-25").data
    nse = next(t for t in timings if t.exchange == "NSE")
    assert isinstance(nse, upstox_client.ExchangeTimingData)
    assert (nse.end_time - nse.start_time) == (6 * 60 + 15) * 60 * 1000
    assert api.get_exchange_timings("2026-11-24").data == []
    status = api.get_market_status("NFO").data
    assert isinstance(status, upstox_client.MarketStatusData) and status.status == "NORMAL_OPEN"


def test_quotes_and_candles(sdk: upstox_client.ApiClient) -> None:
    chain = upstox_client.OptionsApi(sdk).get_put_call_option_chain(NIFTY, "2026-12-01").data
    row = chain[len(chain) // 2]
    quotes = upstox_client.MarketQuoteV3Api(sdk)
    greeks = quotes.get_market_quote_option_greek(instrument_key=row.call_options.instrument_key).data
    ((symbol, quote),) = greeks.items()
    assert symbol.startswith("NSE_FO:NIFTY26D01") and symbol.endswith("CE")
    assert isinstance(quote, upstox_client.MarketQuoteOptionGreekV3)
    assert quote.last_price == row.call_options.market_data.ltp
    assert quote.iv == pytest.approx(row.call_options.option_greeks.iv / 100, abs=1e-4)  # a fraction here
    ltp = quotes.get_ltp(instrument_key=f"{NIFTY},{row.put_options.instrument_key}").data
    assert ltp["NSE_INDEX:Nifty 50"].last_price == row.underlying_spot_price
    history = upstox_client.HistoryV3Api(sdk)
    intraday = history.get_intra_day_candle_data(NIFTY, "minutes", "1").data.candles
    assert intraday[0][4] == row.underlying_spot_price
    daily = history.get_historical_candle_data1(NIFTY, "days", "1", "2026-11-24", "2026-11-01").data.candles
    assert daily[0][0] == "2026-11-23T00:00:00+05:30"


def test_sdk_sees_upstox_errors(sdk: upstox_client.ApiClient, twin: TwinServer) -> None:
    twin.state.tokens.revoke()
    with pytest.raises(ApiException) as caught:
        upstox_client.UserApi(sdk).get_profile("2.0")
    assert caught.value.status == 401 and b"UDAPI100050" in caught.value.body
