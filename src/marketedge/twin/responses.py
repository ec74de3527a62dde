"""Upstox's JSON envelopes and errors as the twin sends them, and the error codes it uses."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from marketedge.core.jsonresponse import json_bytes

INVALID_TOKEN = ("UDAPI100050", "Invalid token used to access API")
EXTENDED_TOKEN = ("UDAPI100067", "The API you are trying to access is not permitted with an extended_token")
TOO_MANY_REQUESTS = ("UDAPI10005", "Too Many Request Sent")
UNEXPECTED = ("UDAPI100500", "Something went wrong. Please try again later")
BAD_CLIENT = ("UDAPI100068", "Check your 'client_id' and 'redirect_uri'; one or both are incorrect")
# Codes below are the twin's choice where Upstox's own is not documented (docs/twin.md lists them).
INVALID_KEY = ("UDAPI1087", "Invalid Instrument key")
INVALID_DATE = ("UDAPI1088", "Invalid date")
MISSING = ("UDAPI1011", "This request is missing a required field")
INVALID_AUTH_CODE = ("UDAPI100057", "Invalid Auth code")
INVALID_SECRET = ("UDAPI100069", "Invalid client_secret")
ANALYTICS_REFUSED = ("UDAPI100072", "This API is not accessible with an analytics token")
TOO_MANY_KEYS = ("UDAPI1095", "Too many instrument keys in one request")
INVALID_UNIT = ("UDAPI1146", "Invalid unit or interval")
INVALID_RANGE = ("UDAPI1148", "The date range is too long or reversed for this unit")
INVALID_EXCHANGE = ("UDAPI1096", "Invalid exchange")
NOT_FOUND = ("UDAPI100060", "Resource not Found.")
METHOD_NOT_ALLOWED = ("UDAPI100061", "Method not allowed")
SERVICE_UNAVAILABLE = ("UDAPI100503", "Service Unavailable")


def error_entry(
    code: str, message: str, property_path: str | None = None, invalid_value: Any = None
) -> dict[str, Any]:
    """One item of `errors`, in both spellings Upstox sends."""
    return {
        "error_code": code,
        "message": message,
        "property_path": property_path,
        "invalid_value": invalid_value,
        "errorCode": code,
        "propertyPath": property_path,
        "invalidValue": invalid_value,
    }


class UpstoxError(Exception):
    """An error answered in Upstox's envelope."""

    def __init__(
        self,
        status: int,
        error: tuple[str, str],
        property_path: str | None = None,
        invalid_value: Any = None,
        message: str | None = None,
    ) -> None:
        super().__init__(message or error[1])
        self.status = status
        self.code = error[0]
        self.message = message or error[1]
        self.property_path = property_path
        self.invalid_value = invalid_value

    def response(self) -> Response:
        return error_response(self.status, (self.code, self.message), self.property_path, self.invalid_value)


def error_response(
    status: int, error: tuple[str, str], property_path: str | None = None, invalid_value: Any = None
) -> Response:
    body = {"status": "error", "errors": [error_entry(error[0], error[1], property_path, invalid_value)]}
    return Response(json_bytes(body), status_code=status, media_type="application/json")


def success(data: Any) -> Response:
    return Response(json_bytes({"status": "success", "data": data}), media_type="application/json")


def plain(data: Any, status: int = 200) -> Response:
    """A JSON body without Upstox's envelope (the OAuth token answer, the control API)."""
    return Response(json_bytes(data), status_code=status, media_type="application/json")
