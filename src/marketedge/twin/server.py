"""Running the twin: TwinServer (uvicorn in a background thread on a free port, for tests and the demo) and
serve() (the foreground server behind `marketedge twin --port P`)."""

from __future__ import annotations

import socket
import threading
import time
from types import TracebackType

import uvicorn

from marketedge.core.clock import Clock
from marketedge.twin.app import create_twin_app
from marketedge.twin.config import TwinConfig
from marketedge.twin.state import TwinState

START_TIMEOUT = 10.0


class TwinServer:
    """The twin over real HTTP on 127.0.0.1 and a free port.

        with TwinServer(clock=ManualClock(ist(2026, 11, 25, 10, 30))) as twin:
            token = twin.state.mint_token()
            httpx.get(f"{twin.url}/v2/option/chain", params=..., headers={"Authorization": f"Bearer {token}"})

    `state` is the TwinState behind the server, for direct in-process control (mint tokens, set the clock,
    switch faults on) without going through /twin/.
    """

    def __init__(
        self,
        config: TwinConfig | None = None,
        clock: Clock | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        log_level: str = "warning",
    ) -> None:
        self.app = create_twin_app(config, clock)
        self.state: TwinState = self.app.state.twin
        self.host = host
        self.port = port
        self._log_level = log_level
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """The base URL, e.g. http://127.0.0.1:53124 (use it as UPSTOX_BASE_URL)."""
        if self._server is None:
            raise RuntimeError("the twin is not running: call start() or use it as a context manager")
        return f"http://{self.host}:{self.port}"

    def start(self) -> TwinServer:
        if self._server is not None:
            return self
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(
            self.app, log_level=self._log_level, access_log=False, lifespan="off", timeout_graceful_shutdown=2
        )
        server = uvicorn.Server(config)
        thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, name=f"upstox-twin-{self.port}", daemon=True
        )
        thread.start()
        deadline = time.monotonic() + START_TIMEOUT
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                server.should_exit = True
                sock.close()
                raise RuntimeError(f"the Upstox twin did not start on {self.host}:{self.port}")
            time.sleep(0.01)
        self._server, self._thread = server, thread
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        if server is None or thread is None:
            return
        server.should_exit = True
        thread.join(timeout=10)
        self._server = self._thread = None

    def __enter__(self) -> TwinServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def serve(
    host: str = "127.0.0.1",
    port: int = 8100,
    seed: int = 7,
    *,
    config: TwinConfig | None = None,
    clock: Clock | None = None,
) -> None:
    """Serve the twin in the foreground until interrupted (`marketedge twin --port P`)."""
    config = config or TwinConfig(seed=seed)
    app = create_twin_app(config, clock)
    print(
        f"Upstox twin on http://{host}:{port} (seed {config.seed}, client_id {config.client_id}).\n"
        f'Mint a token: curl -s -X POST http://{host}:{port}/twin/tokens -d \'{{"kind": "access"}}\'',
        flush=True,
    )
    uvicorn.run(app, host=host, port=port, log_level="info", lifespan="off")
