"""The Upstox client package: the only code in the app that talks to Upstox."""

from marketedge.upstox.calls import ConstantToken, constant_token, encode_key
from marketedge.upstox.client import UpstoxClient
from marketedge.upstox.errors import (
    BadRequest,
    BadResponse,
    ExtendedTokenNotAllowed,
    NoToken,
    RateLimited,
    ServiceClosed,
    TokenInvalid,
    UpstoxError,
    UpstreamUnavailable,
)
from marketedge.upstox.limits import UPSTOX_BUDGETS, Budget, Lane, UpstoxLimiter, default_limiter

__all__ = [
    "UPSTOX_BUDGETS",
    "BadRequest",
    "BadResponse",
    "Budget",
    "ConstantToken",
    "ExtendedTokenNotAllowed",
    "Lane",
    "NoToken",
    "RateLimited",
    "ServiceClosed",
    "TokenInvalid",
    "UpstoxClient",
    "UpstoxError",
    "UpstoxLimiter",
    "UpstreamUnavailable",
    "constant_token",
    "default_limiter",
    "encode_key",
]
