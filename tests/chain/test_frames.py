"""The compact chain form: lossless to the stored precision, nulls kept, small; day frames assemble minutes."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest

from marketedge.chain.frames import FIELD_INDEX, QUANTUM, DayFrame, GreeksSource, decode, encode
from marketedge.core.clock import ist
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


def _chains(count: int) -> list:  # type: ignore[type-arg]
    return [make_chain(OPEN + timedelta(minutes=i), spot=26000 + 7 * i, seed=i) for i in range(count)]


def test_a_later_minute_is_written_after_the_last_row_without_copying_the_day() -> None:
    chains = _chains(3)
    frame = DayFrame.from_minutes(chains[:2])
    later = frame.extend([chains[2]])
    assert np.shares_memory(later.values, frame.values), "the new frame's rows are the old ones"
    assert len(frame) == 2 and frame.minutes[-1] == chains[1].minute, "the old frame is unchanged"
    whole = DayFrame.from_minutes(chains)
    np.testing.assert_array_equal(later.values, whole.values)
    np.testing.assert_array_equal(later.epoch_minutes, whole.epoch_minutes)
    assert later.spot.tolist() == whole.spot.tolist()


def test_a_second_extension_of_an_older_frame_leaves_the_first_intact() -> None:
    chains = _chains(3)
    frame = DayFrame.from_minutes(chains[:2])
    first = frame.extend([chains[2]])
    other = make_chain(chains[2].minute, spot=25000, seed=99)
    second = frame.extend([other])
    assert not np.shares_memory(second.values, first.values)
    np.testing.assert_array_equal(first.values, DayFrame.from_minutes(chains).values)
    assert first.spot[2] == chains[2].spot and second.spot[2] == 25000


def test_a_day_that_outgrows_its_storage_keeps_every_row() -> None:
    chains = _chains(80)  # the first frame has room for 32 more; the rest grow it
    frame = DayFrame.from_minutes(chains[:1])
    for chain in chains[1:]:
        frame = frame.extend([chain])
    whole = DayFrame.from_minutes(chains)
    np.testing.assert_array_equal(frame.values, whole.values)
    np.testing.assert_array_equal(frame.source, whole.source)
    assert frame.minutes == whole.minutes
    np.testing.assert_array_equal(frame.head(10).values, whole.values[:10])
    assert frame.nbytes >= frame.values.nbytes, "the storage's room for later minutes is counted"


def test_new_strikes_or_an_earlier_minute_rebuild_the_frame() -> None:
    chains = _chains(3)
    frame = DayFrame.from_minutes(chains[1:])
    earlier = frame.extend([chains[0]])
    assert earlier.minutes == tuple(c.minute for c in chains)
    wider = frame.extend([make_chain(OPEN + timedelta(minutes=5), strikes=np.array([29000.0]))])
    assert wider.strikes[-1] == 29000.0 and len(wider) == 3
    assert np.isnan(wider.values[0, FIELD_INDEX["ltp"], 0, -1])


def test_rowwise_arrays_compute_each_minute_once_and_are_shared_by_later_frames() -> None:
    chains = _chains(5)
    asked: list[tuple[int, int]] = []

    def spot_twice(frame: DayFrame, start: int) -> np.ndarray:
        asked.append((start, len(frame)))
        return frame.spot[start:] * 2

    frame = DayFrame.from_minutes(chains[:3])
    np.testing.assert_array_equal(frame.rowwise("twice", spot_twice), frame.spot * 2)
    later = frame.extend(chains[3:])
    np.testing.assert_array_equal(later.rowwise("twice", spot_twice), later.spot * 2)
    # The older frame sees its own rows.
    np.testing.assert_array_equal(frame.rowwise("twice", spot_twice), frame.spot * 2)
    np.testing.assert_array_equal(later.head(4).rowwise("twice", spot_twice), later.spot[:4] * 2)
    assert asked == [(0, 3), (3, 5)], "each minute computed once"


def test_a_day_keeps_a_bounded_number_of_rowwise_arrays() -> None:
    from marketedge.chain.frames import DERIVED_MAX

    frame = DayFrame.from_minutes(_chains(2))
    for i in range(DERIVED_MAX + 10):
        frame.rowwise(f"n{i}", lambda f, start: f.spot[start:] + 1)
    kept = frame.nbytes
    frame.rowwise("one more", lambda f, start: f.spot[start:] + 1)
    assert frame.nbytes == kept, "the least recently used is dropped"
