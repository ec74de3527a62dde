"""The cache tests' shared morning: the app's clock pinned at the open of 2026-11-25."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from marketedge.core import clock
from marketedge.core.clock import ManualClock, ist

DAY = date(2026, 11, 25)
EXPIRY = date(2026, 12, 1)
OPEN = ist(2026, 11, 25, 9, 15)


@pytest.fixture
def manual_clock() -> Iterator[ManualClock]:
    with clock.use_clock(ManualClock(OPEN)) as c:
        assert isinstance(c, ManualClock)
        yield c
