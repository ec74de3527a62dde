"""Wires operations into an app: the metrics middleware (outermost, so refusals, 500s and hot-path answers are
counted too), and at start-up the runtime's hooks, the readiness checks of ops/checks.py
that need no runtime, and the optional separate listener."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from starlette.types import ASGIApp

from marketedge.core.config import Settings
from marketedge.ops import checks
from marketedge.ops.metrics import Metrics, MetricsMiddleware
from marketedge.ops.metrics_server import MetricsServer


def install_operations(app: FastAPI, settings: Settings) -> Metrics:
    """Call last: the metrics middleware wraps the whole stack the app builds, the hot path included (which
    itself sits outside the middleware stack, api/hot.py), so every answer is counted."""
    metrics = Metrics()
    app.state.metrics = metrics
    build = app.build_middleware_stack

    def build_with_metrics() -> ASGIApp:
        return MetricsMiddleware(build(), metrics)

    app.build_middleware_stack = build_with_metrics  # type: ignore[method-assign]
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(application: Any) -> AsyncIterator[Any]:
        async with inner(application) as state:
            runtime = application.state.runtime
            # Redis away is a warning (the cache serves from memory), and the settings are checked too.
            checks.register(application.state.health, lambda: application.state.cache, settings)
            metrics.bind_runtime(runtime)
            runtime.pacer.waiting = lambda: metrics.http.waiting
            live = getattr(application.state, "live", None)
            if live is not None:
                metrics.streams = lambda: live.subscriber_count
            server = None
            if settings.metrics_port:
                server = MetricsServer(metrics, settings.metrics_host, settings.metrics_port)
                await server.start()
            try:
                yield state
            finally:
                if server is not None:
                    await server.stop()
                metrics.unbind_runtime(runtime)

    app.router.lifespan_context = lifespan
    return metrics
