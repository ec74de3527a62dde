"""Admin: which indices are tracked and how many expiries of each (the minute job re-reads it next minute)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from marketedge.auth import audit
from marketedge.auth.deps import ADMIN, AdminUser, client_ip
from marketedge.auth.errors_doc import COMMON
from marketedge.chain.instruments import all_instruments
from marketedge.core.db import SessionDep
from marketedge.core.errors import InvalidInput
from marketedge.core.inputs import PlainText
from marketedge.ingest.universe import KNOWN_INDICES, change_universe
from marketedge.models import Instrument

router = APIRouter(prefix="/api/v1/admin/universe", tags=["admin"], dependencies=[ADMIN], responses=COMMON)


class TrackedIndex(BaseModel):
    model_config = ConfigDict(extra="forbid")

    symbol: Annotated[PlainText, Field(min_length=1, max_length=16, examples=["NIFTY"])]
    expiries_tracked: Annotated[int, Field(ge=1, le=6, description="How many of the nearest expiries")] = 2


class UniverseUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    instruments: Annotated[list[TrackedIndex], Field(min_length=1, max_length=len(KNOWN_INDICES))]


class UniverseRead(BaseModel):
    instruments: list[dict[str, object]]
    known: list[str]


@router.get("", summary="The tracked indices, in display order, and the indices Market Edge knows")
async def read_universe(db: SessionDep) -> UniverseRead:
    return UniverseRead(instruments=_rows(await all_instruments(db)), known=sorted(KNOWN_INDICES))


@router.put("", summary="Track exactly these indices, in this order (takes effect at the next minute)")
async def update_universe(
    body: UniverseUpdate, admin: AdminUser, request: Request, db: SessionDep
) -> UniverseRead:
    symbols = [i.symbol.upper() for i in body.instruments]
    if len(set(symbols)) != len(symbols):
        raise InvalidInput("each index may appear once", details={"field": "instruments"})
    await change_universe(db, {i.symbol.upper(): i.expiries_tracked for i in body.instruments})
    await audit.record(
        db,
        admin.email,
        "universe.changed",
        target=",".join(symbols),
        ip=client_ip(request),
        details={"instruments": [i.model_dump() for i in body.instruments]},
    )
    await db.commit()  # before the job is told, so its next run reads the new universe
    request.app.state.runtime.universe_changed()
    return UniverseRead(instruments=_rows(await all_instruments(db)), known=sorted(KNOWN_INDICES))


def _rows(instruments: list[Instrument]) -> list[dict[str, object]]:
    return [
        {
            "symbol": i.symbol,
            "instrument_key": i.instrument_key,
            "name": i.name,
            "enabled": i.enabled,
            "expiries_tracked": i.expiries_tracked,
            "position": i.position,
            "lot_size": i.lot_size,
            "strike_step": i.strike_step,
        }
        for i in instruments
    ]
