"""The compact chain form: lossless to the stored precision, nulls kept, small; day frames assemble minutes."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest

from marketedge.clock import ist
from marketedge.frames import FIELD_INDEX, QUANTUM, DayFrame, GreeksSource, decode, encode
from tests.factories import make_chain

OPEN = ist(2026, 11, 25, 9, 15)


def test_round_trip_is_exact_to_the_quantum_and_keeps_nulls() -> None:
    chain = make_chain(OPEN)
    chain.values[FIELD_INDEX["iv"], 0, :7] = np.nan  # missing greeks stay missing
    chain.values[FIELD_INDEX["delta"], 1, -3:] = np.nan
    chain.values[FIELD_INDEX["oi"], 0, 10] = 0.0  # a real zero stays a zero
    back = decode(encode(chain))
    assert back.minute == OPEN and back.spot == chain.spot
    np.testing.assert_array_equal(back.strikes, chain.strikes)
    assert np.array_equal(np.isnan(back.values), np.isnan(chain.values))
    error = np.nan_to_num(np.abs(back.values - chain.values)) / QUANTUM[:, None, None]
    assert error.max() <= 0.5 + 1e-6
    assert back.values[FIELD_INDEX["oi"], 0, 10] == 0.0
    np.testing.assert_array_equal(back.source, chain.source)


def test_unsorted_strikes_come_back_sorted_with_their_rows() -> None:
    chain = make_chain(OPEN, strikes=np.array([26100.0, 25900.0, 26000.0]))
    back = decode(encode(chain))
    np.testing.assert_array_equal(back.strikes, [25900.0, 26000.0, 26100.0])
    np.testing.assert_allclose(back.field("ltp")[0], chain.field("ltp")[0][[1, 2, 0]])


def test_a_chain_minute_is_small() -> None:
    chain = make_chain(OPEN)
    per_option_row = len(encode(chain)) / (2 * chain.strike_count)
    assert per_option_row < 20, per_option_row


def test_bad_shapes_and_naive_minutes_are_refused() -> None:
    chain = make_chain(OPEN)
    with pytest.raises(ValueError, match="shape"):
        type(chain)(OPEN, 1.0, chain.strikes, chain.values[:, :, :3], chain.source)
    with pytest.raises(ValueError, match="aware"):
        type(chain)(OPEN.replace(tzinfo=None), 1.0, chain.strikes, chain.values, chain.source)


def test_a_day_frame_unions_strikes_and_orders_minutes() -> None:
    first = make_chain(OPEN, strikes=np.array([25900.0, 26000.0]))
    second = make_chain(OPEN + timedelta(minutes=1), strikes=np.array([26000.0, 26100.0]), spot=26010)
    frame = DayFrame.from_minutes([second]).extend([first])
    assert frame.minutes == (first.minute, second.minute)
    np.testing.assert_array_equal(frame.strikes, [25900.0, 26000.0, 26100.0])
    assert np.isnan(frame.values[0, FIELD_INDEX["ltp"], 0, 2])  # 26100 not listed at 09:15
    assert frame.source[0, 0, 2] == GreeksSource.none
    assert frame.spot.tolist() == [26000.0, 26010.0]
    replay = frame.chain_at(1)
    np.testing.assert_array_equal(replay.strikes, [26000.0, 26100.0])
    np.testing.assert_array_equal(replay.values, second.values)


def test_extending_with_a_stored_minute_replaces_it() -> None:
    frame = DayFrame.from_minutes([make_chain(OPEN)])
    again = make_chain(OPEN, spot=26111)
    updated = frame.extend([again])
    assert len(updated) == 1 and updated.spot[0] == 26111
    assert frame.spot[0] == 26000  # frames are immutable
