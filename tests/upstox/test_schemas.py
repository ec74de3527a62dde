"""Upstox payloads, exactly as docs/upstox-api.md shows them, read into our models."""

from __future__ import annotations

import doctest
import math
from datetime import date, datetime, timedelta

import pytest
from pydantic import TypeAdapter, ValidationError

from marketedge.core.clock import IST
from marketedge.upstox import schemas
from marketedge.upstox.schemas import (
    CHAIN_ROWS,
    Candle,
    CandleData,
    ErrorDetail,
    ExchangeTiming,
    Holiday,
    LtpQuote,
    MarketStatus,
    NotifierPayload,
    OptionChain,
    OptionContract,
    OptionGreekQuote,
    Profile,
    TokenRequestAck,
    TokenResponse,
    chain_sides,
    detect_iv_unit,
    normalise_quote_iv,
)

ACCESS = "eyJ0eXAiOiJKV1QiLCJrZXlfaWQiOiJza192MS4wIiwiYWxnIjoiSFMyNTYifQ.access.sig"
EXTENDED = "eyJ0eXAiOiJKV1QiLCJrZXlfaWQiOiJza192MS4wIiwiYWxnIjoiSFMyNTYifQ.extended.sig"


def chain_row(strike: float = 21100, call_iv: float | None = 14.2, put_iv: float | None = 15.1) -> dict:
    def side(key: str, iv: float | None) -> dict:
        return {
            "instrument_key": key,
            "market_data": {
                "ltp": 1880.5,
                "volume": 150,
                "oi": 2250.0,
                "close_price": 1850.0,
                "bid_price": 1875.0,
                "bid_qty": 50,
                "ask_price": 1884.0,
                "ask_qty": 75,
                "prev_oi": 2000.0,
            },
            "option_greeks": {
                "vega": 4.2,
                "theta": -8.1,
                "gamma": 0.0001,
                "delta": 0.97,
                "iv": iv,
                "pop": 98.1,
            },
        }

    return {
        "expiry": "2025-02-13",
        "pcr": 7515.3,
        "strike_price": strike,
        "underlying_key": "NSE_INDEX|Nifty 50",
        "underlying_spot_price": 22976.2,
        "call_options": side("NSE_FO|51059", call_iv),
        "put_options": side("NSE_FO|51060", put_iv),
    }


def test_flat_token_response_keeps_tokens_secret() -> None:
    body = {
        "email": "trader@example.com",
        "exchanges": ["NSE", "NFO", "BSE", "CDS", "BFO", "MCX"],
        "products": ["D", "I", "CO", "MIS"],
        "broker": "UPSTOX",
        "user_id": "AB1234",
        "user_name": "A Trader",
        "order_types": ["MARKET", "LIMIT", "SL", "SL-M"],
        "user_type": "individual",
        "poa": False,
        "is_active": True,
        "access_token": ACCESS,
        "extended_token": EXTENDED,
    }
    token = TokenResponse.model_validate(body)
    assert token.access_token.get_secret_value() == ACCESS
    assert token.extended_token is not None and token.extended_token.get_secret_value() == EXTENDED
    assert token.user_id == "AB1234" and token.exchanges[1] == "NFO" and token.is_active is True
    for text in (repr(token), str(token), str(token.model_dump())):
        assert ACCESS not in text and EXTENDED not in text


def test_token_response_without_extended_token_and_with_extra_fields() -> None:
    token = TokenResponse.model_validate({"user_id": "AB1234", "access_token": ACCESS, "new_field": 1})
    assert token.extended_token is None and token.exchanges == []


def test_token_response_validation_error_never_echoes_the_token() -> None:
    with pytest.raises(ValidationError) as caught:
        TokenResponse.model_validate({"access_token": ACCESS})  # no user_id
    problems = caught.value.errors(include_input=False)
    assert problems[0]["loc"] == ("user_id",)


def test_v3_token_request_ack_epoch_ms_string() -> None:
    ack = TokenRequestAck.model_validate(
        {"authorization_expiry": "1732226400000", "notifier_url": "https://app.example/notify"}
    )
    assert ack.authorization_expiry == datetime(2024, 11, 22, 3, 30, tzinfo=IST)
    assert ack.authorization_expiry.utcoffset() == timedelta(hours=5, minutes=30)


