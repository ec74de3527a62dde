"""Prometheus metrics: HTTP per route template, the minute job, Upstox calls, the caches, SSE, the broker token,
and the process itself, in one registry per app (never the global one: tests build many apps).

Label values come only from bounded sets: route templates (not raw paths), HTTP status codes, the index symbol
(the universe is a handful of indices; expiries are left out because a new one appears every week), Upstox
endpoint names and error classes from our own taxonomy. A process keeps its own numbers: see
docs/operations.md for several workers or replicas.
"""

from __future__ import annotations

import asyncio
import bisect
import itertools
import time
from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any, Protocol

import structlog
from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.gc_collector import GCCollector
from prometheus_client.platform_collector import PlatformCollector
from prometheus_client.process_collector import ProcessCollector
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from marketedge import __version__
from marketedge.broker.service import TokenService
from marketedge.cache import MinuteCache
from marketedge.chain.calendar import TradingCalendar
from marketedge.core import clock
from marketedge.ingest.job import MinuteJob
from marketedge.ingest.leader import LeaderLock
from marketedge.ops.alerts import Alerts
from marketedge.upstox import UpstoxClient

if TYPE_CHECKING:
    from marketedge.ingest.job import RunResult
    from marketedge.upstox.errors import UpstoxError

log = structlog.get_logger(__name__)

UNMATCHED = "unmatched"  # any path no route answers (404s, the UI's single-page fallback)
_MAX_ERROR_CODES = 32  # distinct Upstox error codes kept as label values; the rest count as "other"

TOKEN_READ_EVERY = timedelta(minutes=5)
HTTP_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
JOB_BUCKETS = (0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0, 20.0, 30.0, 45.0, 60.0)
UPSTOX_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0)

# Reads a value at scrape time that needs I/O (the broker token's expiry): awaited before each scrape.
Refresher = Callable[[], Awaitable[None]]


class Measured(Protocol):
    """What the metrics observe (runtime.Runtime is one)."""

    @property
    def alerts(self) -> Alerts: ...
    @property
    def cache(self) -> MinuteCache: ...
    @property
    def calendar(self) -> TradingCalendar: ...
    @property
    def client(self) -> UpstoxClient: ...
    @property
    def job(self) -> MinuteJob: ...
    @property
    def leader(self) -> LeaderLock: ...
    @property
    def tokens(self) -> TokenService: ...


