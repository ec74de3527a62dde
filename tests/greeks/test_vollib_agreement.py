"""Agreement with vollib (Jäckel's "Let's be rational" and vollib's analytical greeks), option by option."""

import contextlib

import numpy as np
import pytest

from marketedge.greeks import greeks, implied_volatility, price

vollib_bsm = pytest.importorskip("vollib.black_scholes_merton")
vollib_iv = pytest.importorskip("vollib.black_scholes_merton.implied_volatility")
vollib_greeks = pytest.importorskip("vollib.black_scholes_merton.greeks.analytical")

N = 10_000
MINUTE = 1.0 / (365 * 24 * 60)


def seeded_options() -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(20_240_601)
    S = 24_000.0 * np.exp(rng.normal(0.0, 0.02, N))
    K = np.round(S * np.exp(rng.uniform(-0.25, 0.25, N)) / 50.0) * 50.0
    t = np.exp(rng.uniform(np.log(MINUTE), np.log(2.0), N))
    r = rng.uniform(0.0, 0.10, N)
    q = rng.uniform(0.0, 0.03, N)
    sigma = rng.uniform(0.05, 0.8, N)
    is_call = rng.random(N) < 0.5
    return S, K, t, r, q, sigma, is_call


def vollib_loop(S, K, t, r, q, sigma, is_call, prices):  # type: ignore[no-untyped-def]
    """vollib's scalar functions, one option at a time. Its units are ours: theta per calendar day (/365),
    vega and rho per point (x 0.01); its IV raises where there is none, which we record as NaN."""
    out = np.full((7, N), np.nan)
    for i in range(N):
        flag = "c" if is_call[i] else "p"
        args = (flag, S[i], K[i], t[i], r[i], sigma[i], q[i])  # vollib puts sigma before q
        out[0, i] = vollib_bsm.black_scholes_merton(*args)
        # vollib raises PriceIsBelowIntrinsic, PriceIsAboveMaximum and friends where there is no answer.
        with contextlib.suppress(Exception):
            out[1, i] = vollib_iv.implied_volatility(prices[i], S[i], K[i], t[i], r[i], q[i], flag)
        for row, greek in enumerate(
            (
                vollib_greeks.delta,
                vollib_greeks.gamma,
                vollib_greeks.theta,
                vollib_greeks.vega,
                vollib_greeks.rho,
            ),
            start=2,
        ):
            out[row, i] = greek(*args)
    return out


@pytest.fixture(scope="module")
def both() -> tuple[tuple[np.ndarray, ...], np.ndarray, dict[str, np.ndarray]]:
    options = seeded_options()
    S, K, t, r, q, sigma, is_call = options
    ours_price = price(*options)
    g = greeks(*options)
    ours = {
        "price": ours_price,
        "iv": implied_volatility(ours_price, S, K, t, r, q, is_call),
        "delta": g.delta,
        "gamma": g.gamma,
        "theta": g.theta,
        "vega": g.vega,
        "rho": g.rho,
    }
    return options, vollib_loop(S, K, t, r, q, sigma, is_call, ours_price), ours


def test_prices_agree(both) -> None:  # type: ignore[no-untyped-def]
    _, theirs, ours = both
    np.testing.assert_allclose(ours["price"], theirs[0], rtol=1e-9, atol=1e-9)


def test_implied_volatilities_agree(both) -> None:  # type: ignore[no-untyped-def]
    options, theirs, ours = both
    sigma = options[5]
    qualifying = ours["vega"] >= 0.01
    assert qualifying.sum() > 4_000
    assert np.abs(ours["iv"] - sigma)[qualifying].max() <= 1e-9
    assert np.abs(ours["iv"] - theirs[1])[qualifying].max() <= 2e-9
    # Elsewhere: vollib finds a volatility where we do, and the two price the same.
    both_found = np.isfinite(ours["iv"]) & np.isfinite(theirs[1])
    assert both_found.sum() >= 0.95 * np.isfinite(ours["iv"]).sum()


@pytest.mark.parametrize(("row", "name"), [(2, "delta"), (3, "gamma"), (4, "theta"), (5, "vega"), (6, "rho")])
def test_greeks_agree(both, row: int, name: str) -> None:  # type: ignore[no-untyped-def]
    _, theirs, ours = both
    reference = theirs[row]
    # Relative 1e-9, except where a greek is so small that both are rounding noise.
    floor = 1e-12 * np.nanmax(np.abs(reference))
    np.testing.assert_allclose(ours[name], reference, rtol=1e-9, atol=floor)