def test_notifier_payload() -> None:
    payload = NotifierPayload.model_validate(
        {
            "client_id": "client-1",
            "user_id": "AB1234",
            "access_token": ACCESS,
            "token_type": "Bearer",
            "expires_at": "1731448800000",
            "issued_at": "1731412800000",
            "message_type": "access_token",
        }
    )
    assert payload.expires_at == datetime(2024, 11, 13, 3, 30, tzinfo=IST)
    assert payload.issued_at is not None and payload.expires_at - payload.issued_at == timedelta(hours=10)
    assert payload.message_type == "access_token"
    assert ACCESS not in repr(payload)


def test_profile() -> None:
    profile = Profile.model_validate(
        {
            "email": "trader@example.com",
            "exchanges": ["NSE", "NFO"],
            "products": ["D"],
            "broker": "UPSTOX",
            "user_id": "AB1234",
            "user_name": "A Trader",
            "order_types": ["MARKET"],
            "user_type": "individual",
            "poa": False,
            "ddpi": True,
            "is_active": True,
        }
    )
    assert profile.user_id == "AB1234" and profile.ddpi is True


def test_market_status_holidays_and_timings() -> None:
    status = MarketStatus.model_validate(
        {"exchange": "NSE", "status": "NORMAL_OPEN", "last_updated": 1732247100000}
    )
    assert status.status == "NORMAL_OPEN"
    assert status.last_updated == datetime(2024, 11, 22, 9, 15, tzinfo=IST)

    holidays = TypeAdapter(list[Holiday]).validate_python(
        [
            {
                "date": "2025-02-26",
                "description": "Mahashivratri",
                "holiday_type": "TRADING_HOLIDAY",
                "closed_exchanges": ["NSE", "NFO", "BSE", "BFO"],
                "open_exchanges": [
                    {"exchange": "MCX", "start_time": 1740589200000, "end_time": 1740619740000}
                ],
            },
            {
                "date": "2025-02-01",
                "description": "Budget day: special session",
                "holiday_type": "SPECIAL_TIMING",
                "closed_exchanges": [],
                "open_exchanges": [
                    {"exchange": "NSE", "start_time": 1738381500000, "end_time": 1738404000000}
                ],
            },
        ]
    )
    assert holidays[0].date == date(2025, 2, 26) and "NFO" in holidays[0].closed_exchanges
    special = holidays[1].open_exchanges[0]
    assert (special.start_time.hour, special.start_time.minute) == (9, 15)
    assert (special.end_time.hour, special.end_time.minute) == (15, 30)

    timings = TypeAdapter(list[ExchangeTiming]).validate_python(
        [{"exchange": "NSE", "start_time": 1738381500000, "end_time": 1738404000000}]
    )
    assert timings[0].start_time.tzinfo is not None


def test_option_contract() -> None:
    contract = OptionContract.model_validate(
        {
            "name": "NIFTY",
            "segment": "NSE_FO",
            "exchange": "NSE",
            "expiry": "2025-02-13",
            "instrument_key": "NSE_FO|51059",
            "exchange_token": "51059",
            "trading_symbol": "NIFTY 21100 CE 13 FEB 25",
            "tick_size": 5.0,
            "lot_size": 75,
            "instrument_type": "CE",
            "freeze_quantity": 1800.0,
            "underlying_key": "NSE_INDEX|Nifty 50",
            "underlying_type": "INDEX",
            "underlying_symbol": "NIFTY",
            "strike_price": 21100.0,
            "minimum_lot": 75,
            "weekly": True,
        }
    )
    assert contract.expiry == date(2025, 2, 13) and contract.lot_size == 75 and contract.weekly is True


def test_option_contract_expiry_as_epoch_ms_like_the_instrument_master() -> None:
    contract = OptionContract.model_validate(
        {
            "instrument_key": "NSE_FO|51059",
            "expiry": 1739471399000,  # 2025-02-13 23:59:59 IST
            "strike_price": 21100,
            "instrument_type": "CE",
            "lot_size": 75,
        }
    )
    assert contract.expiry == date(2025, 2, 13)


def _chain(rows: list[dict]) -> OptionChain:  # type: ignore[type-arg]
    return OptionChain.of(CHAIN_ROWS.validate_python(rows))


