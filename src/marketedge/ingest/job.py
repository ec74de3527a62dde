"""The minute job: fetch every tracked chain concurrently, normalise, store once, cache, announce, record.

A failed instrument never holds back the others; a rejected token pauses polling until a new token appears.
Minutes polled while the database is down are served from the cache at once and wait, with their run records,
in the outage queue (outage_queue.py), written in order when the database answers again.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import structlog
from sqlalchemy.exc import SQLAlchemyError

from marketedge.cache import MinuteCache
from marketedge.chain import store
from marketedge.chain.calendar import TradingCalendar
from marketedge.chain.frames import ChainMinute, encode
from marketedge.chain.instruments import enabled_instruments
from marketedge.core import clock
from marketedge.core.db import Database
from marketedge.core.yield_to_requests import Pacer
from marketedge.ingest.bus import MinuteBus, MinuteStored
from marketedge.ingest.normalise import normalise_chain
from marketedge.ingest.outage_queue import OutageQueue, QueuedMinute, QueuedRun
from marketedge.ingest.universe import (
    Target,
    ensure_default_universe,
    resolve_targets,
    tracked_targets,
)
from marketedge.models import IngestRun
from marketedge.upstox import TokenInvalid, UpstoxClient, UpstoxError

log = structlog.get_logger(__name__)

TokenReader = Callable[[], Awaitable[str | None]]
FLUSH_BATCH = 64  # queued items written per transaction when the database is back


@dataclass(slots=True)
class Outcome:
    status: str  # stored, duplicate, queued (the database was away), dropped (and the queue full), error
    detail: str = ""
    strikes: int = 0
    filled: int = 0  # option rows whose IV was implied from the price (Upstox's missing or inconsistent)
    check: dict[str, dict[str, Any]] = field(default_factory=dict)  # Upstox's greeks minus ours, per greek

    def as_dict(self) -> dict[str, Any]:
        out = {"status": self.status, "detail": self.detail, "strikes": self.strikes, "filled": self.filled}
        if self.check:
            out["check"] = self.check
        return out


@dataclass(slots=True)
class RunResult:
    minute: datetime
    status: str  # ok, partial, failed, skipped
    outcomes: dict[str, Outcome] = field(default_factory=dict)
    error: str | None = None
    duration_ms: float = 0.0

    @property
    def stored(self) -> int:
        return sum(o.status == "stored" for o in self.outcomes.values())

    def settle(self) -> None:
        """The run's status from its outcomes: failed when none was polled, partial when any was not stored."""
        if not self.outcomes:
            return
        errors = [o for o in self.outcomes.values() if o.status == "error"]
        if len(errors) == len(self.outcomes):
            self.status, self.error = "failed", errors[0].detail
        elif errors or any(o.status in ("queued", "dropped") for o in self.outcomes.values()):
            self.status = "partial"
        else:
            self.status = "ok"


