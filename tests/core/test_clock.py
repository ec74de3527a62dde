"""The clock: IST, replaceable, and every replacement aware of time zones."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from marketedge.core import clock
from marketedge.core.clock import IST, ManualClock, ShiftedClock


def test_now_is_aware_and_in_ist() -> None:
    now = clock.now()
    assert now.tzinfo is not None
    assert now.utcoffset() == timedelta(hours=5, minutes=30)


def test_a_manual_clock_replaces_now_inside_the_block_only() -> None:
    start = clock.ist(2026, 11, 25, 9, 15)
    with clock.use_clock(ManualClock(start)) as manual:
        assert clock.now() == start
        assert isinstance(manual, ManualClock)
        manual.advance(timedelta(minutes=3))
        assert clock.now() == clock.ist(2026, 11, 25, 9, 18)
        assert clock.today().isoformat() == "2026-11-25"
    assert clock.now() != clock.ist(2026, 11, 25, 9, 18)


def test_a_utc_instant_reads_back_as_ist_wall_clock() -> None:
    manual = ManualClock(datetime(2026, 11, 25, 3, 45, tzinfo=clock.UTC))
    assert manual.now().hour == 9 and manual.now().minute == 15
    assert manual.now().tzinfo == IST


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        ManualClock(datetime(2026, 1, 1))


def test_a_shifted_clock_runs_fast_from_its_start() -> None:
    start = clock.ist(2026, 11, 25, 9, 15)
    fast = ShiftedClock(start, speed=600.0)
    first = fast.now()
    assert first >= start
    assert first - start < timedelta(minutes=5)
    with pytest.raises(ValueError):
        ShiftedClock(start, speed=0)
