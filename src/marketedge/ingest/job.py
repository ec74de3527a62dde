"""The minute job: fetch every tracked chain concurrently, normalise, store once, cache, announce, record.

A failed instrument never holds back the others; a rejected token pauses polling until a new token appears;
minutes polled while the database is down wait in a bounded queue (and in the cache) until it returns.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import structlog
from sqlalchemy.exc import SQLAlchemyError

from marketedge import clock, store
from marketedge.cache import MinuteCache
from marketedge.calendar import TradingCalendar
from marketedge.db import Database
from marketedge.frames import ChainMinute, encode
from marketedge.ingest.bus import MinuteBus, MinuteStored
from marketedge.ingest.normalise import normalise_chain
from marketedge.ingest.universe import (
    Target,
    enabled_instruments,
    ensure_default_universe,
    resolve_targets,
    tracked_targets,
)
from marketedge.models import IngestRun
from marketedge.pacing import Pacer
from marketedge.upstox import TokenInvalid, UpstoxClient, UpstoxError

log = structlog.get_logger(__name__)

TokenReader = Callable[[], Awaitable[str | None]]


@dataclass(slots=True)
class Outcome:
    status: str  # stored, duplicate, queued, error, skipped
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


@dataclass(frozen=True, slots=True)
class _Pending:
    target: Target
    chain: ChainMinute


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
        pending_limit: int = 8 * 60,
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
        self._pending: deque[_Pending] = deque(maxlen=pending_limit)
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
        return len(self._pending)

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
            started = time.perf_counter()
            result = await self._run(minute)
            result.duration_ms = (time.perf_counter() - started) * 1000
            await self._record(result, trigger, started)
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

    async def _run(self, minute: datetime) -> RunResult:
        if self._rejected_token is not None:
            token = await self._current_token()
            if token is None or token == self._rejected_token:
                return RunResult(minute, "failed", error="Upstox rejected the token; waiting for a new one")
            log.info("a new token is stored: polling resumes")
            self._rejected_token = None
        await self._flush_pending()
        try:
            targets = await self.targets_for(minute)
        except TokenInvalid:
            await self._pause()
            return RunResult(minute, "failed", error="Upstox rejected the token; waiting for a new one")
        except (UpstoxError, SQLAlchemyError) as exc:
            return RunResult(minute, "failed", error=f"could not resolve the universe: {type(exc).__name__}")
        if not targets:
            return RunResult(minute, "failed", error="no instrument or expiry to poll")
        fetched = await asyncio.gather(*(self._fetch(t, minute) for t in targets), return_exceptions=True)
        result = RunResult(minute, "ok")
        chains: list[tuple[Target, ChainMinute]] = []
        for target, got in zip(targets, fetched, strict=True):
            label = f"{target.symbol}:{target.expiry.isoformat()}"
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
        await self._store(chains, result)
        errors = sum(o.status == "error" for o in result.outcomes.values())
        if errors == len(result.outcomes):
            result.status = "failed"
            result.error = next(iter(result.outcomes.values())).detail
        elif errors or any(o.status == "queued" for o in result.outcomes.values()):
            result.status = "partial"
        return result

    async def _fetch(self, target: Target, minute: datetime) -> tuple[ChainMinute, Any]:
        chain = await asyncio.wait_for(
            self.client.option_chain(target.instrument_key, target.expiry), timeout=self._fetch_timeout
        )
        # Normalising is CPU work on arrays, a few ms a chain (benchmarks/pipeline): it stays on the loop, after
        # the requests waiting for an answer.
        await self._pacer.turn()
        return normalise_chain(chain.rows, minute, target.expiry, self._rate)

    async def _store(self, chains: list[tuple[Target, ChainMinute]], result: RunResult) -> None:
        """Database first, then the cache, then the announcement."""
        if not chains:
            return
        await self._pacer.turn()
        try:
            async with self.database.sessions() as session:
                written = [await store.write_minute(session, t.symbol, t.expiry, c) for t, c in chains]
                await session.commit()
        except (SQLAlchemyError, OSError) as exc:
            log.error(
                "database unavailable: minutes kept in memory until it returns", error=type(exc).__name__
            )
            for target, chain in chains:
                self._pending.append(_Pending(target, chain))
                label = f"{target.symbol}:{target.expiry.isoformat()}"
                result.outcomes[label].status = "queued"
                result.outcomes[label].detail = "database unavailable; will be written when it returns"
                await self._cache_put(target, chain, encode(chain), load_first=False)
            return
        for (target, chain), (inserted, payload) in zip(chains, written, strict=True):
            label = f"{target.symbol}:{target.expiry.isoformat()}"
            if not inserted:
                result.outcomes[label].status = "duplicate"
            await self._pacer.turn()
            await self._cache_put(target, chain, payload, load_first=True)
            self.bus.publish(MinuteStored(target.symbol, target.expiry, chain.minute))

    async def _cache_put(
        self, target: Target, chain: ChainMinute, payload: bytes, *, load_first: bool
    ) -> None:
        try:
            await self.cache.put(target.symbol, target.expiry, chain.minute, payload, load_first=load_first)
        except Exception:
            # The database has the minute; a cache failure only costs a reload later.
            log.warning("cache put failed", symbol=target.symbol, exc_info=True)

    async def _flush_pending(self) -> None:
        if not self._pending:
            return
        batch = list(self._pending)
        try:
            async with self.database.sessions() as session:
                for item in batch:
                    await store.write_minute(session, item.target.symbol, item.target.expiry, item.chain)
                await session.commit()
        except (SQLAlchemyError, OSError):
            return
        for _ in batch:
            self._pending.popleft()
        for item in batch:
            self.bus.publish(MinuteStored(item.target.symbol, item.target.expiry, item.chain.minute))
        log.info("queued minutes written", count=len(batch))

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

    async def _record(self, result: RunResult, trigger: str, started: float) -> None:
        try:
            async with self.database.sessions() as session:
                session.add(
                    IngestRun(
                        minute=result.minute,
                        trigger=trigger,
                        started_at=clock.utcnow() - timedelta(seconds=time.perf_counter() - started),
                        duration_ms=result.duration_ms,
                        status=result.status,
                        stored=result.stored,
                        outcomes={k: v.as_dict() for k, v in result.outcomes.items()},
                        error=result.error,
                    )
                )
                await session.commit()
        except (SQLAlchemyError, OSError):
            log.warning("could not record the run (database unavailable)", minute=result.minute.isoformat())


def _describe(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError):
        return "timed out"
    if isinstance(exc, UpstoxError):
        return f"{type(exc).__name__}: {exc}"
    if isinstance(exc, ValueError):
        return f"bad chain: {exc}"
    return type(exc).__name__
