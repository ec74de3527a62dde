"""The boot app: it answers at once while the real app starts behind it, then hands every request over."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from fastapi import FastAPI

from marketedge import boot
from marketedge.boot import BootApp


def _app(events: list[str]) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        events.append("started")
        yield
        events.append("stopped")

    app = FastAPI(lifespan=lifespan)

    @app.get("/api/v1/thing")
    async def thing() -> dict[str, str]:
        return {"from": "the app"}

    @app.get("/health/live")
    async def live() -> dict[str, str]:
        return {"status": "ok", "from": "the app"}

    return app


async def _lifespan(boot_app: BootApp) -> tuple[asyncio.Queue[dict], asyncio.Queue[dict], asyncio.Task[None]]:  # type: ignore[type-arg]
    to_app: asyncio.Queue[dict] = asyncio.Queue()  # type: ignore[type-arg]
    from_app: asyncio.Queue[dict] = asyncio.Queue()  # type: ignore[type-arg]
    task = asyncio.create_task(boot_app({"type": "lifespan"}, to_app.get, from_app.put))
    await to_app.put({"type": "lifespan.startup"})
    assert (await from_app.get())["type"] == "lifespan.startup.complete"
    return to_app, from_app, task


async def test_it_answers_while_the_app_starts_and_then_hands_over(monkeypatch: pytest.MonkeyPatch) -> None:
    events: list[str] = []
    may_finish = asyncio.Event()

    async def start() -> FastAPI:
        await may_finish.wait()  # the heavy imports and the database check, still going on
        return _app(events)

    boot_app = BootApp(start)
    to_app, from_app, task = await _lifespan(boot_app)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=boot_app), base_url="http://t") as http:
        live = await http.get("/health/live")
        assert live.status_code == 200 and live.json() == {"status": "ok", "starting": True}
        ready = await http.get("/health/ready")
        assert ready.status_code == 503 and ready.headers["retry-after"] == "5"
        # A request made while starting waits for the app and is answered by it.
        waiting = asyncio.create_task(http.get("/api/v1/thing"))
        await asyncio.sleep(0.05)
        assert not waiting.done()
        may_finish.set()
        answer = await asyncio.wait_for(waiting, 5)
        assert answer.status_code == 200 and answer.json() == {"from": "the app"}
        assert boot_app.ready and events == ["started"]
        assert (await http.get("/health/live")).json()["from"] == "the app"
    await to_app.put({"type": "lifespan.shutdown"})
    assert (await from_app.get())["type"] == "lifespan.shutdown.complete"
    await task
    assert events == ["started", "stopped"]


async def test_a_request_that_cannot_wait_longer_is_told_to_retry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(boot, "WAIT_SECONDS", 0.1)
    never = asyncio.Event()

    async def start() -> FastAPI:
        await never.wait()
        raise AssertionError("unreachable")

    boot_app = BootApp(start)
    to_app, from_app, task = await _lifespan(boot_app)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=boot_app), base_url="http://t") as http:
        answer = await http.get("/api/v1/thing")
    assert answer.status_code == 503 and answer.headers["retry-after"] == "5"
    assert answer.json()["error"]["code"] == "starting"
    assert answer.headers["x-content-type-options"] == "nosniff"
    await to_app.put({"type": "lifespan.shutdown"})
    assert (await from_app.get())["type"] == "lifespan.shutdown.complete"
    await task
