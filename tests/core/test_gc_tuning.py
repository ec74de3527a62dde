"""The collector settings of a running app (marketedge/core/gc_tuning.py): what start-up made is frozen while the app
runs, and given back when it stops."""

from __future__ import annotations

import gc
import weakref

from marketedge.app import create_app
from marketedge.core import gc_tuning as heap
from marketedge.core.config import Settings
from tests.conftest import running


async def test_a_running_app_has_frozen_its_start_up_and_releases_it_when_it_stops(
    settings: Settings,
) -> None:
    gc.unfreeze()
    application = create_app(settings)
    async with running(application):
        assert gc.get_freeze_count() > 10_000  # the modules, classes and app objects at least
        assert gc.get_threshold()[0] == heap.YOUNG_THRESHOLD
    assert gc.get_freeze_count() == 0


def test_settle_collects_garbage_before_freezing() -> None:
    """Frozen garbage would never be collected: settle() must collect first."""
    gc.unfreeze()

    class Cycle:
        def __init__(self) -> None:
            self.me = self

    cycle = Cycle()
    gone = weakref.ref(cycle)
    del cycle  # now kept alive only by its own cycle
    heap.settle()
    try:
        assert gone() is None
        assert gc.get_freeze_count() > 0
    finally:
        heap.release()
