"""Answers built once per question and data version: bytes, a gzip copy and an ETag, served as they are.

The same question within the same minute never re-serialises: the first request builds it (concurrent ones
wait on that build), the rest get the stored bytes, or 304 when their If-None-Match matches. The store is an
LRU bounded by bytes.
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from starlette.requests import Request
from starlette.responses import Response

from marketedge import clock

GZIP_MIN_BYTES = 1024


@dataclass(frozen=True, slots=True)
class Rendered:
    body: bytes
    gzipped: bytes | None
    etag: str
    media_type: str
    filename: str | None = None

    @property
    def nbytes(self) -> int:
        return len(self.body) + len(self.gzipped or b"")


def render(body: bytes, media_type: str, filename: str | None = None) -> Rendered:
    etag = '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'
    gzipped = gzip.compress(body, compresslevel=6, mtime=0) if len(body) >= GZIP_MIN_BYTES else None
    return Rendered(body, gzipped, etag, media_type, filename)


class RenderedCache:
    def __init__(self, max_bytes: int = 64 * 1024 * 1024) -> None:
        self._entries: OrderedDict[tuple[str, str], Rendered] = OrderedDict()
        self._bytes = 0
        self._max = max_bytes
        self._building: dict[tuple[str, str], asyncio.Future[Rendered]] = {}
        self.builds = 0
        self.hits = 0

    async def get(self, key: str, version: str, build: Callable[[], Awaitable[Rendered]]) -> Rendered:
        """The answer for `key` at data `version`, built at most once."""
        entry_key = (key, version)
        found = self._entries.get(entry_key)
        if found is not None:
            self._entries.move_to_end(entry_key)
            self.hits += 1
            return found
        pending = self._building.get(entry_key)
        if pending is not None:
            return await asyncio.shield(pending)
        future: asyncio.Future[Rendered] = asyncio.get_running_loop().create_future()
        self._building[entry_key] = future
        try:
            rendered = await build()
            self.builds += 1
            self._store(entry_key, rendered)
            future.set_result(rendered)
            return rendered
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()
            raise
        finally:
            del self._building[entry_key]

    def _store(self, key: tuple[str, str], rendered: Rendered) -> None:
        if rendered.nbytes > self._max:
            return
        self._entries[key] = rendered
        self._bytes += rendered.nbytes
        while self._bytes > self._max:
            _, evicted = self._entries.popitem(last=False)
            self._bytes -= evicted.nbytes


def seconds_to_next_minute(now: datetime | None = None) -> int:
    now = now or clock.now()
    following = clock.floor_minute(now) + timedelta(minutes=1)
    return max(1, int((following - now).total_seconds()))


def respond(request: Request, rendered: Rendered) -> Response:
    """200 with the stored bytes (gzip when accepted), or 304 when the client already has them."""
    headers = {
        "ETag": rendered.etag,
        "Cache-Control": f"private, max-age={seconds_to_next_minute()}",
        "Vary": "Accept-Encoding, Accept, Cookie, Authorization",
    }
    if rendered.filename:
        headers["Content-Disposition"] = f'attachment; filename="{rendered.filename}"'
    if rendered.etag in _etags(request.headers.get("if-none-match", "")):
        return Response(status_code=304, headers=headers)
    if rendered.gzipped is not None and "gzip" in request.headers.get("accept-encoding", ""):
        headers["Content-Encoding"] = "gzip"
        return Response(rendered.gzipped, media_type=rendered.media_type, headers=headers)
    return Response(rendered.body, media_type=rendered.media_type, headers=headers)


def _etags(header: str) -> set[str]:
    return {part.strip().removeprefix("W/") for part in header.split(",") if part.strip()}
