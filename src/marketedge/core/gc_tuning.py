"""Python's garbage collector, set for a long-running server on a small CPU quota.

The cyclic collector's full pass walks every object the process holds: after start-up that is the modules,
classes, routes, the SQLAlchemy and pydantic machinery and the warmed caches, most of a million objects that
live as long as the process. Under a 0.1 CPU quota one full pass took 2.5–3.5 s of wall time with every request
waiting (five of them in a 09:15 storm, measured with a gc.callbacks probe: docs/scaling.md). So:

- `settle()` once start-up is done (and again after the cache is warmed): collect, then move everything alive
  into the permanent generation (`gc.freeze`), which the collector no longer walks. What requests and minutes
  create afterwards is collected as usual. Objects frozen here and later dropped are still freed by reference
  counting; only a cycle among them would wait for the process to end.
- `release()` when the app stops: back into the oldest generation, so an app that ends inside a longer-lived
  process (the tests start hundreds) is collected like anything else.
- `tune()`: a young generation of YOUNG_THRESHOLD allocations instead of 700, so the young passes are fewer
  (each is still a few milliseconds at most); the older generations keep their default ratios.
"""

from __future__ import annotations

import gc

YOUNG_THRESHOLD = 20_000


def tune() -> None:
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)


def settle() -> None:
    gc.collect()
    gc.freeze()


def release() -> None:
    gc.unfreeze()
