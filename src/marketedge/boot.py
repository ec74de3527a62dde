"""A server that answers within seconds of launch while the app starts behind it (a free host waking up).

`marketedge serve` runs uvicorn on BootApp, which imports nothing heavy: `/health/live` answers at once,
`/health/ready` says "starting" (503) until the app is up, and any other request waits for it (at most
WAIT_SECONDS, then 503 with Retry-After). Behind it the app is imported, its database prepared, built and
started; from then on every request goes straight to it (docs/deploy.md, "Waking up").
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
from collections.abc import Awaitable, Callable
from typing import Any

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

WAIT_SECONDS = 25.0  # a request waits this long for the app (cron-job.org gives up at 30 s)
RETRY_AFTER_SECONDS = 5
_LIVE = ("/health/live", "/health")
_READY = "/health/ready"
_RETRY = [(b"retry-after", str(RETRY_AFTER_SECONDS).encode())]
_HEADERS = [
    (b"content-type", b"application/json"),
    (b"cache-control", b"no-store"),
    (b"x-content-type-options", b"nosniff"),
]

log = logging.getLogger("marketedge.boot")


class BootApp:
    """The ASGI app uvicorn serves: itself until `start()` has built and started the real app, then that app."""

    def __init__(self, start: Callable[[], Awaitable[ASGIApp]]) -> None:
        self._start = start
        self._app: ASGIApp | None = None
        self._lifespan: _Lifespan | None = None
        self._starting: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()

    @property
    def ready(self) -> bool:
        return self._app is not None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._serve_lifespan(receive, send)
            return
        app = self._app
        if app is None and scope["type"] == "http" and scope["path"] in _LIVE:
            await _answer(send, 200, {"status": "ok", "starting": True})
            return
        if app is None and scope["type"] == "http" and scope["path"] == _READY:
            await _answer(send, 503, {"status": "starting", "checks": {}}, _RETRY)
            return
        if app is None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._ready.wait(), WAIT_SECONDS)
            app = self._app
        if app is not None:
            await app(scope, receive, send)
        elif scope["type"] == "http":
            await _answer(
                send,
                503,
                {
                    "error": {
                        "code": "starting",
                        "message": "Market Edge is starting up; try again in a few seconds.",
                        "details": {"retry_after": RETRY_AFTER_SECONDS},
                    }
                },
                _RETRY,
            )

    async def _serve_lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                # The socket listens as soon as this answers: the app starts behind it.
                self._starting = asyncio.get_running_loop().create_task(self._start_app())
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self._stop_app()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _start_app(self) -> None:
        try:
            app = await self._start()
            lifespan = _Lifespan(app)
            await lifespan.startup()
        except Exception:
            # Nothing can serve: say why and end the process, so the host restarts it or reports it.
            log.exception("start-up failed: the server stops")
            os._exit(3)
        self._lifespan = lifespan
        self._app = app
        self._ready.set()

    async def _stop_app(self) -> None:
        if self._starting is not None and not self._starting.done():
            self._starting.cancel()
        if self._lifespan is not None:
            await self._lifespan.shutdown()


class _Lifespan:
    """Drives an ASGI app's lifespan (startup, shutdown) as a server would."""

    def __init__(self, app: ASGIApp) -> None:
        self._app = app
        self._to_app: asyncio.Queue[Message] = asyncio.Queue()
        self._from_app: asyncio.Queue[Message] = asyncio.Queue()
        self._task: asyncio.Future[None] | None = None

    async def startup(self) -> None:
        scope = {"type": "lifespan", "asgi": {"version": "3.0", "spec_version": "2.0"}, "state": {}}
        self._task = asyncio.ensure_future(self._app(scope, self._to_app.get, self._from_app.put))
        await self._to_app.put({"type": "lifespan.startup"})
        await self._expect("lifespan.startup.complete")

    async def shutdown(self) -> None:
        await self._to_app.put({"type": "lifespan.shutdown"})
        await self._expect("lifespan.shutdown.complete")
        if self._task is not None:
            await self._task

    async def _expect(self, wanted: str) -> None:
        assert self._task is not None
        answer = asyncio.ensure_future(self._from_app.get())
        either: set[asyncio.Future[Any]] = {answer, self._task}
        await asyncio.wait(either, return_when=asyncio.FIRST_COMPLETED)
        if not answer.done():
            answer.cancel()
            self._task.result()  # the app ended without answering: its error, if any
            raise RuntimeError(f"the app ended its lifespan without {wanted}")
        message = answer.result()
        if message["type"] != wanted:
            raise RuntimeError(f"the app answered {message['type']}: {message.get('message', '')}")


async def _answer(
    send: Send, status: int, body: dict[str, Any], extra: list[tuple[bytes, bytes]] | None = None
) -> None:
    data = json.dumps(body).encode()
    headers = [*_HEADERS, (b"content-length", str(len(data)).encode()), *(extra or [])]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": data})
