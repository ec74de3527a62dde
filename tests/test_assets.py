"""The built UI's assets: sent precompressed (brotli or gzip, as the browser accepts), cached a year, with
Vary: Accept-Encoding; the plain file to a client that accepts neither. The build writes both compressed forms
(frontend/vite.config.ts)."""

from __future__ import annotations

import gzip
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from marketedge.app import create_app
from marketedge.core.config import Settings
from tests.conftest import running

SCRIPT = b"export const answer = 42;\n" * 200
BROTLI = b"\x1b\x0f (stands in for brotli: the server sends the file as it is)"


@pytest.fixture
async def ui_app(settings: Settings, tmp_path: Path) -> AsyncIterator[FastAPI]:
    dist = tmp_path / "dist"
    assets = dist / "assets"
    assets.mkdir(parents=True)
    (dist / "index.html").write_text("<!doctype html><title>Market Edge</title>")
    (assets / "app-abc123.js").write_bytes(SCRIPT)
    (assets / "app-abc123.js.br").write_bytes(BROTLI)
    (assets / "app-abc123.js.gz").write_bytes(gzip.compress(SCRIPT))
    (assets / "tiny-abc123.css").write_bytes(b"a{}")  # under 1 KB: the build writes no compressed forms
    application = create_app(settings.model_copy(update={"frontend_dist": dist}))
    async with running(application):
        yield application


async def _raw(app: FastAPI, path: str, accept_encoding: str, **headers: str) -> tuple[httpx.Response, bytes]:
    transport = httpx.ASGITransport(app=app)
    async with (
        httpx.AsyncClient(transport=transport, base_url="http://testserver") as http,
        http.stream("GET", path, headers={"Accept-Encoding": accept_encoding, **headers}) as response,
    ):
        body = b"".join([chunk async for chunk in response.aiter_raw()])
    return response, body


@pytest.mark.parametrize(
    ("accept", "coding"),
    [
        ("gzip, deflate, br, zstd", "br"),
        ("gzip, br;q=0", "gzip"),
        ("gzip", "gzip"),
        ("identity", None),
        ("", None),
    ],
)
async def test_assets_go_out_compressed_as_the_browser_accepts(
    ui_app: FastAPI, accept: str, coding: str | None
) -> None:
    response, body = await _raw(ui_app, "/assets/app-abc123.js", accept)
    assert response.status_code == 200
    assert response.headers.get("content-encoding") == coding
    assert response.headers["vary"] == "Accept-Encoding"
    assert response.headers["content-type"].startswith("text/javascript")
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    if coding == "br":
        assert body == BROTLI
    elif coding == "gzip":
        assert gzip.decompress(body) == SCRIPT
    else:
        assert body == SCRIPT
    assert int(response.headers["content-length"]) == len(body)


async def test_a_small_asset_and_a_revalidation_are_answered_plainly(ui_app: FastAPI) -> None:
    response, body = await _raw(ui_app, "/assets/tiny-abc123.css", "gzip, br")
    assert response.status_code == 200 and body == b"a{}" and "content-encoding" not in response.headers
    first, _ = await _raw(ui_app, "/assets/app-abc123.js", "br")
    again, body = await _raw(
        ui_app, "/assets/app-abc123.js", "br", **{"If-None-Match": first.headers["etag"]}
    )
    assert again.status_code == 304 and body == b""
    # A chunk that is not there (an old page after a deploy) is a 404, not the app's page sent as a script.
    missing, _ = await _raw(ui_app, "/assets/nothing.js", "br")
    assert missing.status_code == 404 and missing.headers["content-type"] == "application/json"
