"""Reading Upstox's answers into our schemas: lists, chain rows, quotes keyed by instrument, candles."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import httpx
import orjson
from pydantic import TypeAdapter

from marketedge.upstox.errors import (
    BadResponse,
)
from marketedge.upstox.schemas import (
    CHAIN_ROWS,
    Candle,
    CandleData,
    ChainRow,
    LtpQuote,
    OptionGreekQuote,
)

T = TypeVar("T")
Q = TypeVar("Q", OptionGreekQuote, LtpQuote)


def json_or(response: httpx.Response, fallback: Any) -> Any:
    # orjson: a chain answer is a large body, parsed each minute per chain (docs/upstox-client.md).
    try:
        return orjson.loads(response.content)
    except orjson.JSONDecodeError:
        return fallback


# One adapter per model for the process: building one is pydantic's schema work (milliseconds), not per call.
@functools.cache
def list_of(model: type[T]) -> Callable[[Any], list[T]]:
    adapter = TypeAdapter(list[model])  # type: ignore[valid-type]

    def parse(data: Any) -> list[T]:
        return [] if data is None else adapter.validate_python(data)

    return parse


def chain_rows(data: Any) -> list[ChainRow]:
    return [] if data is None else CHAIN_ROWS.validate_python(data)


@functools.cache
def quotes_of(model: type[Q]) -> Callable[[Any], list[Q]]:
    """A v3 quote map keyed by EXCH:TRADINGSYMBOL → its items, each given its map key as `symbol`."""
    adapter = TypeAdapter(list[model])  # type: ignore[valid-type]

    def parse(data: Any) -> list[Q]:
        if data is None:
            return []
        if not isinstance(data, dict):
            raise BadResponse("a quote answer's data should be a map of instruments")
        items = [
            {**item, "symbol": symbol} if isinstance(item, dict) else item for symbol, item in data.items()
        ]
        return adapter.validate_python(items)

    return parse


def candles_of(data: Any) -> list[Candle]:
    candles = CandleData.model_validate(data if data is not None else {}).candles
    return sorted(candles, key=lambda c: c.timestamp)
