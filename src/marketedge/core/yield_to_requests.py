"""Background work steps aside for requests that are waiting for their answer.

One event loop serves everything and runs whatever is ready in the order it became ready. Each minute the
minute job parses, normalises and stores eight chains in a burst: ~0.1-0.2 s of CPU, one to two seconds under
Render free's 0.1-CPU quota, and a request that arrives meanwhile would wait for all of it (docs/scaling.md
measures it). The live broadcaster is not paced: pacing it delayed the minute's delivery without faster
answers (docs/scaling.md).

Between chunks of its work (a few ms of CPU each), the job awaits `Pacer.turn()`. It returns at once
when no request is waiting; otherwise it lets them go first, for at most `most` seconds, so background work is
delayed, never starved.
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
