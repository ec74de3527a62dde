"""Operations while the app runs: the metrics bound to the runtime and the optional metrics listener. app.py
enters it in its lifespan and puts the metrics middleware outermost, so every answer is counted."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from marketedge.core.config import Settings
from marketedge.ops.metrics import Metrics
from marketedge.ops.metrics_server import MetricsServer


@asynccontextmanager
async def operations_running(app: Any, metrics: Metrics, settings: Settings) -> AsyncIterator[None]:
    """While the app runs: the metrics bound to its runtime, the readiness checks that need no runtime, and the
    optional listener of its own (METRICS_PORT). app.py's lifespan enters it once the runtime has started."""
    runtime = app.state.runtime
    metrics.bind_runtime(runtime)
    runtime.pacer.waiting = lambda: metrics.http.waiting
    live = app.state.live
    metrics.streams = lambda: live.subscriber_count
    server = None
    if settings.metrics_port:
        server = MetricsServer(metrics, settings.metrics_host, settings.metrics_port)
        await server.start()
    try:
        yield
    finally:
        if server is not None:
            await server.stop()
        metrics.unbind_runtime(runtime)
