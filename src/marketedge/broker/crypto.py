"""Tokens at rest: Fernet over every TOKEN_ENCRYPTION_KEY (the first encrypts, all decrypt), and rotation."""

from __future__ import annotations

from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class TokenUnreadable(Exception):
    """The stored ciphertext opens with none of the configured keys (a key was removed too early)."""


class TokenCipher:
    """Encrypts with the newest key; decrypts with any. Its repr never shows a key."""

    __slots__ = ("_fernet",)

    def __init__(self, keys: Sequence[str]) -> None:
        if not keys:
            raise ValueError("at least one Fernet key is needed")
        self._fernet = MultiFernet([Fernet(key) for key in keys])

    def encrypt(self, token: str) -> str:
        return self._fernet.encrypt(token.encode()).decode("ascii")

    def decrypt(self, ciphertext: str) -> str:
        try:
            return self._fernet.decrypt(ciphertext.encode("ascii")).decode()
        except (InvalidToken, ValueError):
            raise TokenUnreadable("the stored token opens with none of TOKEN_ENCRYPTION_KEY's keys") from None

    def rotate(self, ciphertext: str) -> str:
        """The same token encrypted with the newest key (what `marketedge token rotate-key` does to each)."""
        try:
            return self._fernet.rotate(ciphertext.encode("ascii")).decode("ascii")
        except (InvalidToken, ValueError):
            raise TokenUnreadable("the stored token opens with none of TOKEN_ENCRYPTION_KEY's keys") from None

    def __repr__(self) -> str:
        return "TokenCipher(***)"
