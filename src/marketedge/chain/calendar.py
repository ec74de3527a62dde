"""Trading sessions: which days the exchanges trade and when, from the best source known for each day.

Layers, highest first: the operator's overrides, Upstox's timings for a date, Upstox's holiday list for a year,
the list bundled with the package, and last the weekday rule (Monday–Friday 09:15–15:30), which the app reports
as unknown rather than trusts (docs/pipeline.md, "The exchange calendar").
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from importlib import resources

from marketedge.core.clock import IST

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

    @property
    def special(self) -> bool:
        """Not the normal weekday session: a weekend, or other hours."""
        return (
            self.day.weekday() >= 5
            or self.open.timetz().replace(tzinfo=None) != NORMAL_OPEN
            or self.close.timetz().replace(tzinfo=None) != NORMAL_CLOSE
        )


class DayKind(StrEnum):
    holiday = "holiday"  # the exchanges are closed all day
    session = "session"  # they trade, in these hours (a special session when not the normal ones)
    settlement = "settlement"  # a settlement holiday: trading goes on as normal


class Source(StrEnum):
    """Who said what a day is, highest first."""

    operator = "operator"  # an administrator's override
    upstox = "upstox"  # Upstox's timings for the date, or its holiday list for the year
    bundled = "bundled"  # the list shipped with the package (the exchange's circular)
    provisional = "provisional"  # a bundled list compiled before the exchange published its own
    weekday = "weekday-rule"  # nothing known: Monday to Friday, 09:15–15:30


@dataclass(frozen=True, slots=True)
class CalendarDay:
    """What one source says about one date."""

    day: date
    kind: DayKind
    description: str = ""
    open: time | None = None  # for a session
    close: time | None = None
    source: Source = Source.bundled

    def __post_init__(self) -> None:
        hours_ok = self.open is not None and self.close is not None and self.open < self.close
        if self.kind is DayKind.session and not hours_ok:
            raise ValueError(f"{self.day}: a session needs an open before its close")


class TradingCalendar:
    """Which days trade and when. Built from layers (`layered`); `replace_with` swaps a running app's calendar in
    place, so every part holding it sees a refresh at once."""

    def __init__(self, days: Iterable[CalendarDay] = (), years: Mapping[int, Source] | None = None) -> None:
        self._days = {d.day: d for d in days}
        self._years = dict(years or {})

    @classmethod
    def bundled(cls) -> TradingCalendar:
        """The calendar from the list shipped with the package: works with no network."""
        return cls(*read_bundled())

    @classmethod
    def layered(
        cls,
        bundled: TradingCalendar,
        *,
        upstox_years: Mapping[int, Iterable[CalendarDay]] | None = None,
        upstox_dates: Iterable[CalendarDay] = (),
        operator: Iterable[CalendarDay] = (),
    ) -> TradingCalendar:
        """The bundled list, replaced year by year where Upstox's list for that year was read, then Upstox's
        timings for single dates, then the operator's overrides."""
        lists = dict(upstox_years or {})
        days = {d.day: d for d in bundled.days() if d.day.year not in lists}
        years = dict(bundled._years)
        for year, entries in lists.items():
            years[year] = Source.upstox
            days.update((d.day, d) for d in entries)
        days.update((d.day, d) for d in upstox_dates)
        days.update((d.day, d) for d in operator)
        return cls(days.values(), years)

    def copy(self) -> TradingCalendar:
        return TradingCalendar(self._days.values(), self._years)

    def with_day(self, day: date, entry: CalendarDay | None) -> TradingCalendar:
        """A copy with this date set to `entry` (None: forgotten)."""
        days = dict(self._days)
        days.pop(day, None)
        if entry is not None:
            days[day] = entry
        return TradingCalendar(days.values(), self._years)

    def replace_with(self, other: TradingCalendar) -> None:
        self._days, self._years = dict(other._days), dict(other._years)

    def days(self, year: int | None = None) -> list[CalendarDay]:
        """Every day some source says something about (in date order), of one year or all."""
        return sorted(
            (d for d in self._days.values() if year is None or d.day.year == year), key=lambda d: d.day
        )

    def entry(self, day: date) -> CalendarDay | None:
        return self._days.get(day)

    def coverage(self, year: int) -> Source | None:
        """Where the year's list came from: upstox, bundled, provisional, or None (nothing known)."""
        return self._years.get(year)

    def source(self, day: date) -> Source:
        """Who decides whether this date trades."""
        found = self._days.get(day)
        if found is not None and found.source in (Source.operator, Source.upstox):
            return found.source
        return self._years.get(day.year, Source.weekday)

    def known(self, day: date) -> bool:
        """Whether a published source covers this date (a provisional list or the weekday rule does not)."""
        return self.source(day) in (Source.operator, Source.upstox, Source.bundled)

    def holiday(self, day: date) -> CalendarDay | None:
        """The closure that shuts this date, if any (weekends are not listed)."""
        found = self._days.get(day)
        return found if found is not None and found.kind is DayKind.holiday else None

    def is_trading_day(self, day: date) -> bool:
        return self.session(day) is not None

    def session(self, day: date) -> Session | None:
        """The session held on this date, or None when the market is closed all day."""
        found = self._days.get(day)
        if found is not None and found.kind is DayKind.holiday:
            return None
        if found is not None and found.kind is DayKind.session:
            assert found.open is not None and found.close is not None
            return Session(day, _at(day, found.open), _at(day, found.close))
        if day.weekday() >= 5:
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


def read_bundled() -> tuple[list[CalendarDay], dict[int, Source]]:
    """The bundled list (data/holidays.json): its days and, per year, whether it is the exchange's published list
    or a provisional one compiled before the exchange published."""
    raw = json.loads(resources.files("marketedge.data").joinpath("holidays.json").read_text("utf-8"))
    days: list[CalendarDay] = []
    years: dict[int, Source] = {}
    for block in raw["years"]:
        source = Source.provisional if block["status"] == "provisional" else Source.bundled
        years[int(block["year"])] = source
        for h in block.get("holidays", []):
            days.append(
                CalendarDay(date.fromisoformat(h["date"]), DayKind.holiday, h["description"], source=source)
            )
        for h in block.get("settlement_holidays", []):
            day = date.fromisoformat(h["date"])
            days.append(CalendarDay(day, DayKind.settlement, h["description"], source=source))
        for s in block.get("special_sessions", []):
            days.append(
                CalendarDay(
                    date.fromisoformat(s["date"]),
                    DayKind.session,
                    s["description"],
                    time.fromisoformat(s["open"]),
                    time.fromisoformat(s["close"]),
                    source=source,
                )
            )
    return days, years


def expiry_instant(expiry: date) -> datetime:
    """When a contract expiring on this date stops trading: 15:30 IST."""
    return _at(expiry, EXPIRY_TIME)


def years_to_expiry(now: datetime, expiry: date) -> float:
    """Time to expiry in years of 365 days (negative once expired)."""
    return (expiry_instant(expiry) - now).total_seconds() / (365.0 * 24 * 3600)


def _at(day: date, wall: time) -> datetime:
    return datetime.combine(day, wall, tzinfo=IST)
