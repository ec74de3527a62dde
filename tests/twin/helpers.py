"""Small helpers shared by the twin's tests."""

import httpx


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def assert_upstox_error(response: httpx.Response, status: int, code: str) -> None:
    """Upstox's error envelope, with both spellings of every field."""
    assert response.status_code == status, response.text
    body = response.json()
    assert body["status"] == "error"
    (error,) = body["errors"]
    assert error["error_code"] == error["errorCode"] == code
    assert set(error) == {
        "error_code",
        "message",
        "property_path",
        "invalid_value",
        "errorCode",
        "propertyPath",
        "invalidValue",
    }
