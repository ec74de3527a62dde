"""TwinConfig: the settings of one Upstox twin (the app registration it expects, the user, limits, the seed)."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from marketedge.chain.calendar import TradingCalendar
from marketedge.twin.exchange_calendar import twin_calendar


@dataclass
class TwinConfig:
    """Everything a test or the demo may want to change; all of it is also settable over `PUT /twin/config`."""

    seed: int = 7
    # The app registration the OAuth and v3 token endpoints check (UDAPI100068 when they do not match).
    client_id: str = "twin-client-id"
    client_secret: str = "twin-client-secret"  # noqa: S105 - a placeholder the twin expects, not a secret
    redirect_uri: str | None = None  # None: accept any http(s) redirect_uri
    notifier_url: str | None = None  # where an approved v3 token request is POSTed
    # The user the tokens belong to.
    user_id: str = "TW1234"
    user_name: str = "Twin Trader"
    email: str = "trader@twin.invalid"
    # Upstox's limits per token and API (None switches one off); counted on the limiter's clock (real time
    # unless a test speeds it up), whatever the twin's market clock says.
    rate_per_second: int | None = 50
    rate_per_minute: int | None = 500
    rate_per_30_minutes: int | None = 2000
    limits_per_api: bool = True  # Upstox counts each API apart; False: every API of a token together
    risk_free_rate: float = 0.065
    quirks: bool = True  # deep-ITM rows with delta ±1 and IV 0, the odd illiquid row with absurd greeks
    analytics_profile_allowed: bool = False  # Upstox may refuse /v2/user/profile to an analytics token
    calendar: TradingCalendar = field(default_factory=twin_calendar, compare=False, repr=False)

    def public(self) -> dict[str, Any]:
        """The JSON-friendly fields (all but the calendar), for GET /twin/config."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "calendar"}

    @classmethod
    def settable(cls) -> set[str]:
        return {f.name for f in fields(cls) if f.name != "calendar"}

    @classmethod
    def check(cls, name: str, value: Any) -> None:
        """Raise ValueError naming the field when a value set over the control API has the wrong type."""
        kind = _KINDS.get(name)
        if kind is None:
            raise ValueError(f"unknown config field: {name}")
        if value is None and kind in ("str?", "limit"):
            return
        if kind == "int" and isinstance(value, int) and not isinstance(value, bool):
            return
        if kind == "limit" and isinstance(value, int) and not isinstance(value, bool) and value >= 1:
            return
        if kind == "float" and isinstance(value, int | float) and not isinstance(value, bool):
            return
        if kind == "bool" and isinstance(value, bool):
            return
        if kind in ("str", "str?") and isinstance(value, str) and value:
            return
        expected = {
            "int": "an integer",
            "limit": "a positive integer or null",
            "float": "a number",
            "bool": "true or false",
            "str": "a non-empty string",
            "str?": "a non-empty string or null",
        }[kind]
        raise ValueError(f"{name} must be {expected}")


_KINDS = {
    "seed": "int",
    "client_id": "str",
    "client_secret": "str",
    "redirect_uri": "str?",
    "notifier_url": "str?",
    "user_id": "str",
    "user_name": "str",
    "email": "str",
    "rate_per_second": "limit",
    "rate_per_minute": "limit",
    "rate_per_30_minutes": "limit",
    "limits_per_api": "bool",
    "risk_free_rate": "float",
    "quirks": "bool",
    "analytics_profile_allowed": "bool",
}
