"""An event loop whose clock jumps to the next timer instead of waiting: limiter tests run minutes in milliseconds."""

from __future__ import annotations

import asyncio
import selectors
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


class VirtualTimeLoop(asyncio.SelectorEventLoop):
    """`time()` is virtual; when the loop would sleep until a timer, the clock moves there at once.

    Only for code without real I/O (httpx.MockTransport, pure asyncio): real sockets would be polled
    without waiting, so their answers would seem to take no time.
    """

    def __init__(self) -> None:
        super().__init__(selectors.DefaultSelector())
        self._virtual_now = 0.0
        real_select = self._selector.select  # type: ignore[attr-defined]

        def select(timeout: float | None = None) -> list[Any]:
            events = real_select(0)
            if not events:
                # Every turn of the loop takes a microsecond, as real time always moves on a little;
                # otherwise a timer rescheduled for "now" by rounding would never come due.
                self._virtual_now += max(timeout or 0.0, 1e-6)
            return events

        self._selector.select = select  # type: ignore[attr-defined]

    def time(self) -> float:
        return self._virtual_now


def run_virtual(coroutine: Coroutine[Any, Any, T]) -> T:
    loop = VirtualTimeLoop()
    try:
        return loop.run_until_complete(coroutine)
    finally:
        loop.close()
