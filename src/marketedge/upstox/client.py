"""The Upstox client: typed async calls with limits, retries and one error taxonomy; the only code that talks to Upstox."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import date
from types import TracebackType
from typing import Any, TypeVar
from urllib.parse import quote, urlencode

import httpx
import structlog
from pydantic import TypeAdapter, ValidationError
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
    stop_before_delay,
)

from marketedge.upstox.calls import (
    Backoff,
    Call,
    chunks,
    encode_key,
    error_for,
    query_string,
    scrub,
    shape_problem,
    should_retry,
)
from marketedge.upstox.errors import (
    BadResponse,
    NoToken,
    RateLimited,
    TokenInvalid,
    UpstoxError,
    UpstreamUnavailable,
    token_fingerprint,
)
from marketedge.upstox.limits import Lane, UpstoxLimiter, default_limiter
from marketedge.upstox.parsing import (
    candles_of,
    chain_rows,
    json_or,
    list_of,
    quotes_of,
)
from marketedge.upstox.schemas import (
    Candle,
    CandleUnit,
    ExchangeTiming,
    Holiday,
    LtpQuote,
    MarketStatus,
    OptionChain,
    OptionContract,
    OptionGreekQuote,
    Profile,
    TokenRequestAck,
    TokenResponse,
    normalise_quote_iv,
)

log = structlog.get_logger("marketedge.upstox")

_MALFORMED = object()  # what json_or answers for a body that is not JSON

T = TypeVar("T")
Q = TypeVar("Q", OptionGreekQuote, LtpQuote)
TokenProvider = Callable[[], Awaitable[str | None]]
TokenRejectedHook = Callable[[TokenInvalid], Awaitable[None]]
Sleep = Callable[[float], Awaitable[None]]
AttemptHook = Callable[[str, int | None, UpstoxError | None, float], None]

#: Upstox's documented maximum number of instrument keys per call.
OPTION_GREEKS_MAX_KEYS = 50
LTP_MAX_KEYS = 500


class UpstoxClient:
    """Async Upstox client over one pooled httpx connection set.

    Every call waits for the shared limiter, is retried by tenacity when the failure is transient
    (UpstreamUnavailable, RateLimited) within `max_attempts` and `max_retry_seconds`, and raises one of
    `marketedge.upstox.errors`. A 401 is never retried: `on_token_rejected` is awaited once, then
    TokenInvalid is raised.
    """

    def __init__(
        self,
        base_url: str,
        token_provider: TokenProvider | None,
        *,
        timeout: float = 10.0,
        max_attempts: int = 4,
        max_retry_seconds: float = 30.0,
        backoff: float = 0.5,
        max_backoff: float = 8.0,
        on_token_rejected: TokenRejectedHook | None = None,
        limiter: UpstoxLimiter | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.max_attempts = max_attempts
        self.max_retry_seconds = max_retry_seconds
        self.limiter = limiter if limiter is not None else default_limiter()
        self._token_provider = token_provider
        self._on_token_rejected = on_token_rejected
        self._backoff = backoff
        self._max_backoff = max_backoff
        self._sleep = sleep
        # Told of every HTTP attempt (endpoint, status, error, seconds): the metrics hook.
        self.on_attempt: AttemptHook | None = None
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)),
            limits=httpx.Limits(max_connections=20, max_keepalive_connections=10, keepalive_expiry=30),
            headers={"Accept": "application/json", "User-Agent": "marketedge"},
            transport=transport,
            follow_redirects=False,
        )

    def __repr__(self) -> str:
        return f"UpstoxClient({self.base_url!r}, timeout={self.timeout}, max_attempts={self.max_attempts})"

    async def __aenter__(self) -> UpstoxClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    # -----------------------------------------------------------------------------------------------------
    # Login and tokens

    def authorization_url(self, client_id: str, redirect_uri: str, state: str) -> str:
        """Where to send the browser to log in (§1.1 step 1); every value URL-encoded. No request is made."""
        query = urlencode(
            {"response_type": "code", "client_id": client_id, "redirect_uri": redirect_uri, "state": state},
            quote_via=quote,
        )
        return f"{self.base_url}/v2/login/authorization/dialog?{query}"

    async def exchange_code(
        self,
        code: str,
        *,
        client_id: str,
        client_secret: str,
        redirect_uri: str,
        refresh_extended_token: bool | None = None,
    ) -> TokenResponse:
        """Trade the single-use authorization code for an access token (a flat answer, no envelope)."""
        form = {
            "code": code,
            "client_id": client_id,
            "client_secret": client_secret,
            "redirect_uri": redirect_uri,
            "grant_type": "authorization_code",
        }
        if refresh_extended_token is not None:
            form["refresh_extended_token"] = "true" if refresh_extended_token else "false"
        call = Call(
            "exchange_code",
            "POST",
            "/v2/login/authorization/token",
            auth=False,
            idempotent=False,
            envelope=False,
            form=form,
            secrets=(code, client_secret),
        )
        return await self._call(call, TypeAdapter(TokenResponse).validate_python)

    async def request_token_v3(self, client_id: str, client_secret: str) -> TokenRequestAck:
        """Ask Upstox to offer the user a new access token (approved in the app; arrives at the notifier)."""
        call = Call(
            "request_token_v3",
            "POST",
            f"/v3/login/auth/token/request/{quote(client_id, safe='')}",
            auth=False,
            idempotent=False,
            json={"client_secret": client_secret},
            secrets=(client_secret,),
        )
        return await self._call(call, TypeAdapter(TokenRequestAck).validate_python)

    async def profile(self) -> Profile:
        return await self._call(
            Call("profile", "GET", "/v2/user/profile"), TypeAdapter(Profile).validate_python
        )

    async def logout(self) -> bool:
        """Invalidate the current token at Upstox (not retried once sent: a second try would be a 401)."""
        call = Call("logout", "DELETE", "/v2/logout", idempotent=False)
        return await self._call(call, lambda data: data is True or data == "true")

    # -----------------------------------------------------------------------------------------------------
    # Calendar

    async def market_status(self, exchange: str = "NSE") -> MarketStatus:
        call = Call("market_status", "GET", f"/v2/market/status/{quote(exchange, safe='')}")
        return await self._call(call, TypeAdapter(MarketStatus).validate_python)

    async def holidays(self, day: date | None = None) -> list[Holiday]:
        """This year's holidays and special sessions, or those of one day (no token needed; one is sent if held)."""
        path = "/v2/market/holidays" + (f"/{day.isoformat()}" if day else "")
        return await self._call(Call("holidays", "GET", path, token_optional=True), list_of(Holiday))

    async def timings(self, day: date) -> list[ExchangeTiming]:
        """The sessions of `day`; a closed exchange is absent (no token needed; one is sent if held)."""
        call = Call("timings", "GET", f"/v2/market/timings/{day.isoformat()}", token_optional=True)
        return await self._call(call, list_of(ExchangeTiming))

    # -----------------------------------------------------------------------------------------------------
    # Options and quotes

    async def option_contracts(
        self, instrument_key: str, expiry: date | None = None, *, lane: Lane = Lane.live
    ) -> list[OptionContract]:
        query = query_string(
            instrument_key=encode_key(instrument_key), expiry_date=expiry.isoformat() if expiry else None
        )
        call = Call("option_contracts", "GET", "/v2/option/contract", query=query, lane=lane)
        return await self._call(call, list_of(OptionContract))

    async def option_chain(self, instrument_key: str, expiry: date, *, lane: Lane = Lane.live) -> OptionChain:
        """Every strike of one expiry; IVs keep their raw value, with the unit detected over the answer."""
        query = query_string(instrument_key=encode_key(instrument_key), expiry_date=expiry.isoformat())
        call = Call("option_chain", "GET", "/v2/option/chain", query=query, lane=lane)
        rows = await self._call(call, chain_rows)
        for row in rows:
            if row.get("expiry") is None:
                row["expiry"] = expiry
            if row.get("underlying_key") is None:
                row["underlying_key"] = instrument_key
        return OptionChain.of(rows)

    async def option_greeks(self, keys: Sequence[str]) -> dict[str, OptionGreekQuote]:
        """Greek quotes v3 keyed by instrument key; asked ≤ 50 keys per request. Unknown keys are absent."""
        chunks = await self._chunked(
            keys, OPTION_GREEKS_MAX_KEYS, "option_greeks", "/v3/market-quote/option-greek", OptionGreekQuote
        )
        # One unit for the whole call: the chunks are one answer cut in pieces.
        quotes = normalise_quote_iv(q for chunk in chunks for q in chunk)
        return {q.instrument_token: q for q in quotes}

    async def ltp(self, keys: Sequence[str]) -> dict[str, LtpQuote]:
        """Last traded prices v3 keyed by instrument key; asked ≤ 500 keys per request."""
        chunks = await self._chunked(keys, LTP_MAX_KEYS, "ltp", "/v3/market-quote/ltp", LtpQuote)
        return {q.instrument_token: q for chunk in chunks for q in chunk}

    async def historical_candles(
        self,
        instrument_key: str,
        unit: CandleUnit,
        interval: int,
        to_date: date,
        from_date: date | None = None,
        *,
        lane: Lane = Lane.live,
    ) -> list[Candle]:
        """Candles v3, oldest first (Upstox sends newest first). 1-minute history: at most a month per call."""
        path = (
            f"/v3/historical-candle/{encode_key(instrument_key)}/{unit}/{int(interval)}/{to_date.isoformat()}"
        )
        if from_date is not None:
            path += f"/{from_date.isoformat()}"
        return await self._call(Call("historical_candles", "GET", path, lane=lane), candles_of)

    async def intraday_candles(
        self, instrument_key: str, unit: CandleUnit, interval: int, *, lane: Lane = Lane.live
    ) -> list[Candle]:
        """Today's candles v3, oldest first."""
        path = f"/v3/historical-candle/intraday/{encode_key(instrument_key)}/{unit}/{int(interval)}"
        return await self._call(Call("intraday_candles", "GET", path, lane=lane), candles_of)

    async def _chunked(
        self, keys: Sequence[str], size: int, endpoint: str, path: str, model: type[Q]
    ) -> list[list[Q]]:
        """One request per chunk of keys, concurrently (the limiter spaces them)."""
        if isinstance(keys, str):
            raise TypeError("give a sequence of instrument keys, not one string")
        calls = [
            Call(
                endpoint,
                "GET",
                path,
                query=query_string(instrument_key=",".join(encode_key(k) for k in chunk)),
            )
            for chunk in chunks(keys, size)
        ]
        parse = quotes_of(model)
        tasks = [asyncio.create_task(self._call(call, parse)) for call in calls]
        try:
            return list(await asyncio.gather(*tasks))
        except BaseException:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            raise

    # -----------------------------------------------------------------------------------------------------
    # The request machinery

    async def _call(self, call: Call, parse: Callable[[Any], T]) -> T:
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.max_attempts) | stop_before_delay(self.max_retry_seconds),
            wait=Backoff(self._backoff, self._max_backoff),
            retry=retry_if_exception(lambda error: should_retry(call, error)),
            sleep=self._sleep,
            before_sleep=lambda state: self._log_retry(call, state),
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                return await self._attempt(call, parse, attempt.retry_state.attempt_number)
        raise AssertionError("tenacity ended without an outcome")  # pragma: no cover

    async def _attempt(self, call: Call, parse: Callable[[Any], T], attempt: int) -> T:
        # The v2 calls name their API version, as Upstox's SDK does; the v3 ones carry it in the path.
        headers: dict[str, str] = {"Api-Version": "2.0"} if call.path.startswith("/v2/") else {}
        secrets = call.secrets
        token: str | None = None
        if call.auth and call.token_optional:
            token = await self._token_provider() if self._token_provider is not None else None
            if not token:
                call = dataclasses.replace(call, auth=False)  # nothing sent: a 401 is not about our token
        elif call.auth:
            token = await self._token(call)
        if token:
            headers["Authorization"] = f"Bearer {token}"
            secrets = (*secrets, token)
        await self.limiter.acquire(call.endpoint, call.lane)
        started = time.perf_counter()
        failure: UpstoxError | None = None
        response: httpx.Response | None = None
        try:
            response = await self._http.request(
                call.method, call.target, headers=headers, json=call.json, data=call.form
            )
        except httpx.TimeoutException as exc:
            failure = UpstreamUnavailable(
                f"no answer within {self.timeout:g}s ({type(exc).__name__})",
                request_sent=not isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout),
                path=call.target,
                endpoint=call.endpoint,
            )
        except httpx.TransportError as exc:
            failure = UpstreamUnavailable(
                f"connection failed ({type(exc).__name__}: {scrub(str(exc), secrets)})",
                request_sent=not isinstance(exc, httpx.ConnectError),
                path=call.target,
                endpoint=call.endpoint,
            )
        # Raised outside the except blocks, so no httpx exception (whose request holds the Authorization
        # header) hangs on our error as its context.
        if failure is not None or response is None:
            self._log_attempt(call, attempt, started, None, failure)
            raise failure or UpstreamUnavailable("no response", path=call.target, endpoint=call.endpoint)
        try:
            result = parse(self._read(call, response, secrets))
        except ValidationError as exc:
            failure = BadResponse(
                f"Upstox answered with an unexpected shape: {shape_problem(exc)}",
                status=response.status_code,
                path=call.target,
                endpoint=call.endpoint,
            )
        except UpstoxError as exc:
            exc.path = exc.path or call.target
            exc.endpoint = exc.endpoint or call.endpoint
            exc.status = exc.status or response.status_code
            failure = exc
        self._log_attempt(call, attempt, started, response.status_code, failure)
        if failure is None:
            return result
        if isinstance(failure, TokenInvalid):
            if token is not None:
                failure.token_fingerprint = token_fingerprint(token)
            await self._tell_token_rejected(failure)
        elif isinstance(failure, RateLimited):
            self.limiter.pause(
                failure.retry_after if failure.retry_after is not None else 2 * self._backoff, call.endpoint
            )
        raise failure

    async def _token(self, call: Call) -> str:
        if self._token_provider is None:
            raise NoToken("this client has no token provider", path=call.target, endpoint=call.endpoint)
        token = await self._token_provider()
        if not token:
            raise NoToken("no Upstox token is available", path=call.target, endpoint=call.endpoint)
        return token

    async def _tell_token_rejected(self, error: TokenInvalid) -> None:
        if self._on_token_rejected is None:
            return
        try:
            await self._on_token_rejected(error)
        except Exception as exc:
            # The caller must still see TokenInvalid; a failing hook is only worth a log line.
            log.warning(
                "upstox token-rejected hook failed", endpoint=error.endpoint, error=type(exc).__name__
            )

    def _read(self, call: Call, response: httpx.Response, secrets: Sequence[str]) -> Any:
        """The payload of a 2xx answer (the envelope's `data` unless flat), or the error it stands for."""
        status = response.status_code
        if not 200 <= status < 300:
            raise error_for(call, response, secrets)
        body = json_or(response, _MALFORMED)
        if body is _MALFORMED:
            # Raised here, not in the except: the decoder's error keeps the whole body, secrets and all.
            raise BadResponse(
                "Upstox answered with malformed JSON", status=status, path=call.target, endpoint=call.endpoint
            )
        if not call.envelope:
            return body
        if isinstance(body, dict) and body.get("status") == "success" and "data" in body:
            return body["data"]
        if isinstance(body, dict) and body.get("status") == "error":
            raise error_for(call, response, secrets, body)
        raise BadResponse(
            "Upstox answered without the success envelope",
            status=status,
            path=call.target,
            endpoint=call.endpoint,
        )

    def _log_attempt(
        self, call: Call, attempt: int, started: float, status: int | None, failure: UpstoxError | None
    ) -> None:
        seconds = time.perf_counter() - started
        if self.on_attempt is not None:
            try:
                self.on_attempt(call.endpoint, status, failure, seconds)
            except Exception:
                log.warning("upstox attempt hook failed", endpoint=call.endpoint, exc_info=True)
        log.debug(
            "upstox call",
            endpoint=call.endpoint,
            method=call.method,
            path=call.path,
            status=status,
            duration_ms=round(seconds * 1000, 1),
            attempt=attempt,
            error=type(failure).__name__ if failure else None,
            error_code=failure.error_code if failure else None,
        )

    def _log_retry(self, call: Call, state: RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome else None
        log.info(
            "upstox retry",
            endpoint=call.endpoint,
            path=call.path,
            attempt=state.attempt_number,
            error=type(error).__name__ if error else None,
            status=getattr(error, "status", None),
            wait_s=round(state.upcoming_sleep, 3),
        )
