"""Metrics: /metrics is for admins (or a separate listener), requests are labelled by route template, and the
minute job, Upstox calls, caches, SSE and the process all show up with bounded labels."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from prometheus_client.parser import text_string_to_metric_families

from marketedge.auth.roles import Role, Scope
from marketedge.core.clock import ist
from marketedge.core.config import Settings, load_settings
from marketedge.ingest.job import Outcome, RunResult
from marketedge.ingest.simulate import run_minutes
from marketedge.ingest.universe import set_universe
from marketedge.ops.metrics import UNMATCHED, Metrics, MetricsMiddleware
from marketedge.ops.metrics_server import MetricsServer
from marketedge.runtime import Runtime
from marketedge.upstox.errors import RateLimited, TokenInvalid
from tests.auth_fixtures import api_key_for, make_user, sign_in

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def samples(text: str) -> Samples:
    out: Samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            out[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return out


def value(found: Samples, name: str, **labels: str) -> float:
    return found.get((name, tuple(sorted(labels.items()))), 0.0)


async def test_metrics_are_for_admins_and_admin_keys(app: FastAPI, client: httpx.AsyncClient) -> None:
    assert (await client.get("/metrics")).status_code == 401
    viewer = await sign_in(app, app.state.db, Role.viewer)
    async with viewer.client:
        assert (await viewer.client.get("/metrics")).status_code == 403
    admin = await sign_in(app, app.state.db, Role.admin)
    async with admin.client:
        answer = await admin.client.get("/metrics")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain; version=")
    assert answer.headers["cache-control"] == "no-store"
    found = samples(answer.text)
    assert value(found, "marketedge_build_info", version=app.version) == 1
    assert value(found, "process_resident_memory_bytes") > 10_000_000
    assert ("process_cpu_seconds_total", ()) in found

    # A Prometheus scraper authenticates with an admin's API key (scope admin); a read key is refused.
    user = await make_user(app.state.db, Role.admin)
    admin_key = await api_key_for(app.state.db, user, [Scope.admin])
    read_key = await api_key_for(app.state.db, user, [Scope.read])
    scraped = await client.get("/metrics", headers={"Authorization": f"Bearer {admin_key}"})
    assert scraped.status_code == 200
    refused = await client.get("/metrics", headers={"Authorization": f"Bearer {read_key}"})
    assert refused.status_code == 403


async def test_requests_are_labelled_by_route_template_not_path(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    admin = await sign_in(app, app.state.db, Role.admin)
    async with admin.client:
        for user_id in (999_001, 999_002, 999_003):
            await admin.client.patch(f"/api/v1/admin/users/{user_id}", json={"role": "viewer"})
        for path in ("/nope/1", "/nope/2", "/api/v1/does-not-exist"):
            await admin.client.get(path)
        await admin.client.get("/health/live")
        found = samples((await admin.client.get("/metrics")).text)
    route = "/api/v1/admin/users/{user_id}"
    assert value(found, "marketedge_http_requests_total", method="PATCH", route=route, status="404") == 3
    assert value(found, "marketedge_http_requests_total", method="GET", route=UNMATCHED, status="404") == 3
    assert (
        value(found, "marketedge_http_requests_total", method="GET", route="/health/live", status="200") == 1
    )
    assert value(found, "marketedge_http_request_duration_seconds_count", method="PATCH", route=route) == 3
    routes = {
        dict(labels).get("route") for (name, labels) in found if name == "marketedge_http_requests_total"
    }
    assert not any(r and ("999" in r or "/nope/" in r) for r in routes)
    assert value(found, "marketedge_http_requests_in_flight") == 1  # the scrape itself
    # Outside everything the app builds, the hot path included: every answer is counted.
    assert isinstance(app.middleware_stack, MetricsMiddleware)


def test_minute_job_results_become_counters_with_the_index_as_label() -> None:
    metrics = Metrics(process=False)
    minute = ist(2026, 11, 25, 10, 30)
    result = RunResult(
        minute,
        "partial",
        {
            "NIFTY:2026-11-27": Outcome("stored", strikes=120),
            "BANKNIFTY:2026-11-26": Outcome("error", "timed out"),
            "SENSEX:2026-11-27": Outcome("queued"),
        },
        duration_ms=2500,
    )
    metrics.observe_run(result)
    metrics.observe_run(RunResult(minute + timedelta(minutes=1), "failed", error="no instrument"))
    metrics.observe_run(RunResult(minute + timedelta(minutes=2), "skipped", error="previous run still going"))
    found = samples(_render(metrics))
    assert value(found, "marketedge_minute_job_runs_total", status="partial") == 1
    assert value(found, "marketedge_minute_job_runs_total", status="failed") == 1
    assert value(found, "marketedge_minute_job_runs_total", status="skipped") == 1
    assert value(found, "marketedge_minute_outcomes_total", instrument="NIFTY", outcome="stored") == 1
    assert value(found, "marketedge_minute_outcomes_total", instrument="BANKNIFTY", outcome="error") == 1
    assert value(found, "marketedge_minute_gaps_total", instrument="BANKNIFTY") == 1
    assert value(found, "marketedge_minute_gaps_total", instrument="all") == 2
    assert value(found, "marketedge_minute_job_duration_seconds_sum") == pytest.approx(2.5)
    assert value(found, "marketedge_minute_last_stored_timestamp_seconds") == minute.timestamp()
    assert not any("2026-11-27" in str(labels) for (_, labels) in found)


def test_upstox_error_codes_are_bounded() -> None:
    metrics = Metrics(process=False)
    for i in range(100):
        error = TokenInvalid("no", error_code=f"UDAPI{i:06d}", endpoint="option_chain")
        metrics.observe_upstox("option_chain", 401, error, 0.05)
    metrics.observe_upstox("option_chain", 429, RateLimited("slow down", endpoint="option_chain"), 0.01)
    metrics.observe_upstox("option_chain", 200, None, 0.2)
    found = samples(_render(metrics))
    kinds = {dict(labels)["error"] for (name, labels) in found if name == "marketedge_upstox_requests_total"}
    assert len(kinds) == 32 + 1 + 1 + 1  # 32 codes kept, the rest "other", RateLimited, none
    assert (
        value(
            found,
            "marketedge_upstox_requests_total",
            endpoint="option_chain",
            status="401",
            error="TokenInvalid:other",
        )
        == 68
    )
    assert (
        value(found, "marketedge_upstox_requests_total", endpoint="option_chain", status="200", error="none")
        == 1
    )


async def test_the_runtime_feeds_job_upstox_and_cache_metrics(settings: Settings) -> None:
    twin_settings = load_settings(
        marketedge_env="test", database_url=settings.database_url, data_source="twin", scheduler_enabled=False
    )
    runtime = await Runtime.create(twin_settings)
    metrics = Metrics(process=False)
    metrics.bind_runtime(runtime)
    try:
        async with runtime.db.sessions() as session:
            await set_universe(session, ["NIFTY"], expiries=1)
            await session.commit()
        assert runtime.twin is not None
        minutes = [ist(2026, 11, 25, 11, 0), ist(2026, 11, 25, 11, 1)]
        runtime.twin.state.add_fault("server_error", count=1, status=503, path_prefix="/v2/option/chain")
        results = await run_minutes(runtime.job, minutes, runtime.twin.state)
        assert [r.status for r in results] == ["ok", "ok"]
        queue = runtime.bus.subscribe()
        expiry = next(iter(results[0].outcomes)).split(":")[1]
        from datetime import date

        for _ in range(3):
            await runtime.cache.day("NIFTY", date.fromisoformat(expiry), minutes[0].date())
        found = samples((await metrics.render()).decode())
        runtime.bus.unsubscribe(queue)
    finally:
        metrics.unbind_runtime(runtime)
        await runtime.stop()
    assert value(found, "marketedge_minute_job_runs_total", status="ok") == 2
    assert value(found, "marketedge_minute_outcomes_total", instrument="NIFTY", outcome="stored") == 2
    assert (
        value(found, "marketedge_upstox_requests_total", endpoint="option_chain", status="200", error="none")
        >= 2
    )
    assert (
        value(
            found,
            "marketedge_upstox_requests_total",
            endpoint="option_chain",
            status="503",
            error="UpstreamUnavailable:UDAPI100503",
        )
        == 1
    )
    assert value(found, "marketedge_upstox_request_duration_seconds_count", endpoint="option_chain") >= 3
    assert value(found, "marketedge_cache_hits_total") + value(found, "marketedge_cache_misses_total") >= 3
    assert value(found, "marketedge_cache_loads_total") >= 1
    assert value(found, "marketedge_sse_connections") == 0  # no app, so no event streams
    assert value(found, "marketedge_minute_pending_writes") == 0
    assert value(found, "marketedge_minute_job_paused_for_token") == 0
    assert ("marketedge_minute_behind_seconds", ()) in found
    # The demo's analytics token: valid, about a year to go.
    assert value(found, "marketedge_upstox_token_valid") == 1
    assert 300 * 86400 < value(found, "marketedge_upstox_token_seconds_to_expiry") < 367 * 86400


async def test_a_separate_listener_serves_metrics_without_sign_in() -> None:
    metrics = Metrics(process=False)
    server = MetricsServer(metrics, "127.0.0.1", 0)
    await server.start()
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{server.port}") as http:
            answer = await http.get("/metrics")
            assert answer.status_code == 200
            assert "marketedge_build_info" in answer.text
            assert (await http.get("/other")).status_code == 404
            assert (await http.head("/metrics")).status_code == 200
    finally:
        await server.stop()


def _render(metrics: Metrics) -> str:
    from prometheus_client import generate_latest

    return generate_latest(metrics.registry).decode()


def test_the_worker_serves_its_metrics_on_metrics_port(tmp_path: Path, free_tcp_port: int) -> None:
    env = {
        **os.environ,
        "MARKETEDGE_ENV": "test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'worker.db'}",
        "METRICS_PORT": str(free_tcp_port),
        "LOG_LEVEL": "WARNING",
    }
    worker = subprocess.Popen(
        [str(Path(sys.executable).with_name("marketedge")), "worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                answer = httpx.get(f"http://127.0.0.1:{free_tcp_port}/metrics", timeout=2)
                break
            except httpx.TransportError:
                assert worker.poll() is None, worker.stderr.read() if worker.stderr else b""
                assert time.monotonic() < deadline, "the worker's metrics listener never answered"
                time.sleep(0.3)
        assert answer.status_code == 200
        found = samples(answer.text)
        assert value(found, "marketedge_leader") == 1
        assert ("marketedge_minute_behind_seconds", ()) in found
    finally:
        worker.terminate()
        worker.wait(timeout=30)
