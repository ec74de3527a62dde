from datetime import date, timedelta

import pytest

from marketedge.chain.calendar import TradingCalendar
from marketedge.twin.instruments import (
    BANKNIFTY,
    MIDCPNIFTY,
    NIFTY,
    SENSEX,
    UNDERLYINGS,
    Contract,
    ExpirySchedule,
    Underlying,
    decode_contract_key,
    strike_grid,
)

CALENDAR = TradingCalendar.bundled()
SCHEDULE = ExpirySchedule(CALENDAR)


def test_contract_keys_round_trip_and_follow_the_documented_format() -> None:
    contract = Contract(NIFTY, date(2026, 12, 29), 26000.0, "CE")
    assert contract.instrument_key == "NSE_FO|10985905200"
    assert decode_contract_key(contract.instrument_key) == contract
    for u in UNDERLYINGS:
        for kind in ("CE", "PE"):
            c = Contract(u, date(2027, 1, 26), u.base_level, kind)
            assert decode_contract_key(c.instrument_key) == c
            assert c.instrument_key.startswith(f"{u.segment}|")
    assert decode_contract_key("NSE_FO|12") is None
    assert decode_contract_key("BSE_FO|10985905200") is None  # a NIFTY token on the wrong segment
    assert decode_contract_key("NSE_INDEX|Nifty 50") is None


def test_trading_symbols_use_the_exchange_forms() -> None:
    assert (
        Contract(NIFTY, date(2026, 12, 29), 26000, "CE").trading_symbol(monthly=True) == "NIFTY26DEC26000CE"
    )
    assert (
        Contract(NIFTY, date(2026, 12, 1), 26000, "PE").trading_symbol(monthly=False) == "NIFTY26D0126000PE"
    )
    assert Contract(NIFTY, date(2027, 3, 9), 25000, "CE").trading_symbol(monthly=False) == "NIFTY2730925000CE"
    assert (
        Contract(SENSEX, date(2026, 12, 31), 85000, "CE").trading_symbol(monthly=True) == "SENSEX26DEC85000CE"
    )


def test_expiry_weekdays_and_holiday_shifts() -> None:
    listed = SCHEDULE.listed(NIFTY, date(2026, 11, 25))
    # Tuesdays, but January 2027's monthly: Tuesday 26 January is Republic Day, so it expires on Monday 25th.
    assert date(2027, 1, 25) in listed and date(2027, 1, 26) not in listed
    assert all(d.weekday() == 1 for d in listed if d != date(2027, 1, 25))
    assert SCHEDULE.monthly_expiry(NIFTY, 2026, 12) == date(2026, 12, 29)
    # Holi (Tuesday 3 March 2026) moves the weekly expiry to Monday; Mahavir Jayanti (Tuesday 31 March) the monthly.
    assert date(2026, 3, 2) in SCHEDULE.listed(NIFTY, date(2026, 2, 25))
    assert SCHEDULE.monthly_expiry(NIFTY, 2026, 3) == date(2026, 3, 30)
    assert SCHEDULE.is_expiry(NIFTY, date(2026, 3, 2))
    assert not SCHEDULE.is_expiry(NIFTY, date(2026, 3, 3))
    assert SCHEDULE.listed(BANKNIFTY, date(2026, 11, 25)) == [
        date(2026, 12, 29),
        date(2027, 1, 25),  # not Republic Day (until 2027 was known, this said 26 January)
        date(2027, 2, 23),
    ]
    assert all(d.weekday() == 3 for d in SCHEDULE.listed(SENSEX, date(2026, 11, 25)))


@pytest.mark.parametrize("u", UNDERLYINGS, ids=lambda u: u.name)
def test_expiries_never_fall_on_holidays_or_weekends(u: Underlying) -> None:
    day = date(2026, 1, 1)
    while day.year == 2026:
        for expiry in SCHEDULE.listed(u, day):
            assert CALENDAR.is_trading_day(expiry), (u, day, expiry)
            assert expiry >= day
        day += timedelta(days=5)


def test_weekly_underlyings_list_weeklies_and_three_monthlies() -> None:
    listed = SCHEDULE.listed(NIFTY, date(2026, 11, 25))
    monthlies = [d for d in listed if SCHEDULE.is_monthly(NIFTY, d)]
    assert len(monthlies) == 3
    assert 4 <= len(listed) - len(monthlies) <= 5
    assert len(SCHEDULE.listed(MIDCPNIFTY, date(2026, 11, 25))) == 3


def test_strike_grid_spans_about_fifteen_to_twenty_percent() -> None:
    weekly = strike_grid(NIFTY, 26_000, 6)
    assert weekly[0] % 50 == 0 and (weekly[1] - weekly[0]) == 50
    assert 0.83 * 26_000 < weekly[0] < 0.88 * 26_000
    assert 1.12 * 26_000 < weekly[-1] < 1.17 * 26_000
    assert 140 <= len(weekly) <= 170
    far = strike_grid(NIFTY, 26_000, 90)
    assert far[0] < 0.81 * 26_000 and far[-1] > 1.19 * 26_000
