"""The forward and discount factor read from put-call parity on a synthetic chain."""

import math

import numpy as np
import pytest

from marketedge.greeks import black76_price, implied_forward


def synthetic_chain(
    F: float, D: float, t: float, noise: float, seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    K = np.arange(22_000.0, 26_050.0, 50.0)
    smile = 0.13 + 0.4 * np.log(K / F) ** 2 - 0.05 * np.log(K / F)
    calls = black76_price(F, K, t, D, smile, True) + rng.normal(0.0, noise, K.size)
    puts = black76_price(F, K, t, D, smile, False) + rng.normal(0.0, noise, K.size)
    # Stale and missing quotes: NaN prices and an unusable strike.
    calls[rng.choice(K.size, 8, replace=False)] = np.nan
    puts[rng.choice(K.size, 8, replace=False)] = np.nan
    K[3] = np.nan
    return K, calls, puts


def test_exact_chain_gives_exact_forward_and_discount() -> None:
    F, D, t = 24_137.5, 0.9931, 0.1
    K = np.arange(23_000.0, 25_000.0, 50.0)
    fit = implied_forward(K, black76_price(F, K, t, D, 0.15, True), black76_price(F, K, t, D, 0.15, False), t)
    assert fit.forward == pytest.approx(F, rel=1e-12)
    assert fit.discount_factor == pytest.approx(D, rel=1e-10)
    assert fit.rate == pytest.approx(-math.log(D) / t, rel=1e-8)
    assert fit.strikes_used == 6


@pytest.mark.parametrize("seed", range(5))
def test_recovers_forward_and_discount_through_noise_and_gaps(seed: int) -> None:
    F, D, t = 24_212.0, 0.9875, 0.19
    K, calls, puts = synthetic_chain(F, D, t, noise=0.5, seed=seed)
    fit = implied_forward(K, calls, puts, t, n_strikes=10)
    assert fit.forward == pytest.approx(F, abs=2.0)
    assert fit.discount_factor == pytest.approx(D, abs=0.01)
    assert fit.strikes_used == 10


@pytest.mark.parametrize("seed", range(5))
def test_known_rate_pins_the_discount_factor(seed: int) -> None:
    F, r, t = 24_212.0, 0.066, 7 / 365
    K, calls, puts = synthetic_chain(F, math.exp(-r * t), t, noise=0.5, seed=seed)
    fit = implied_forward(K, calls, puts, t, r=r)
    assert fit.discount_factor == math.exp(-r * t)
    assert fit.rate == pytest.approx(r)
    assert fit.forward == pytest.approx(F, abs=1.0)


def test_too_little_to_go_on_is_nan() -> None:
    nothing = implied_forward([24_000.0, 24_050.0], [np.nan, 100.0], [90.0, np.nan], 0.1)
    assert math.isnan(nothing.forward) and math.isnan(nothing.discount_factor) and nothing.strikes_used == 0
    one = implied_forward([24_000.0, 24_050.0], [120.0, np.nan], [90.0, np.nan], 0.1)
    assert math.isnan(one.forward) and one.strikes_used == 1
    with_rate = implied_forward([24_000.0, 24_050.0], [120.0, np.nan], [90.0, np.nan], 0.1, r=0.06)
    assert with_rate.forward == pytest.approx(24_000.0 + 30.0 / math.exp(-0.006))


def test_rejects_more_than_one_chain() -> None:
    with pytest.raises(ValueError, match="one chain"):
        implied_forward(np.ones((2, 3)), np.ones((2, 3)), np.ones((2, 3)), 0.1)