def test_option_chain_row_as_documented_iv_in_percent() -> None:
    chain = _chain([chain_row(), chain_row(21150)])
    row = chain[0]
    assert row["expiry"] == date(2025, 2, 13) and row["pcr"] == 7515.3
    call, put = row.get("call_options"), row.get("put_options")
    assert call is not None and put is not None
    market = call.get("market_data")
    assert market is not None and market["volume"] == 150 and market["prev_oi"] == 2000.0
    greeks = call.get("option_greeks")
    assert greeks is not None and greeks["iv"] == 14.2 and chain.iv_unit == "percent"
    assert chain.iv_fraction(call) == pytest.approx(0.142)


def test_chain_tolerates_missing_and_null_greeks_missing_market_data_and_extra_fields() -> None:
    missing_greeks = chain_row()
    del missing_greeks["call_options"]["option_greeks"]
    missing_greeks["put_options"]["option_greeks"] = None
    partial = chain_row(21150)
    partial["call_options"]["option_greeks"] = {"delta": None, "iv": None, "something_new": 1}
    partial["put_options"]["market_data"] = {"ltp": 12.5}
    partial["new_row_field"] = {"x": 1}
    no_put = chain_row(21200)
    del no_put["put_options"]
    chain = _chain([missing_greeks, partial, no_put])
    rows = chain.rows
    assert "option_greeks" not in rows[0]["call_options"]  # type: ignore[operator]
    assert rows[0]["put_options"] is not None and rows[0]["put_options"]["option_greeks"] is None
    assert chain.iv_fraction(rows[0]["put_options"]) is None
    assert rows[1]["call_options"]["option_greeks"] == {"delta": None, "iv": None}  # type: ignore[index]
    assert rows[1]["put_options"]["market_data"] == {"ltp": 12.5}  # type: ignore[index]
    assert "new_row_field" not in rows[1]
    assert "put_options" not in rows[2] and len(chain_sides(rows[2])) == 1
    # The one row with an IV (no_put's call, 14.2) decides the unit for the response.
    assert chain.iv_fraction(rows[2].get("call_options")) == pytest.approx(0.142)


def test_deep_itm_zero_iv_and_absurd_illiquid_rows_do_not_confuse_the_unit() -> None:
    rows = [
        chain_row(s, call_iv=iv, put_iv=iv)
        for s, iv in ((20000, 0.0), (21000, 13.9), (22000, 262.0), (23000, 14.4))
    ]
    chain = _chain(rows)
    assert chain.iv_unit == "percent"
    # A zero IV is kept as sent but has no fraction (Upstox's "no IV"), as in marketedge.greeks.normalise_iv.
    call = chain[0].get("call_options")
    assert call is not None and (call.get("option_greeks") or {}).get("iv") == 0.0
    assert chain.iv_fraction(call) is None


def test_chain_with_fraction_ivs_is_detected_as_fraction() -> None:
    rows = [chain_row(s, call_iv=iv, put_iv=iv) for s, iv in ((21000, 0.139), (22000, 0.144))]
    chain = _chain(rows)
    assert chain.iv_unit == "fraction"
    assert chain.iv_fraction(chain[0].get("call_options")) == pytest.approx(0.139)


@pytest.mark.parametrize("missing", ["strike_price", "instrument_key"])
def test_chain_rows_need_a_strike_and_each_side_its_instrument(missing: str) -> None:
    row = chain_row()
    if missing == "strike_price":
        del row["strike_price"]
    else:
        del row["call_options"]["instrument_key"]
    with pytest.raises(ValidationError) as caught:
        CHAIN_ROWS.validate_python([row])
    assert missing in str(caught.value)


def test_chain_values_of_the_wrong_type_are_refused() -> None:
    row = chain_row()
    row["call_options"]["market_data"]["ltp"] = "not a price"
    with pytest.raises(ValidationError):
        CHAIN_ROWS.validate_python([row])


