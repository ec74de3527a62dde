"""The exchange calendar read from Upstox (the twin over HTTP), kept in the database, overridden by the operator."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, time

import pytest

from marketedge.chain.calendar import CalendarDay, DayKind, Source, TradingCalendar
from marketedge.core import clock
from marketedge.core.clock import ManualClock, ist
from marketedge.core.db import Database
from marketedge.ingest.calendar_sync import (
    CalendarSync,
    day_from_holiday,
    load_calendar,
    set_override,
    unset_override,
)
from marketedge.twin.server import TwinServer
from marketedge.upstox import UpstoxClient, UpstoxLimiter
from marketedge.upstox.limits import Budget
from marketedge.upstox.schemas import Holiday
from tests.ingest.conftest import Pipeline

MORNING = ist(2027, 2, 24, 8, 0)  # a Wednesday; Thursday 25th is the twin's special closure


@pytest.fixture
async def sync(database: Database, twin: TwinServer, clean_calendar: None) -> AsyncIterator[CalendarSync]:
    with clock.use_clock(ManualClock(MORNING)) as moved:
        twin.state.clock.use(moved)
        # No token at all: the calendar paths need none, as in Upstox's own SDK.
        client = UpstoxClient(twin.url, None, limiter=UpstoxLimiter([Budget(1000, 1.0)]), backoff=0.01)
        yield CalendarSync(database, client, TradingCalendar.bundled())
        await client.aclose()
        twin.state.clock.reset()


async def test_the_years_list_and_the_weeks_timings_come_from_upstox(sync: CalendarSync) -> None:
    calendar = sync.calendar
    # The bundled 2027 list is provisional and knows nothing of the twin's short-notice days.
    assert calendar.coverage(2027) is Source.provisional and calendar.is_trading_day(date(2027, 2, 25))
    report = await sync.refresh()
    assert not report.errors and report.list_entries is not None and report.list_entries >= 10
    assert calendar.coverage(2027) is Source.upstox and calendar.known(date(2027, 6, 1))
    assert not calendar.is_trading_day(date(2027, 1, 26))  # Republic Day, a Tuesday
    assert not calendar.is_trading_day(date(2027, 2, 25))  # the closure only Upstox announced
    assert calendar.holiday(date(2027, 2, 25)) is not None
    assert calendar.is_trading_day(date(2027, 2, 19))  # a settlement holiday closes nothing
    assert calendar.entry(date(2027, 2, 19)).kind is DayKind.settlement  # type: ignore[union-attr]
    saturday = calendar.session(date(2027, 2, 27))
    assert saturday is not None and (saturday.open.time(), saturday.close.time()) == (
        time(9, 15),
        time(12, 30),
    )
    assert report.timings[date(2027, 2, 25)] == "holiday"
    assert report.timings[date(2027, 2, 27)] == "session 09:15-12:30"
    assert report.timings[date(2027, 2, 28)] == "holiday"  # a Sunday: no session listed
    assert not report.conflicts  # the list announced the closure too


async def test_what_was_read_survives_a_restart_and_a_day_upstox_does_not_answer(
    sync: CalendarSync, database: Database, twin: TwinServer
) -> None:
    await sync.refresh()
    # Upstox down the next morning: nothing read is lost, and the report says what failed.
    twin.state.add_fault("server_error", status=503, count=100, path_prefix="/v2/market")
    report = await sync.refresh()
    assert report.list_entries is None and len(report.errors) == 8
    assert not sync.calendar.is_trading_day(date(2027, 2, 25))
    # A new process, Upstox unreachable: the database has the calendar.
    async with database.sessions() as session:
        restarted = await load_calendar(session)
    assert restarted.coverage(2027) is Source.upstox
    assert not restarted.is_trading_day(date(2027, 2, 25))
    assert restarted.session(date(2027, 2, 27)) is not None


async def test_the_operator_outranks_upstox_and_can_step_back(sync: CalendarSync, database: Database) -> None:
    await sync.refresh()
    opened = CalendarDay(
        date(2027, 2, 25), DayKind.session, "reopened", time(9, 15), time(15, 30), Source.operator
    )
    async with database.sessions() as session:
        await set_override(session, opened, "ops@example.com")
        await session.commit()
    await sync.reload()
    assert sync.calendar.is_trading_day(date(2027, 2, 25))
    assert sync.calendar.source(date(2027, 2, 25)) is Source.operator
    async with database.sessions() as session:
        assert await unset_override(session, date(2027, 2, 25))
        assert not await unset_override(session, date(2027, 2, 25))
        await session.commit()
    await sync.reload()
    assert not sync.calendar.is_trading_day(date(2027, 2, 25))


async def test_a_timings_closure_that_the_list_does_not_know_is_followed_and_reported(
    sync: CalendarSync, twin: TwinServer
) -> None:
    await sync.refresh()
    # Upstox's timings now show no session on Friday 26th, but the list read earlier keeps it open.
    twin.state.configure(
        calendar=twin.state.config.calendar.with_day(
            date(2027, 2, 26), CalendarDay(date(2027, 2, 26), DayKind.holiday, "", source=Source.upstox)
        )
    )
    twin.state.add_fault("server_error", status=503, count=20, path_prefix="/v2/market/holidays")
    report = await sync.refresh()
    assert not sync.calendar.is_trading_day(date(2027, 2, 26))
    assert report.conflicts and report.conflicts[0].startswith("2027-02-26")


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        (
            {
                "date": "2027-10-29",
                "description": "Diwali",
                "holiday_type": "TRADING_HOLIDAY",
                "closed_exchanges": ["NSE", "NFO", "BSE"],
                "open_exchanges": [
                    {"exchange": "NSE", "start_time": 1824813000000, "end_time": 1824816600000}
                ],
            },
            (DayKind.session, time(18, 0), time(19, 0)),
        ),
        (
            {
                "date": "2027-01-26",
                "description": "Republic Day",
                "holiday_type": "TRADING_HOLIDAY",
                "closed_exchanges": ["NSE", "NFO", "CDS", "BSE", "BFO", "BCD", "MCX"],
                "open_exchanges": [],
            },
            (DayKind.holiday, None, None),
        ),
        (
            {
                "date": "2027-02-19",
                "description": "Shivaji Jayanti",
                "holiday_type": "SETTLEMENT_HOLIDAY",
                "closed_exchanges": [],
                "open_exchanges": [],
            },
            (DayKind.settlement, None, None),
        ),
        (
            {
                "date": "2027-03-01",
                "description": "commodities only",
                "holiday_type": "TRADING_HOLIDAY",
                "closed_exchanges": ["MCX"],
                "open_exchanges": [],
            },
            None,
        ),
    ],
    ids=["muhurat", "closure", "settlement", "other-exchange"],
)
def test_upstox_holiday_entries_mean_what_they_say_for_the_market(
    entry: dict, expected: tuple | None
) -> None:  # type: ignore[type-arg]
    day = day_from_holiday(Holiday.model_validate(entry))
    if expected is None:
        assert day is None
    else:
        assert day is not None and (day.kind, day.open, day.close) == expected


async def test_the_minute_job_polls_a_saturday_session_in_its_hours_and_never_a_closure(
    pipeline: Pipeline, app_clock: ManualClock, database: Database, clean_calendar: None
) -> None:
    app_clock.set(ist(2027, 2, 24, 8, 0))
    sync = CalendarSync(database, pipeline.client, pipeline.job.calendar)
    await sync.refresh()  # the job's own calendar object, refreshed in place
    app_clock.set(ist(2027, 2, 27, 8, 0))
    pipeline.token[0] = pipeline.twin.state.mint_token()  # Saturday's token (the fixture's died in 2026)
    for minute, polled in (
        (ist(2027, 2, 25, 10, 0), False),  # the closure
        (ist(2027, 2, 27, 9, 14), False),  # Saturday, before its session
        (ist(2027, 2, 27, 10, 0), True),
        (ist(2027, 2, 27, 12, 30), True),  # its last minute
        (ist(2027, 2, 27, 12, 31), False),
        (ist(2027, 2, 28, 10, 0), False),  # Sunday
    ):
        app_clock.set(minute.replace(second=3))
        result = await pipeline.job.run(minute)
        assert (result.status == "ok") is polled, (minute, result.status, result.error)
        if not polled:
            assert result.error == "market closed"
