"""What the hot path (api/hot.py) keeps: the answers served this minute by question, the way to build each again
after a stored minute, the stream parameters validated today, and the credentials vouched for lately."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import structlog

from marketedge.api.rendered import Again, Rendered
from marketedge.auth.credentials import Credentials
from marketedge.core import clock

log = structlog.get_logger(__name__)

# Questions whose answer the hot path can build again (more: it forgets them all and relearns).
MAX_AGAIN = 4096


AnswerKey = tuple[str, bytes, bool]  # path, raw query string, CSV asked for by Accept
Mark = tuple[int, int]  # stored-minute generation, clock minute


@dataclass(slots=True)
class Grant:
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
        self._grants: dict[bytes, Grant] = {}
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

    def granted(self, credential: bytes, now: float) -> Grant | None:
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
        self._grants[credential] = Grant(user_id, now + self.grant_seconds)

    def forget_grants(self) -> None:
        """Call after revoking sessions or keys: the next request of everyone goes through the full check (the
        snapshot too stops vouching until it has read the database again)."""
        self._grants.clear()
        if self.credentials is not None:
            self.credentials.invalidate()
