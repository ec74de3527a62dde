"""The long-lived parts of a running app, built once and torn down once: database, caches, the Upstox client
(or the built-in twin), the token service and its daily renewal, the minute job and its scheduler, the leader
lock, the minute bus."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Coroutine
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

import structlog
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from marketedge.broker.alerts import Alerter
from marketedge.broker.crypto import TokenCipher
from marketedge.broker.lifetimes import TokenKind, TokenSource
from marketedge.broker.renewal import TokenRenewal
from marketedge.broker.service import TokenService
from marketedge.broker.token_state import UpstoxApp
from marketedge.cache import CacheBackend, MinuteCache, make_backend
from marketedge.chain import store
from marketedge.chain.calendar import TradingCalendar
from marketedge.chain.store import StoredMinute
from marketedge.core import clock, gc_tuning
from marketedge.core.budgets import Budget, parse_budgets
from marketedge.core.clock import IST, ManualClock, ShiftedClock
from marketedge.core.config import Settings
from marketedge.core.db import Database
from marketedge.core.errors import AppError
from marketedge.core.yield_to_requests import Pacer
from marketedge.ingest.backfill import BackfillReport, catch_up
from marketedge.ingest.bus import MinuteBus
from marketedge.ingest.calendar_sync import CalendarSync
from marketedge.ingest.job import MinuteJob, RunResult
from marketedge.ingest.leader import LeaderLock
from marketedge.ingest.redis_bus import make_bus
from marketedge.ingest.trigger import minute_done
from marketedge.ingest.universe import Target, tracked_targets
from marketedge.ops.alerts import (
    BACKFILL_FAILED,
    CALENDAR_CONFLICT,
    CALENDAR_UNCONFIRMED,
    Alerts,
    Watchdog,
)
from marketedge.ops.retention import apply_retention
from marketedge.upstox import UpstoxClient, UpstoxLimiter

if TYPE_CHECKING:
    # The built-in twin (and the scipy it simulates with) is imported only when DATA_SOURCE=twin: on a free
    # instance waking from sleep it was a large part of the start-up imports (docs/scaling.md, "Measured").
    from marketedge.twin.server import TwinServer

log = structlog.get_logger(__name__)

DEMO_HEAD_START = timedelta(minutes=45)  # a replayed demo day starts this far into the session
# The calendar is read from Upstox this long before the token check.
CALENDAR_BEFORE_RENEWAL = timedelta(minutes=30)
CALENDAR_RELOAD = timedelta(minutes=5)  # how often each process rereads the calendar from the database
CATCH_UP_AFTER_TURN_SECONDS = 5  # the catch-up starts this long into the first whole minute after start-up
STOP_FLUSH_SECONDS = 10  # at shutdown, how long the outage queue may take to reach the database
MINUTE_POLL_SECOND = 3  # each minute is polled this long after it turns (Upstox's chain has settled by then)


class Runtime:
    """Build with `await Runtime.create(settings)`, then `await start()`; `await stop()` at the end."""

    def __init__(self, settings: Settings, twin: TwinServer | None = None) -> None:
        self.settings = settings
        self.calendar = TradingCalendar.bundled()
        self.db = Database(settings.database_url)
        self.backend: CacheBackend = make_backend(settings.redis_url, settings.cache_prefix)
        self.cache = MinuteCache(self.backend, self._load_day, self.calendar)
        # In-process, or Redis pub/sub when REDIS_URL is set: every replica's live streams hear the poller.
        self.bus: MinuteBus = make_bus(settings.redis_url, settings.cache_prefix)
        self.leader = LeaderLock(self.db)
        self.scheduler = AsyncIOScheduler(timezone=IST)
        self.twin = twin
        self.demo_replay_of: date | None = None
        base_url = settings.upstox_base_url
        # One limiter for every Upstox call of this process: the minute job's on the live lane, the catch-up's on
        # its own, the token service's too.
        limiter = UpstoxLimiter(
            parse_budgets(settings.upstox_rate_limits),
            per_api=settings.upstox_limits_per_api,
            reserve=settings.upstox_live_reserve,
        )
        upstox_app = UpstoxApp(
            settings.upstox_client_id,
            settings.upstox_client_secret,
            settings.upstox_redirect_uri,
            settings.upstox_notifier_url,
        )
        if twin is not None:
            base_url = twin.url
            # The twin is on this machine: no need to ration calls the way Upstox requires.
            limiter = UpstoxLimiter([Budget(1000, 1.0)])
            twin.state.configure(notifier_url=settings.upstox_notifier_url)
            upstox_app = UpstoxApp(
                twin.state.config.client_id,
                twin.state.config.client_secret,
                settings.upstox_redirect_uri,
                settings.upstox_notifier_url,
            )
        # The one source of the Upstox token (docs/broker.md); the twin's tokens live in a row of their own.
        self.tokens = TokenService(
            self.db,
            self.backend,
            TokenCipher(settings.token_encryption_key),
            base_url=base_url,
            app=upstox_app,
            secret_key=settings.secret_key,
            broker="upstox" if twin is None else "upstox-twin",
            limiter=limiter,
        )
        alert_url = settings.alert_webhook_url
        self.alerter = Alerter(alert_url.get_secret_value() if alert_url else None)
        self.renewal = TokenRenewal(
            self.tokens,
            self.calendar,
            self.alerter,
            renewal_time=settings.renewal_time,
            reminder_minutes=settings.renewal_reminder_minutes,
            scheduler=self.scheduler,
        )
        # Operator alerts through the same sender, de-duplicated; the watchdog looks once a minute.
        self.alerts = Alerts(self.alerter, remind_after=timedelta(minutes=settings.alert_remind_minutes))
        self.watchdog = Watchdog(self, self.alerts)
        self.client = UpstoxClient(
            base_url, self.current_token, on_token_rejected=self.tokens.token_rejected, limiter=limiter
        )
        # The exchange calendar: Upstox's list and timings and the operator's overrides, into self.calendar in place.
        self.calendar_sync = CalendarSync(self.db, self.client, self.calendar)
        # The minute job lets requests waiting for their answer go first (core/yield_to_requests.py).
        self.pacer = Pacer()
        self.job = MinuteJob(
            self.db,
            self.cache,
            self.client,
            self.calendar,
            self.bus,
            current_token=self.current_token,
            rate=settings.greeks_rate,
            pacer=self.pacer,
        )
        self._tasks: set[asyncio.Task[None]] = set()
        self.catching_up = False
        #: Called after an admin changed the universe (the market data service forgets the one it read).
        self.universe_listeners: list[Callable[[], None]] = []
        # A minute not stored live (Upstox failed, the database was away and the queue full, a run overran):
        # once polling is whole again, the catch-up rebuilds it from candles.
        self._missed_minutes = False
        self._catch_up_running = False
        self.job.listeners.append(self._after_run)

    @classmethod
    async def create(cls, settings: Settings) -> Runtime:
        twin = None
        if settings.data_source == "twin":
            from marketedge.twin.config import TwinConfig
            from marketedge.twin.server import TwinServer

            twin = TwinServer(
                TwinConfig(
                    seed=settings.twin_seed,
                    rate_per_second=None,
                    rate_per_minute=None,
                    rate_per_30_minutes=None,
                )
            )
            await asyncio.to_thread(twin.start)
        runtime = cls(settings, twin)
        if twin is not None:
            # The demo shows a connected broker: a one-year analytics token, stored like any other.
            minted = twin.state.mint_token("analytics")
            try:
                await runtime.tokens.accept(minted, TokenKind.analytics, TokenSource.demo, "demo")
            except AppError as exc:
                log.warning("demo: the twin's token was not stored", reason=exc.message)
        return runtime

    def universe_changed(self) -> None:
        """The universe in the database changed (committed): the next minute resolves its targets again."""
        self.job.forget_targets()
        for listener in self.universe_listeners:
            listener()

    async def current_token(self) -> str | None:
        """The token every Upstox call uses: the token service's."""
        return await self.tokens.current_token()

    async def start(self) -> None:
        await self.bus.start()
        try:
            await (
                self.calendar_sync.reload()
            )  # what was read before, before anything asks "is it a trading day"
        except Exception:
            log.warning(
                "calendar: the stored calendar could not be read; the bundled list stands in", exc_info=True
            )
        self.scheduler.start()
        self.scheduler.add_job(
            self._reload_calendar,
            IntervalTrigger(seconds=CALENDAR_RELOAD.total_seconds(), timezone=IST),
            id="calendar-reload",
            max_instances=1,
            coalesce=True,
        )
        if self.settings.scheduler_enabled:
            refresh_at = (
                datetime.combine(date(2000, 1, 1), self.settings.renewal_time) - CALENDAR_BEFORE_RENEWAL
            )
            self.scheduler.add_job(
                self.refresh_calendar,
                CronTrigger(hour=refresh_at.hour, minute=refresh_at.minute, timezone=IST),
                id="calendar-refresh",
                max_instances=1,
                coalesce=True,
            )
            # The minute job follows the app's clock (a simulated day's runs faster than the wall's).
            self._spawn(self._minute_ticker())
            self.scheduler.add_job(
                self.retention,
                CronTrigger(hour=16, minute=5, timezone=IST),
                id="retention",
                max_instances=1,
                coalesce=True,
            )
            self.renewal.install(self.scheduler, self.leader.ensure)
            self.scheduler.add_job(
                self.watchdog.check,
                CronTrigger(second=50, timezone=IST),
                id="watchdog",
                max_instances=1,
                coalesce=True,
            )
        if self.twin is not None:
            await self._start_demo()
        self._spawn(self._token_then_warm())

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await self.renewal.aclose()
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        await self.leader.release()
        await self._write_queue_before_exit()
        await self.bus.close()
        await self.client.aclose()
        await self.tokens.aclose()
        if self.twin is not None:
            await asyncio.to_thread(self.twin.stop)
        await self.backend.close()
        await self.db.dispose()

    async def _write_queue_before_exit(self) -> None:
        """A last try to write the outage queue; what the database still refuses is lost with the process (the
        next start's catch-up rebuilds it from candles), and the log says how much."""
        if not self.job.queue:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.job.flush(), timeout=STOP_FLUSH_SECONDS)
        if self.job.queue:
            log.error(
                "stopping with polled minutes not written: the next start's catch-up rebuilds them",
                minutes=self.job.queue.minutes,
            )
        self.job.queue.close()

    async def _minute_ticker(self) -> None:
        """Poll each minute MINUTE_POLL_SECOND seconds after it turns, by the app's clock. A run that overruns
        does not delay the next turn (the job itself drops a run while one is going, and says so)."""
        due = _next_turn(clock.now())
        while True:
            await clock.sleep_until(due)
            now = clock.now()
            if now < due:  # woken a hair early, or a clock that moves only when a test moves it
                if isinstance(clock.current(), ManualClock):
                    await asyncio.sleep(1)
                continue
            self._spawn(self.scheduled_run())
            due = _next_turn(now)

    async def scheduled_run(self) -> None:
        if self.job.queue:
            self.job.flush_soon()  # minutes from a database outage: written by whoever polled them
        if self.catching_up:
            return  # the catch-up polls this minute itself
        if minute_done(self.job, clock.floor_minute(clock.now())):
            return  # the ingest trigger (POST /api/v1/admin/ingest/run) polled this minute already
        if await self.leader.ensure():
            await self.job.run()

    def _after_run(self, result: RunResult) -> None:
        """After an outage (a minute failed, was dropped or skipped), the first whole minute with nothing left
        waiting starts the catch-up, which rebuilds what is missing from candles on its own lane."""
        if result.status in ("failed", "skipped") or any(
            o.status in ("error", "dropped") for o in result.outcomes.values()
        ):
            self._missed_minutes = True
        elif result.status == "ok" and self._missed_minutes and not self.job.queue:
            self._missed_minutes = False
            if self.settings.scheduler_enabled and self.twin is None and not self._catch_up_running:
                log.info("polling is whole again: the catch-up rebuilds the minutes missed")
                self._spawn(self._catch_up_once())

    async def _catch_up_once(self) -> None:
        self._catch_up_running = True
        try:
            await self.catch_up()
        finally:
            self._catch_up_running = False

    async def _load_day(
        self, symbol: str, expiry: date, day: date, after: datetime | None
    ) -> list[StoredMinute]:
        async with self.db.sessions() as session:
            return await store.load_day(session, symbol, expiry, day, after)

    async def retention(self) -> int:
        """Drop what is past its retention window (ops/retention.py); the leader does it once a day."""
        if not await self.leader.ensure():
            return 0
        return await apply_retention(self.db, self.settings)

    async def refresh_calendar(self) -> None:
        """The leader reads the calendar from Upstox (every morning, and at start-up); every process then has it.
        An unconfirmed day or a conflict between Upstox's list and its timings is an operator alert."""
        if not await self.leader.ensure():
            return
        try:
            report = await self.calendar_sync.refresh()
        except Exception as exc:
            log.warning("calendar: refresh from Upstox failed", exc_info=True)
            errors = [f"{type(exc).__name__}"]
            conflicts: list[str] = []
        else:
            errors, conflicts = report.errors, report.conflicts
        today = clock.today()
        source = self.calendar.source(today)
        if self.calendar.known(today):
            await self.alerts.resolve(CALENDAR_UNCONFIRMED, f"{today.year}: {source.value}")
        else:
            why = "; ".join(errors) or "Upstox has no list for this year yet"
            await self.alerts.fire(
                CALENDAR_UNCONFIRMED, f"{today.isoformat()}: going by {source.value}; {why}"
            )
        if conflicts:
            await self.alerts.fire(CALENDAR_CONFLICT, "; ".join(conflicts))
        else:
            await self.alerts.resolve(CALENDAR_CONFLICT, "Upstox's list and timings agree.")

    async def _reload_calendar(self) -> None:
        try:
            await self.calendar_sync.reload()
        except Exception:
            log.warning("calendar: reload from the database failed; the last one read stays", exc_info=True)

    async def _token_then_warm(self) -> None:
        """The calendar from Upstox; UPSTOX_ACCESS_TOKEN as a bootstrap (stored when none is), and today's token
        check if the process slept through RENEWAL_TIME; then the cache warm-up and backfill."""
        if self.settings.scheduler_enabled:
            await self.refresh_calendar()
        token = self.settings.upstox_access_token
        try:
            if token is not None and self.twin is None:
                await self.tokens.bootstrap(
                    token.get_secret_value(), TokenKind(self.settings.upstox_access_token_kind)
                )
            if self.settings.scheduler_enabled and await self.leader.ensure():
                await self.renewal.catch_up()
        except Exception:
            log.warning("broker: start-up token check failed", exc_info=True)
        await self._warm_then_backfill()

    async def _warm_then_backfill(self) -> None:
        await self._warm()
        if self.twin is None and self.settings.scheduler_enabled and await self.leader.ensure():
            await self._catch_up_once()

    async def catch_up(self) -> BackfillReport | None:
        """Today's missed minutes (the free host slept, a deploy, an outage) rebuilt from candles on the limiter's
        catch-up lane, while the minute job keeps polling the live minute; an alert when a target fails."""
        now = clock.now()
        today = now.date()
        if not self.calendar.is_trading_day(today) or await self.current_token() is None:
            return None
        if self.calendar.is_open(now):
            # The minute the app started in is the catch-up's to fill: start once it is over (and polled live
            # from the next one), or a second pass would fetch every contract's candles again for one minute.
            await clock.sleep_until(
                clock.floor_minute(now) + timedelta(minutes=1, seconds=CATCH_UP_AFTER_TURN_SECONDS)
            )
        try:
            targets: list[Target] | None = await self.job.targets_for(clock.floor_minute(now))
        except Exception:
            targets = None  # the backfill resolves them itself
        try:
            report = await catch_up(
                self.db,
                self.cache,
                self.client,
                self.calendar,
                today,
                rate=self.settings.greeks_rate,
                targets=targets or None,
                bus=self.bus,
            )
        except Exception as exc:
            log.warning("catch-up failed; `marketedge backfill` can retry", exc_info=True)
            await self.alerts.fire(BACKFILL_FAILED, f"{today.isoformat()}: {type(exc).__name__}")
            return None
        if report.errors:
            failed = ", ".join(f"{label} ({error})" for label, error in sorted(report.errors.items()))
            await self.alerts.fire(BACKFILL_FAILED, f"{today.isoformat()}: {failed}")
        else:
            await self.alerts.resolve(BACKFILL_FAILED, f"{today.isoformat()} filled")
        return report

    async def _warm(self) -> None:
        """Bring the latest session into the cache from the database (a restart starts warm)."""
        latest = self.calendar.latest_expected_minute(clock.now())
        if latest is None:
            return
        try:
            async with self.db.sessions() as session:
                targets = await tracked_targets(session, latest.date())
            for target in targets:
                await self.cache.warm(target.symbol, target.expiry, latest.date())
            log.info("cache warmed", day=latest.date().isoformat(), targets=len(targets))
            gc_tuning.settle()  # the warmed day frames stay: the collector stops walking them
        except Exception:
            log.warning("cache warm-up failed; readers will load on demand", exc_info=True)

    async def _start_demo(self) -> None:
        """During market hours the demo follows the real clock; outside them it replays the last session,
        starting DEMO_HEAD_START into it. Either way the minutes already past are filled in the background
        while the app serves (the twin's clock is moved for that, never the app's)."""
        now = clock.now()
        if not self.calendar.is_open(now):
            session = self.calendar.session(now.date())
            if session is None or now < session.open:
                session = self.calendar.previous_session(now.date())
            assert session is not None
            start = session.open + DEMO_HEAD_START
            clock.set_clock(ShiftedClock(start.replace(second=now.second, microsecond=now.microsecond)))
            self.demo_replay_of = session.day
            log.info("demo: market closed, replaying a session", day=session.day.isoformat())
        self.catching_up = True
        self._spawn(self._catch_up())

    async def _catch_up(self) -> None:
        """Poll every minute of today's session already past, until none is left; the scheduler takes over."""
        from marketedge.ingest.simulate import run_minutes, session_minutes  # the twin's (see the imports)

        assert self.twin is not None
        done_through: datetime | None = None
        try:
            while True:
                now = clock.now()
                # The scheduler polls a minute 3 s after it turns: a minute whose turn has passed is ours.
                last_due = clock.floor_minute(now) - timedelta(minutes=0 if now.second >= 3 else 1)
                minutes = [
                    m
                    for m in session_minutes(self.calendar, now.date(), until=last_due)
                    if done_through is None or m > done_through
                ]
                if not minutes:
                    break
                results = await run_minutes(self.job, minutes, self.twin.state)
                done_through = minutes[-1]
                log.info("demo: caught up", minutes=len(results), stored=sum(r.stored for r in results))
        except ValueError:
            log.info("demo: no session today to catch up")
        finally:
            self.catching_up = False

    def _spawn(self, coroutine: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


def _next_turn(now: datetime) -> datetime:
    """The next instant a minute is polled at: MINUTE_POLL_SECOND past a minute's turn, after `now`."""
    due = clock.floor_minute(now) + timedelta(seconds=MINUTE_POLL_SECOND)
    return due if due > now else due + timedelta(minutes=1)
