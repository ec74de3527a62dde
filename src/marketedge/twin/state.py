"""TwinState: everything one running twin holds (config, clock, market, tokens, faults, limits), with methods
for direct in-process control from tests; the /twin/ control API calls the same methods."""

from __future__ import annotations

import dataclasses
import threading
from datetime import datetime, timedelta
from typing import Any

import httpx

from marketedge.core import clock as app_clock
from marketedge.core.clock import IST, Clock, ManualClock, ShiftedClock
from marketedge.twin.config import TwinConfig
from marketedge.twin.faults import Fault, FaultBoard
from marketedge.twin.limits import RateLimiter
from marketedge.twin.market import Market
from marketedge.twin.payloads import Payloads
from marketedge.twin.tokens import Delivery, TokenKind, TokenStore, epoch_ms

NOTIFY_TIMEOUT = 10.0
_MARKET_FIELDS = {"seed", "risk_free_rate", "quirks"}


class AppClock:
    """The app's clock (`marketedge.core.clock.now()`), read at every call so `use_clock` in a test moves the twin too."""

    def now(self) -> datetime:
        return app_clock.now()


class TwinClock:
    """The twin's own clock: a base clock (the app's by default) that the control API can set or advance.

    Setting it replaces the base with a frozen clock (or one running at `speed`); advancing moves a frozen
    clock, or adds an offset to a running one. A clock handed in by the caller is never modified.
    """

    def __init__(self, base: Clock) -> None:
        self._default = base
        self._base: Clock = base
        self._own = False
        self._offset = timedelta(0)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            base, offset = self._base, self._offset
        return (base.now() + offset).astimezone(IST)

    @property
    def frozen(self) -> bool:
        with self._lock:
            return isinstance(self._base, ManualClock)

    def set(self, at: datetime, speed: float | None = None) -> None:
        with self._lock:
            self._base = ManualClock(at) if speed is None else ShiftedClock(at, speed)
            self._own = True
            self._offset = timedelta(0)

    def use(self, base: Clock) -> None:
        """Follow another clock until reset (e.g. the ManualClock a test also gives the app, or AppClock())."""
        with self._lock:
            self._base, self._own, self._offset = base, False, timedelta(0)

    def advance(self, seconds: float) -> None:
        with self._lock:
            if self._own and isinstance(self._base, ManualClock):
                self._base.advance(timedelta(seconds=seconds))
            else:
                self._offset += timedelta(seconds=seconds)

    def reset(self) -> None:
        with self._lock:
            self._base, self._own, self._offset = self._default, False, timedelta(0)


class TwinState:
    """One twin's state. Tests reach it as `TwinServer.state` (or `app.state.twin`)."""

    def __init__(self, config: TwinConfig | None = None, clock: Clock | None = None) -> None:
        self._initial = dataclasses.replace(config) if config else TwinConfig()
        self.config = dataclasses.replace(self._initial)
        self.clock = TwinClock(clock or AppClock())
        self.tokens = TokenStore()
        self.faults = FaultBoard()
        self.limiter = RateLimiter(
            lambda: (
                self.config.rate_per_second,
                self.config.rate_per_minute,
                self.config.rate_per_30_minutes,
            ),
            per_api=lambda: self.config.limits_per_api,
        )
        self._build_market()

    def _build_market(self) -> None:
        self.market = Market(
            self.config.seed, self.config.calendar, rate=self.config.risk_free_rate, quirks=self.config.quirks
        )
        self.payloads = Payloads(self.market)

    def now(self) -> datetime:
        return self.clock.now()

    # --- control ----------------------------------------------------------------------------------------

    def mint_token(self, kind: TokenKind | str = TokenKind.access, *, opaque: bool = False) -> str:
        """A fresh token of this kind for the configured user, valid from the twin's now (a JWT, as Upstox's
        are; `opaque`: one that carries no claims)."""
        return self.tokens.mint(TokenKind(kind), self.config.user_id, self.now(), opaque=opaque).value

    def set_clock(self, at: datetime, speed: float | None = None) -> None:
        self.clock.set(at, speed)

    def advance_clock(self, seconds: float) -> None:
        self.clock.advance(seconds)

    def add_fault(self, kind: str, **options: Any) -> Fault:
        """Switch a fault on, e.g. add_fault("server_error", count=2, status=503, path_prefix="/v2/option")."""
        fault = Fault.from_json({"kind": kind, **options})
        self.faults.add(fault)
        return fault

    def configure(self, **changes: Any) -> TwinConfig:
        """Change config fields (rebuilding the market when the seed, rate or quirks change)."""
        for name, value in changes.items():
            if name != "calendar":
                TwinConfig.check(name, value)
        self.config = dataclasses.replace(self.config, **changes)
        if _MARKET_FIELDS & set(changes) or "calendar" in changes:
            self._build_market()
        return self.config

    def reset(self) -> None:
        """Back to the state at start: config, clock, no tokens, no faults, fresh rate windows."""
        rebuild = any(getattr(self.config, f) != getattr(self._initial, f) for f in _MARKET_FIELDS) or (
            self.config.calendar is not self._initial.calendar
        )
        self.config = dataclasses.replace(self._initial)
        self.clock.reset()
        self.tokens.clear()
        self.faults.clear()
        self.limiter.reset()
        if rebuild:
            self._build_market()

    # --- v3 token requests ------------------------------------------------------------------------------

    def approve(self) -> list[Delivery]:
        """Approve every pending v3 token request: mint an access token for each and POST it to the notifier
        URL from a background thread. Returns the deliveries (wait on `delivery.done` to see the outcome)."""
        now = self.now()
        deliveries = []
        for request in self.tokens.take_requests(now):
            token = self.tokens.mint(TokenKind.access, self.config.user_id, now)
            payload = {
                "client_id": request.client_id,
                "user_id": self.config.user_id,
                "access_token": token.value,
                "token_type": "Bearer",
                "expires_at": epoch_ms(token.expires_at),
                "issued_at": epoch_ms(token.issued_at),
                "message_type": "access_token",
            }
            delivery = Delivery(self.config.notifier_url or "", payload)
            self.tokens.deliveries.append(delivery)
            deliveries.append(delivery)
            threading.Thread(target=_deliver, args=(delivery,), name="twin-notifier", daemon=True).start()
        return deliveries


def _deliver(delivery: Delivery) -> None:
    try:
        if not delivery.url:
            delivery.error = "no notifier_url configured"
            return
        response = httpx.post(delivery.url, json=delivery.payload, timeout=NOTIFY_TIMEOUT)
        delivery.status = response.status_code
    except httpx.HTTPError as exc:
        delivery.error = f"{type(exc).__name__}: {exc}"
    finally:
        delivery.done.set()
