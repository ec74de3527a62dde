"""The exchange's calendar as the twin plays it: the bundled list, taken as published (the twin is the exchange),
plus days our bundled file does not know, so tests meet what only Upstox can tell: a closure announced at short
notice, a Saturday session with its own hours, a settlement holiday that does not close trading."""

from __future__ import annotations

from datetime import date, time

from marketedge.chain.calendar import CalendarDay, DayKind, Source, TradingCalendar, read_bundled

# The twin's own days (not the exchanges'): docs/twin.md lists them.
TWIN_ONLY = (
    CalendarDay(date(2027, 2, 19), DayKind.settlement, "Chhatrapati Shivaji Maharaj Jayanti"),
    CalendarDay(date(2027, 2, 25), DayKind.holiday, "Special closure notified by the exchanges (twin)"),
    CalendarDay(
        date(2027, 2, 27), DayKind.session, "Special live trading session (twin)", time(9, 15), time(12, 30)
    ),
)


def twin_calendar() -> TradingCalendar:
    days, years = read_bundled()
    published = [CalendarDay(d.day, d.kind, d.description, d.open, d.close, Source.upstox) for d in days]
    return TradingCalendar.layered(
        TradingCalendar(),
        upstox_years={year: [d for d in published if d.day.year == year] for year in years},
        operator=[
            CalendarDay(d.day, d.kind, d.description, d.open, d.close, Source.upstox) for d in TWIN_ONLY
        ],
    )
