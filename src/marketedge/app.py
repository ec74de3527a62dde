"""create_app(): routers, middleware, error handlers, and the lifespan that owns the database, cache and scheduler."""

from __future__ import annotations

import asyncio
import inspect
import mimetypes
import stat
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

import structlog
from fastapi import FastAPI, Request
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.responses import FileResponse, Response
from starlette.staticfiles import NotModifiedResponse, StaticFiles
from starlette.types import ASGIApp, Scope

from marketedge import __version__
from marketedge.analytics.service import MarketData
from marketedge.api.hot import hot_path
from marketedge.api.hot_store import HotStore
from marketedge.api.live import LiveHub
from marketedge.api.rendered import RenderedCache
from marketedge.api.request_context import RequestContextMiddleware
from marketedge.api.routers import routers
from marketedge.auth.credentials import Credentials
from marketedge.auth.install import install_security
from marketedge.core import gc_tuning
from marketedge.core.config import Settings, get_settings
from marketedge.core.errors import install_error_handlers
from marketedge.core.jsonresponse import ORJSONResponse
from marketedge.ingest.trigger import IngestTrigger
from marketedge.ops import checks
from marketedge.ops.health import CheckResult, HealthService
from marketedge.ops.install import operations_running
from marketedge.ops.metrics import Metrics, MetricsMiddleware
from marketedge.ops.status import StatusService
from marketedge.runtime import Runtime
from marketedge.upstox.errors import UpstoxError, upstox_error_handler

log = structlog.get_logger(__name__)

# How long each part of the app may take to stop (see create_app's lifespan).
STOP_SECONDS = 10.0

# Paths that never fall back to the UI: an unknown one is a JSON 404.
_NOT_UI = ("/api", "/health", "/metrics", "/twin", "/docs", "/openapi.json", "/redoc", "/assets/")


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = await Runtime.create(settings)
        app.state.runtime = runtime
        app.state.db = runtime.db
        app.state.cache = runtime.backend
        app.state.scheduler = runtime.scheduler
        app.state.market_data = MarketData(
            runtime.db, runtime.cache, runtime.calendar, display_delay_minutes=settings.display_delay_minutes
        )
        runtime.universe_listeners.append(app.state.market_data.forget_universe)
        rendered = RenderedCache(settings.rendered_cache_mb * 1024 * 1024)
        app.state.rendered = rendered
        app.state.live = LiveHub(app.state.market_data, rendered, runtime.bus, on_minute=hot.bump)
        if settings.hot_grant_seconds > 0:
            hot.credentials = Credentials(
                runtime.db,
                idle=timedelta(minutes=settings.session_idle_minutes),
                refresh_seconds=settings.hot_grant_seconds,
                consent_required=settings.consent_required,
                secret_key=settings.secret_key,
            )
        app.state.ingest_trigger = IngestTrigger(runtime)
        app.state.status = StatusService(runtime)
        app.state.health = _health_service(app, settings)
        await runtime.start()
        await app.state.live.start()
        if hot.credentials is not None:
            await hot.credentials.start()
        gc_tuning.tune()
        gc_tuning.settle()  # what start-up made lives as long as the process: the collector stops walking it
        log.info(
            "started",
            version=__version__,
            env=settings.marketedge_env.value,
            cache=runtime.backend.name,
            source=settings.data_source,
        )
        try:
            async with operations_running(app, metrics, settings):
                yield
        finally:
            # Each part gets STOP_SECONDS: a shutdown that hangs would outlast the host's grace period (Render
            # kills after 30 s) and lose the rest of the clean-up; the part that did not stop is named.
            parts = [("live streams", app.state.live.stop)]
            if hot.credentials is not None:
                parts.append(("credentials snapshot", hot.credentials.stop))
            parts.append(("runtime", runtime.stop))
            for part, stop in parts:
                try:
                    await asyncio.wait_for(stop(), STOP_SECONDS)
                except TimeoutError:
                    log.error("shutdown: a part did not stop in time", part=part, seconds=STOP_SECONDS)
            await limiter.close()
            gc_tuning.release()
            log.info("stopped")

    app = FastAPI(
        title="Market Edge",
        version=__version__,
        summary="Minute-by-minute greeks of Indian index options, from Upstox.",
        description=(
            "Market data from Upstox, shown for information only. Not investment advice: Market Edge gives "
            "no recommendations or trading signals."
        ),
        default_response_class=ORJSONResponse,
        lifespan=lifespan,
        # No OpenTelemetry here (Prometheus metrics, ops/metrics.py): FastAPI's native telemetry would look for
        # a tracer provider on every request, a large part of a cached answer's cost (docs/scaling.md).
        telemetry={"tracing": False, "metrics": False, "logs": False, "operation_spans": False},
    )
    app.state.settings = settings
    # Outermost: answers already served this minute skip the middleware, routing and database (api/hot.py).
    hot = HotStore(
        grant_seconds=settings.hot_grant_seconds,
        max_bytes=settings.rendered_cache_mb * 1024 * 1024 // 4,
    )
    app.state.hot = hot
    install_error_handlers(app)
    app.add_exception_handler(UpstoxError, upstox_error_handler)
    limiter = install_security(app, settings)
    app.add_middleware(RequestContextMiddleware)
    metrics = Metrics()
    app.state.metrics = metrics
    framework = app.build_middleware_stack

    def build_stack() -> ASGIApp:
        # Outermost first: the metrics count every answer, refusals and hot answers included; the hot path
        # answers what it can before the framework's own stack (security, request context, routing).
        return MetricsMiddleware(hot_path(framework(), hot, settings), metrics)

    app.build_middleware_stack = build_stack  # type: ignore[method-assign]
    for router in routers(settings):
        app.include_router(router)
    _mount_ui(app, settings.frontend_dist)
    return app


