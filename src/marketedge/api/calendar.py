"""Admin: the exchange calendar as the app knows it, where each day came from, and the operator's overrides."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request, Response, status
from pydantic import BaseModel, ConfigDict, Field, model_validator

from marketedge.auth import audit
from marketedge.auth.deps import ADMIN, AdminUser, client_ip
from marketedge.auth.errors_doc import COMMON, errors
from marketedge.chain.calendar import CalendarDay, DayKind, Source, TradingCalendar
from marketedge.core import clock
from marketedge.core.db import SessionDep
from marketedge.core.errors import InvalidInput, NotFound, UpstreamUnavailable
from marketedge.core.inputs import FIRST_YEAR, LAST_YEAR, PlainText, within_years
from marketedge.ingest.calendar_sync import CalendarSync, set_override, unset_override

router = APIRouter(prefix="/api/v1/admin/calendar", tags=["admin"], dependencies=[ADMIN], responses=COMMON)

HHMM = r"^([01]\d|2[0-3]):[0-5]\d$"
Day = Annotated[dt.date, Path(description="The date, YYYY-MM-DD")]


class CalendarDayRead(BaseModel):
    date: dt.date
    kind: Literal["holiday", "session", "settlement"]
    description: str
    open: str | None = Field(description="HH:MM IST, for a session")
    close: str | None = Field(description="HH:MM IST, the last minute of a session")
    source: Literal["operator", "upstox", "bundled", "provisional"]
    trading: bool = Field(description="Whether the market trades that day, all layers considered")


class CalendarRead(BaseModel):
    year: int
    list_source: Literal["upstox", "bundled", "provisional"] | None = Field(
        description="Where the year's holiday list came from; null: no list (weekdays are assumed to trade)"
    )
    days: list[CalendarDayRead] = Field(description="Every date some source says something about, in order")
    last_refresh: dict[str, object] | None = Field(description="This process's last read from Upstox")


class CalendarOverride(BaseModel):
    model_config = ConfigDict(extra="forbid")

    state: Literal["closed", "open"]
    open: Annotated[str | None, Field(pattern=HHMM, examples=["09:15"])] = None
    close: Annotated[str | None, Field(pattern=HHMM, examples=["15:30"])] = None
    description: Annotated[PlainText, Field(max_length=200)] = ""

    @model_validator(mode="after")
    def _hours(self) -> CalendarOverride:
        if self.state == "open":
            if self.open is None or self.close is None:
                raise ValueError("an open day needs its hours: open and close, HH:MM IST")
            if not self.open < self.close:
                raise ValueError("open must be before close")
        elif self.open is not None or self.close is not None:
            raise ValueError("a closed day has no hours: leave open and close out")
        return self


def _read(calendar: TradingCalendar, entry: CalendarDay) -> CalendarDayRead:
    return CalendarDayRead(
        date=entry.day,
        kind=entry.kind.value,
        description=entry.description,
        open=entry.open.strftime("%H:%M") if entry.open else None,
        close=entry.close.strftime("%H:%M") if entry.close else None,
        source=entry.source.value,
        trading=calendar.is_trading_day(entry.day),
    )


def _sync(request: Request) -> CalendarSync:
    sync: CalendarSync = request.app.state.runtime.calendar_sync
    return sync


@router.get("", summary="The year's calendar as the app knows it, with where each day came from")
async def read_calendar(
    request: Request,
    year: Annotated[int | None, Query(ge=FIRST_YEAR, le=LAST_YEAR, description="Default: this year")] = None,
) -> CalendarRead:
    sync = _sync(request)
    await sync.reload()
    calendar = sync.calendar
    wanted = year or clock.today().year
    coverage = calendar.coverage(wanted)
    report = sync.last_report
    return CalendarRead(
        year=wanted,
        list_source=coverage.value if coverage else None,
        days=[_read(calendar, d) for d in calendar.days(wanted)],
        last_refresh=None
        if report is None
        else {
            "year": report.year,
            "list_entries": report.list_entries,
            "timings": {d.isoformat(): v for d, v in report.timings.items()},
            "errors": report.errors,
            "conflicts": report.conflicts,
        },
    )


@router.put(
    "/{day}", summary="Override one date: closed, or open at given hours (outranks Upstox's calendar)"
)
async def set_day(
    day: Day, body: CalendarOverride, admin: AdminUser, request: Request, db: SessionDep
) -> CalendarDayRead:
    _check_year(day)
    entry = CalendarDay(
        day,
        DayKind.holiday if body.state == "closed" else DayKind.session,
        body.description.strip(),
        dt.time.fromisoformat(body.open) if body.open else None,
        dt.time.fromisoformat(body.close) if body.close else None,
        Source.operator,
    )
    await set_override(db, entry, admin.email)
    await audit.record(
        db,
        admin.email,
        "calendar.set",
        target=day.isoformat(),
        ip=client_ip(request),
        details=body.model_dump(),
    )
    await db.commit()
    calendar = await _sync(request).reload()
    return _read(calendar, entry)


@router.delete(
    "/{day}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Remove the operator's override of a date (Upstox's calendar, or the bundled list, decides again)",
    responses=errors(404),
)
async def unset_day(day: Day, admin: AdminUser, request: Request, db: SessionDep) -> Response:
    _check_year(day)
    if not await unset_override(db, day):
        raise NotFound(f"no override for {day.isoformat()}", details={"parameter": "day"})
    await audit.record(db, admin.email, "calendar.unset", target=day.isoformat(), ip=client_ip(request))
    await db.commit()
    await _sync(request).reload()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/refresh",
    summary="Read the holiday list and the next days' timings from Upstox now",
    responses=errors(503),
)
async def refresh(admin: AdminUser, request: Request, db: SessionDep) -> CalendarRead:
    report = await _sync(request).refresh()
    if report.list_entries is None and not report.timings:
        raise UpstreamUnavailable("Upstox did not answer for the calendar", details={"errors": report.errors})
    await audit.record(db, admin.email, "calendar.refreshed", target=str(report.year), ip=client_ip(request))
    await db.commit()
    return await read_calendar(request, report.year)


def _check_year(day: dt.date) -> None:
    if not within_years(day):
        raise InvalidInput(
            f"the year must be between {FIRST_YEAR} and {LAST_YEAR}", details={"parameter": "day"}
        )
