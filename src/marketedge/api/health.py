"""Liveness and readiness probes: no authentication, no rate limit, no secrets."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from marketedge.auth.deps import PUBLIC
from marketedge.core.jsonresponse import json_bytes
from marketedge.ops.health import HealthService

router = APIRouter(tags=["health"], dependencies=[PUBLIC])

_LIVE = json_bytes({"status": "ok"})


@router.get("/health", summary="Liveness (alias of /health/live)")
@router.get("/health/live", summary="Liveness: the process answers; no I/O")
async def live() -> Response:
    return Response(_LIVE, media_type="application/json", headers={"Cache-Control": "no-store"})


@router.get(
    "/health/ready",
    summary="Readiness: database, cache, scheduler, data freshness, broker token",
    responses={503: {"description": "At least one check failed; the body names it"}},
)
async def ready(request: Request) -> Response:
    health: HealthService = request.app.state.health
    readiness = await health.readiness()
    return Response(
        json_bytes(readiness.as_dict()),
        status_code=200 if readiness.ready else 503,
        media_type="application/json",
        headers={"Cache-Control": "no-store"},
    )
