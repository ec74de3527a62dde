"""Trading sessions: weekends, exchange holidays, special sessions, 09:15–15:30 IST, expiry instants."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from importlib import resources

from marketedge.clock import IST

NORMAL_OPEN = time(9, 15)
NORMAL_CLOSE = time(15, 30)
EXPIRY_TIME = time(15, 30)
_LOOKBACK_DAYS = 30  # longer than any run of holidays and weekends


@dataclass(frozen=True, slots=True)
class Session:
    """One trading session: its date and its first and last minute (both inclusive), in IST."""

    day: date
    open: datetime
    close: datetime

    @property
    def minute_count(self) -> int:
        return int((self.close - self.open).total_seconds() // 60) + 1

    def minutes(self) -> Iterator[datetime]:
        """09:15, 09:16, … 15:30 as aware IST datetimes."""
        for i in range(self.minute_count):
            yield self.open + timedelta(minutes=i)

    def contains(self, when: datetime) -> bool:
        return self.open <= when.astimezone(IST) < self.close + timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class Holiday:
    day: date
    description: str


@dataclass(frozen=True, slots=True)
class SpecialSession:
    day: date
    description: str
    open: time
    close: time


class TradingCalendar:
    """Which days trade and when. Holidays and special sessions come from the bundled list or from Upstox."""

    def __init__(
        self, holidays: Iterable[Holiday] = (), special_sessions: Iterable[SpecialSession] = ()
    ) -> None:
        self._holidays = {h.day: h for h in holidays}
        self._special = {s.day: s for s in special_sessions}

    @classmethod
    def bundled(cls) -> TradingCalendar:
        """The calendar from the list shipped with the package: works with no network."""
        raw = json.loads(resources.files("marketedge.data").joinpath("holidays.json").read_text("utf-8"))
        return cls(
            holidays=[Holiday(date.fromisoformat(h["date"]), h["description"]) for h in raw["holidays"]],
            special_sessions=[
                SpecialSession(
                    date.fromisoformat(s["date"]),
                    s["description"],
                    time.fromisoformat(s["open"]),
                    time.fromisoformat(s["close"]),
                )
                for s in raw["special_sessions"]
            ],
        )

    def merge(
        self, holidays: Iterable[Holiday] = (), special_sessions: Iterable[SpecialSession] = ()
    ) -> TradingCalendar:
        """A new calendar with these entries added (a published list wins over the bundled one)."""
        merged_h = dict(self._holidays)
        merged_s = dict(self._special)
        for h in holidays:
            merged_h[h.day] = h
            merged_s.pop(h.day, None)
        for s in special_sessions:
            merged_s[s.day] = s
        return TradingCalendar(merged_h.values(), merged_s.values())

    def holiday(self, day: date) -> Holiday | None:
        return self._holidays.get(day)

    def is_trading_day(self, day: date) -> bool:
        return self.session(day) is not None

    def session(self, day: date) -> Session | None:
        """The session held on this date, or None when the market is closed all day."""
        special = self._special.get(day)
        if special is not None:
            return Session(day, _at(day, special.open), _at(day, special.close))
        if day.weekday() >= 5 or day in self._holidays:
            return None
        return Session(day, _at(day, NORMAL_OPEN), _at(day, NORMAL_CLOSE))

    def previous_session(self, day: date) -> Session | None:
        """The last session strictly before this date."""
        for back in range(1, _LOOKBACK_DAYS + 1):
            found = self.session(day - timedelta(days=back))
            if found is not None:
                return found
        return None

    def next_session(self, day: date) -> Session | None:
        """The first session strictly after this date."""
        for ahead in range(1, _LOOKBACK_DAYS + 1):
            found = self.session(day + timedelta(days=ahead))
            if found is not None:
                return found
        return None

    def latest_expected_minute(self, now: datetime) -> datetime | None:
        """The latest minute whose data should exist at `now` (the cache freshness rule's reference).

        During a session: the current minute. Before today's open (or on a closed day): the previous
        session's close. After the close: today's close.
        """
        now = now.astimezone(IST)
        today = self.session(now.date())
        if today is not None and now >= today.open:
            return min(now.replace(second=0, microsecond=0), today.close)
        previous = self.previous_session(now.date())
        return previous.close if previous else None

    def is_open(self, now: datetime) -> bool:
        today = self.session(now.astimezone(IST).date())
        return today is not None and today.contains(now)


def expiry_instant(expiry: date) -> datetime:
    """When a contract expiring on this date stops trading: 15:30 IST."""
    return _at(expiry, EXPIRY_TIME)


def years_to_expiry(now: datetime, expiry: date) -> float:
    """Time to expiry in years of 365 days (negative once expired)."""
    return (expiry_instant(expiry) - now).total_seconds() / (365.0 * 24 * 3600)


def _at(day: date, wall: time) -> datetime:
    return datetime.combine(day, wall, tzinfo=IST)
