"""The exchange calendar from Upstox, kept in the database: the year's holiday list and the next days' timings,
read at start-up and every morning before the token check, and the operator's overrides.

A day Upstox does not answer keeps what was read before (the rows survive restarts); the bundled list only
stands in for a year whose list has never been read (docs/pipeline.md, "The exchange calendar")."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, time, timedelta

import structlog
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from marketedge.chain.calendar import NORMAL_CLOSE, NORMAL_OPEN, CalendarDay, DayKind, Source, TradingCalendar
from marketedge.core import clock
from marketedge.core.clock import IST
from marketedge.core.db import Database
from marketedge.models import MarketCalendarYear, MarketDay
from marketedge.upstox import UpstoxClient, UpstoxError
from marketedge.upstox.schemas import ExchangeTiming, Holiday

log = structlog.get_logger(__name__)

LIST, TIMINGS, OPERATOR = "upstox-list", "upstox-timings", "operator"
#: Whose hours are the market's: the NSE equity session (index options follow it; BSE keeps the same days).
MARKET_EXCHANGES = ("NSE", "NFO")
TIMINGS_AHEAD = 7  # today and the next six days are asked each morning
SETTLEMENT, TRADING = "SETTLEMENT_HOLIDAY", "TRADING_HOLIDAY"


@dataclass(slots=True)
class RefreshReport:
    year: int
    list_entries: int | None = None  # None: the list could not be read
    timings: dict[date, str] = field(default_factory=dict)  # date → "holiday" / "session HH:MM-HH:MM"
    errors: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)  # a date the timings close but the list keeps open


def day_from_holiday(entry: Holiday) -> CalendarDay | None:
    """What an entry of Upstox's holiday list means for the market, or None when it does not concern it.

    Open exchanges listed: a session at those hours (Muhurat on a Diwali closure, a Saturday session). A
    TRADING_HOLIDAY closing NSE or NFO: a closure. A SETTLEMENT_HOLIDAY: kept, closing nothing."""
    session = _market_hours(entry.open_exchanges)
    description = entry.description.strip()[:200]
    if session is not None:
        return CalendarDay(entry.date, DayKind.session, description, *session, source=Source.upstox)
    if entry.holiday_type == TRADING and set(entry.closed_exchanges) & set(MARKET_EXCHANGES):
        return CalendarDay(entry.date, DayKind.holiday, description, source=Source.upstox)
    if entry.holiday_type == SETTLEMENT:
        return CalendarDay(entry.date, DayKind.settlement, description, source=Source.upstox)
    return None


def day_from_timings(day: date, timings: list[ExchangeTiming]) -> CalendarDay:
    """Upstox's timings for one date: the market's hours, or a closure when no market exchange is listed."""
    session = _market_hours(timings)
    if session is None:
        return CalendarDay(
            day, DayKind.holiday, "Closed (Upstox's timings list no NSE session)", source=Source.upstox
        )
    return CalendarDay(day, DayKind.session, "", *session, source=Source.upstox)


def _market_hours(timings: Iterable[ExchangeTiming]) -> tuple[time, time] | None:
    by_exchange = {t.exchange.upper(): t for t in timings}
    for exchange in MARKET_EXCHANGES:
        found = by_exchange.get(exchange)
        if found is not None:
            start, end = found.start_time.astimezone(IST), found.end_time.astimezone(IST)
            if start < end:
                return start.time().replace(second=0, microsecond=0), end.time().replace(
                    second=0, microsecond=0
                )
    return None


def _described(timing: CalendarDay, listed: CalendarDay | None) -> CalendarDay:
    """A date's timings, with the holiday list's name for the day when both say the same thing."""
    if listed is None or not listed.description:
        return timing
    same_closure = timing.kind is listed.kind is DayKind.holiday
    same_hours = timing.kind is listed.kind is DayKind.session and (timing.open, timing.close) == (
        listed.open,
        listed.close,
    )
    normal = timing.kind is DayKind.session and (timing.open, timing.close) == (NORMAL_OPEN, NORMAL_CLOSE)
    if same_closure or same_hours:
        return dataclasses.replace(timing, description=listed.description)
    if normal and listed.kind is DayKind.settlement:
        return dataclasses.replace(listed, source=Source.upstox)
    return timing


def _row(entry: CalendarDay, layer: str, actor: str | None = None) -> MarketDay:
    return MarketDay(
        day=entry.day,
        layer=layer,
        kind=entry.kind.value,
        open_time=entry.open,
        close_time=entry.close,
        description=entry.description,
        updated_at=clock.utcnow(),
        updated_by=actor,
    )


def _entry(row: MarketDay) -> CalendarDay:
    source = Source.operator if row.layer == OPERATOR else Source.upstox
    return CalendarDay(row.day, DayKind(row.kind), row.description, row.open_time, row.close_time, source)


async def load_calendar(session: AsyncSession, bundled: TradingCalendar | None = None) -> TradingCalendar:
    """The calendar every part of the app uses: the bundled list under what Upstox and the operator said."""
    rows = list(await session.scalars(select(MarketDay)))
    years = set(await session.scalars(select(MarketCalendarYear.year)))
    lists: dict[int, list[CalendarDay]] = defaultdict(list)
    for year in years:
        lists[year] = []
    for row in rows:
        if row.layer == LIST and row.day.year in years:
            lists[row.day.year].append(_entry(row))
    return TradingCalendar.layered(
        bundled or TradingCalendar.bundled(),
        upstox_years=lists,
        upstox_dates=[_entry(r) for r in rows if r.layer == TIMINGS],
        operator=[_entry(r) for r in rows if r.layer == OPERATOR],
    )


async def set_override(session: AsyncSession, entry: CalendarDay, actor: str) -> None:
    """The operator's word on one date (it outranks Upstox's). The caller commits."""
    await session.execute(delete(MarketDay).where(MarketDay.day == entry.day, MarketDay.layer == OPERATOR))
    session.add(_row(entry, OPERATOR, actor))
    await session.flush()


async def unset_override(session: AsyncSession, day: date) -> bool:
    """Forget the operator's word on a date; False when there was none. The caller commits."""
    result = await session.execute(delete(MarketDay).where(MarketDay.day == day, MarketDay.layer == OPERATOR))
    return bool(result.rowcount)  # type: ignore[attr-defined]