def test_option_greek_quote_v3_fraction_and_percent() -> None:
    data = {
        "NSE_FO:NIFTY2521321100CE": {
            "last_price": 1880.5,
            "instrument_token": "NSE_FO|51059",
            "ltq": 75,
            "volume": 1500,
            "cp": 1850.0,
            "iv": 0.142,
            "vega": 4.2,
            "gamma": 0.0001,
            "theta": -8.1,
            "delta": 0.97,
            "oi": 2250.0,
        },
        "NSE_FO:NIFTY2521321100PE": {"instrument_token": "NSE_FO|51060", "iv": None, "delta": None},
    }
    quotes = normalise_quote_iv(OptionGreekQuote.model_validate({**v, "symbol": k}) for k, v in data.items())
    assert quotes[0].iv_unit == "fraction" and quotes[0].iv_fraction == pytest.approx(0.142)
    assert quotes[0].symbol == "NSE_FO:NIFTY2521321100CE" and quotes[0].oi == 2250.0
    assert quotes[1].iv is None and quotes[1].iv_fraction is None
    as_percent = normalise_quote_iv([OptionGreekQuote(instrument_token="NSE_FO|1", iv=14.2)])
    assert as_percent[0].iv_unit == "percent" and as_percent[0].iv_fraction == pytest.approx(0.142)


def test_ltp_quote_v3() -> None:
    quote = LtpQuote.model_validate(
        {
            "last_price": 22976.2,
            "instrument_token": "NSE_INDEX|Nifty 50",
            "ltq": 0,
            "volume": 0,
            "cp": 22900.1,
        }
    )
    assert quote.last_price == 22976.2 and quote.cp == 22900.1


def test_candles_from_rows_with_and_without_oi() -> None:
    data = CandleData.model_validate(
        {
            "candles": [
                ["2025-01-10T09:16:00+05:30", 23500.0, 23510.5, 23490.0, 23505.0, 0, 0],
                ["2025-01-10T09:15:00+05:30", 23480.0, 23502.0, 23470.0, 23500.0, 12000],
            ]
        }
    )
    newest, oldest = data.candles
    assert newest.timestamp == datetime(2025, 1, 10, 9, 16, tzinfo=IST)
    assert oldest.oi is None and oldest.volume == 12000 and newest.oi == 0
    with pytest.raises(ValidationError):
        Candle.model_validate(["2025-01-10T09:15:00+05:30", 1.0])


@pytest.mark.parametrize(
    "entry",
    [
        {
            "error_code": "UDAPI100050",
            "message": "Invalid token used to access API",
            "property_path": None,
            "invalid_value": None,
        },
        {
            "errorCode": "UDAPI100050",
            "message": "Invalid token used to access API",
            "propertyPath": None,
            "invalidValue": None,
        },
        {
            "error_code": "UDAPI100050",
            "errorCode": "UDAPI100050",
            "message": "Invalid token used to access API",
            "property_path": None,
            "propertyPath": None,
            "invalid_value": None,
            "invalidValue": None,
        },
    ],
    ids=["snake", "camel", "both"],
)
def test_error_entries_in_either_spelling(entry: dict) -> None:
    detail = ErrorDetail.model_validate(entry)
    assert detail.error_code == "UDAPI100050" and detail.message == "Invalid token used to access API"


def test_epoch_ms_in_every_form() -> None:
    adapter = TypeAdapter(schemas.EpochMs)
    expected = datetime(2024, 11, 22, 3, 30, tzinfo=IST)
    assert adapter.validate_python("1732226400000") == expected
    assert adapter.validate_python(1732226400000) == expected
    assert adapter.validate_python(1732226400000.0) == expected
    assert adapter.validate_python("2024-11-22T03:30:00+05:30") == expected
    assert adapter.validate_python("2024-11-22T03:30:00") == expected  # naive text is IST
    for bad in ("soon", True, "nan"):
        with pytest.raises(ValidationError):
            adapter.validate_python(bad)


def test_iv_unit_rule() -> None:
    assert detect_iv_unit([], "percent") == "percent"
    assert detect_iv_unit([math.nan, math.inf, -1.0, 0.0], "fraction") == "fraction"
    assert detect_iv_unit([14.2], "fraction") == "percent"
    assert detect_iv_unit([0.142], "percent") == "fraction"
    # A few absurd rows among fractions do not flip the median.
    assert detect_iv_unit([0.12, 0.13, 0.14, 262.0, 300.0], "percent") == "fraction"


def test_doctests() -> None:
    assert doctest.testmod(schemas).failed == 0
