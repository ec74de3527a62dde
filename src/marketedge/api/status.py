"""GET /api/v1/status: the market's state, data freshness, today's runs and gaps, the poller's state."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from marketedge.api.params import reject_unknown
from marketedge.auth.deps import VIEWER
from marketedge.jsonresponse import json_bytes
from marketedge.ops.status import StatusService

router = APIRouter(prefix="/api/v1", tags=["status"], dependencies=[VIEWER])


@router.get(
    "/status",
    summary="Market state, data freshness, today's runs and gaps, and the poller, for the status screen",
    dependencies=[Depends(reject_unknown())],
)
async def status(request: Request) -> Response:
    service: StatusService = request.app.state.status
    body = json_bytes(await service.status())
    return Response(body, media_type="application/json", headers={"Cache-Control": "no-store"})
