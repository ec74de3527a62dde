"""POST /api/v1/admin/ingest/run: poll the current minute now (an outside scheduler's trigger, and its
keep-alive on a host that sleeps). Admins, or an admin's API key with the `ingest` scope."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field
from starlette.responses import Response

from marketedge.auth.deps import require
from marketedge.auth.errors_doc import COMMON
from marketedge.auth.roles import Role, Scope
from marketedge.core.jsonresponse import json_bytes
from marketedge.ingest.trigger import IngestTrigger

router = APIRouter(
    prefix="/api/v1/admin",
    tags=["admin"],
    dependencies=[Depends(require(Role.admin, scope=Scope.ingest))],
    responses=COMMON,
)

# cron-job.org gives up after 30 s: answer before that; the run itself goes on.
TRIGGER_WAIT_SECONDS = 25.0


class IngestRunRead(BaseModel):
    minute: str = Field(description="The IST minute asked for (ISO 8601)")
    status: str = Field(
        description="ran, already_done (idempotent), running (answered before it ended; it goes on), "
        "market_closed, no_token, not_leader (another replica polls), catching_up, failed"
    )
    run_status: str | None = Field(None, description="The run's own status: ok, partial, failed, skipped")
    error: str | None = None
    duration_ms: float | None = None
    outcomes: dict[str, Any] = Field(default_factory=dict, description="Per instrument:expiry")


def _trigger(request: Request) -> IngestTrigger:
    trigger: IngestTrigger = request.app.state.ingest_trigger
    return trigger


@router.post(
    "/ingest/run",
    summary="Poll the current minute now (idempotent, one at a time); the external scheduler's trigger",
    responses={
        200: {"model": IngestRunRead, "description": "Done, already done, or nothing to do"},
        202: {"model": IngestRunRead, "description": "Still running when the answer was due; it goes on"},
    },
)
async def run_ingest(request: Request) -> Response:
    answer = await _trigger(request).run_current_minute(TRIGGER_WAIT_SECONDS)
    result = answer.result
    body = IngestRunRead(
        minute=answer.minute.isoformat(),
        status=answer.status,
        run_status=result.status if result else None,
        error=result.error if result else None,
        duration_ms=round(result.duration_ms, 1) if result else None,
        outcomes={k: o.as_dict() for k, o in result.outcomes.items()} if result else {},
    )
    return Response(
        json_bytes(body.model_dump()),
        status_code=202 if answer.status == "running" else 200,
        media_type="application/json",
        headers={"Cache-Control": "no-store"},
    )
