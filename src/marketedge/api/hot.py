"""The hot path: an answer already served this minute goes to the next signed-in viewer who asks the same
question straight from memory, without FastAPI's routing, validation, dependencies or a database read.

Pure ASGI, inside the security and request-id middleware (so every answer keeps their headers and its access
log line). It serves a request only when all of these hold, and otherwise hands it to the app unchanged:

- a GET to one of the market-data paths, with exactly the query string an earlier request had;
- that earlier request was answered by the route (so it passed validation and authorization) in the same
  *mark*: the same minute on the clock and no minute stored since (`bump()`, called for every announcement);
- the caller's credential (API key or session cookie) was accepted by the full check within the last
  `grant_seconds`, for a viewer route (a grant is only recorded after the route itself ran for it);
- the caller's per-person rate limit is not spent.

A revoked session or key therefore stops working on the hot path within `grant_seconds` (HOT_GRANT_SECONDS,
default 30 s) on replicas that did not revoke it; the replica that revoked it forgets all grants at once.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from typing import Any

import structlog
from limits import parse_many
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from marketedge import clock
from marketedge.api.rendered import HOT_SLOT, PRIVATE_VARY, Rendered, etag_matches, seconds_to_next_minute

log = structlog.get_logger(__name__)

HOT_PATHS = (
    "/api/v1/instruments",
    "/api/v1/sessions",
    "/api/v1/chain",
    "/api/v1/greeks/summary",
    "/api/v1/greeks/strike",
)
SESSION_COOKIE = b"me_session"

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
        self._answers: dict[AnswerKey, Rendered] = {}
        self._answers_mark: Mark = (-1, -1)
        self._bytes = 0
        self._grants: dict[bytes, _Grant] = {}
        self.hits = 0

    @property
    def enabled(self) -> bool:
        return self.grant_seconds > 0

    def bump(self) -> None:
        """A minute was stored (here or on another replica): every stored answer may be out of date."""
        self._generation += 1

    def mark(self) -> Mark:
        return (self._generation, int(clock.now().timestamp()) // 60)

    def answer(self, key: AnswerKey, mark: Mark) -> Rendered | None:
        if mark != self._answers_mark:
            self._answers.clear()
            self._bytes = 0
            self._answers_mark = mark
            return None
        return self._answers.get(key)

    def keep(self, key: AnswerKey, mark: Mark, rendered: Rendered) -> None:
        if mark != self._answers_mark:
            if mark < self._answers_mark:
                return  # built before a newer minute arrived: never serve it from here
            self._answers.clear()
            self._bytes = 0
            self._answers_mark = mark
        if key in self._answers or self._bytes + rendered.nbytes > self.max_bytes:
            return
        self._answers[key] = rendered
        self._bytes += rendered.nbytes

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
        """Call after revoking sessions or keys: the next request of everyone goes through the full check."""
        self._grants.clear()


class HotPathMiddleware:
    def __init__(self, app: ASGIApp, *, store: HotStore, rate_limit: str | None = None) -> None:
        self.app = app
        self.store = store
        self.paths = frozenset(HOT_PATHS)
        self.limits: list[Any] = parse_many(rate_limit) if rate_limit else []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] != "GET"
            or scope["path"] not in self.paths
            or not self.store.enabled
        ):
            await self.app(scope, receive, send)
            return
        authorization = cookie = accept_encoding = accept = if_none_match = b""
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
        credential = _credential(authorization, cookie)
        if credential is None:
            await self.app(scope, receive, send)
            return
        key: AnswerKey = (scope["path"], scope["query_string"], b"text/csv" in accept)
        mark = self.store.mark()
        now = time.monotonic()
        found = self.store.answer(key, mark)
        if found is not None:
            grant = self.store.granted(credential, now)
            if grant is not None and await self._within_limit(scope, grant.user_id):
                self.store.hits += 1
                await _send(send, found, b"gzip" in accept_encoding, if_none_match)
                return
        await self._full(scope, receive, send, key, mark, credential, now)

    async def _full(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        key: AnswerKey,
        mark: Mark,
        credential: bytes,
        now: float,
    ) -> None:
        """The app answers; when the route served a stored answer, keep it and the credential's grant."""
        slot: list[Rendered] = []
        scope[HOT_SLOT] = slot
        status = 0

        async def watch(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        await self.app(scope, receive, watch)
        if status not in (200, 304) or not slot:
            return
        self.store.keep(key, mark, slot[-1])
        principal = scope.get("state", {}).get("principal")
        user = getattr(principal, "user", None)
        if user is not None:
            self.store.grant(credential, int(user.id), now)

    async def _within_limit(self, scope: Scope, user_id: int) -> bool:
        security = getattr(scope["app"].state, "security", None) if "app" in scope else None
        if security is None or not self.limits:
            return True
        try:
            # The same counter the full check uses (auth/deps.py), so the hot path spends the same allowance.
            await security.limiter.hit(self.limits, "api", str(user_id), cheap=True)
        except Exception:  # spent (or the store failed): the full path answers 429 or the error properly
            return False
        return True


def _credential(authorization: bytes, cookie: bytes) -> bytes | None:
    """What identifies the caller, hashed (the Authorization header wins over the cookie, as in auth/deps.py)."""
    if authorization:
        return hashlib.blake2b(b"a:" + authorization, digest_size=20).digest()
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
    return hashlib.blake2b(b"c:" + token, digest_size=20).digest()


async def _send(send: Send, rendered: Rendered, gzip_ok: bool, if_none_match: bytes) -> None:
    headers = [
        (b"etag", rendered.etag.encode()),
        (b"cache-control", b"private, max-age=%d" % seconds_to_next_minute()),
        (b"vary", PRIVATE_VARY.encode()),
    ]
    if rendered.filename:
        headers.append((b"content-disposition", f'attachment; filename="{rendered.filename}"'.encode()))
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