class MinuteJob:
    def __init__(
        self,
        database: Database,
        cache: MinuteCache,
        client: UpstoxClient,
        calendar: TradingCalendar,
        bus: MinuteBus,
        *,
        current_token: TokenReader,
        rate: float = 0.065,
        fetch_timeout: float = 40.0,
        queue: OutageQueue | None = None,
        pacer: Pacer | None = None,
    ) -> None:
        self._pacer = pacer or Pacer()
        self.database = database
        self.cache = cache
        self.client = client
        self.calendar = calendar
        self.bus = bus
        self._current_token = current_token
        self._rate = rate
        self._fetch_timeout = fetch_timeout
        self.queue = queue or OutageQueue()
        self._flushing: asyncio.Task[int] | None = None
        self._flush_lock = asyncio.Lock()  # one writer of the queue at a time: a run record is written once
        self._targets: tuple[date, list[Target]] | None = None
        self._targets_lock = asyncio.Lock()  # the live run and the catch-up may both ask at start-up
        self._rejected_token: str | None = None
        self._lock = asyncio.Lock()
        self.last_result: RunResult | None = None
        # Called with every finished or dropped run (metrics, alerts); a failing listener is only logged.
        self.listeners: list[Callable[[RunResult], None]] = []

    @property
    def paused_for_token(self) -> bool:
        return self._rejected_token is not None

    @property
    def pending(self) -> int:
        """Chain minutes polled and waiting for the database."""
        return self.queue.minutes

    async def run(
        self, minute: datetime | None = None, *, trigger: str = "schedule", force: bool = False
    ) -> RunResult:
        """Poll one minute. Outside the session nothing happens unless forced (`marketedge ingest --once`)."""
        minute = clock.floor_minute(minute or clock.now())
        if not force and not self.calendar.is_open(minute):
            return RunResult(minute, "skipped", error="market closed")
        if self._lock.locked():
            log.warning("minute job still running; this run is dropped", minute=minute.isoformat())
            return self._tell(RunResult(minute, "skipped", error="previous run still going"))
        async with self._lock:
            started, started_at = time.perf_counter(), clock.utcnow()
            result, chains = await self._poll(minute)
            await self._keep(result, chains, trigger, started_at, started)
            self.last_result = result
            log.info(
                "minute done",
                minute=minute.isoformat(),
                status=result.status,
                stored=result.stored,
                duration_ms=round(result.duration_ms, 1),
                error=result.error,
            )
            return self._tell(result)

    def _tell(self, result: RunResult) -> RunResult:
        for listener in self.listeners:
            try:
                listener(result)
            except Exception:
                log.warning("minute job listener failed", exc_info=True)
        return result

    async def _poll(self, minute: datetime) -> tuple[RunResult, list[tuple[Target, ChainMinute]]]:
        """Fetch and normalise every target's chain; nothing is stored yet."""
        if self._rejected_token is not None:
            token = await self._current_token()
            if token is None or token == self._rejected_token:
                return RunResult(
                    minute, "failed", error="Upstox rejected the token; waiting for a new one"
                ), []
            log.info("a new token is stored: polling resumes")
            self._rejected_token = None
        try:
            targets = await self.targets_for(minute)
        except TokenInvalid:
            await self._pause()
            return RunResult(minute, "failed", error="Upstox rejected the token; waiting for a new one"), []
        except (UpstoxError, SQLAlchemyError, OSError) as exc:
            error = f"could not resolve the universe: {type(exc).__name__}"
            return RunResult(minute, "failed", error=error), []
        if not targets:
            return RunResult(minute, "failed", error="no instrument or expiry to poll"), []
        fetched = await asyncio.gather(*(self._fetch(t, minute) for t in targets), return_exceptions=True)
        result = RunResult(minute, "ok")
        chains: list[tuple[Target, ChainMinute]] = []
        for target, got in zip(targets, fetched, strict=True):
            label = _label(target.symbol, target.expiry)
            if isinstance(got, TokenInvalid):
                await self._pause()
                result.outcomes[label] = Outcome("error", "token rejected")
            elif isinstance(got, BaseException):
                result.outcomes[label] = Outcome("error", _describe(got))
            else:
                chain, report = got
                chains.append((target, chain))
                result.outcomes[label] = Outcome(
                    "stored",
                    strikes=report.strikes,
                    filled=report.filled,
                    check={name: d.as_dict() for name, d in report.check.items()},
                )
        result.settle()
        return result, chains

    async def _fetch(self, target: Target, minute: datetime) -> tuple[ChainMinute, Any]:
        chain = await asyncio.wait_for(
            self.client.option_chain(target.instrument_key, target.expiry), timeout=self._fetch_timeout
        )
        # Normalising is short CPU work on arrays (docs/scaling.md, "Measured"): it stays on the loop, after
        # the requests waiting for an answer.
        await self._pacer.turn()
        return normalise_chain(chain.rows, minute, target.expiry, self._rate)

    async def _keep(
        self,
        result: RunResult,
        chains: list[tuple[Target, ChainMinute]],
        trigger: str,
        started_at: datetime,
        started: float,
    ) -> None:
        """The minutes and the run record in one transaction, then the cache, then the announcement. With the
        database away (or older minutes still waiting for it) they join the outage queue instead; readers have
        them from the cache at once either way."""
        await self._pacer.turn()
        minutes = [
            QueuedMinute(t.symbol, t.expiry, c.minute, c.spot, c.strike_count, encode(c)) for t, c in chains
        ]
        if not self.queue:
            try:
                await self._write(minutes, result, trigger, started_at, started)
            except (SQLAlchemyError, OSError) as exc:
                log.error(
                    "database unavailable: minutes wait in the outage queue until it returns",
                    error=type(exc).__name__,
                )
            else:
                for minute in minutes:
                    await self._announce(minute, load_first=True)
                return
        for minute in minutes:
            outcome = result.outcomes[minute.label]
            if self.queue.add(minute):
                outcome.status, outcome.detail = "queued", "database unavailable; written when it returns"
            else:
                outcome.status = "dropped"
                outcome.detail = "database unavailable and the outage queue full: a gap the catch-up fills"
            await self._announce(minute, load_first=False)
        result.settle()
        result.duration_ms = (time.perf_counter() - started) * 1000
        self.queue.add(QueuedRun(_run_values(result, trigger, started_at)))
        self.flush_soon()

    async def _write(
        self,
        minutes: list[QueuedMinute],
        result: RunResult,
        trigger: str,
        started_at: datetime,
        started: float,
    ) -> None:
        async with self.database.sessions() as session:
            for minute in minutes:
                if not await store.write_payload(
                    session, minute.symbol, minute.expiry, minute.minute, minute.spot, minute.strike_count,
                    minute.payload,
                ):  # fmt: skip
                    result.outcomes[minute.label].status = "duplicate"
            result.duration_ms = (time.perf_counter() - started) * 1000
            session.add(IngestRun(**_run_values(result, trigger, started_at)))
            await session.commit()

    async def _announce(self, minute: QueuedMinute, *, load_first: bool) -> None:
        await self._pacer.turn()
        try:
            await self.cache.put(
                minute.symbol, minute.expiry, minute.minute, minute.payload, load_first=load_first
            )
        except Exception:
            # The database has the minute (or the queue does); a cache failure only costs a reload later.
            log.warning("cache put failed", symbol=minute.symbol, exc_info=True)
        self.bus.publish(MinuteStored(minute.symbol, minute.expiry, minute.minute))

    def flush_soon(self) -> None:
        """Write the outage queue in the background (if it is not being written already)."""
        if self.queue and (self._flushing is None or self._flushing.done()):
            self._flushing = asyncio.get_running_loop().create_task(self.flush())

    async def flush(self) -> int:
        """Write what waits, oldest first, a batch per transaction; stop at the first failure (the rest waits
        for the next try, a minute later). Returns how many items were written."""
        async with self._flush_lock:
            return await self._flush()

    async def _flush(self) -> int:
        written = 0
        while self.queue:
            batch = self.queue.peek(FLUSH_BATCH)
            try:
                async with self.database.sessions() as session:
                    for item in batch:
                        if isinstance(item, QueuedMinute):
                            await store.write_payload(
                                session, item.symbol, item.expiry, item.minute, item.spot, item.strike_count,
                                item.payload,
                            )  # fmt: skip
                        else:
                            session.add(IngestRun(**item.values))
                    await session.commit()
            except (SQLAlchemyError, OSError) as exc:
                log.warning(
                    "outage queue: the database does not answer yet",
                    waiting=len(self.queue),
                    waiting_bytes=self.queue.size,
                    error=type(exc).__name__,
                )
                break
            self.queue.done(len(batch))
            written += len(batch)
            await self._pacer.turn()
        if written:
            log.info("outage queue: written to the database", items=written, waiting=len(self.queue))
        return written

    async def targets_for(self, minute: datetime) -> list[Target]:
        """The instrument-expiries to poll on `minute`'s day: resolved once a day (or after a universe change)."""
        async with self._targets_lock:
            return await self._resolve_targets(minute)

    async def _resolve_targets(self, minute: datetime) -> list[Target]:
        day = minute.date()
        if self._targets is not None and self._targets[0] == day:
            return self._targets[1]
        async with self.database.sessions() as session:
            await ensure_default_universe(session)
            targets = await tracked_targets(session, day)
            wanted = {i.symbol for i in await enabled_instruments(session)}
            if not targets or wanted - {t.symbol for t in targets}:
                # A new day, or an admin changed the universe: ask Upstox which expiries to poll.
                targets = await resolve_targets(session, self.client, minute)
            await session.commit()
        if targets:  # an empty answer (Upstox failing) is asked again next minute
            self._targets = (day, targets)
        return targets

    def forget_targets(self) -> None:
        """Re-resolve the universe on the next run (after an admin edits it)."""
        self._targets = None

    async def _pause(self) -> None:
        if self._rejected_token is None:
            self._rejected_token = await self._current_token() or ""
            log.error("Upstox rejected the token: polling paused until a new token is stored")


def _run_values(result: RunResult, trigger: str, started_at: datetime) -> dict[str, Any]:
    """A run record's columns (ingest_run)."""
    return {
        "minute": result.minute,
        "trigger": trigger,
        "started_at": started_at,
        "duration_ms": result.duration_ms,
        "status": result.status,
        "stored": result.stored,
        "outcomes": {k: v.as_dict() for k, v in result.outcomes.items()},
        "error": result.error,
    }


def _label(symbol: str, expiry: date) -> str:
    return f"{symbol}:{expiry.isoformat()}"


def _describe(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError):
        return "timed out"
    if isinstance(exc, UpstoxError):
        return f"{type(exc).__name__}: {exc}"
    if isinstance(exc, ValueError):
        return f"bad chain: {exc}"
    return type(exc).__name__