class Metrics:
    """Every metric of one app. `bind_runtime(runtime)` connects the minute job, the Upstox client and the
    scrape-time readings; the HTTP middleware records requests."""

    def __init__(self, *, process: bool = True) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        if process:  # resident memory, CPU seconds, open files, start time; Python version; GC
            ProcessCollector(registry=r)
            PlatformCollector(registry=r)
            GCCollector(registry=r)
        Gauge("marketedge_build_info", "The running version (always 1).", ["version"], registry=r).labels(
            __version__
        ).set(1)

        # Requests are counted in plain numbers on the event loop (no locks, so a count costs next to nothing:
        # docs/operations.md, "Metrics") and turned into metric families only at scrape time.
        self.http = HttpStats()
        r.register(self.http)

        self.job_runs = Counter(
            "marketedge_minute_job_runs",
            "Runs of the minute job, by result (ok, partial, failed, skipped).",
            ["status"],
            registry=r,
        )
        self.job_duration = Histogram(
            "marketedge_minute_job_duration_seconds",
            "Duration of one run of the minute job.",
            buckets=JOB_BUCKETS,
            registry=r,
        )
        self.job_lag = Gauge(
            "marketedge_minute_job_lag_seconds",
            "How far behind the clock the last run finished: seconds from the start of its minute to its end.",
            registry=r,
        )
        self.outcomes = Counter(
            "marketedge_minute_outcomes",
            "Per index and minute: stored, duplicate, queued (database down), error.",
            ["instrument", "outcome"],
            registry=r,
        )
        self.gaps = Counter(
            "marketedge_minute_gaps",
            "Index-minutes polled but not stored (instrument=all: the whole run failed before any index).",
            ["instrument"],
            registry=r,
        )
        self.last_stored = Gauge(
            "marketedge_minute_last_stored_timestamp_seconds",
            "The newest minute this process has stored or seen in the database (Unix time of its start).",
            registry=r,
        )

        self.upstox_requests = Counter(
            "marketedge_upstox_requests",
            "Upstox HTTP attempts (retries count each), by endpoint, HTTP status and error.",
            ["endpoint", "status", "error"],
            registry=r,
        )
        self.upstox_duration = Histogram(
            "marketedge_upstox_request_duration_seconds",
            "Duration of one Upstox HTTP attempt.",
            ["endpoint"],
            buckets=UPSTOX_BUCKETS,
            registry=r,
        )

        self.alerts_sent = Counter(
            "marketedge_alerts",
            "Alerts raised, by alert and state (firing, reminder, resolved).",
            ["alert", "state"],
            registry=r,
        )
        # Anyone can post to the notifier: refusals are counted here, not written to the audit log one by one.
        self.notifier_refused = Counter(
            "marketedge_notifier_refused",
            "Posts to the Upstox notifier webhook refused, by reason (bad_fields, client_id, no_open_request …).",
            ["reason"],
            registry=r,
        )
        # The stored broker token, read at most every TOKEN_READ_EVERY (see _read_token).
        self.token_valid_until: datetime | None = None
        self.token_status: str | None = None
        self._token_read_at: datetime | None = None
        self.latest_minute_ts = 0.0
        self._error_codes: set[str] = set()
        self._refreshers: list[Refresher] = []
        self._token_refresher: Refresher | None = None
        self._runtime_collector: _RuntimeCollector | None = None
        #: How many browsers hold an event stream now; the app sets it to its LiveHub's count (api/live.py).
        self.streams: Callable[[], int] = lambda: 0

    # -- recording ---------------------------------------------------------------------------------------------

    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        self.http.observe(method, route, status, seconds)

    def observe_run(self, result: RunResult) -> None:
        """A listener of MinuteJob: one call per finished (or dropped) run."""
        self.job_runs.labels(result.status).inc()
        if result.status == "skipped":
            self.gaps.labels("all").inc()
            return
        self.job_duration.observe(result.duration_ms / 1000)
        self.job_lag.set(max(0.0, (clock.now() - result.minute).total_seconds()))
        if not result.outcomes and result.status == "failed":
            self.gaps.labels("all").inc()
        for label, outcome in result.outcomes.items():
            symbol = label.split(":", 1)[0]
            self.outcomes.labels(symbol, outcome.status).inc()
            if outcome.status == "error":
                self.gaps.labels(symbol).inc()
        if result.stored or any(o.status == "duplicate" for o in result.outcomes.values()):
            self.seen_minute(result.minute)

    def seen_minute(self, minute: datetime) -> None:
        """The newest stored minute moved (or was read from the database): lag is measured from it."""
        self.latest_minute_ts = max(self.latest_minute_ts, minute.timestamp())
        self.last_stored.set(self.latest_minute_ts)

    def observe_upstox(
        self, endpoint: str, status: int | None, error: UpstoxError | None, seconds: float
    ) -> None:
        """A hook of UpstoxClient: one call per HTTP attempt."""
        if error is None:
            kind = "none"
        else:
            code = error.error_code
            if code and (code in self._error_codes or len(self._error_codes) < _MAX_ERROR_CODES):
                self._error_codes.add(code)
                kind = f"{type(error).__name__}:{code}"
            else:
                kind = type(error).__name__ if not code else f"{type(error).__name__}:other"
        self.upstox_requests.labels(endpoint, str(status) if status else "none", kind).inc()
        self.upstox_duration.labels(endpoint).observe(seconds)

    def count_alert(self, alert: str, state: str) -> None:
        """A listener of ops.alerts.Alerts."""
        self.alerts_sent.labels(alert, state).inc()

    def count_notifier_refusal(self, reason: str) -> None:
        """A listener of the TokenService: one call per refused notifier post (reasons are our own words)."""
        self.notifier_refused.labels(reason).inc()

    # -- wiring --------------------------------------------------------------------------------------------------

    def bind_runtime(self, runtime: Measured) -> None:
        """Listen to the minute job and the Upstox client; read caches, SSE and the job's state at each scrape."""
        runtime.job.listeners.append(self.observe_run)
        runtime.client.on_attempt = self.observe_upstox
        runtime.alerts.listeners.append(self.count_alert)
        runtime.tokens.notifier_listeners.append(self.count_notifier_refusal)
        self._runtime_collector = _RuntimeCollector(runtime, self)
        self.registry.register(self._runtime_collector)
        self._token_refresher = partial(self._read_token, runtime)
        self.add_refresher(self._token_refresher)

    def unbind_runtime(self, runtime: Measured) -> None:
        if self.observe_run in runtime.job.listeners:
            runtime.job.listeners.remove(self.observe_run)
        if self.count_alert in runtime.alerts.listeners:
            runtime.alerts.listeners.remove(self.count_alert)
        if self.count_notifier_refusal in runtime.tokens.notifier_listeners:
            runtime.tokens.notifier_listeners.remove(self.count_notifier_refusal)
        if self._runtime_collector is not None:
            self.registry.unregister(self._runtime_collector)
            self._runtime_collector = None
        if self._token_refresher in self._refreshers:
            self._refreshers.remove(self._token_refresher)

    async def _read_token(self, runtime: Measured) -> None:
        """The token's expiry from the token service, at most every TOKEN_READ_EVERY, and outside the hours
        around a session only once: a scraper must not keep a scale-to-zero database awake all night."""
        now = clock.now()
        if self._token_read_at is not None:
            if now - self._token_read_at < TOKEN_READ_EVERY:
                return
            session = runtime.calendar.session(now.date())
            if session is None or not session.open - timedelta(hours=2) <= now <= session.close:
                return
        token = await runtime.tokens.token()
        self._token_read_at = now
        self.token_valid_until = token.valid_until if token is not None else None
        self.token_status = token.status.value if token is not None else None

    def add_refresher(self, refresher: Refresher) -> None:
        """Something to await before each scrape (readings that need I/O)."""
        self._refreshers.append(refresher)

    async def render(self) -> bytes:
        """The exposition text, after the refreshers ran (each bounded: a slow one never stalls a scrape)."""
        for refresher in self._refreshers:
            try:
                await asyncio.wait_for(refresher(), timeout=2)
            except Exception as exc:
                log.warning("metrics refresher failed", error=type(exc).__name__)
        return generate_latest(self.registry)


