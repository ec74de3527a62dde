"""Answers built once per question and data version: bytes, a gzip copy and an ETag, served as they are.

The same question within the same minute never re-serialises: the first request builds it (concurrent ones
wait on that build), the rest get the stored bytes, or 304 when their If-None-Match matches. The store is an
LRU bounded by bytes that keeps one version per question: a new minute's answer replaces the old one. When
a build fails because the database does not answer, the question's last answer is served instead, marked
stale (`X-Data-Stale`); with none stored, the error stands (a 503).
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from isal import igzip
from starlette.requests import Request
from starlette.responses import Response

from marketedge.cache import DATABASE_AWAY
from marketedge.core import clock
from marketedge.core.errors import database_unavailable
from marketedge.core.single_flight import SingleFlight

GZIP_MIN_BYTES = 1024
# ISA-L's gzip (the isal package) at its level 1: several times faster than zlib's level 1, which was a large
# part of building a summary, and its copy is smaller. Every new minute rebuilds each band's summary at once,
# when requests queue under 0.1 CPU (docs/scaling.md, "Gzip by ISA-L"). The output is plain gzip (RFC 1952).
GZIP_LEVEL = 1
# A shared cache (a CDN, a proxy) must never keep these: every answer is for a signed-in person, and the market
# data may not be redistributed. `Vary` still names what changes the bytes, for the browser's own cache.
PRIVATE_VARY = "Accept-Encoding, Accept, Cookie, Authorization"
# An answer built from data the database could not refresh says so, and why; its minutes (`latest_minute`,
# `minute`, `minutes`) say how old it is.
STALE_HEADER = "X-Data-Stale"


@dataclass(frozen=True, slots=True)
class Rendered:
    body: bytes
    gzipped: bytes | None
    etag: str
    media_type: str
    filename: str | None = None
    stale: str | None = None  # why the data behind it may be out of date (never part of a stored answer)

    @property
    def nbytes(self) -> int:
        return len(self.body) + len(self.gzipped or b"")

    def marked_stale(self, why: str | None) -> Rendered:
        """The same answer, saying its data may be out of date (the same bytes and ETag: the data is)."""
        return self if why is None or why == self.stale else dataclasses.replace(self, stale=why)


def render(body: bytes, media_type: str, filename: str | None = None) -> Rendered:
    etag = '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'
    gzipped = igzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0) if len(body) >= GZIP_MIN_BYTES else None
    return Rendered(body, gzipped, etag, media_type, filename)


class RenderedCache:
    """`get(key, version, build)`: the stored answer when its version matches, else one build for everyone."""

    def __init__(self, max_bytes: int = 48 * 1024 * 1024) -> None:
        self._entries: OrderedDict[str, tuple[str, Rendered]] = OrderedDict()
        self._bytes = 0
        self._max = max_bytes
        self._building: SingleFlight[tuple[str, str], Rendered] = SingleFlight()
        self.builds = 0
        self.hits = 0

    @property
    def size_bytes(self) -> int:
        return self._bytes

    @property
    def max_bytes(self) -> int:
        return self._max

    def __len__(self) -> int:
        return len(self._entries)

    async def get(self, key: str, version: str, build: Callable[[], Awaitable[Rendered]]) -> Rendered:
        """The answer for `key` at data `version`, built at most once however many ask together. When the
        build fails because the database does not answer, the last answer stored for `key`, marked stale."""
        try:
            return await self._get(key, version, build)
        except Exception as exc:
            found = self._entries.get(key)
            if found is None or not database_unavailable(exc):
                raise
            return found[1].marked_stale(DATABASE_AWAY)

    async def _get(self, key: str, version: str, build: Callable[[], Awaitable[Rendered]]) -> Rendered:
        found = self._entries.get(key)
        if found is not None and found[0] == version:
            self._entries.move_to_end(key)
            self.hits += 1
            return found[1]
        flight = (key, version)
        if self._building.in_flight(flight):
            self.hits += 1

        async def build_and_keep() -> Rendered:
            rendered = await build()
            self.builds += 1
            self._store(key, version, rendered)
            return rendered

        return await self._building.run(flight, build_and_keep)

    def _store(self, key: str, version: str, rendered: Rendered) -> None:
        old = self._entries.pop(key, None)
        if old is not None:
            self._bytes -= old[1].nbytes
        if rendered.nbytes > self._max:
            return
        self._entries[key] = (version, rendered)
        self._bytes += rendered.nbytes
        while self._bytes > self._max:
            _, (_, evicted) = self._entries.popitem(last=False)
            self._bytes -= evicted.nbytes


def stored_answer(
    rendered: Rendered, if_none_match: str, gzip_ok: bool
) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    """How a stored answer goes out, on the full path (respond) and the hot path (api/hot.py) alike: status,
    headers and body. Its ETag, private caching until the next minute turns, the stale mark; 304 when the
    client has it, gzip when accepted. The content type and length are the sender's to add."""
    # IST is UTC+05:30, so its minutes turn with the epoch's: the seconds to the next one, without datetimes.
    max_age = max(1, 60 - int(clock.now().timestamp()) % 60)
    headers = [
        (b"etag", rendered.etag.encode()),
        (b"cache-control", b"private, max-age=%d" % max_age),
        (b"vary", PRIVATE_VARY.encode()),
    ]
    if rendered.filename:
        headers.append((b"content-disposition", f'attachment; filename="{rendered.filename}"'.encode()))
    if rendered.stale:
        headers.append((STALE_HEADER.lower().encode(), rendered.stale.encode()))
    if etag_matches(rendered.etag, if_none_match):
        return 304, headers, b""
    if gzip_ok and rendered.gzipped is not None:
        headers.append((b"content-encoding", b"gzip"))
        return 200, headers, rendered.gzipped
    return 200, headers, rendered.body


# Where the hot path (api/hot.py) asks a route to hand over the answer it served, for the next identical request.
HOT_SLOT = "marketedge.hot"


# The route's answer to the same question, asked again: what the hot path calls after a minute is stored instead
# of sending the next asker through routing, validation and the database (the parameters were validated once).
Again = Callable[[], Awaitable[Rendered]]


def respond(
    request: Request, rendered: Rendered, *, per_minute: bool = True, again: Again | None = None
) -> Response:
    """200 with the stored bytes (gzip when accepted), or 304 when the client already has them. `per_minute`:
    the answer may change when the clock's minute turns (False: only when a minute is stored), which tells the
    hot path (api/hot.py) how long it may hand the same bytes to the next asker; `again` builds the answer to
    the same question anew (it must not hold the request)."""
    slot = request.scope.get(HOT_SLOT)
    if slot is not None:
        slot.append((rendered, per_minute, again))
    status, headers, body = stored_answer(
        rendered,
        request.headers.get("if-none-match", ""),
        "gzip" in request.headers.get("accept-encoding", ""),
    )
    response = Response(body, status_code=status, media_type=None if status == 304 else rendered.media_type)
    response.raw_headers.extend(headers)
    return response


def etag_matches(etag: str, if_none_match: str) -> bool:
    if not if_none_match:
        return False
    return etag in {part.strip().removeprefix("W/") for part in if_none_match.split(",") if part.strip()}
