"""Implied-volatility unit helpers: percent and fraction, detected per source batch."""

import math

import numpy as np
import pytest

from marketedge.greeks import iv_from_percent, iv_to_percent, iv_unit, normalise_iv


def test_conversions_round_trip() -> None:
    assert iv_from_percent(14.2) == pytest.approx(0.142)
    assert iv_to_percent(0.142) == pytest.approx(14.2)
    assert type(iv_from_percent(14.2)) is float
    np.testing.assert_allclose(iv_to_percent(iv_from_percent([5.0, 14.2, 80.0])), [5.0, 14.2, 80.0])


def test_chain_percent_is_normalised() -> None:
    chain = [14.2, 13.8, 0.0, 15.1, float("nan"), 22.5, 140.0]
    assert iv_unit(chain) == "percent"
    np.testing.assert_allclose(normalise_iv(chain), [0.142, 0.138, np.nan, 0.151, np.nan, 0.225, 1.4])


def test_greeks_endpoint_fraction_is_kept() -> None:
    greeks_endpoint = np.array([0.142, 0.138, 0.151, -1.0, 2.5, 0.225])
    assert iv_unit(greeks_endpoint) == "fraction"
    np.testing.assert_allclose(normalise_iv(greeks_endpoint), [0.142, 0.138, 0.151, np.nan, 2.5, 0.225])


def test_expiry_day_wings_do_not_fool_the_rule() -> None:
    # A few 300 % wings in fractions (3.0+) and a few 2 % values in percent do not move the median across 3.
    assert iv_unit([0.11, 0.12, 0.13, 0.15, 3.2, 4.0]) == "fraction"
    assert iv_unit([2.0, 2.5, 11.0, 12.0, 13.0]) == "percent"


def test_nothing_to_judge() -> None:
    assert iv_unit([0.0, float("nan")]) is None
    assert np.isnan(normalise_iv([0.0, float("nan")])).all()
    assert math.isnan(normalise_iv(0.0))
    assert normalise_iv(np.empty(0)).shape == (0,)
