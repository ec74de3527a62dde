"""Trading days, sessions, the freshness reference minute and expiry instants."""

from __future__ import annotations

from datetime import date, time

import pytest

from marketedge.chain.calendar import (
    CalendarDay,
    DayKind,
    Source,
    TradingCalendar,
    expiry_instant,
    years_to_expiry,
)
from marketedge.core.clock import ist


@pytest.fixture
def cal() -> TradingCalendar:
    return TradingCalendar.bundled()


def test_weekdays_trade_weekends_and_holidays_do_not(cal: TradingCalendar) -> None:
    assert cal.is_trading_day(date(2026, 11, 25))  # Wednesday
    assert not cal.is_trading_day(date(2026, 11, 28))  # Saturday
    assert not cal.is_trading_day(date(2026, 11, 29))  # Sunday
    assert not cal.is_trading_day(date(2026, 11, 24))  # Guru Nanak Jayanti
    assert cal.holiday(date(2026, 1, 26)) is not None
    assert cal.holiday(date(2026, 1, 27)) is None


def test_a_normal_session_runs_0915_to_1530_inclusive(cal: TradingCalendar) -> None:
    session = cal.session(date(2026, 11, 25))
    assert session is not None
    assert session.open == ist(2026, 11, 25, 9, 15)
    assert session.close == ist(2026, 11, 25, 15, 30)
    minutes = list(session.minutes())
    assert len(minutes) == session.minute_count == 376
    assert minutes[0].time() == time(9, 15) and minutes[-1].time() == time(15, 30)
    assert session.contains(ist(2026, 11, 25, 15, 30, 59))
    assert not session.contains(ist(2026, 11, 25, 15, 31))
    assert not session.contains(ist(2026, 11, 25, 9, 14, 59))


def test_a_special_session_trades_on_a_sunday(cal: TradingCalendar) -> None:
    session = cal.session(date(2026, 11, 8))
    assert session is not None and session.open.time() == time(18, 0)


def test_previous_and_next_sessions_skip_closed_days(cal: TradingCalendar) -> None:
    # Monday 23rd trades, Tuesday 24th is a holiday.
    previous = cal.previous_session(date(2026, 11, 25))
    assert previous is not None and previous.day == date(2026, 11, 23)
    following = cal.next_session(date(2026, 11, 27))
    assert following is not None and following.day == date(2026, 11, 30)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (ist(2026, 11, 25, 10, 7, 42), ist(2026, 11, 25, 10, 7)),  # in session: this minute
        (ist(2026, 11, 25, 9, 15, 0), ist(2026, 11, 25, 9, 15)),  # the open
        (ist(2026, 11, 25, 16, 5), ist(2026, 11, 25, 15, 30)),  # after the close: today's close
        (
            ist(2026, 11, 25, 8, 59),
            ist(2026, 11, 23, 15, 30),
        ),  # before the open: previous close (24th closed)
        (ist(2026, 11, 29, 12, 0), ist(2026, 11, 27, 15, 30)),  # Sunday: Friday's close
    ],
)
def test_the_latest_expected_minute_follows_the_freshness_rule(cal: TradingCalendar, now, expected) -> None:  # type: ignore[no-untyped-def]
    assert cal.latest_expected_minute(now) == expected


def test_2027_is_covered_provisionally_and_26_january_is_closed(cal: TradingCalendar) -> None:
    assert not cal.is_trading_day(date(2027, 1, 26))  # Republic Day, a Tuesday
    assert cal.is_trading_day(date(2027, 1, 25))
    assert cal.coverage(2027) is Source.provisional
    assert cal.source(date(2027, 1, 26)) is Source.provisional
    assert not cal.known(date(2027, 3, 1))  # provisional until the exchange's list is read
    assert cal.coverage(2026) is Source.bundled and cal.known(date(2026, 11, 25))


def test_a_year_with_no_list_is_unknown_and_falls_back_to_the_weekday_rule(cal: TradingCalendar) -> None:
    assert cal.coverage(2028) is None
    assert cal.source(date(2028, 1, 26)) is Source.weekday
    assert not cal.known(date(2028, 1, 26))
    assert cal.is_trading_day(date(2028, 1, 26))  # a Wednesday: said to be unknown, not trusted
    assert not cal.is_trading_day(date(2028, 1, 29))  # a Saturday


def test_upstox_replaces_the_bundled_year_and_the_operator_has_the_last_word(cal: TradingCalendar) -> None:
    upstox_2027 = [
        CalendarDay(date(2027, 1, 26), DayKind.holiday, "Republic Day", source=Source.upstox),
        CalendarDay(date(2027, 2, 25), DayKind.holiday, "special closure", source=Source.upstox),
        CalendarDay(
            date(2027, 2, 27), DayKind.session, "Saturday session", time(9, 15), time(12, 30), Source.upstox
        ),
        CalendarDay(date(2027, 2, 19), DayKind.settlement, "settlement only", source=Source.upstox),
    ]
    layered = TradingCalendar.layered(
        cal,
        upstox_years={2027: upstox_2027},
        operator=[
            CalendarDay(date(2027, 3, 1), DayKind.holiday, "operator says shut", source=Source.operator)
        ],
    )
    assert layered.coverage(2027) is Source.upstox and layered.known(date(2027, 3, 2))
    assert not layered.is_trading_day(date(2027, 2, 25))
    assert layered.is_trading_day(date(2027, 2, 19))  # a settlement holiday closes nothing
    assert layered.is_trading_day(date(2027, 3, 22))  # the bundled year's Holi is gone: Upstox's list rules
    saturday = layered.session(date(2027, 2, 27))
    assert saturday is not None and saturday.special and saturday.close.time() == time(12, 30)
    assert saturday.minute_count == 196
    assert (
        not layered.is_trading_day(date(2027, 3, 1)) and layered.source(date(2027, 3, 1)) is Source.operator
    )
    assert cal.is_trading_day(date(2027, 2, 25))  # the bundled calendar itself is unchanged
    cal.replace_with(layered)  # in place: everyone holding `cal` sees it
    assert not cal.is_trading_day(date(2027, 2, 25))


def test_expiry_is_1530_ist_and_time_is_in_years_of_365_days() -> None:
    assert expiry_instant(date(2026, 12, 1)) == ist(2026, 12, 1, 15, 30)
    assert years_to_expiry(ist(2026, 11, 30, 15, 30), date(2026, 12, 1)) == pytest.approx(1 / 365)
    assert years_to_expiry(ist(2026, 12, 1, 15, 31), date(2026, 12, 1)) < 0
