"""Fast JSON: orjson bytes and a response class that uses them (never FastAPI's default encoder)."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import JSONResponse

_OPTIONS = orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS


def json_bytes(value: Any) -> bytes:
    return orjson.dumps(value, option=_OPTIONS)


class ORJSONResponse(JSONResponse):
    """A JSONResponse (so OpenAPI documents the route's response model) rendered by orjson."""

    def render(self, content: Any) -> bytes:
        return json_bytes(content)
