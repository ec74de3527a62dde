"""Passwords: argon2id hashes, and the rules a new password must pass (length, not common, not the email)."""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_LENGTH = 12
MAX_LENGTH = 128  # argon2 takes any length; a cap keeps a hash request cheap

# OWASP's argon2id baseline (19 MiB, 2 passes, 1 lane): cheap enough that a login flood costs us little
# (docs/security.md, "Rate limits").
_hasher = PasswordHasher(
    time_cost=2, memory_cost=19_456, parallelism=1, hash_len=32, salt_len=16, type=Type.ID
)
# Verified when the email is unknown, so a wrong email takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash("not-a-real-password-only-for-timing")


class PasswordRejected(ValueError):
    """A new password breaks a rule; the message says which, in words for the person choosing it."""


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when the password matches; constant work whether or not there is a hash."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    text = (resources.files("marketedge.auth") / "common_passwords.txt").read_text(encoding="utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip() and line[0] != "#")


_DECORATION = re.compile(r"^[^a-z]+|[^a-z]+$")


def check_password(password: str, *, email: str | None = None) -> None:
    """Raise PasswordRejected when a new password is too short, too long, common or made of the email."""
    if len(password) < MIN_LENGTH:
        raise PasswordRejected(f"Use at least {MIN_LENGTH} characters; a short phrase of words works well.")
    if len(password) > MAX_LENGTH:
        raise PasswordRejected(f"Use at most {MAX_LENGTH} characters.")
    lowered = password.lower()
    common = common_passwords()
    # "Password123!" is "password" with decoration: strip leading and trailing non-letters before looking up.
    if lowered in common or _DECORATION.sub("", lowered) in common:
        raise PasswordRejected("That password is one of the most common ones; choose another.")
    if len(set(lowered)) < 4:
        raise PasswordRejected("That password repeats too few characters; choose another.")
    if email:
        local = email.lower().split("@", 1)[0]
        if lowered == email.lower() or (len(local) >= 4 and local in lowered):
            raise PasswordRejected("The password must not contain your email address.")
