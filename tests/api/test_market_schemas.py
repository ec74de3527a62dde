"""The market-data answers match the models the OpenAPI document publishes (the UI's types come from them)."""

from __future__ import annotations

import httpx
import pytest
from pydantic import BaseModel

from marketedge.api.market_schemas import (
    ChainRead,
    InstrumentsRead,
    SessionsRead,
    StrikeRead,
    SummaryRead,
    TrackerRead,
)


@pytest.mark.parametrize(
    ("path", "model"),
    [
        ("/api/v1/instruments", InstrumentsRead),
        ("/api/v1/sessions?instrument=NIFTY", SessionsRead),
        ("/api/v1/greeks/summary?instrument=NIFTY", SummaryRead),
        ("/api/v1/greeks/summary?instrument=NIFTY&interval=15&selection=fixed", SummaryRead),
        ("/api/v1/chain?instrument=NIFTY&at=09:41&strikes=5", ChainRead),
        ("/api/v1/tracker?instrument=NIFTY", TrackerRead),
        ("/api/v1/tracker?instrument=NIFTY&date=2026-11-23", TrackerRead),
    ],
)
async def test_answers_match_their_published_models(
    day_client: httpx.AsyncClient, path: str, model: type[BaseModel]
) -> None:
    answer = await day_client.get(path)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    parsed = model.model_validate(body, strict=False)
    # Every key the route sends is in the model: nothing the UI receives is undocumented.
    assert set(body) == set(type(parsed).model_fields)


async def test_a_strike_matches_its_model(day_client: httpx.AsyncClient) -> None:
    chain = ChainRead.model_validate((await day_client.get("/api/v1/chain?instrument=NIFTY")).json())
    answer = await day_client.get(f"/api/v1/greeks/strike?instrument=NIFTY&strike={chain.atm_strike}&side=PE")
    assert answer.status_code == 200, answer.text
    StrikeRead.model_validate(answer.json())
    assert set(answer.json()) == set(StrikeRead.model_fields)
