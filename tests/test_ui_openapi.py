"""The UI's copy of the OpenAPI document (frontend/src/api/openapi.json, from which its types are generated)
is what the backend publishes: change an API shape, then run `cd frontend && npm run api`."""

from __future__ import annotations

import json
from pathlib import Path

from marketedge.app import create_app

COPY = Path(__file__).resolve().parents[1] / "frontend" / "src" / "api" / "openapi.json"


def test_the_ui_types_come_from_the_current_api() -> None:
    published = json.dumps(create_app().openapi(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    assert COPY.read_text(encoding="utf-8") == published, (
        "frontend/src/api/openapi.json is stale: run `cd frontend && npm run api` and commit both "
        "openapi.json and schema.d.ts"
    )
