"""Black-Scholes-Merton prices and greeks: textbook values, finite differences, properties, the NaN contract."""

import math
from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from marketedge.greeks import Greeks, greeks, price

MINUTE = 1.0 / (365 * 24 * 60)

spot = st.floats(100.0, 50_000.0)
log_moneyness = st.floats(-0.7, 0.7)
years = st.floats(MINUTE, 2.0)
rate = st.floats(-0.01, 0.12)
dividend_yield = st.floats(0.0, 0.06)
volatility = st.floats(0.01, 2.0)


def test_hull_example_15_6() -> None:
    assert price(42, 40, 0.5, 0.10, 0.0, 0.20, True) == pytest.approx(4.76, abs=0.005)
    assert price(42, 40, 0.5, 0.10, 0.0, 0.20, False) == pytest.approx(0.81, abs=0.005)


def test_haug_put_with_dividend_yield() -> None:
    # Haug, The Complete Guide to Option Pricing Formulas, generalised Black-Scholes example: 2.4648.
    assert price(100, 95, 0.5, 0.10, 0.05, 0.20, False) == pytest.approx(2.4648, abs=5e-5)


def test_hull_greeks_examples_19() -> None:
    g = greeks(49, 50, 0.3846, 0.05, 0.0, 0.20, True)
    assert g.delta == pytest.approx(0.522, abs=5e-4)
    assert g.gamma == pytest.approx(0.066, abs=5e-4)
    assert g.theta == pytest.approx(-4.31 / 365, abs=0.005 / 365)
    assert g.vega == pytest.approx(12.1 / 100, abs=0.05 / 100)
    assert g.rho == pytest.approx(8.91 / 100, abs=0.005 / 100)


def test_scalars_in_give_floats_out() -> None:
    value = price(42, 40, 0.5, 0.10, 0.0, 0.20, True)
    g = greeks(42, 40, 0.5, 0.10, 0.0, 0.20, True)
    assert type(value) is float
    assert isinstance(g, Greeks)
    assert all(type(getattr(g, name)) is float for name in ("delta", "gamma", "theta", "vega", "rho"))


def test_arguments_broadcast_like_a_ufunc() -> None:
    S = np.array([[40.0], [42.0], [44.0]])
    K = np.array([38.0, 40.0])
    values = price(S, K, 0.5, 0.10, 0.0, 0.20, [True, False])
    assert values.shape == (3, 2)
    assert values[1, 0] == price(42, 38, 0.5, 0.10, 0.0, 0.20, True)
    assert values[2, 1] == price(44, 40, 0.5, 0.10, 0.0, 0.20, False)
    g = greeks(S, K, 0.5, 0.10, 0.0, 0.20, True)
    assert g.delta.shape == g.rho.shape == (3, 2)


def test_is_call_must_be_boolean() -> None:
    with pytest.raises(TypeError, match="is_call"):
        price(42, 40, 0.5, 0.1, 0.0, 0.2, "c")  # type: ignore[call-overload]
    assert (
        price(42, 40, 0.5, 0.1, 0.0, 0.2, [1, 0]).tolist()
        == price(42, 40, 0.5, 0.1, 0.0, 0.2, [True, False]).tolist()
    )


def test_greeks_are_frozen() -> None:
    g = greeks(42, 40, 0.5, 0.10, 0.0, 0.20, True)
    with pytest.raises(AttributeError):
        g.delta = 1.0  # type: ignore[misc]


def _grid() -> tuple[np.ndarray, ...]:
    S, K, t, r, q, sigma, is_call = np.meshgrid(
        [24_000.0],
        [19_000.0, 22_500.0, 24_000.0, 25_000.0, 29_000.0],
        [2 / 365, 30 / 365, 0.5, 2.0],
        [0.0, 0.065],
        [0.0, 0.012],
        [0.08, 0.25, 0.7],
        [True, False],
        indexing="ij",
    )
    return S.ravel(), K.ravel(), t.ravel(), r.ravel(), q.ravel(), sigma.ravel(), is_call.ravel()


def derivative(f: Callable[[np.ndarray], np.ndarray], x: np.ndarray, h: np.ndarray | float) -> np.ndarray:
    """Five-point central difference: truncation error O(h^4)."""
    return (f(x - 2 * h) - 8 * f(x - h) + 8 * f(x + h) - f(x + 2 * h)) / (12 * h)


def second_derivative(f: Callable[[np.ndarray], np.ndarray], x: np.ndarray, h: np.ndarray) -> np.ndarray:
    return (-f(x - 2 * h) + 16 * f(x - h) - 30 * f(x) + 16 * f(x + h) - f(x + 2 * h)) / (12 * h * h)