class HttpStats(Collector):
    """Per route template: answers by status, and a latency histogram, as plain numbers (one event loop
    writes them; a scrape reads a consistent enough snapshot)."""

    def __init__(self) -> None:
        self.in_flight = 0
        self.waiting = (
            0  # in flight and no answer started yet (background work steps aside: core/yield_to_requests.py)
        )
        self._answers: dict[tuple[str, str, int], int] = {}
        # (method, route) → [count per bucket (not cumulative; the last is +Inf), sum of seconds]
        self._latency: dict[tuple[str, str], list[Any]] = {}

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        key = (method, route, status)
        self._answers[key] = self._answers.get(key, 0) + 1
        latency = self._latency.get((method, route))
        if latency is None:
            latency = self._latency[(method, route)] = [[0] * (len(HTTP_BUCKETS) + 1), 0.0]
        latency[0][bisect.bisect_left(HTTP_BUCKETS, seconds)] += 1
        latency[1] += seconds

    def collect(self) -> Iterable[Metric]:
        answers = CounterMetricFamily(
            "marketedge_http_requests",
            "HTTP requests answered, by route template and status code.",
            labels=["method", "route", "status"],
        )
        for (method, route, status), count in list(self._answers.items()):
            answers.add_metric([method, route, str(status)], count)
        yield answers
        latency = HistogramMetricFamily(
            "marketedge_http_request_duration_seconds",
            "Time to answer, by route template (event streams: time to the response headers).",
            labels=["method", "route"],
        )
        for (method, route), (counts, total) in list(self._latency.items()):
            cumulative = list(itertools.accumulate(counts))
            buckets = [(str(le), n) for le, n in zip(HTTP_BUCKETS, cumulative, strict=False)]
            latency.add_metric([method, route], [*buckets, ("+Inf", cumulative[-1])], total)
        yield latency
        yield _gauge(
            "marketedge_http_requests_in_flight",
            "Requests being answered now (event streams included).",
            self.in_flight,
        )
        yield _gauge(
            "marketedge_http_requests_waiting",
            "Requests whose answer has not started yet (event streams count until their headers).",
            self.waiting,
        )


