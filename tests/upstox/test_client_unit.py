"""Client behaviour no twin can stand in for: exact back-off timing (virtual clock), retry rules of calls that
are not idempotent, request encoding, and the error taxonomy's mapping into our API's errors."""

from __future__ import annotations

import asyncio
import itertools
import socket
import traceback
from collections.abc import Callable
from datetime import date
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from marketedge.core import errors as app_errors
from marketedge.upstox import (
    BadRequest,
    BadResponse,
    Budget,
    ExtendedTokenNotAllowed,
    NoToken,
    RateLimited,
    ServiceClosed,
    TokenInvalid,
    UpstoxClient,
    UpstoxLimiter,
    UpstreamUnavailable,
    constant_token,
)
from marketedge.upstox.errors import token_fingerprint
from tests.upstox.virtual_time import run_virtual

TOKEN = "eyJ0eXAiOiJKV1QifQ.unit-test-access-token.c2lnbmF0dXJl"
SECRET = "client-secret-never-shown-42"
Handler = Callable[[httpx.Request], httpx.Response]


def ok(data: Any) -> httpx.Response:
    return httpx.Response(200, json={"status": "success", "data": data})


def error(status: int, code: str, message: str, camel: bool = False, **headers: str) -> httpx.Response:
    entry = (
        {"errorCode": code, "message": message, "propertyPath": None, "invalidValue": None}
        if camel
        else {"error_code": code, "message": message, "property_path": None, "invalid_value": None}
    )
    return httpx.Response(status, json={"status": "error", "errors": [entry]}, headers=headers)


