"""Implied volatility: accuracy over the whole grid, round trips, and the NaN contract."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from marketedge.greeks import black76_implied_volatility, black76_price, greeks, implied_volatility, price

MINUTE = 1.0 / (365 * 24 * 60)
QUALIFYING_VEGA = 0.01  # one paisa per volatility point


def test_accuracy_across_moneyness_and_expiry() -> None:
    """1e-9 absolute wherever vega >= 0.01, deep OTM to deep ITM, one minute to two years."""
    S, K, t, sigma, is_call = np.meshgrid(
        [24_000.0],
        24_000.0 * np.geomspace(0.5, 2.0, 61),
        np.geomspace(MINUTE, 2.0, 41),
        [0.03, 0.08, 0.15, 0.3, 0.6, 1.0, 2.0],
        [True, False],
        indexing="ij",
    )
    r, q = 0.065, 0.012
    prices = price(S, K, t, r, q, sigma, is_call)
    vega = greeks(S, K, t, r, q, sigma, is_call).vega
    solved = implied_volatility(prices, S, K, t, r, q, is_call)
    qualifying = vega >= QUALIFYING_VEGA
    assert qualifying.sum() > 8_000
    assert np.isfinite(solved[qualifying]).all()
    assert np.abs(solved - sigma)[qualifying].max() <= 1e-9
    # Where vega is tiny, other volatilities give the same floating-point price; the one found must be one of them
    # (to 1e-7 relative for prices like 1e-250, which carry no more digits than that).
    found = np.isfinite(solved)
    repriced = price(S, K, t, r, q, np.where(found, solved, 0.0), is_call)
    np.testing.assert_allclose(repriced[found], prices[found], rtol=1e-7, atol=1e-10)


def test_accuracy_for_a_small_underlying() -> None:
    S, K, t, sigma, is_call = np.meshgrid(
        [50.0], 50.0 * np.geomspace(0.6, 1.6, 41), np.geomspace(1 / 365, 2.0, 31), [0.1, 0.4], [True, False]
    )
    prices = price(S, K, t, 0.05, 0.0, sigma, is_call)
    qualifying = greeks(S, K, t, 0.05, 0.0, sigma, is_call).vega >= QUALIFYING_VEGA
    solved = implied_volatility(prices, S, K, t, 0.05, 0.0, is_call)
    assert qualifying.sum() > 1_000
    assert np.abs(solved - sigma)[qualifying].max() <= 1e-9


def test_exactly_at_the_money_forward() -> None:
    t = np.geomspace(MINUTE, 2.0, 25)
    prices = price(24_000.0, 24_000.0, t, 0.0, 0.0, 0.14, True)
    np.testing.assert_allclose(
        implied_volatility(prices, 24_000.0, 24_000.0, t, 0.0, 0.0, True), 0.14, atol=1e-12
    )


def test_hull_example() -> None:
    assert implied_volatility(4.759422392871532, 42, 40, 0.5, 0.10, 0.0, True) == pytest.approx(
        0.2, abs=1e-12
    )


@settings(max_examples=500, deadline=None)
@given(
    S=st.floats(100.0, 50_000.0),
    m=st.floats(-0.7, 0.7),
    t=st.floats(MINUTE, 2.0),
    r=st.floats(-0.01, 0.12),
    q=st.floats(0.0, 0.06),
    sigma=st.floats(0.01, 2.0),
    is_call=st.booleans(),
)
def test_round_trip(S: float, m: float, t: float, r: float, q: float, sigma: float, is_call: bool) -> None:
    K = S * math.exp(m)
    value = price(S, K, t, r, q, sigma, is_call)
    solved = implied_volatility(value, S, K, t, r, q, is_call)
    if greeks(S, K, t, r, q, sigma, is_call).vega >= QUALIFYING_VEGA:
        assert abs(solved - sigma) <= 1e-9
    if math.isfinite(solved):
        # price -> IV -> price reproduces the price to within its own rounding
        assert price(S, K, t, r, q, solved, is_call) == pytest.approx(value, rel=1e-12, abs=1e-12 * (S + K))
    else:
        intrinsic = max((S * math.exp(-q * t) - K * math.exp(-r * t)) * (1 if is_call else -1), 0.0)
        assert value - intrinsic <= 1e-12 * (S + K)  # only a price with no time value left to read


def _reference() -> tuple[float, float, float, float, float]:
    return 24_000.0, 24_500.0, 7 / 365, 0.065, 0.012


@pytest.mark.parametrize(
    ("value", "is_call"),
    [
        (-1.0, True),  # negative price
        (0.0, True),  # zero: no volatility gives it
        (0.0, False),  # zero for the in-the-money put: below intrinsic
        (300.0, False),  # below the put's discounted intrinsic value (~486)
        (24_000.0, True),  # at the call's upper bound S e^-qt (above it, in fact)
        (24_500.0, False),  # above the put's upper bound K e^-rt
        (math.nan, True),
        (math.inf, True),
    ],
)
def test_prices_no_volatility_reproduces_are_nan(value: float, is_call: bool) -> None:
    S, K, t, r, q = _reference()
    good = price(S, K, t, r, q, 0.15, is_call)
    solved = implied_volatility([good, value, good], S, K, t, r, q, is_call)
    assert np.isnan(solved[1])
    assert solved[0] == solved[2] == pytest.approx(0.15, abs=1e-12)


def test_upper_bounds_themselves_are_nan() -> None:
    S, K, t, r, q = _reference()
    assert math.isnan(implied_volatility(S * math.exp(-q * t), S, K, t, r, q, True))
    assert math.isnan(implied_volatility(K * math.exp(-r * t), S, K, t, r, q, False))
    intrinsic_put = K * math.exp(-r * t) - S * math.exp(-q * t)
    assert math.isnan(implied_volatility(intrinsic_put, S, K, t, r, q, False))


@pytest.mark.parametrize("position", range(6))
@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_arguments_are_nan(position: int, bad: float) -> None:
    S, K, t, r, q = _reference()
    args = [np.array([x, x, x]) for x in (price(S, K, t, r, q, 0.2, True), S, K, t, r, q)]
    args[position][1] = bad
    solved = implied_volatility(*args, True)
    assert np.isnan(solved[1])
    assert solved[0] == solved[2] == pytest.approx(0.2, abs=1e-12)


@pytest.mark.parametrize(("S", "K", "t"), [(0.0, 24_500.0, 0.1), (-1.0, 24_500.0, 0.1), (24_000.0, 0.0, 0.1)])
def test_non_positive_spot_or_strike_is_nan(S: float, K: float, t: float) -> None:
    assert math.isnan(implied_volatility(100.0, S, K, t, 0.065, 0.0, True))


@pytest.mark.parametrize("t", [0.0, -1.0 / 365])
def test_expired_is_nan(t: float) -> None:
    assert math.isnan(implied_volatility(600.0, 24_000.0, 23_500.0, t, 0.065, 0.0, True))


def test_absurd_volatility_is_nan_unless_allowed() -> None:
    S, K, t, r, q = 24_000.0, 24_000.0, 1 / 365, 0.0, 0.0
    value = price(S, K, t, r, q, 12.0, True)
    assert math.isnan(implied_volatility(value, S, K, t, r, q, True))
    assert implied_volatility(value, S, K, t, r, q, True, max_sigma=20.0) == pytest.approx(12.0, abs=1e-9)


def test_scalars_and_shapes() -> None:
    S, K, t, r, q = _reference()
    assert type(implied_volatility(200.0, S, K, t, r, q, True)) is float
    prices = price(S, np.array([[23_500.0, 24_500.0]]), np.array([[0.01], [0.1]]), r, q, 0.2, True)
    assert implied_volatility(prices, S, [[23_500.0, 24_500.0]], [[0.01], [0.1]], r, q, True).shape == (2, 2)


@settings(max_examples=300, deadline=None)
@given(
    F=st.floats(100.0, 50_000.0),
    m=st.floats(-0.7, 0.7),
    t=st.floats(MINUTE, 2.0),
    r=st.floats(-0.01, 0.12),
    sigma=st.floats(0.01, 2.0),
    is_call=st.booleans(),
)
def test_black76_round_trip(F: float, m: float, t: float, r: float, sigma: float, is_call: bool) -> None:
    K = F * math.exp(m)
    D = math.exp(-r * t)
    value = black76_price(F, K, t, D, sigma, is_call)
    solved = black76_implied_volatility(value, F, K, t, D, is_call)
    vega = (
        D * F * math.exp(-0.5 * (math.log(F / K) / (sigma * math.sqrt(t)) + 0.5 * sigma * math.sqrt(t)) ** 2)
    )
    if vega * math.sqrt(t) / math.sqrt(2 * math.pi) / 100 >= QUALIFYING_VEGA:
        assert abs(solved - sigma) <= 1e-9
    if math.isfinite(solved):
        assert black76_price(F, K, t, D, solved, is_call) == pytest.approx(
            value, rel=1e-12, abs=1e-12 * (F + K)
        )


def test_black76_nan_contract() -> None:
    F, K, t, D = 24_100.0, 24_000.0, 0.05, 0.997
    good = black76_price(F, K, t, D, 0.2, True)
    solved = black76_implied_volatility(
        [good, good, good, good, -1.0, D * (F - K)],
        [F, -F, F, F, F, F],
        K,
        [t, t, 0.0, t, t, t],
        [D, D, D, 0.0, D, D],
        True,
    )
    assert solved[0] == pytest.approx(0.2, abs=1e-12)
    assert np.isnan(solved[1:]).all()


def test_large_inputs_are_computed_in_blocks_identically() -> None:
    """Inputs beyond one block (BLOCK elements) give the same values, in the same shape, as small pieces."""
    rng = np.random.default_rng(11)
    shape = (3, 15_001)  # 45,003 elements: two full blocks and a ragged one
    S = 24_000.0
    K = S * rng.uniform(0.8, 1.2, shape)
    t = np.exp(rng.uniform(np.log(MINUTE), np.log(2.0), shape))
    sigma = rng.uniform(0.05, 0.8, shape)
    is_call = rng.random(shape) < 0.5
    prices = price(S, K, t, 0.065, 0.012, sigma, is_call)
    solved = implied_volatility(prices, S, K, t, 0.065, 0.012, is_call)
    g = greeks(S, K, t, 0.065, 0.012, sigma, is_call)
    assert prices.shape == solved.shape == g.delta.shape == shape
    row = 1
    np.testing.assert_array_equal(
        prices[row], price(S, K[row], t[row], 0.065, 0.012, sigma[row], is_call[row])
    )
    np.testing.assert_array_equal(
        solved[row], implied_volatility(prices[row], S, K[row], t[row], 0.065, 0.012, is_call[row])
    )
    np.testing.assert_array_equal(
        g.theta[row], greeks(S, K[row], t[row], 0.065, 0.012, sigma[row], is_call[row]).theta
    )
    black = black76_implied_volatility(prices, S, K, t, 0.99, is_call)
    assert black.shape == shape
