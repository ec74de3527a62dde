"""The Upstox token lifecycle: storage (encrypted), validation, OAuth, v3 requests, the notifier, renewal."""

from marketedge.broker.crypto import TokenCipher
from marketedge.broker.renewal import TokenRenewal
from marketedge.broker.service import TokenService

__all__ = ["TokenCipher", "TokenRenewal", "TokenService"]
