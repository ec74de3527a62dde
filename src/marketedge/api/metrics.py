"""GET /metrics on the app's own address: admins, or an API key with the admin scope."""

from __future__ import annotations

from fastapi import APIRouter, Request
from prometheus_client import CONTENT_TYPE_LATEST
from starlette.responses import Response

from marketedge.auth.deps import ADMIN
from marketedge.auth.errors_doc import COMMON
from marketedge.ops.metrics_server import metrics_answer

router = APIRouter(tags=["operations"], dependencies=[ADMIN], responses=COMMON)


@router.get(
    "/metrics",
    summary="Prometheus metrics (text exposition format): admins, or an API key with the admin scope",
    response_class=Response,
    responses={200: {"content": {CONTENT_TYPE_LATEST.split(";")[0]: {}}, "description": "The metrics"}},
)
async def metrics_route(request: Request) -> Response:
    body, content_type = await metrics_answer(request.app.state.metrics)
    return Response(body, media_type=content_type, headers={"Cache-Control": "no-store"})
