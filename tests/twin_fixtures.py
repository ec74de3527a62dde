"""Pytest fixtures for the Upstox twin (registered in tests/conftest.py through `pytest_plugins`).

- `twin_server`: one TwinServer for the whole session, over real HTTP on 127.0.0.1 and a free port.
- `twin`: that server, reset before each test (config, clock back at TWIN_START, no tokens, no faults).
- `twin_token`: a fresh access token for the twin's user.

The twin's clock starts at TWIN_START, a Wednesday mid-session; move it with `twin.state.set_clock(...)`,
`twin.state.advance_clock(seconds)`, or make it follow a clock the test shares with the app:
`twin.state.clock.use(manual_clock)`.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from marketedge.core.clock import ManualClock, ist
from marketedge.twin.server import TwinServer

TWIN_START = ist(2026, 11, 25, 11, 0)


@pytest.fixture(scope="session")
def twin_server() -> Iterator[TwinServer]:
    with TwinServer(clock=ManualClock(TWIN_START)) as server:
        yield server


@pytest.fixture
def twin(twin_server: TwinServer) -> TwinServer:
    twin_server.state.reset()
    return twin_server


@pytest.fixture
def twin_token(twin: TwinServer) -> str:
    return twin.state.mint_token()
