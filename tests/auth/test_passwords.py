"""Password rules (length, the common list, the email), argon2id hashing, and email normalising."""

from __future__ import annotations

import pytest

from marketedge.auth.passwords import (
    MIN_LENGTH,
    PasswordRejected,
    check_password,
    common_passwords,
    hash_password,
    needs_rehash,
    verify_password,
)
from marketedge.auth.users import new_one_time_password, normalise_email
from marketedge.core.errors import InvalidInput


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("short", "at least"),
        ("x" * 200, "at most"),
        ("password1234", "common"),
        ("Password123!", "common"),
        ("!!Qwertyuiop99", "common"),
        ("123456789012", "common"),
        ("BankNifty2026!", "common"),
        ("aaaaaaaaaaaaaaaa", "repeats"),
        ("ababababababab", "repeats"),
        ("asha.kumar-trades", "email"),
    ],
)
def test_weak_passwords_are_refused_with_a_reason(password: str, why: str) -> None:
    with pytest.raises(PasswordRejected, match=why):
        check_password(password, email="asha.kumar@example.com")


@pytest.mark.parametrize(
    "password", ["correct horse battery staple", "Greeks at 09:15 move fast!", "x7#Lq9!vR2@mZ"]
)
def test_good_passwords_pass(password: str) -> None:
    check_password(password, email="asha@example.com")


def test_the_common_list_is_bundled_and_small() -> None:
    common = common_passwords()
    assert 200 <= len(common) <= 5000
    assert {"password", "123456", "qwerty", "nifty"} <= common
    assert all(p == p.lower() for p in common)


def test_hashes_are_argon2id_salted_and_verified() -> None:
    first, second = (
        hash_password("correct horse battery staple"),
        hash_password("correct horse battery staple"),
    )
    assert first.startswith("$argon2id$") and first != second
    assert verify_password(first, "correct horse battery staple")
    assert not verify_password(first, "Correct horse battery staple")
    assert not verify_password(None, "anything")
    assert not verify_password("not a hash", "anything")
    assert not needs_rehash(first)
    assert len(new_one_time_password()) >= MIN_LENGTH


def test_emails_are_normalised_and_checked() -> None:
    assert normalise_email(" Asha@Example.COM ") == "asha@example.com"
    for bad in ("asha", "asha@", "@example.com", "a b@example.com", "asha@example"):
        with pytest.raises(InvalidInput):
            normalise_email(bad)
