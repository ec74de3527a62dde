from datetime import date, timedelta

import numpy as np
import pytest

from marketedge.chain.calendar import TradingCalendar
from marketedge.core.clock import ist
from marketedge.twin.instruments import (
    BANKNIFTY,
    FINNIFTY,
    MIDCPNIFTY,
    NIFTY,
    SENSEX,
    UNDERLYINGS,
    Underlying,
)
from marketedge.twin.market import Market, Snapshot

CALENDAR = TradingCalendar.bundled()
DAY = date(2026, 11, 25)  # a Wednesday session
MARKET = Market(7, CALENDAR)


def chain(
    market: Market, u: Underlying = NIFTY, day: date = DAY, minute: int = 105, expiry_index: int = 0
) -> Snapshot:
    expiry = market.listed_expiries(u, day)[expiry_index]
    return market.chain(u, expiry, day, minute)


def test_same_seed_and_date_give_the_same_day() -> None:
    a, b = chain(MARKET), chain(Market(7, CALENDAR))
    np.testing.assert_array_equal(a.strikes, b.strikes)
    for name in ("ltp", "oi", "volume", "bid", "ask", "delta", "iv", "close_price"):
        np.testing.assert_array_equal(getattr(a.call, name), getattr(b.call, name))
        np.testing.assert_array_equal(getattr(a.put, name), getattr(b.put, name))


def test_random_access_gives_what_any_order_of_requests_gives() -> None:
    fresh = Market(7, CALENDAR)
    late = chain(fresh, minute=300)  # ask for the afternoon before the morning
    np.testing.assert_array_equal(late.call.ltp, chain(MARKET, minute=300).call.ltp)


def test_different_dates_and_seeds_differ() -> None:
    today, tomorrow = chain(MARKET), chain(MARKET, day=DAY + timedelta(days=1))
    assert today.spot[0] != tomorrow.spot[0]
    assert chain(Market(8, CALENDAR)).spot[0] != today.spot[0]


@pytest.mark.parametrize(
    ("u", "low", "high"),
    [
        (NIFTY, 22_000, 30_000),
        (BANKNIFTY, 50_000, 68_000),
        (FINNIFTY, 23_000, 32_000),
        (MIDCPNIFTY, 11_000, 16_000),
        (SENSEX, 72_000, 98_000),
    ],
    ids=lambda v: getattr(v, "name", str(v)),
)
def test_index_levels_are_realistic_over_years(u: Underlying, low: float, high: float) -> None:
    for day in (date(2023, 6, 1), date(2025, 1, 2), DAY, date(2029, 9, 3)):
        assert low < MARKET.paths.close(u, day) < high


def test_sessions_join_up_with_a_small_gap() -> None:
    for u in UNDERLYINGS:
        previous = MARKET.day_path(u, DAY - timedelta(days=2))  # Monday 23rd (Tuesday 24th is a holiday)
        today = MARKET.day_path(u, DAY)
        assert today.previous_close == previous.spot[-1]
        assert abs(today.open / previous.spot[-1] - 1) < 0.015


def test_intraday_volatility_is_u_shaped() -> None:
    moves = []
    for offset in range(40):
        day = DAY - timedelta(days=offset)
        session = CALENDAR.session(day)
        if session is None or session.minute_count != 376:
            continue
        moves.append(np.abs(np.diff(np.log(MARKET.day_path(NIFTY, day).spot))))
    mean = np.mean(moves, axis=0)
    opening, midday, closing = mean[:15].mean(), mean[150:250].mean(), mean[-15:].mean()
    assert opening > 1.5 * midday
    assert closing > 1.2 * midday


def test_put_call_parity_holds_on_the_generated_prices() -> None:
    snap = chain(MARKET, expiry_index=4)
    expiry = MARKET.listed_expiries(NIFTY, DAY)[4]
    t = (ist(expiry.year, expiry.month, expiry.day, 15, 30) - ist(2026, 11, 25, 11, 0)).total_seconds() / (
        365 * 86400
    )
    S, K = snap.spot[0], snap.strikes
    parity = S * np.exp(-NIFTY.dividend_yield * t) - K * np.exp(-MARKET.rate * t)
    gap = snap.call.ltp[0] - snap.put.ltp[0] - parity
    near = np.abs(K / S - 1) < 0.08
    assert np.max(np.abs(gap[near])) <= 0.1  # two rounded prices: at most a tick each


def test_iv_skew_smile_and_term_structure() -> None:
    snap = chain(MARKET, expiry_index=4)
    iv, K, S = snap.put.iv[0], snap.strikes, snap.spot[0]
    below = iv[np.argmin(np.abs(K - 0.95 * S))]
    above = iv[np.argmin(np.abs(K - 1.05 * S))]
    atm = iv[np.argmin(np.abs(K - S))]
    assert below > above  # puts richer
    assert below > atm
    assert 0.08 < atm < 0.20
    near, far = chain(MARKET, expiry_index=1), chain(MARKET, expiry_index=6)
    atm_near = near.call.iv[0][np.argmin(np.abs(near.strikes - S))]
    atm_far = far.call.iv[0][np.argmin(np.abs(far.strikes - S))]
    assert atm_far > atm_near  # an upward term structure
    banknifty = chain(MARKET, u=BANKNIFTY)
    assert np.median(banknifty.call.iv[0][banknifty.call.iv[0] > 0]) > 0.10


