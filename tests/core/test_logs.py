"""Log lines never carry a token, password or secret."""

from __future__ import annotations

from marketedge.core.logs import MASK, redact, redact_text


def test_secret_keys_are_masked() -> None:
    event = redact(
        None,
        "info",
        {
            "event": "x",
            "access_token": "eyJabc",
            "password": "hunter2",
            "client_secret": "s3",
            "token_kind": "analytics",
            "nested": {"authorization": "Bearer abc"},
        },
    )
    assert event["access_token"] == MASK
    assert event["password"] == MASK
    assert event["client_secret"] == MASK
    assert event["token_kind"] == "analytics"
    assert event["nested"] == {"authorization": MASK}


def test_bearer_tokens_and_secret_query_parameters_in_text_are_masked() -> None:
    text = redact_text("GET /x?code=abc123&state=ok Authorization: Bearer eyJ.very.secret")
    assert "abc123" not in text and "eyJ.very.secret" not in text
    assert "state=ok" in text