class CalendarSync:
    """Reads the calendar from Upstox into the database, and the database into the app's calendar (in place)."""

    def __init__(self, database: Database, client: UpstoxClient, calendar: TradingCalendar) -> None:
        self.database = database
        self.client = client
        self.calendar = calendar
        self._bundled = TradingCalendar.bundled()
        self.last_report: RefreshReport | None = None

    async def reload(self) -> TradingCalendar:
        """The database's calendar into the running app (after a refresh, an override, or another replica's)."""
        async with self.database.sessions() as session:
            fresh = await load_calendar(session, self._bundled)
        self.calendar.replace_with(fresh)
        return self.calendar

    async def refresh(self, today: date | None = None) -> RefreshReport:
        """This year's holiday list and the timings of the next TIMINGS_AHEAD days from Upstox. What cannot be read
        is left as it was; the report says what failed."""
        today = today or clock.today()
        report = RefreshReport(today.year)
        holidays: list[CalendarDay] | None = None
        try:
            answer = await self.client.holidays()
            holidays = [d for d in (day_from_holiday(h) for h in answer) if d is not None]
        except UpstoxError as exc:
            report.errors.append(f"holiday list: {type(exc).__name__}: {exc}")
        timings: list[CalendarDay] = []
        for offset in range(TIMINGS_AHEAD):
            day = today + timedelta(days=offset)
            try:
                timings.append(day_from_timings(day, await self.client.timings(day)))
            except UpstoxError as exc:
                report.errors.append(f"timings {day.isoformat()}: {type(exc).__name__}: {exc}")
        own_year = [d for d in holidays or () if d.day.year == today.year]
        # What the holiday list says (the one just read, else the one read before), to hold the timings against.
        listed = (
            TradingCalendar.layered(self._bundled, upstox_years={today.year: own_year})
            if holidays is not None
            else self.calendar.copy()
        )
        async with self.database.sessions() as session:
            if holidays is not None:
                await session.execute(
                    delete(MarketDay).where(
                        MarketDay.layer == LIST,
                        MarketDay.day >= date(today.year, 1, 1),
                        MarketDay.day <= date(today.year, 12, 31),
                    )
                )
                session.add_all(_row(d, LIST) for d in own_year)
                await session.merge(
                    MarketCalendarYear(year=today.year, read_at=clock.utcnow(), entries=len(own_year))
                )
                report.list_entries = len(own_year)
            for timing in timings:
                entry = _described(timing, listed.entry(timing.day))
                await session.execute(
                    delete(MarketDay).where(MarketDay.day == entry.day, MarketDay.layer == TIMINGS)
                )
                session.add(_row(entry, TIMINGS))
                hours = f" {entry.open:%H:%M}-{entry.close:%H:%M}" if entry.open and entry.close else ""
                report.timings[entry.day] = f"{entry.kind.value}{hours}"
                expected = listed.session(entry.day)
                if entry.kind is DayKind.holiday and expected is not None and entry.day.weekday() < 5:
                    report.conflicts.append(
                        f"{entry.day.isoformat()}: Upstox's timings show no session, the list expected one"
                    )
            await session.commit()
        await self.reload()
        self.last_report = report
        log.info(
            "calendar refreshed from Upstox",
            year=today.year,
            list_entries=report.list_entries,
            timings=len(report.timings),
            errors=len(report.errors),
            conflicts=report.conflicts or None,
        )
        return report