def test_deep_itm_rows_show_delta_one_and_iv_zero() -> None:
    snap = chain(MARKET)
    deep_calls = snap.strikes < 0.93 * snap.spot[0]
    assert deep_calls.any()
    assert np.all(snap.call.delta[0][deep_calls] == 1.0)
    assert np.all(snap.call.iv[0][deep_calls] == 0.0)
    deep_puts = snap.strikes > 1.07 * snap.spot[0]
    assert np.all(snap.put.delta[0][deep_puts] == -1.0)
    assert np.all(snap.put.iv[0][deep_puts] == 0.0)


def test_an_occasional_illiquid_row_has_absurd_greeks() -> None:
    absurd_days = 0
    for offset in range(12):
        day = DAY + timedelta(days=offset)
        if not CALENDAR.is_trading_day(day):
            continue
        snap = chain(MARKET, day=day, expiry_index=2)
        wild = (snap.put.iv[0] > 1.5) | (snap.call.iv[0] > 1.5)
        assert wild.sum() <= 1
        if wild.any():
            absurd_days += 1
            side = snap.put if (snap.put.iv[0] > 1.5).any() else snap.call
            assert side.theta[0][wild][0] < -300
            assert side.volume[0][wild][0] == 0
    assert absurd_days >= 1
    clean = Market(7, CALENDAR, quirks=False)
    snap = chain(clean)
    assert np.all(snap.call.iv[0] > 0) and np.all(np.abs(snap.call.delta[0]) < 1)


def test_open_interest_and_volume_build_through_the_day() -> None:
    expiry = MARKET.listed_expiries(NIFTY, DAY)[0]
    strikes = MARKET.strikes(NIFTY, expiry, DAY)
    day = MARKET.evaluate(NIFTY, expiry, DAY, np.arange(376), strikes)
    total_oi = day.call.oi.sum(axis=1) + day.put.oi.sum(axis=1)
    assert total_oi[-1] > total_oi[0]
    np.testing.assert_array_equal(
        day.call.oi[0], day.call.prev_oi[0]
    )  # the open starts from yesterday's close
    assert np.all(np.diff(day.call.volume, axis=0) >= 0)  # cumulative volume never falls
    # OI sits near the money and at round strikes.
    close_oi = day.call.oi[-1] + day.put.oi[-1]
    busiest = strikes[np.argmax(close_oi)]
    assert abs(busiest / day.spot[-1] - 1) < 0.03
    round_strikes = strikes % 500 == 0
    near = np.abs(strikes / day.spot[-1] - 1) < 0.02
    assert close_oi[near & round_strikes].mean() > close_oi[near & ~round_strikes].mean()


def test_prev_oi_and_close_price_are_yesterdays_close() -> None:
    yesterday = date(2026, 11, 23)
    expiry = MARKET.listed_expiries(NIFTY, DAY)[1]
    strikes = MARKET.strikes(NIFTY, expiry, DAY)
    today = MARKET.evaluate(NIFTY, expiry, DAY, np.array([0]), strikes)
    before = MARKET.evaluate(NIFTY, expiry, yesterday, np.array([375]), strikes)
    np.testing.assert_array_equal(today.call.prev_oi[0], before.call.oi[0])
    np.testing.assert_array_equal(today.put.close_price[0], before.put.ltp[0])


def test_bid_and_ask_surround_the_price_on_the_tick() -> None:
    snap = chain(MARKET)
    for side in (snap.call, snap.put):
        assert np.all(side.bid[0] <= side.ltp[0]) and np.all(side.ask[0] > side.ltp[0])
        for prices in (side.ltp[0], side.bid[0], side.ask[0]):
            assert np.allclose(np.round(prices / 0.05) * 0.05, prices)
        assert np.all(side.ask_qty[0] % NIFTY.lot_size == 0)


def test_the_visible_minute_follows_the_calendar() -> None:
    before_open = MARKET.minute_at(ist(2026, 11, 25, 8, 0))
    assert before_open is not None and before_open.at == ist(2026, 11, 23, 15, 30)  # the 24th is a holiday
    in_session = MARKET.minute_at(ist(2026, 11, 25, 10, 30, 40))
    assert in_session is not None and in_session.at == ist(2026, 11, 25, 10, 30)
    after_close = MARKET.minute_at(ist(2026, 11, 25, 20, 0))
    assert after_close is not None and after_close.at == ist(2026, 11, 25, 15, 30)


def test_expiry_day_prices_converge_to_intrinsic() -> None:
    expiry = date(2026, 12, 1)
    snap = MARKET.chain(NIFTY, expiry, expiry, 375)
    intrinsic = np.maximum(snap.spot[0] - snap.strikes, 0)
    assert np.all(np.abs(snap.call.ltp[0] - np.maximum(intrinsic, 0.05)) < 2.0)
