"""GET /api/v1/status: the market's state, data freshness, today's runs and gaps, the poller's state."""

from __future__ import annotations

import functools

from fastapi import APIRouter, Depends, Request
from starlette.datastructures import State
from starlette.responses import Response

from marketedge.api.params import reject_unknown
from marketedge.api.rendered import Rendered, RenderedCache, render, respond
from marketedge.auth.deps import VIEWER
from marketedge.auth.errors_doc import COMMON, errors
from marketedge.core import clock
from marketedge.core.jsonresponse import json_bytes
from marketedge.ops.status import StatusService

router = APIRouter(prefix="/api/v1", tags=["status"], dependencies=[VIEWER], responses=COMMON)


@router.get(
    "/status",
    summary="Market state, data freshness, today's runs and gaps, and the poller, for the status screen",
    dependencies=[Depends(reject_unknown())],
    responses=errors(422),
)
async def status(request: Request) -> Response:
    answer = functools.partial(status_answer, request.app.state)
    return respond(request, await answer(), again=answer)


async def status_answer(state: State) -> Rendered:
    """The same answer for every viewer, rendered once per clock minute and stored minute: the hot path
    (api/hot.py) serves repeats without the database (at 0.1 CPU the full path would not scale to a thousand
    open screens: docs/scaling.md, "Status for everyone"). The tracker's opening answer (api/market.py)
    includes it."""
    service: StatusService = state.status
    rendered: RenderedCache = state.rendered
    generation = state.hot.generation

    async def build() -> Rendered:
        return render(json_bytes(await service.status()), "application/json")

    minute = clock.floor_minute(clock.now()).isoformat()
    return await rendered.get("status", f"{minute}:{generation}", build)