class _RuntimeCollector(Collector):
    """Scrape-time readings of in-memory state: no I/O, so a scrape costs microseconds."""

    def __init__(self, runtime: Measured, metrics: Metrics) -> None:
        self._runtime = runtime
        self._metrics = metrics

    def collect(self) -> Iterable[Metric]:
        runtime = self._runtime
        stats = runtime.cache.stats()
        for name, value, text in (
            ("marketedge_cache_hits", stats.hits, "Minute-cache reads answered from the cache (fresh)."),
            ("marketedge_cache_misses", stats.misses, "Minute-cache reads that were stale or empty."),
            ("marketedge_cache_loads", stats.loads, "Database loads by the minute cache (single-flight)."),
        ):
            counter = CounterMetricFamily(name, text)
            counter.add_metric([], value)
            yield counter
        yield _gauge(
            "marketedge_cache_decoded_bytes", "Bytes of decoded day frames held.", stats.decoded_bytes
        )
        yield _gauge("marketedge_cache_decoded_days", "Decoded day frames held.", stats.decoded_days)
        yield _gauge(
            "marketedge_sse_connections",
            "Event streams (/api/v1/stream) open now.",
            self._metrics.streams(),
        )
        yield _gauge(
            "marketedge_minute_pending_writes",
            "Polled minutes waiting in memory for the database to return.",
            runtime.job.pending,
        )
        yield _gauge(
            "marketedge_minute_job_paused_for_token",
            "1 while polling is paused because Upstox rejected the token.",
            int(runtime.job.paused_for_token),
        )
        yield _gauge(
            "marketedge_leader",
            "1 when this process holds the poller's leader lock.",
            int(runtime.leader.is_leader),
        )
        yield _gauge("marketedge_minute_behind_seconds", _BEHIND_HELP, self._behind(runtime))
        metrics = self._metrics
        if metrics.token_status is not None:
            yield _gauge(
                "marketedge_upstox_token_valid",
                "1 while the stored Upstox token is valid (0: expired or rejected; absent: none stored).",
                int(metrics.token_status == "valid"),  # noqa: S105 (a status, not a secret)
            )
        if metrics.token_valid_until is not None:
            yield _gauge(
                "marketedge_upstox_token_seconds_to_expiry",
                "Seconds until the stored Upstox token expires (negative once it has).",
                (metrics.token_valid_until - clock.now()).total_seconds(),
            )

    def _behind(self, runtime: Measured) -> float:
        last = self._metrics.latest_minute_ts
        expected = runtime.calendar.latest_expected_minute(clock.now())
        if not last or expected is None:
            return float("nan")
        return max(0.0, expected.timestamp() - last)


_BEHIND_HELP = (
    "Seconds between the newest minute that should exist now (per the calendar) and the newest stored one."
)


def _gauge(name: str, text: str, value: float) -> GaugeMetricFamily:
    gauge = GaugeMetricFamily(name, text)
    gauge.add_metric([], value)
    return gauge


class MetricsMiddleware:
    """Pure ASGI: counts and times every HTTP request under its route template (scope["route"], which the
    router sets), so /api/v1/users/17 and /api/v1/users/18 are one series."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics
        self._fixed_paths: tuple[int, frozenset[str]] = (-1, frozenset())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        headers_at = 0.0
        http = self.metrics.http

        async def timed_send(message: Message) -> None:
            nonlocal status, headers_at
            if message["type"] == "http.response.start":
                status = message["status"]
                headers_at = time.perf_counter()
                http.waiting -= 1
            await send(message)

        http.in_flight += 1
        http.waiting += 1
        try:
            await self.app(scope, receive, timed_send)
        finally:
            http.in_flight -= 1
            if not headers_at:
                http.waiting -= 1
            route = self._route(scope)
            # An event stream lasts as long as the reader stays: its latency is the time to its headers.
            ended = headers_at if headers_at and route.endswith("/stream") else time.perf_counter()
            http.observe(scope.get("method", "?"), route, status, ended - started)

    def _route(self, scope: Scope) -> str:
        route: Any = scope.get("route")
        path = getattr(route, "path", None)
        if isinstance(path, str) and path:
            return path
        # Answered before routing (the hot path serves repeated market-data questions itself): a path that is
        # a route's whole template (no parameters) is still its own label.
        routes = getattr(scope.get("app"), "routes", ())
        if self._fixed_paths[0] != len(routes):
            fixed = {p for r in routes if isinstance(p := getattr(r, "path", None), str) and "{" not in p}
            self._fixed_paths = (len(routes), frozenset(fixed))
        raw = scope.get("path", "")
        return raw if raw in self._fixed_paths[1] else UNMATCHED