def test_greeks_match_central_differences_of_price() -> None:
    S, K, t, r, q, sigma, is_call = _grid()
    g = greeks(S, K, t, r, q, sigma, is_call)

    # Steps small against the scale on which the price curves, sigma S sqrt(t) points of spot.
    h_S = 0.01 * sigma * S * np.sqrt(t)
    delta = derivative(lambda x: price(x, K, t, r, q, sigma, is_call), S, h_S)
    gamma = second_derivative(lambda x: price(x, K, t, r, q, sigma, is_call), S, h_S)
    # Theta: a calendar day passing shortens t, so theta = -dV/dt / 365.
    theta = -derivative(lambda x: price(S, K, x, r, q, sigma, is_call), t, 1e-3 * t) / 365
    vega = derivative(lambda x: price(S, K, t, r, q, x, is_call), sigma, 1e-3 * sigma) / 100
    rho = derivative(lambda x: price(S, K, t, x, q, sigma, is_call), r, 1e-4) / 100

    tiny = 1e-9 * 24_000.0  # rounding in prices of ~S points, divided by the steps, stays below this
    np.testing.assert_allclose(g.delta, delta, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(g.gamma, gamma, rtol=1e-5, atol=1e-10)
    np.testing.assert_allclose(g.theta, theta, rtol=1e-7, atol=tiny / 365)
    np.testing.assert_allclose(g.vega, vega, rtol=1e-7, atol=tiny / 100)
    np.testing.assert_allclose(g.rho, rho, rtol=1e-7, atol=tiny / 100)


def test_expiry_and_zero_volatility_price_at_intrinsic() -> None:
    assert price(110, 100, 0.0, 0.05, 0.0, 0.3, True) == 10.0
    assert price(90, 100, 0.0, 0.05, 0.0, 0.3, True) == 0.0
    assert price(90, 100, 0.0, 0.05, 0.0, 0.3, False) == 10.0
    assert price(110, 100, 1.0, 0.05, 0.0, 0.0, True) == pytest.approx(110 - 100 * math.exp(-0.05))
    g = greeks([110, 110], 100, [0.0, 1.0], 0.05, 0.0, [0.3, 0.0], True)
    assert np.isnan(g.delta).all() and np.isnan(g.theta).all()


@pytest.mark.parametrize(
    ("S", "K", "t", "r", "q", "sigma"),
    [
        (np.nan, 100, 1, 0.05, 0, 0.2),
        (100, np.inf, 1, 0.05, 0, 0.2),
        (100, 100, np.nan, 0.05, 0, 0.2),
        (100, 100, 1, np.inf, 0, 0.2),
        (100, 100, 1, 0.05, np.nan, 0.2),
        (100, 100, 1, 0.05, 0, -np.inf),
        (0, 100, 1, 0.05, 0, 0.2),
        (-5, 100, 1, 0.05, 0, 0.2),
        (100, 0, 1, 0.05, 0, 0.2),
        (100, 100, -1e-9, 0.05, 0, 0.2),
        (100, 100, 1, 0.05, 0, -0.1),
    ],
)
def test_bad_elements_are_nan_and_leave_neighbours_alone(
    S: float, K: float, t: float, r: float, q: float, sigma: float
) -> None:
    good = (100.0, 95.0, 0.5, 0.06, 0.01, 0.25)
    columns = [np.array([g, b, g]) for g, b in zip(good, (S, K, t, r, q, sigma), strict=True)]
    values = price(*columns, True)
    g = greeks(*columns, True)
    assert np.isnan(values[1])
    assert all(np.isnan(getattr(g, name)[1]) for name in ("delta", "gamma", "theta", "vega", "rho"))
    assert values[0] == values[2] == price(*good, True)
    assert g.vega[0] == greeks(*good, True).vega


@settings(max_examples=300, deadline=None)
@given(spot, log_moneyness, years, rate, dividend_yield, volatility)
def test_put_call_parity(S: float, m: float, t: float, r: float, q: float, sigma: float) -> None:
    K = S * math.exp(m)
    call = price(S, K, t, r, q, sigma, True)
    put = price(S, K, t, r, q, sigma, False)
    assert call - put == pytest.approx(S * math.exp(-q * t) - K * math.exp(-r * t), abs=1e-11 * (S + K))


@settings(max_examples=300, deadline=None)
@given(spot, log_moneyness, years, rate, dividend_yield, volatility)
def test_greeks_bounds(S: float, m: float, t: float, r: float, q: float, sigma: float) -> None:
    K = S * math.exp(m)
    call = greeks(S, K, t, r, q, sigma, True)
    put = greeks(S, K, t, r, q, sigma, False)
    assert 0.0 <= call.delta <= 1.0
    assert -1.0 <= put.delta <= 0.0
    assert call.gamma >= 0.0 and put.gamma >= 0.0
    assert call.vega >= 0.0 and put.vega >= 0.0
    assert call.gamma == put.gamma and call.vega == put.vega
    assert call.delta - put.delta == pytest.approx(math.exp(-q * t), rel=1e-12)


@settings(max_examples=300, deadline=None)
@given(spot, log_moneyness, years, rate, dividend_yield, volatility, volatility, st.booleans())
def test_price_increases_with_volatility(
    S: float, m: float, t: float, r: float, q: float, sigma_a: float, sigma_b: float, is_call: bool
) -> None:
    K = S * math.exp(m)
    low, high = sorted((sigma_a, sigma_b))
    assert price(S, K, t, r, q, high, is_call) >= price(S, K, t, r, q, low, is_call) - 1e-12 * (S + K)
    intrinsic = max((S * math.exp(-q * t) - K * math.exp(-r * t)) * (1 if is_call else -1), 0.0)
    assert price(S, K, t, r, q, low, is_call) >= intrinsic - 1e-12 * (S + K)
