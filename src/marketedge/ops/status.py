"""What the status screen shows, in plain terms: the market's state, how fresh the data is, today's runs and
gaps, and the poller's state. The route (api/status.py) builds it once per clock minute and stored minute."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncSession

from marketedge.chain import store
from marketedge.chain.calendar import DayKind, Source, TradingCalendar
from marketedge.core import clock
from marketedge.core.clock import UTC
from marketedge.core.config import Settings
from marketedge.core.db import Database
from marketedge.ingest.job import MinuteJob
from marketedge.ingest.leader import LeaderLock
from marketedge.models import IngestRun

Run = Row[datetime, str, str | None, str]  # an ingest run's minute, status, error and trigger

if TYPE_CHECKING:  # only the demo runs a twin: its import is not paid at every start
    from marketedge.twin.server import TwinServer


class Reported(Protocol):
    """What the status answer reports on (runtime.Runtime is one)."""

    @property
    def settings(self) -> Settings: ...
    @property
    def calendar(self) -> TradingCalendar: ...
    @property
    def db(self) -> Database: ...
    @property
    def job(self) -> MinuteJob: ...
    @property
    def leader(self) -> LeaderLock: ...
    @property
    def twin(self) -> TwinServer | None: ...
    @property
    def demo_replay_of(self) -> date | None: ...
    @property
    def catching_up(self) -> bool: ...
    async def current_token(self) -> str | None: ...


class StatusService:
    def __init__(self, runtime: Reported) -> None:
        self._runtime = runtime

    async def status(self) -> dict[str, Any]:
        return await self._build(clock.now())

    async def _build(self, now: datetime) -> dict[str, Any]:
        runtime, calendar = self._runtime, self._runtime.calendar
        session = calendar.session(now.date())
        holiday = calendar.holiday(now.date())
        if session is None:
            state = "holiday" if holiday else "weekend" if now.weekday() >= 5 else "closed"
        elif now < session.open:
            state = "pre-open"
        elif session.contains(now):
            state = "open"
        else:
            state = "closed"
        following = calendar.next_session(now.date()) if state != "pre-open" else session
        async with runtime.db.sessions() as db:
            latest = await store.latest_minute(db)
            checked = await _latest_check(db)
            runs: list[Run] = []
            if session is not None:
                # The three columns the answer uses: each run's outcomes (JSON per instrument) stay unread.
                rows = await db.execute(
                    select(IngestRun.minute, IngestRun.status, IngestRun.error, IngestRun.trigger)
                    .where(
                        IngestRun.minute >= session.open.astimezone(UTC),
                        IngestRun.minute <= now.astimezone(UTC),
                    )
                    .order_by(IngestRun.minute)
                )
                runs = list(rows)
        expected = calendar.latest_expected_minute(now)
        age = int((clock.floor_minute(now) - latest).total_seconds() // 60) if latest else None
        counts = {"ok": 0, "partial": 0, "failed": 0, "skipped": 0}
        live = [r for r in runs if r.trigger != "backfill"]
        for run in live:
            counts[run.status] = counts.get(run.status, 0) + 1
        backfilled = {r.minute for r in runs if r.trigger == "backfill"}
        return {
            "now": now.isoformat(),
            "mode": "demo-replay" if runtime.demo_replay_of else ("demo" if runtime.twin else "live"),
            "replay_of": runtime.demo_replay_of.isoformat() if runtime.demo_replay_of else None,
            "market": {
                "state": state,
                "holiday": holiday.description if holiday else None,
                "session": {"open": session.open.isoformat(), "close": session.close.isoformat()}
                if session
                else None,
                "next_open": following.open.isoformat() if following else None,
                "calendar": _calendar(calendar, now.date()),
            },
            "data": {
                "last_minute": latest.isoformat() if latest else None,
                "age_minutes": age,
                "expected_minute": expected.isoformat() if expected else None,
                "fresh": bool(latest and expected and expected - latest <= timedelta(minutes=2)),
            },
            "today": {
                "runs": len(live),
                **counts,
                "backfilled": len(backfilled),
                "gaps": _gaps(runs, session.open if session else None, now),
                "last_error": next((r.error for r in reversed(runs) if r.error and r.status != "ok"), None),
            },
            "poller": {
                "enabled": runtime.settings.scheduler_enabled,
                "leader": runtime.leader.is_leader,
                "paused_for_token": runtime.job.paused_for_token,
                "pending_writes": runtime.job.pending,
                "pending_bytes": runtime.job.queue.size,
                "dropped_writes": runtime.job.queue.dropped,
                "catching_up": runtime.catching_up,
            },
            "token": {"present": await runtime.current_token() is not None},
            "upstox_greeks": checked,
        }


_CALENDAR_NOTES = {
    Source.operator: "set by an administrator",
    Source.upstox: "from Upstox (the exchange's calendar)",
    Source.bundled: "from the list bundled with the app (Upstox's not read yet)",
    Source.provisional: "from a provisional list compiled before the exchange published this year's; "
    "not confirmed",
    Source.weekday: "no calendar known for this year: weekdays are assumed to trade; not confirmed",
}


def _calendar(calendar: TradingCalendar, day: date) -> dict[str, Any]:
    """Who says whether today trades, and whether that is confirmed."""
    source, entry, year = calendar.source(day), calendar.entry(day), calendar.coverage(day.year)
    return {
        "source": source.value,
        "confirmed": calendar.known(day),
        "note": _CALENDAR_NOTES[source],
        "year": year.value if year else None,
        "special_session": bool(entry and entry.kind is DayKind.session and calendar.session(day)),
    }


async def _latest_check(db: AsyncSession) -> dict[str, Any] | None:
    """The newest run's comparison of Upstox's greeks with ours: per target, the largest gap of each greek."""
    row = (
        await db.execute(
            select(IngestRun.minute, IngestRun.outcomes)
            .where(IngestRun.status.in_(("ok", "partial")), IngestRun.trigger != "backfill")
            .order_by(IngestRun.minute.desc(), IngestRun.id.desc())
            .limit(1)
        )
    ).first()
    if row is None:
        return None
    targets = {
        label: outcome["check"]
        for label, outcome in (row.outcomes or {}).items()
        if isinstance(outcome, dict) and outcome.get("check")
    }
    if not targets:
        return None
    return {"minute": row.minute.astimezone(clock.IST).isoformat(), "targets": targets}


def _gaps(runs: list[Run], opened: datetime | None, now: datetime) -> list[dict[str, Any]]:
    """Ranges of session minutes with no stored minute so far today: failed runs and minutes with no run."""
    if opened is None or now < opened:
        return []
    done = {r.minute.astimezone(clock.IST): r for r in runs if r.status in ("ok", "partial")}
    failed = {r.minute.astimezone(clock.IST): r.error for r in runs if r.status == "failed"}
    last = clock.floor_minute(now) - timedelta(minutes=1)
    gaps: list[dict[str, Any]] = []
    minute = opened
    while minute <= last and minute.time() <= opened.replace(hour=15, minute=30).time():
        if minute not in done:
            reason = failed.get(minute) or "no run (the app was not polling)"
            if gaps and gaps[-1]["reason"] == reason and gaps[-1]["_end"] == minute - timedelta(minutes=1):
                gaps[-1]["_end"] = minute
                gaps[-1]["minutes"] += 1
            else:
                gaps.append({"_start": minute, "_end": minute, "minutes": 1, "reason": reason})
        minute += timedelta(minutes=1)
    return [
        {
            "from": g["_start"].isoformat(),
            "to": g["_end"].isoformat(),
            "minutes": g["minutes"],
            "reason": g["reason"],
        }
        for g in gaps
    ]
