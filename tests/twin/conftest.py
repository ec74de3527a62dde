"""HTTP clients for the twin's tests: one connection pool each for the whole session (a new client costs a
TLS context, which is most of a fast test's time), handed out clean to every test."""

from collections.abc import Iterator

import httpx
import pytest

from marketedge.twin.server import TwinServer


@pytest.fixture(scope="session")
def _http_pool(twin_server: TwinServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=twin_server.url) as client:
        yield client


@pytest.fixture(scope="session")
def _control_pool(twin_server: TwinServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=twin_server.url) as client:
        yield client


@pytest.fixture
def http(_http_pool: httpx.Client, twin_token: str) -> httpx.Client:
    """A client for Upstox paths, carrying this test's fresh access token."""
    _http_pool.headers["Authorization"] = f"Bearer {twin_token}"
    return _http_pool


@pytest.fixture
def control(twin: TwinServer, _control_pool: httpx.Client) -> httpx.Client:
    """A client without a token, for /twin/ and for calls that must carry none."""
    return _control_pool