def _health_service(app: FastAPI, settings: Settings) -> HealthService:
    service = HealthService(cache_seconds=settings.health_cache_seconds)

    async def database() -> CheckResult:
        await app.state.db.ping()
        return CheckResult("ok", "reachable")

    async def scheduler() -> CheckResult:
        running = app.state.scheduler.running
        return CheckResult("ok" if running else "fail", "running" if running else "stopped")

    service.register("database", database)
    # Redis away is a warning, not a failure: the cache serves from memory meanwhile (ops/checks.py).
    service.register("cache", lambda: checks.cache(app.state.cache))
    service.register("scheduler", scheduler)
    service.register("last_minute", lambda: checks.last_minute(app.state.runtime))
    service.register("broker_token", lambda: checks.broker_token(app.state.runtime))
    service.register("calendar", lambda: checks.calendar(app.state.runtime))
    service.register("config", lambda: checks.config(settings))
    return service


def _mount_ui(app: FastAPI, dist: Path) -> None:
    """Serve the built UI at / with a single-page-app fallback; unknown API paths stay JSON 404s."""
    assets = dist / "assets"
    if assets.is_dir():
        app.mount("/assets", _HashedAssets(directory=assets), name="assets")

    index = dist / "index.html"
    root = dist.resolve()
    fallback = app.exception_handlers[HTTPException]

    async def ui_or_404(request: Request, exc: Exception) -> Response:
        path = request.url.path
        if (
            isinstance(exc, HTTPException)
            and exc.status_code == 404
            and request.method in ("GET", "HEAD")
            and not path.startswith(_NOT_UI)
            and "\x00" not in path  # no file or page has a NUL in its name (and the OS refuses one)
            and index.is_file()
        ):
            candidate = await asyncio.to_thread(_ui_file, dist, root, path)
            if candidate is not None:
                return FileResponse(candidate)
            return FileResponse(index, headers={"Cache-Control": "no-cache"})
        answer = fallback(request, exc)
        return await answer if inspect.isawaitable(answer) else answer

    app.add_exception_handler(HTTPException, ui_or_404)


def _ui_file(dist: Path, root: Path, path: str) -> Path | None:
    """The built file a path names, if there is one inside the build (a name too long for the file system
    is none)."""
    try:
        candidate = (dist / path.lstrip("/")).resolve()
        return candidate if candidate.is_relative_to(root) and candidate.is_file() else None
    except OSError:
        return None


class _HashedAssets(StaticFiles):
    """Vite names every built asset by its content hash: a browser or CDN may keep it for a year. The build also
    writes each as .br and .gz (frontend/vite.config.ts): the one the browser accepts is sent, as a CDN would."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await self._precompressed(path, scope) or await super().get_response(path, scope)
        if response.status_code in (200, 304):
            response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        response.headers["Vary"] = "Accept-Encoding"
        return response

    async def _precompressed(self, path: str, scope: Scope) -> Response | None:
        accepted = Headers(scope=scope).get("accept-encoding", "")
        for coding, suffix in (("br", ".br"), ("gzip", ".gz")):
            if not _accepts(accepted, coding):
                continue
            full, found = await asyncio.to_thread(self.lookup_path, path + suffix)
            if found is None or not stat.S_ISREG(found.st_mode):
                continue
            media_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
            response = FileResponse(
                full, stat_result=found, media_type=media_type, headers={"Content-Encoding": coding}
            )
            if self.is_not_modified(response.headers, Headers(scope=scope)):
                return NotModifiedResponse(response.headers)
            return response
        return None


def _accepts(header: str, coding: str) -> bool:
    """Whether an Accept-Encoding header accepts `coding` (named, with a q-value above 0)."""
    for part in header.lower().split(","):
        name, _, params = part.strip().partition(";")
        if name.strip() == coding:
            quality = params.strip().removeprefix("q=")
            try:
                return not params.strip().startswith("q=") or float(quality) > 0
            except ValueError:
                return False
    return False
