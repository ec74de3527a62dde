"""The one source of "now" for the whole app, in IST; tests and simulations replace it."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

IST = ZoneInfo("Asia/Kolkata")
UTC = ZoneInfo("UTC")


class Clock(Protocol):
    def now(self) -> datetime:
        """An aware datetime in IST."""
        ...


class SystemClock:
    """The wall clock."""

    def now(self) -> datetime:
        return datetime.now(IST)


class ManualClock:
    """A clock that moves only when told to (tests)."""

    def __init__(self, start: datetime) -> None:
        _require_aware(start)
        self._now = start.astimezone(IST)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def set(self, when: datetime) -> None:
        _require_aware(when)
        with self._lock:
            self._now = when.astimezone(IST)

    def advance(self, delta: timedelta) -> None:
        with self._lock:
            self._now += delta


class ShiftedClock:
    """Real time moved to another instant and optionally sped up (demo replays, fast simulated days)."""

    def __init__(self, start: datetime, speed: float = 1.0) -> None:
        _require_aware(start)
        if speed <= 0:
            raise ValueError("speed must be positive")
        self._start = start.astimezone(IST)
        self._speed = speed
        self._origin = time.monotonic()

    @property
    def speed(self) -> float:
        return self._speed

    def now(self) -> datetime:
        elapsed = (time.monotonic() - self._origin) * self._speed
        return self._start + timedelta(seconds=elapsed)


_current: Clock = SystemClock()


def now() -> datetime:
    """Now, as an aware IST datetime."""
    return _current.now()


def utcnow() -> datetime:
    return _current.now().astimezone(UTC)


def today() -> date:
    """Today's date in IST."""
    return _current.now().date()


def current() -> Clock:
    return _current


def set_clock(clock: Clock) -> None:
    global _current
    _current = clock


@contextmanager
def use_clock(clock: Clock) -> Iterator[Clock]:
    """Replace the clock for the duration of a block (tests)."""
    previous = _current
    set_clock(clock)
    try:
        yield clock
    finally:
        set_clock(previous)


async def sleep_until(when: datetime) -> None:
    """Wait until the clock reads `when`: real time, or a sped-up ShiftedClock's; at once on a ManualClock, which
    moves only when a test moves it."""
    current = _current
    if isinstance(current, ManualClock):
        return
    delay = (when - current.now()).total_seconds() / float(getattr(current, "speed", 1.0))
    if delay > 0:
        await asyncio.sleep(delay)


def ist(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    """An IST wall-clock instant: ist(2026, 11, 25, 9, 15)."""
    return datetime(year, month, day, hour, minute, second, tzinfo=IST)


def floor_minute(when: datetime) -> datetime:
    return when.replace(second=0, microsecond=0)


def _require_aware(when: datetime) -> None:
    if when.tzinfo is None:
        raise ValueError("naive datetimes are ambiguous: give a timezone")
