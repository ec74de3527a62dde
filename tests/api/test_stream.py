"""The live stream, driven at the ASGI level: the latest minute at once, then each new minute as it is stored."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta

from fastapi import FastAPI

from marketedge.chain import store
from marketedge.ingest.bus import MinuteStored
from tests.api.conftest import LAST
from tests.factories import make_chain


class StreamReader:
    """Calls the app like a server would and hands back the body chunks as they are sent."""

    def __init__(self, app: FastAPI, path: str, query: str, headers: list[tuple[bytes, bytes]] | None = None):
        self.chunks: asyncio.Queue[bytes] = asyncio.Queue()
        self.status: int | None = None
        self._disconnect = asyncio.Event()
        self._text = ""
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": query.encode(),
            "headers": [(b"host", b"testserver"), *(headers or [])],
            "client": ("127.0.0.1", 1234),
            "server": ("testserver", 80),
        }
        self._task = asyncio.create_task(app(scope, self._receive, self._send))
        self._sent_request = False

    async def _receive(self) -> dict:  # type: ignore[type-arg]
        if not self._sent_request:
            self._sent_request = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await self._disconnect.wait()
        return {"type": "http.disconnect"}

    async def _send(self, message: dict) -> None:  # type: ignore[type-arg]
        if message["type"] == "http.response.start":
            self.status = message["status"]
        elif message["type"] == "http.response.body" and message.get("body"):
            await self.chunks.put(message["body"])

    async def next_event(self, wait: float = 5.0) -> str:
        """The next event, read as a browser's EventSource does: by blank-line-ended blocks, whatever the
        chunks (the retry hint comes in one write with the first event; heartbeats are comments)."""
        while True:
            block, found, rest = self._text.partition("\n\n")
            if found:
                self._text = rest
                if block.startswith("event:"):
                    return block + "\n\n"
                continue
            self._text += (await asyncio.wait_for(self.chunks.get(), wait)).decode()

    async def close(self) -> None:
        self._disconnect.set()
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await self._task


async def test_the_stream_sends_the_latest_minute_then_each_new_one(day_app: FastAPI) -> None:
    reader = StreamReader(day_app, "/api/v1/stream", "instrument=NIFTY")
    try:
        first = await reader.next_event()
        assert reader.status == 200
        assert f"id: {LAST.isoformat()}" in first
        # The minute job stores 10:16 (database, cache, announcement): the stream sends it at once.
        runtime = day_app.state.runtime
        selected = await day_app.state.market_data.select("NIFTY", None, None)
        minute = LAST + timedelta(minutes=1)
        async with runtime.db.sessions() as session:
            _, payload = await store.write_minute(
                session, "NIFTY", selected.expiry, make_chain(minute, spot=26100)
            )
            await session.commit()
        await runtime.cache.put("NIFTY", selected.expiry, minute, payload)
        runtime.bus.publish(MinuteStored("NIFTY", selected.expiry, minute))
        second = await reader.next_event()
        assert f"id: {minute.isoformat()}" in second and '"minutes":["' + minute.isoformat() in second
    finally:
        await reader.close()
        async with day_app.state.runtime.db.sessions() as session:  # leave the shared day as it was
            from sqlalchemy import delete

            from marketedge.models import ChainMinuteRecord

            await session.execute(delete(ChainMinuteRecord).where(ChainMinuteRecord.minute > LAST))
            await session.commit()


async def test_the_open_streams_are_counted_in_the_metrics(day_app: FastAPI) -> None:
    def open_streams(text: str) -> float:
        line = next(x for x in text.splitlines() if x.startswith("marketedge_sse_connections "))
        return float(line.split()[1])

    metrics = day_app.state.metrics
    before = open_streams((await metrics.render()).decode())
    readers = [StreamReader(day_app, "/api/v1/stream", "instrument=NIFTY") for _ in range(2)]
    try:
        for reader in readers:
            await reader.next_event()
        assert open_streams((await metrics.render()).decode()) == before + 2
    finally:
        for reader in readers:
            await reader.close()
    assert open_streams((await metrics.render()).decode()) == before


async def test_last_event_id_resumes_after_the_minute_the_client_has(day_app: FastAPI) -> None:
    resume_from = LAST - timedelta(minutes=3)
    reader = StreamReader(
        day_app, "/api/v1/stream", "instrument=NIFTY", [(b"last-event-id", resume_from.isoformat().encode())]
    )
    try:
        event = await reader.next_event()
        assert f"id: {LAST.isoformat()}" in event
        assert event.count("+05:30") >= 3 and (resume_from + timedelta(minutes=1)).isoformat() in event
        assert resume_from.isoformat() + '"' not in event.split('"minutes":')[1].split("]")[0]
    finally:
        await reader.close()


async def test_a_bad_stream_request_is_refused_before_streaming(day_app: FastAPI) -> None:
    reader = StreamReader(day_app, "/api/v1/stream", "instrument=NIFTY&delta_min=0.9&delta_max=0.1")
    try:
        body = (await asyncio.wait_for(reader.chunks.get(), 5)).decode()
        assert reader.status == 422 and "delta_min" in body
    finally:
        await reader.close()
