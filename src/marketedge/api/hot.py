"""The hot path: an answer already served this minute goes to the next signed-in viewer who asks the same
question straight from memory, without FastAPI's routing, validation, dependencies or a database read.

Pure ASGI, the outermost layer of the app's middleware stack (`install_hot_path`): an answer from here skips
every other middleware too, so it applies their parts itself: the Host check and the proxy headers of the
security middleware, its security headers, and a request id. It writes no access-log line per answer (that
line costs a quarter of a hot answer's CPU): `app.state.hot.hits` and `stream_hits` count them instead.
It serves a request only when all of these hold, and otherwise hands it to the app unchanged:

- a GET to one of the market-data paths, with exactly the query string an earlier request had;
- that earlier request was answered by the route (so it passed validation and authorization), no minute was
  stored since (`bump()`, called for every announcement), and the clock has not moved on too far: an answer
  that changes with the clock (status, instruments, the days with data, anything under a display delay) lasts
  to the end of its clock minute; one built only from stored minutes (summary, chain, strike) also lasts
  through the next clock minute, so the clock's turn, seconds before the minute is stored, sends nobody to
  the full path;
- the caller's credential (API key or session cookie) was accepted by the full check within the last
  `grant_seconds`, for a viewer route (a grant is only recorded after the route itself ran for it);
- the caller's per-person rate limit is not spent.

After a stored minute (or the clock's turn, for answers that change with it) the next asker of a question the
route has answered does not go the full way either: the route left the hot path a way to build its answer again
(`respond(again=...)`, the same code with the parameters it validated), and a granted caller's request runs that
alone, once for everyone asking meanwhile. At each stored minute every band's summary and opening answer is
asked again within seconds: through routing, validation and two database reads (the session and its consent)
each, that was the largest part of the server's work in the seconds after a minute under 0.1 CPU.

The live stream (`/api/v1/stream`) takes the same shortcut for its *start*: a granted caller asking with a
query string the route has already validated today goes straight to the broadcaster. And the requests a page
sends together (instruments, sessions, summary, chain) wait for one check of their shared credential instead
of making one database read each.

A revoked session or key therefore stops working on the hot path within `grant_seconds` (HOT_GRANT_SECONDS,
default 30 s) on replicas that did not revoke it; the replica that revoked it forgets all grants at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import itertools
import os
import time
from dataclasses import dataclass
from typing import Any

import structlog
from fastapi import FastAPI
from limits import parse_many
from starlette.responses import StreamingResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from marketedge.api.credentials import Credentials
from marketedge.api.params import parse_time
from marketedge.api.rendered import HOT_SLOT, PRIVATE_VARY, Again, Rendered, etag_matches
from marketedge.auth.security_headers import CORS_EXPOSED_HEADERS, HSTS, SECURITY_HEADERS, SecurityMiddleware
from marketedge.core import clock
from marketedge.core.config import Settings
from marketedge.core.errors import error_bytes

log = structlog.get_logger(__name__)

HOT_PATHS = (
    "/api/v1/instruments",
    "/api/v1/sessions",
    "/api/v1/chain",
    "/api/v1/greeks/summary",
    "/api/v1/greeks/strike",
    "/api/v1/status",  # the same for every viewer (api/status.py)
    "/api/v1/tracker",  # the tracker's opening answer: status, instruments, sessions, summary in one
)
SESSION_COOKIE = b"me_session"
STREAM_HEADERS = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}

STREAM_PATH = "/api/v1/stream"
CORS_EXPOSED = ", ".join(CORS_EXPOSED_HEADERS).encode()
ME_PATH = "/api/v1/auth/me"  # answered from the credentials snapshot (api/credentials.py), never stored
# Where the stream route hands over the parameters it validated (api/market.py), for the next identical start.
STREAM_SLOT = "marketedge.hot.stream"
VERIFY_WAIT_SECONDS = 10.0
# Questions whose answer the hot path can build again (more: it forgets them all and relearns).
MAX_AGAIN = 4096

AnswerKey = tuple[str, bytes, bool]  # path, raw query string, CSV asked for by Accept
Mark = tuple[int, int]  # stored-minute generation, clock minute


@dataclass(slots=True)
class _Grant:
    user_id: int
    until: float  # time.monotonic()


class HotStore:
    """The answers served in the current mark, and the credentials recently accepted for viewer routes."""

    def __init__(self, *, grant_seconds: float = 30.0, max_bytes: int = 16 * 1024 * 1024) -> None:
        self.grant_seconds = grant_seconds
        self.max_bytes = max_bytes
        self._generation = 0
        # answer, the clock minute it was kept in, whether it changes with the clock's minute
        self._answers: dict[AnswerKey, tuple[Rendered, int, bool]] = {}
        self._answers_mark: Mark = (-1, -1)
        self._bytes = 0
        # How each question the route answered is answered again, and whether that answer changes with the
        # clock: kept across marks (bounded), so that the next asker after a stored minute needs no route.
        self._again: dict[AnswerKey, tuple[Again, bool]] = {}
        self._grants: dict[bytes, _Grant] = {}
        self.credentials: Credentials | None = (
            None  # the snapshot of live sessions and keys (lifespan sets it)
        )
        self._streams: dict[bytes, Any] = {}  # query string → StreamParams, for the current day
        # (symbol, expiry, day) → (mark, the day as MarketData.select read it): stream starts in the same mark
        # share one read of the minute cache (a thousand of them at 09:15).
        self._selected: dict[tuple[object, object, object], tuple[Mark, Any]] = {}
        self._streams_day: tuple[object, int] = (None, 0)
        self._day_generation = 0
        self._last_day: object = None
        self.hits = 0
        self.stream_hits = 0
        self.me_hits = 0
        self.rebuilt = 0  # answers the hot path built again itself

    @property
    def enabled(self) -> bool:
        return self.grant_seconds > 0

    @property
    def generation(self) -> int:
        """How many minutes were announced since start: answers built from stored data change with it."""
        return self._generation

    def bump(self, announced: Any = None) -> None:
        """A minute was stored (here or on another replica): every stored answer may be out of date, and a
        minute of a new day changes what "the latest day" means for a stream's parameters."""
        self._generation += 1
        day = getattr(getattr(announced, "minute", None), "date", lambda: None)()
        if day is not None and day != self._last_day:
            self._last_day = day
            self._day_generation += 1

    def _stream_day(self) -> tuple[object, int]:
        return (clock.now().date(), self._day_generation)

    def stream_params(self, query: bytes) -> Any:
        if self._streams_day != self._stream_day():
            return None
        return self._streams.get(query)

    def keep_stream(self, query: bytes, params: Any) -> None:
        day = self._stream_day()
        if self._streams_day != day or len(self._streams) >= 4096:
            self._streams = {}
            self._streams_day = day
        self._streams[query] = params

    def selected(self, params: Any, mark: Mark) -> Any:
        """The day a stream's parameters select, as read in this mark (None: not read in it yet)."""
        found = self._selected.get((params.symbol, params.expiry, params.day))
        return found[1] if found is not None and found[0] == mark else None

    def keep_selected(self, params: Any, mark: Mark, selected: Any) -> None:
        if len(self._selected) >= 256:
            self._selected.clear()
        self._selected[(params.symbol, params.expiry, params.day)] = (mark, selected)

    def mark(self) -> Mark:
        return (self._generation, int(clock.now().timestamp()) // 60)

    def answer(self, key: AnswerKey, mark: Mark) -> Rendered | None:
        if mark != self._answers_mark:
            if mark < self._answers_mark:
                return None
            self._roll(mark)
        found = self._answers.get(key)
        return None if found is None else found[0]

    def keep(
        self,
        key: AnswerKey,
        mark: Mark,
        rendered: Rendered,
        per_minute: bool = True,
        again: Again | None = None,
    ) -> None:
        """Keep the route's answer for the next asker. `per_minute`: it changes with the clock's minute (else
        only with the stored minutes, and lasts through the next clock minute as well); `again`: how to build
        it anew once it is out of date."""
        if again is not None:
            if len(self._again) >= MAX_AGAIN and key not in self._again:
                self._again.clear()
            self._again[key] = (again, per_minute)
        if mark != self._answers_mark:
            if mark > self._answers_mark:
                self._roll(mark)
            elif per_minute or mark[0] != self._answers_mark[0]:
                return  # built before a newer minute was stored or the clock turned: never serve it from here
        if key in self._answers or self._bytes + rendered.nbytes > self.max_bytes:
            return
        self._answers[key] = (rendered, mark[1], per_minute)
        self._bytes += rendered.nbytes

    def again(self, key: AnswerKey) -> tuple[Again, bool] | None:
        return self._again.get(key)

    def forget_again(self, key: AnswerKey) -> None:
        self._again.pop(key, None)

    def _roll(self, mark: Mark) -> None:
        """Forget what the new mark outdates: everything after a stored minute; at a turn of the clock, the
        answers that change with it and those kept two clock minutes ago or earlier."""
        if mark[0] != self._answers_mark[0]:
            self._answers.clear()
            self._bytes = 0
        else:
            minute = mark[1]
            for key, (rendered, kept, per_minute) in list(self._answers.items()):
                if per_minute or minute - kept > 1:
                    del self._answers[key]
                    self._bytes -= rendered.nbytes
        self._answers_mark = mark

    def granted(self, credential: bytes, now: float) -> _Grant | None:
        grant = self._grants.get(credential)
        if grant is None:
            return None
        if grant.until <= now:
            del self._grants[credential]
            return None
        return grant

    def grant(self, credential: bytes, user_id: int, now: float) -> None:
        if len(self._grants) >= 100_000:  # bounded: drop the expired, then everything if need be
            self._grants = {k: g for k, g in self._grants.items() if g.until > now}
            if len(self._grants) >= 100_000:
                self._grants.clear()
        self._grants[credential] = _Grant(user_id, now + self.grant_seconds)

    def forget_grants(self) -> None:
        """Call after revoking sessions or keys: the next request of everyone goes through the full check (the
        snapshot too stops vouching until it has read the database again)."""
        self._grants.clear()
        if self.credentials is not None:
            self.credentials.invalidate()


def install_hot_path(app: FastAPI, store: HotStore, settings: Settings) -> None:
    """Put the hot path outside the whole middleware stack the app builds (on its first request)."""
    build = app.build_middleware_stack
    checks = SecurityMiddleware(
        _never_called, trusted_hosts=settings.trusted_hosts, trusted_proxies=settings.trusted_proxies
    )

    def build_with_hot_path() -> ASGIApp:
        return HotPathMiddleware(
            build(),
            store=store,
            rate_limit=settings.api_rate_limit,
            checks=checks,
            cors_origins=settings.cors_origins,
        )

    app.build_middleware_stack = build_with_hot_path  # type: ignore[method-assign]


async def _never_called(scope: Scope, receive: Receive, send: Send) -> None:
    raise RuntimeError("only the security middleware's checks are used here")


class HotPathMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        store: HotStore,
        rate_limit: str | None = None,
        checks: SecurityMiddleware | None = None,
        cors_origins: list[str] | None = None,
    ) -> None:
        self.app = app
        self.checks = checks
        # The UI's origins when it is served elsewhere (CORS_ORIGINS): a hot answer to them carries what
        # the CORS middleware would add on the full path, or the browser would not let the page read it.
        self.cors_origins = frozenset(o.encode() for o in cors_origins or ())
        self._ids = itertools.count()
        self._id_prefix = f"{os.getpid():x}{int(time.time()):x}"
        self.store = store
        self.paths = frozenset(HOT_PATHS)
        self.limits: list[tuple[int, int]] = [
            (item.amount, item.get_expiry()) for item in (parse_many(rate_limit) if rate_limit else [])
        ]
        self._counts: dict[tuple[int, int], tuple[int, int]] = {}
        self._verifying: dict[bytes, asyncio.Event] = {}
        self._answering: dict[AnswerKey, asyncio.Event] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope["path"] if scope["type"] == "http" else ""
        if (
            scope["type"] != "http"
            or scope["method"] != "GET"
            or (path not in self.paths and path != STREAM_PATH and path != ME_PATH)
            or not self.store.enabled
        ):
            await self.app(scope, receive, send)
            return
        authorization = cookie = accept_encoding = accept = if_none_match = last_event_id = b""
        for name, value in scope["headers"]:
            if name == b"authorization":
                authorization = value
            elif name == b"cookie":
                cookie = value
            elif name == b"accept-encoding":
                accept_encoding = value
            elif name == b"accept":
                accept = value
            elif name == b"if-none-match":
                if_none_match = value
            elif name == b"last-event-id":
                last_event_id = value
        presented = _credential(authorization, cookie)
        if presented is None or (self.checks is not None and not self._passes_checks(scope)):
            await self.app(scope, receive, send)
            return
        credential, kind, secret = presented
        if path == ME_PATH:
            await self._me(scope, receive, send, kind, secret)
            return
        if self.store.granted(credential, time.monotonic()) is None:
            self._from_snapshot(credential, kind, secret)
        if path == STREAM_PATH:
            await self._stream(scope, receive, send, credential, last_event_id)
            return
        key: AnswerKey = (path, scope["query_string"], b"text/csv" in accept)
        mark = self.store.mark()
        found = self.store.answer(key, mark)
        if found is None and key in self._answering and self.store.granted(credential, time.monotonic()):
            # Someone's request is building this answer: wait for it rather than queue for the full path.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._answering[key].wait(), VERIFY_WAIT_SECONDS)
            mark = self.store.mark()
            found = self.store.answer(key, mark)
        rebuilt = False
        if found is None and self.store.granted(credential, time.monotonic()):
            found = await self._again(key, mark)
            rebuilt = found is not None
        if found is not None:
            grant = await self._grant(credential)
            if grant is not None:
                retry_after = self._spend(grant.user_id)
                if retry_after:
                    await self._refuse(scope, send, retry_after)
                    return
                if not rebuilt:
                    self.store.hits += 1
                await _send(send, found, b"gzip" in accept_encoding, if_none_match, self._edge_headers(scope))
                return
        await self._full(scope, receive, send, credential, key, mark)

    async def _again(self, key: AnswerKey, mark: Mark) -> Rendered | None:
        """The route's answer built anew for a question it has answered (None: it cannot be; the full path
        answers). One build for everyone asking meanwhile; the result is kept like the route's."""
        found = self.store.again(key)
        if found is None or key in self._answering:
            return None
        again, per_minute = found
        self._answering[key] = asyncio.Event()
        try:
            rendered = await again()
        except Exception:  # the question has no answer now (a 404, say): the route says so properly
            log.debug("hot path: an answer could not be built again", path=key[0], exc_info=True)
            self.store.forget_again(key)
            return None
        finally:
            self._answering.pop(key).set()
        self.store.rebuilt += 1
        self.store.keep(key, mark, rendered, per_minute)
        return rendered

    async def _me(self, scope: Scope, receive: Receive, send: Send, kind: str, secret: str) -> None:
        """Who am I, for a session the snapshot vouches for: no database read (every page load asks it)."""
        snapshot = self.store.credentials
        found = snapshot.session_me(secret) if snapshot is not None and kind == "session" else None
        if found is None or scope["query_string"]:
            await self.app(scope, receive, send)  # the route answers (and refuses unknown parameters)
            return
        user_id, body = found
        retry_after = self._spend(user_id)
        if retry_after:
            await self._refuse(scope, send, retry_after)
            return
        self.store.me_hits += 1
        headers = [
            *self._edge_headers(scope),
            (b"cache-control", b"no-store"),
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    def _from_snapshot(self, credential: bytes, kind: str, secret: str) -> None:
        """Grant a credential the snapshot of live sessions and keys vouches for (no database read)."""
        snapshot = self.store.credentials
        if snapshot is None:
            return
        user_id = snapshot.session_user(secret) if kind == "session" else snapshot.key_user(secret)
        if user_id is not None:
            self.store.grant(credential, user_id, time.monotonic())

    async def _grant(self, credential: bytes) -> _Grant | None:
        """The credential's grant; when a sibling request is checking it right now, wait for that check."""
        grant = self.store.granted(credential, time.monotonic())
        if grant is None and credential in self._verifying:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._verifying[credential].wait(), VERIFY_WAIT_SECONDS)
            grant = self.store.granted(credential, time.monotonic())
        return grant

    async def _full(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        credential: bytes,
        key: AnswerKey | None = None,
        mark: Mark | None = None,
    ) -> None:
        """The app answers. When the route answered (so the credential passed the viewer check), the credential
        is granted at once, and a stored answer or validated stream parameters are kept for the next caller."""
        slot: list[Any] = []
        scope[HOT_SLOT if key is not None else STREAM_SLOT] = slot
        checking = (
            credential not in self._verifying and self.store.granted(credential, time.monotonic()) is None
        )
        if checking:
            self._verifying[credential] = asyncio.Event()
        answering = key is not None and key not in self._answering
        if answering:
            assert key is not None
            self._answering[key] = asyncio.Event()
        status = 0

        def answered() -> None:
            principal = scope.get("state", {}).get("principal")
            user = getattr(principal, "user", None)
            if user is not None:
                self._spend(int(user.id))
            if status in (200, 304) and slot and user is not None:
                self.store.grant(credential, int(user.id), time.monotonic())
                if key is not None and mark is not None:
                    self.store.keep(key, mark, *slot[-1])
                elif key is None:  # a stream: its answer lasts as long as the client stays
                    self.store.keep_stream(scope["query_string"], slot[-1])
            if checking:
                self._verifying.pop(credential).set()

        async def watch(message: Message) -> None:
            nonlocal status, checking
            if message["type"] == "http.response.start":
                status = message["status"]
                answered()
                checking = False
            await send(message)

        try:
            await self.app(scope, receive, watch)
        finally:
            if checking:
                self._verifying.pop(credential).set()
            if answering:
                assert key is not None
                self._answering.pop(key).set()

    async def _stream(
        self, scope: Scope, receive: Receive, send: Send, credential: bytes, last_event_id: bytes
    ) -> None:
        """A stream start whose query the route validated today: straight to the broadcaster."""
        params = self.store.stream_params(scope["query_string"])
        grant = await self._grant(credential) if params is not None else None
        if params is None or grant is None:
            await self._full(scope, receive, send, credential)
            return
        retry_after = self._spend(grant.user_id)
        if retry_after:
            await self._refuse(scope, send, retry_after)
            return
        state = scope["app"].state
        try:
            last_seen = parse_time(last_event_id.decode("latin-1") or None, params.day, "Last-Event-ID")
            mark = self.store.mark()
            selected = self.store.selected(params, mark)
            if selected is None:
                selected = await state.market_data.select(params.symbol, params.expiry, params.day)
                self.store.keep_selected(params, mark, selected)
        except Exception:  # a malformed Last-Event-ID, a day gone: the route answers it properly
            await self._full(scope, receive, send, credential)
            return
        self.store.stream_hits += 1
        response = StreamingResponse(
            state.live.stream(params, last_seen, selected),
            media_type="text/event-stream",
            headers=STREAM_HEADERS,
        )
        response.raw_headers.extend(self._edge_headers(scope))
        await response(scope, receive, send)

    def _passes_checks(self, scope: Scope) -> bool:
        """The security middleware's Host check and proxy headers, applied as it would (api answers only)."""
        assert self.checks is not None
        if self.checks.proxies:
            self.checks._apply_proxy_headers(scope)
        return self.checks._host_allowed(scope)

    def _edge_headers(self, scope: Scope) -> list[tuple[bytes, bytes]]:
        """What the outer middlewares add to every answer: the security headers and a request id."""
        headers = list(SECURITY_HEADERS)
        if scope.get("scheme") == "https":
            headers.append((b"strict-transport-security", HSTS.encode()))
        headers.append((b"x-request-id", f"{self._id_prefix}{next(self._ids):x}".encode()))
        if self.cors_origins:
            origin = next((v for n, v in scope["headers"] if n == b"origin"), None)
            if origin in self.cors_origins:
                headers += [
                    (b"access-control-allow-origin", origin),
                    (b"access-control-allow-credentials", b"true"),
                    (b"access-control-expose-headers", CORS_EXPOSED),
                    (b"vary", b"Origin"),
                ]
        return headers

    def _spend(self, user_id: int) -> int:
        """Count one request against the per-person allowance (API_RATE_LIMIT); 0 when within it, else the
        seconds until it refills. Counted here in fixed windows (the limiter's own counter costs a third of a
        hot answer); the full path's answers count here too, so a person has one allowance, not two."""
        now = time.time()
        counts = self._counts
        if len(counts) > 200_000:
            counts.clear()
        for i, (amount, seconds) in enumerate(self.limits):
            window = int(now // seconds)
            started, used = counts.get((user_id, i), (window, 0))
            if started != window:
                started, used = window, 0
            if used >= amount:
                return max(1, int((window + 1) * seconds - now))
            counts[(user_id, i)] = (started, used + 1)
        return 0

    async def _refuse(self, scope: Scope, send: Send, retry_after: int) -> None:
        """429 in the one error shape, as the full path's limiter answers it."""
        headers = self._edge_headers(scope)
        request_id = headers[-1][1].decode()
        body = error_bytes(
            request_id,
            "rate_limited",
            f"Too many requests; try again in {retry_after} s.",
            {"retry_after": retry_after},
        )
        headers += [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"retry-after", str(retry_after).encode()),
        ]
        await send({"type": "http.response.start", "status": 429, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def _credential(authorization: bytes, cookie: bytes) -> tuple[bytes, str, str] | None:
    """What identifies the caller: its digest (the grants' key), its kind and the secret itself (for the
    snapshot). The Authorization header wins over the cookie, as in auth/deps.py."""
    if authorization:
        scheme, _, presented = authorization.decode("latin-1").partition(" ")
        kind = "key" if scheme.lower() == "bearer" else "other"
        return hashlib.blake2b(b"a:" + authorization, digest_size=20).digest(), kind, presented.strip()
    if not cookie:
        return None
    token = None
    for part in cookie.split(b";"):
        name, sep, value = part.strip().partition(b"=")
        if sep and name == SESSION_COOKIE:
            if token is not None:
                return None  # two session cookies: let the full check decide
            token = value.strip(b'"')
    if not token:
        return None
    return hashlib.blake2b(b"c:" + token, digest_size=20).digest(), "session", token.decode("latin-1")


async def _send(
    send: Send, rendered: Rendered, gzip_ok: bool, if_none_match: bytes, extra: list[tuple[bytes, bytes]]
) -> None:
    headers = [
        *extra,
        (b"etag", rendered.etag.encode()),
        # IST is UTC+05:30, so its minutes turn with the epoch's: the seconds to the next one, without datetimes.
        (b"cache-control", b"private, max-age=%d" % max(1, 60 - int(clock.now().timestamp()) % 60)),
        (b"vary", PRIVATE_VARY.encode()),
    ]
    if rendered.filename:
        headers.append((b"content-disposition", f'attachment; filename="{rendered.filename}"'.encode()))
    if rendered.stale:  # served past freshness: the database could not be asked (api/rendered.py)
        headers.append((b"x-data-stale", rendered.stale.encode()))
    if if_none_match and etag_matches(rendered.etag, if_none_match.decode("latin-1")):
        await send({"type": "http.response.start", "status": 304, "headers": headers})
        await send({"type": "http.response.body", "body": b""})
        return
    body = rendered.body
    if gzip_ok and rendered.gzipped is not None:
        body = rendered.gzipped
        headers.append((b"content-encoding", b"gzip"))
    headers.append((b"content-type", rendered.media_type.encode()))
    headers.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})
