"""Python's garbage collector, set for a long-running server on a small CPU quota.

A full pass of the cyclic collector walks every object the process holds, most of them start-up objects
that live as long as the process, and under a 0.1 CPU quota every request waits for it. So what exists once
the app has started (and again once the cache is warm) is frozen out of the collector's reach, and the young
generation is larger, so young passes are fewer (docs/scaling.md, "The garbage collector leaves start-up
alone").
"""

from __future__ import annotations

import gc

YOUNG_THRESHOLD = 20_000


def tune() -> None:
    """A young generation of YOUNG_THRESHOLD allocations instead of 700; the older ones keep their ratios."""
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)


def settle() -> None:
    """Once start-up is done (and again after the cache is warmed): collect, then freeze everything alive."""
    gc.collect()
    gc.freeze()


def release() -> None:
    """When the app stops: back into the oldest generation, to be collected like anything else."""
    gc.unfreeze()