def scripted(*answers: httpx.Response | Exception) -> tuple[Handler, list[httpx.Request]]:
    """A handler answering in turn (the last answer repeats), and the list of requests it saw."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        answer = answers[min(len(seen) - 1, len(answers) - 1)]
        if isinstance(answer, Exception):
            raise answer
        return answer

    return handler, seen


def make_client(handler: Handler | None = None, **options: Any) -> UpstoxClient:
    options.setdefault("limiter", UpstoxLimiter((Budget(1000, 1.0),)))
    options.setdefault("backoff", 0.01)
    transport = httpx.MockTransport(handler) if handler else None
    return UpstoxClient("https://upstox.test", constant_token(TOKEN), transport=transport, **options)


def everything_said(error: BaseException) -> str:
    return "".join(traceback.format_exception(error)) + repr(error) + repr(error.__dict__)


# ---------------------------------------------------------------------------------------------------------
# Back-off timing (virtual clock: the waits are checked exactly, and cost nothing)


def test_429_waits_for_retry_after_then_succeeds() -> None:
    handler, seen = scripted(
        error(429, "UDAPI10005", "Too many requests", **{"Retry-After": "3"}),
        ok({"exchange": "NSE", "status": "NORMAL_OPEN"}),
    )

    async def scenario() -> tuple[float, str]:
        loop = asyncio.get_running_loop()
        async with make_client(handler) as client:
            started = loop.time()
            status = await client.market_status("NSE")
            return loop.time() - started, status.status

    elapsed, status = run_virtual(scenario())
    assert status == "NORMAL_OPEN" and len(seen) == 2
    assert 3.0 <= elapsed < 3.1


def test_429_beyond_the_retry_budget_raises_rate_limited_without_waiting() -> None:
    handler, seen = scripted(error(429, "UDAPI10005", "Too many requests", **{"Retry-After": "60"}))

    async def scenario() -> RateLimited:
        async with make_client(handler, max_retry_seconds=10) as client:
            with pytest.raises(RateLimited) as caught:
                await client.profile()
            return caught.value

    failure = run_virtual(scenario())
    assert len(seen) == 1 and failure.retry_after == 60 and failure.error_code == "UDAPI10005"


def test_429_without_retry_after_backs_off_exponentially_up_to_max_attempts() -> None:
    handler, seen = scripted(error(429, "UDAPI10005", "Too many requests"))
    sent: list[float] = []

    def timed(request: httpx.Request) -> httpx.Response:
        sent.append(asyncio.get_running_loop().time())
        return handler(request)

    async def scenario() -> None:
        async with make_client(timed, backoff=1.0, max_attempts=4, max_retry_seconds=100) as client:
            with pytest.raises(RateLimited):
                await client.profile()

    run_virtual(scenario())
    gaps = [b - a for a, b in itertools.pairwise(sent)]
    assert len(seen) == 4
    # 2 s × 2^(n−1) plus up to 1 s of jitter.
    for gap, base in zip(gaps, (2.0, 4.0, 8.0), strict=True):
        assert base <= gap <= base + 1.01


def test_5xx_and_423_are_retried_with_growing_waits_then_succeed() -> None:
    handler, seen = scripted(
        error(500, "UDAPI100500", "Something went wrong"),
        httpx.Response(503, text="<html>maintenance</html>"),
        error(423, "UDAPI1", "Locked"),
        ok({"user_id": "AB1234"}),
    )
    sent: list[float] = []

    def timed(request: httpx.Request) -> httpx.Response:
        sent.append(asyncio.get_running_loop().time())
        return handler(request)

    async def scenario() -> str:
        async with make_client(timed, backoff=0.5, max_attempts=4) as client:
            return (await client.profile()).user_id

    assert run_virtual(scenario()) == "AB1234"
    assert len(seen) == 4
    gaps = [b - a for a, b in itertools.pairwise(sent)]
    for gap, base in zip(gaps, (0.5, 1.0, 2.0), strict=True):
        assert base <= gap <= base + 0.51


def test_5xx_beyond_max_attempts_raises_upstream_unavailable() -> None:
    handler, seen = scripted(httpx.Response(502, text="bad gateway"))

    async def scenario() -> UpstreamUnavailable:
        async with make_client(handler, max_attempts=3) as client:
            with pytest.raises(UpstreamUnavailable) as caught:
                await client.market_status()
            return caught.value

    failure = run_virtual(scenario())
    assert len(seen) == 3 and failure.status == 502 and failure.path == "/v2/market/status/NSE"


# ---------------------------------------------------------------------------------------------------------
# What is never retried


async def test_401_is_never_retried_and_the_token_service_is_told_once() -> None:
    handler, seen = scripted(error(401, "UDAPI100050", "Invalid token used to access API"))
    told: list[TokenInvalid] = []

    async def rejected(error: TokenInvalid) -> None:
        told.append(error)

    async with make_client(handler, on_token_rejected=rejected) as client:
        with pytest.raises(TokenInvalid) as caught:
            await client.option_chain("NSE_INDEX|Nifty 50", date(2025, 2, 13))
    assert len(seen) == 1 and told == [caught.value]
    assert caught.value.token_fingerprint == token_fingerprint(TOKEN)
    assert caught.value.error_code == "UDAPI100050" and caught.value.status == 401


async def test_a_failing_token_hook_does_not_hide_token_invalid() -> None:
    handler, _ = scripted(error(401, "UDAPI100050", "Invalid token used to access API", camel=True))

    async def broken(error: TokenInvalid) -> None:
        raise RuntimeError("token service down")

    async with make_client(handler, on_token_rejected=broken) as client:
        with pytest.raises(TokenInvalid) as caught:
            await client.profile()
    assert caught.value.error_code == "UDAPI100050"


async def test_a_200_with_the_error_envelope_is_mapped_like_the_status_says() -> None:
    handler, seen = scripted(
        httpx.Response(
            200, json={"status": "error", "errors": [{"errorCode": "UDAPI100050", "message": "x"}]}
        )
    )
    async with make_client(handler) as client:
        with pytest.raises(TokenInvalid):
            await client.profile()
    assert len(seen) == 1


@pytest.mark.parametrize(
    ("answer", "kind", "code"),
    [
        (error(400, "UDAPI1087", "Invalid instrument key"), BadRequest, "UDAPI1087"),
        (error(400, "UDAPI1088", "Invalid date", camel=True), BadRequest, "UDAPI1088"),
        (
            error(401, "UDAPI100067", "Not allowed with extended token"),
            ExtendedTokenNotAllowed,
            "UDAPI100067",
        ),
        (error(403, "UDAPI100074", "Outside service hours"), ServiceClosed, "UDAPI100074"),
        (httpx.Response(404, text="not here"), BadRequest, None),
        (httpx.Response(302, headers={"Location": "https://elsewhere"}), BadResponse, None),
        (httpx.Response(200, text="{not json"), BadResponse, None),
        (httpx.Response(200, json={"data": []}), BadResponse, None),
        (ok({"exchange": "NSE"}), BadResponse, None),  # no status
    ],
)
async def test_failures_that_are_not_retried(
    answer: httpx.Response, kind: type[Exception], code: str | None
) -> None:
    handler, seen = scripted(answer)
    told: list[TokenInvalid] = []

    async def rejected(error: TokenInvalid) -> None:
        told.append(error)

    async with make_client(handler, on_token_rejected=rejected) as client:
        with pytest.raises(kind) as caught:
            await client.market_status("NSE")
    assert len(seen) == 1 and not told
    assert type(caught.value) is kind
    assert caught.value.error_code == code  # type: ignore[attr-defined]
    assert caught.value.path == "/v2/market/status/NSE"  # type: ignore[attr-defined]


async def test_code_exchange_is_not_repeated_once_it_reached_upstox() -> None:
    handler, seen = scripted(httpx.Response(503, text="unavailable"))
    async with make_client(handler) as client:
        with pytest.raises(UpstreamUnavailable):
            await client.exchange_code(
                "code-1", client_id="cid", client_secret=SECRET, redirect_uri="https://a/cb"
            )
        with pytest.raises(UpstreamUnavailable):
            await client.request_token_v3("cid", SECRET)
    assert len(seen) == 2


async def test_a_refused_connection_is_retried_even_for_the_code_exchange() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = UpstoxClient(
        f"http://127.0.0.1:{port}",
        constant_token(TOKEN),
        max_attempts=3,
        backoff=0.01,
        limiter=UpstoxLimiter((Budget(1000, 1.0),)),
    )
    async with client:
        with pytest.raises(UpstreamUnavailable) as caught:
            await client.exchange_code(
                "code-1", client_id="cid", client_secret=SECRET, redirect_uri="https://a/cb"
            )
    assert caught.value.request_sent is False and "ConnectError" in caught.value.message
    assert SECRET not in everything_said(caught.value)


async def test_no_token_sends_nothing() -> None:
    handler, seen = scripted(ok({}))
    for provider in (None, constant_token(None), constant_token("")):
        client = UpstoxClient("https://upstox.test", provider, transport=httpx.MockTransport(handler))
        async with client:
            with pytest.raises(NoToken):
                await client.profile()
    assert seen == []


# ---------------------------------------------------------------------------------------------------------
# Requests on the wire


async def test_instrument_keys_dates_and_chunks_are_encoded_as_upstox_expects() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        path = request.url.path
        if path.endswith("/option-greek") or path.endswith("/ltp"):
            keys = parse_qs(urlsplit(str(request.url)).query)["instrument_key"][0].split(",")
            return ok(
                {f"NSE_FO:SYM{k}": {"instrument_token": k, "last_price": 1.0, "iv": 0.15} for k in keys}
            )
        if "historical-candle" in path:
            return ok(
                {
                    "candles": [
                        ["2025-01-10T09:16:00+05:30", 1, 2, 0.5, 1.5, 10, 0],
                        ["2025-01-10T09:15:00+05:30", 1, 2, 0.5, 1.5, 10, 0],
                    ]
                }
            )
        return ok([])

    async with make_client(handler) as client:
        await client.option_chain("NSE_INDEX|Nifty 50", date(2025, 2, 13))
        await client.option_contracts("NSE_INDEX|Nifty Bank")
        candles = await client.historical_candles(
            "NSE_INDEX|Nifty 50", "minutes", 1, date(2025, 1, 10), date(2025, 1, 9)
        )
        await client.intraday_candles("BSE_INDEX|SENSEX", "minutes", 1)
        keys = [f"NSE_FO|{n}" for n in range(120)]
        greeks = await client.option_greeks([*keys, keys[0]])
        prices = await client.ltp([f"NSE_FO|{n}" for n in range(1001)])
        assert await client.option_greeks([]) == {}

    raw = [r.url.raw_path.decode() for r in seen]
    assert raw[0] == "/v2/option/chain?instrument_key=NSE_INDEX%7CNifty%2050&expiry_date=2025-02-13"
    assert raw[1] == "/v2/option/contract?instrument_key=NSE_INDEX%7CNifty%20Bank"
    assert raw[2] == "/v3/historical-candle/NSE_INDEX%7CNifty%2050/minutes/1/2025-01-10/2025-01-09"
    assert raw[3] == "/v3/historical-candle/intraday/BSE_INDEX%7CSENSEX/minutes/1"
    greek_calls = [r for r in seen if r.url.path.endswith("/option-greek")]
    assert [len(parse_qs(r.url.query.decode())["instrument_key"][0].split(",")) for r in greek_calls] == [
        50,
        50,
        20,
    ]
    assert "NSE_FO%7C0,NSE_FO%7C1," in greek_calls[0].url.raw_path.decode()
    assert len(greeks) == 120 and greeks["NSE_FO|7"].symbol == "NSE_FO:SYMNSE_FO|7"
    assert greeks["NSE_FO|7"].iv_unit == "fraction"
    assert len([r for r in seen if r.url.path.endswith("/ltp")]) == 3 and len(prices) == 1001
    assert candles[0].timestamp < candles[1].timestamp  # oldest first
    for request in seen:
        assert request.headers["Authorization"] == f"Bearer {TOKEN}"
        assert request.headers["Accept"] == "application/json"


async def test_login_calls_send_their_secrets_only_in_the_body() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path.startswith("/v3/"):
            return ok({"authorization_expiry": "1732226400000", "notifier_url": "https://a/notify"})
        return httpx.Response(200, json={"user_id": "AB1234", "access_token": TOKEN, "extended_token": None})

    async with make_client(handler) as client:
        token = await client.exchange_code(
            "code 1/2",
            client_id="cid",
            client_secret=SECRET,
            redirect_uri="https://a/cb?x=1",
            refresh_extended_token=False,
        )
        ack = await client.request_token_v3("cid", SECRET)
    assert token.access_token.get_secret_value() == TOKEN and ack.notifier_url == "https://a/notify"
    form = parse_qs(seen[0].content.decode())
    assert seen[0].headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert form == {
        "code": ["code 1/2"],
        "client_id": ["cid"],
        "client_secret": [SECRET],
        "redirect_uri": ["https://a/cb?x=1"],
        "grant_type": ["authorization_code"],
        "refresh_extended_token": ["false"],
    }
    assert "Authorization" not in seen[0].headers and "Authorization" not in seen[1].headers
    assert seen[1].url.path == "/v3/login/auth/token/request/cid"
    assert seen[1].content == b'{"client_secret":"' + SECRET.encode() + b'"}'
    assert all(SECRET not in str(r.url) for r in seen)


def test_authorization_url_is_fully_encoded() -> None:
    client = UpstoxClient("https://api.upstox.com/", None)
    url = client.authorization_url("my key", "https://app.example/broker/callback?x=1&y=2", "st/ate+1")
    assert url == (
        "https://api.upstox.com/v2/login/authorization/dialog?response_type=code&client_id=my%20key"
        "&redirect_uri=https%3A%2F%2Fapp.example%2Fbroker%2Fcallback%3Fx%3D1%26y%3D2&state=st%2Fate%2B1"
    )


def test_the_base_url_loses_its_trailing_slash_and_the_token_stays_out_of_repr() -> None:
    client = UpstoxClient("http://127.0.0.1:9/twin-root/", constant_token(TOKEN), timeout=2.0)
    assert client.base_url == "http://127.0.0.1:9/twin-root" and client.timeout == 2.0
    assert TOKEN not in repr(client) and TOKEN not in repr(constant_token(TOKEN))


# ---------------------------------------------------------------------------------------------------------
# Secrecy and the mapping to our own errors


async def test_tokens_and_secrets_never_reach_logs_or_exceptions(caplog: pytest.LogCaptureFixture) -> None:
    # Each failure echoes back every secret its request carried, as a careless server might.
    answers: list[Callable[[str], httpx.Response | Exception]] = [
        lambda echo: error(401, "UDAPI100050", echo),
        lambda echo: error(400, "UDAPI1087", echo, camel=True),
        lambda echo: error(500, "UDAPI100500", echo),
        lambda echo: error(429, "UDAPI10005", echo),
        lambda echo: httpx.Response(200, text="{" + echo),
        lambda echo: httpx.ConnectTimeout(f"timed out {echo}"),
        lambda echo: httpx.ReadError(f"reset {echo}"),
    ]
    for logger in (None, "marketedge.upstox", "httpx", "httpcore"):
        caplog.set_level("DEBUG", logger=logger)
    failures: list[BaseException] = []
    for answer in answers:

        def handler(request: httpx.Request, answer: Any = answer) -> httpx.Response:
            echo = f"{request.headers.get('Authorization', '')} {request.content.decode()} wrong"
            reply = answer(echo)
            if isinstance(reply, Exception):
                raise reply
            return reply

        async with make_client(handler, max_attempts=2, on_token_rejected=_noop) as client:
            for call in (
                client.profile(),
                client.exchange_code("c", client_id="cid", client_secret=SECRET, redirect_uri="https://a/cb"),
            ):
                try:
                    await call
                except Exception as exc:
                    failures.append(exc)
    assert len(failures) == 2 * len(answers)
    assert any("upstox call" in r.getMessage() for r in caplog.records)
    for failure in failures:
        said = everything_said(failure) + str(failure.to_app_error().details)  # type: ignore[attr-defined]
        assert TOKEN not in said and SECRET not in said, said
        # Nothing chained: httpx errors hold the request (with its header), decoder errors the whole body.
        assert failure.__cause__ is None and failure.__context__ is None, repr(failure.__context__)
    assert TOKEN not in caplog.text and SECRET not in caplog.text


async def _noop(error: TokenInvalid) -> None:
    return None


@pytest.mark.parametrize(
    ("failure", "kind", "status", "code"),
    [
        (TokenInvalid("dead"), app_errors.TokenMissing, 503, "broker_token_missing"),
        (NoToken("none"), app_errors.TokenMissing, 503, "broker_token_missing"),
        (
            RateLimited("slow down", retry_after=2.4),
            app_errors.UpstreamUnavailable,
            503,
            "upstream_unavailable",
        ),
        (UpstreamUnavailable("down"), app_errors.UpstreamUnavailable, 503, "upstream_unavailable"),
        (ServiceClosed("closed"), app_errors.UpstreamUnavailable, 503, "upstream_unavailable"),
        (
            BadRequest("bad key", status=400, error_code="UDAPI1087"),
            app_errors.UpstreamError,
            502,
            "upstream_error",
        ),
        (ExtendedTokenNotAllowed("no"), app_errors.UpstreamError, 502, "upstream_error"),
        (BadResponse("junk"), app_errors.UpstreamError, 502, "upstream_error"),
    ],
)
def test_every_upstox_error_surfaces_as_502_or_503(
    failure: Any, kind: type[app_errors.AppError], status: int, code: str
) -> None:
    mapped = failure.to_app_error()
    assert type(mapped) is kind and mapped.status_code == status and mapped.code == code
    if isinstance(failure, RateLimited):
        assert mapped.headers == {"Retry-After": "2"}


def test_error_text_names_where_and_what() -> None:
    failure = BadRequest(
        "Invalid instrument key",
        status=400,
        error_code="UDAPI1087",
        path="/v2/option/chain?x",
        endpoint="option_chain",
    )
    assert str(failure) == "Invalid instrument key [option_chain /v2/option/chain?x] (HTTP 400, UDAPI1087)"


async def test_an_endpoint_that_lets_an_upstox_error_through_answers_503_not_500() -> None:
    from fastapi import FastAPI

    from marketedge.core.errors import install_error_handlers
    from marketedge.upstox import UpstoxError
    from marketedge.upstox.errors import upstox_error_handler

    app = FastAPI()
    install_error_handlers(app)
    app.add_exception_handler(UpstoxError, upstox_error_handler)

    @app.get("/limited")
    async def limited() -> None:
        raise RateLimited("Too many requests", status=429, error_code="UDAPI10005", retry_after=3)

    @app.get("/junk")
    async def junk() -> None:
        raise BadResponse("Upstox answered with malformed JSON", status=200, path="/v2/option/chain")

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://app") as http:
        answer = await http.get("/limited")
        assert answer.status_code == 503 and answer.headers["Retry-After"] == "3"
        assert answer.json()["error"]["code"] == "upstream_unavailable"
        assert answer.json()["error"]["details"]["upstox_error_code"] == "UDAPI10005"
        answer = await http.get("/junk")
        assert answer.status_code == 502 and answer.json()["error"]["code"] == "upstream_error"


async def test_v2_calls_name_api_version_2_and_v3_calls_do_not() -> None:
    """Upstox's SDK sends `Api-Version: 2.0` on its v2 calls; the v3 paths carry the version themselves."""
    seen: dict[str, str | None] = {}

    def upstox(request: httpx.Request) -> httpx.Response:
        seen[request.url.path] = request.headers.get("Api-Version")
        if "/v3/" in request.url.path:
            return httpx.Response(200, json={"status": "success", "data": {"candles": []}})
        return httpx.Response(
            200, json={"status": "success", "data": {"exchange": "NSE", "status": "NORMAL_OPEN"}}
        )

    async with UpstoxClient(
        "https://upstox.test", constant_token("t"), transport=httpx.MockTransport(upstox)
    ) as client:
        await client.market_status()
        await client.intraday_candles("NSE_INDEX|Nifty 50", "minutes", 1)
    assert seen == {
        "/v2/market/status/NSE": "2.0",
        "/v3/historical-candle/intraday/NSE_INDEX|Nifty 50/minutes/1": None,
    }
