"""Background work steps aside for requests that are waiting for their answer.

One event loop serves everything and runs whatever is ready in the order it became ready, so a request that
arrives while the minute job parses, normalises and stores its chains would wait for all of it, a long wait
under a small CPU quota. Between chunks of its work the job awaits `Pacer.turn()`: at once when no request is
waiting, otherwise after them, for at most `most` seconds, so background work is delayed, never starved. The
live broadcaster is not paced (docs/scaling.md, "The minute job steps aside for waiting requests").
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable


def _none_waiting() -> int:
    return 0


class Pacer:
    def __init__(self, *, most: float = 0.1, poll: float = 0.005) -> None:
        # How many requests have not had their answer's first byte yet; the metrics middleware counts them
        # (ops/metrics.py) and the app wires it in (ops/install.py). Until then nothing is ever waiting.
        self.waiting: Callable[[], int] = _none_waiting
        self.most = most
        self.poll = poll
        self.deferred = 0  # turns that waited for requests (metrics, tests)

    async def turn(self) -> None:
        """Let whatever is ready run, then wait while requests are waiting, at most `most` seconds."""
        # Twice: requests whose bytes arrived meanwhile get their task in the loop's next round, after this
        # one's resumption; the second yield lets them start (and be counted) before the look below.
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        if not self.waiting():
            return
        self.deferred += 1
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.most
        # A poll, not an Event: the count changes twice on every request's hot path, and looking at it every
        # few ms only while background work stands aside costs less than setting an Event for every answer.
        while self.waiting() and loop.time() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(self.poll)
