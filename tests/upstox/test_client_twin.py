"""The Upstox client against the Upstox twin over real HTTP: every call, every token kind, every fault switch."""

from __future__ import annotations

import asyncio
import time
import traceback
from collections.abc import AsyncIterator
from datetime import date
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from marketedge.core.clock import IST, ist
from marketedge.twin.server import TwinServer
from marketedge.upstox import (
    BadRequest,
    BadResponse,
    Budget,
    ExtendedTokenNotAllowed,
    RateLimited,
    TokenInvalid,
    UpstoxClient,
    UpstoxLimiter,
    UpstreamUnavailable,
    constant_token,
)
from marketedge.upstox.errors import token_fingerprint
from marketedge.upstox.schemas import chain_sides

NIFTY = "NSE_INDEX|Nifty 50"
WEEKLY = date(2026, 12, 1)  # the nearest NIFTY expiry at the twin's start, Wednesday 2026-11-25 11:00 IST
CHAIN = "/v2/option/chain"
REDIRECT = "http://127.0.0.1:9/broker/callback"


class CountingTransport(httpx.AsyncHTTPTransport):
    """The real HTTP transport, noting the path of every request it sends."""

    def __init__(self) -> None:
        super().__init__()
        self.paths: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.paths.append(request.url.path)
        return await super().handle_async_request(request)


class Rejections:
    """An on_token_rejected hook that remembers what it was told."""

    def __init__(self) -> None:
        self.told: list[TokenInvalid] = []

    async def __call__(self, error: TokenInvalid) -> None:
        self.told.append(error)


@pytest.fixture
async def control(twin: TwinServer) -> AsyncIterator[httpx.AsyncClient]:
    """The twin's /twin/ control API, over HTTP."""
    async with httpx.AsyncClient(base_url=twin.url, timeout=10) as http:
        yield http


@pytest.fixture
def wire() -> CountingTransport:
    return CountingTransport()


@pytest.fixture
def rejected() -> Rejections:
    return Rejections()


def client_for(twin: TwinServer, token: str | None, **options: Any) -> UpstoxClient:
    options.setdefault("limiter", UpstoxLimiter())
    options.setdefault("backoff", 0.02)
    options.setdefault("timeout", 5.0)
    return UpstoxClient(twin.url, constant_token(token), **options)


async def set_faults(control: httpx.AsyncClient, *faults: dict[str, Any]) -> None:
    answer = await control.put("/twin/faults", json={"faults": list(faults)})
    assert answer.status_code == 200, answer.text


async def mint(control: httpx.AsyncClient, kind: str) -> str:
    answer = await control.post("/twin/tokens", json={"kind": kind})
    assert answer.status_code == 200, answer.text
    return str(answer.json()["access_token"])


# ---------------------------------------------------------------------------------------------------------
# Every call


async def test_oauth_login_code_exchange_and_v3_token_request(
    twin: TwinServer, control: httpx.AsyncClient, wire: CountingTransport, rejected: Rejections
) -> None:
    config = twin.state.config
    async with client_for(twin, None, transport=wire, on_token_rejected=rejected) as login:
        # The browser's part: open the dialog, press Approve, follow the redirect back with code and state.
        dialog = login.authorization_url(config.client_id, REDIRECT, "state-42")
        page = await control.get(dialog)
        assert page.status_code == 200 and "Approve" in page.text
        approved = await control.post(
            "/v2/login/authorization/dialog",
            data={
                "client_id": config.client_id,
                "redirect_uri": REDIRECT,
                "state": "state-42",
                "decision": "approve",
            },
        )
        back = parse_qs(urlsplit(approved.headers["location"]).query)
        assert back["state"] == ["state-42"]
        code = back["code"][0]

        token = await login.exchange_code(
            code, client_id=config.client_id, client_secret=config.client_secret, redirect_uri=REDIRECT
        )
        assert (
            token.user_id == config.user_id and token.broker == "UPSTOX" and token.extended_token is not None
        )
        assert token.access_token.get_secret_value() not in repr(token)

        # Codes are single-use, and the exchange is never repeated once it reached Upstox.
        with pytest.raises(BadRequest) as reused:
            await login.exchange_code(
                code, client_id=config.client_id, client_secret=config.client_secret, redirect_uri=REDIRECT
            )
        assert reused.value.status == 400 and reused.value.error_code == "UDAPI100057"
        # A 401 on a login call is about the app's credentials, not a bearer token: nobody is told.
        with pytest.raises(BadRequest) as wrong_secret:
            await login.exchange_code(
                code, client_id=config.client_id, client_secret="wrong", redirect_uri=REDIRECT
            )
        assert wrong_secret.value.status == 401 and not isinstance(wrong_secret.value, TokenInvalid)
        assert "wrong" not in str(wrong_secret.value)

        ack = await login.request_token_v3(config.client_id, config.client_secret)
        assert ack.authorization_expiry == ist(2026, 11, 26, 3, 30)
        pending = (await control.get("/twin/v3/requests")).json()["pending"]
        assert len(pending) == 1
    assert wire.paths.count("/v2/login/authorization/token") == 3
    assert not rejected.told

    async with client_for(twin, token.access_token.get_secret_value()) as app:
        assert (await app.profile()).user_id == config.user_id
    extended = token.extended_token.get_secret_value()
    async with client_for(twin, extended, on_token_rejected=rejected) as app:
        with pytest.raises(ExtendedTokenNotAllowed) as refused:
            await app.market_status("NSE")
    assert refused.value.error_code == "UDAPI100067" and not rejected.told


async def test_calendar_calls(twin: TwinServer, twin_token: str) -> None:
    async with client_for(twin, twin_token) as upstox:
        status = await upstox.market_status("NSE")
        assert status.exchange == "NSE" and status.status == "NORMAL_OPEN"
        assert status.last_updated is not None and status.last_updated.tzinfo is not None
        year = await upstox.holidays()
        assert year and all(h.date.year == 2026 for h in year)
        republic_day = await upstox.holidays(date(2026, 1, 26))
        assert [h.description for h in republic_day] == ["Republic Day"]
        assert "NFO" in republic_day[0].closed_exchanges
        sessions = {t.exchange: t for t in await upstox.timings(date(2026, 11, 25))}
        assert sessions["NSE"].start_time == ist(2026, 11, 25, 9, 15)
        assert sessions["NFO"].end_time == ist(2026, 11, 25, 15, 30)
        assert await upstox.timings(date(2026, 11, 28)) == []  # a Saturday: nothing open


async def test_contracts_chain_greeks_and_ltp(
    twin: TwinServer, twin_token: str, wire: CountingTransport
) -> None:
    async with client_for(twin, twin_token, transport=wire) as upstox:
        contracts = await upstox.option_contracts(NIFTY)
        expiries = sorted({c.expiry for c in contracts})
        assert expiries[0] == WEEKLY and {c.lot_size for c in contracts} == {65}
        weekly = await upstox.option_contracts(NIFTY, WEEKLY)
        assert (
            weekly
            and {c.expiry for c in weekly} == {WEEKLY}
            and {c.instrument_type for c in weekly} == {"CE", "PE"}
        )

        chain = await upstox.option_chain(NIFTY, WEEKLY)
        assert len(chain) * 2 == len(weekly)
        assert all(row.get("expiry") == WEEKLY and row.get("underlying_key") == NIFTY for row in chain)
        spot = chain[0].get("underlying_spot_price")
        assert spot is not None and 20_000 < spot < 32_000
        sides = [side for row in chain for side in chain_sides(row)]
        assert chain.iv_unit == "percent"  # the chain sends percent
        at_the_money = min(chain, key=lambda row: abs(row["strike_price"] - spot))
        atm_iv = chain.iv_fraction(at_the_money.get("call_options"))
        assert atm_iv is not None and 0.05 < atm_iv < 0.5
        # Upstox's quirk: deep ITM rows show IV 0, kept as sent, with no fraction.
        assert any(
            (side.get("option_greeks") or {}).get("iv") == 0 and chain.iv_fraction(side) is None
            for side in sides
        )

        keys = [side["instrument_key"] for side in sides[:120]]
        greeks = await upstox.option_greeks(keys)
        assert set(greeks) == set(keys)
        assert {q.iv_unit for q in greeks.values()} == {"fraction"}  # v3 sends a fraction
        by_key = {side["instrument_key"]: side for side in sides}
        for key, quote in greeks.items():
            chain_iv = chain.iv_fraction(by_key[key])
            if chain_iv is not None and quote.iv_fraction is not None:
                assert quote.iv_fraction == pytest.approx(chain_iv, abs=1e-4)  # same market, two units
            assert quote.last_price == (by_key[key].get("market_data") or {}).get("ltp")

        many = [c.instrument_key for c in contracts[:600]]
        prices = await upstox.ltp([NIFTY, *many])
        assert len(prices) == 601 and prices[NIFTY].last_price == spot
        assert prices[NIFTY].symbol == "NSE_INDEX:Nifty 50"
    # ≤ 50 keys per greeks request (the twin refuses more), ≤ 500 per LTP request.
    assert wire.paths.count("/v3/market-quote/option-greek") == 3
    assert wire.paths.count("/v3/market-quote/ltp") == 2


async def test_candles(twin: TwinServer, twin_token: str) -> None:
    async with client_for(twin, twin_token) as upstox:
        history = await upstox.historical_candles(NIFTY, "minutes", 1, date(2026, 11, 23), date(2026, 11, 20))
        days = sorted({c.timestamp.date() for c in history})
        assert days == [date(2026, 11, 20), date(2026, 11, 23)]  # a weekend between
        assert len(history) == 2 * 376  # 09:15 to 15:30, both included
        assert [c.timestamp for c in history] == sorted(c.timestamp for c in history)  # oldest first
        assert history[0].timestamp == ist(2026, 11, 20, 9, 15) and history[0].timestamp.tzinfo is not None
        assert all(c.low <= min(c.open, c.close) and c.high >= max(c.open, c.close) for c in history)

        daily = await upstox.historical_candles(NIFTY, "days", 1, date(2026, 11, 23))
        assert daily and daily[-1].timestamp.date() == date(2026, 11, 23)

        today = await upstox.intraday_candles(NIFTY, "minutes", 1)
        assert today[0].timestamp == ist(2026, 11, 25, 9, 15)
        assert today[-1].timestamp.astimezone(IST) <= ist(2026, 11, 25, 11, 0)
        chain = await upstox.option_chain(NIFTY, WEEKLY)
        assert today[-1].close == pytest.approx(chain[0].get("underlying_spot_price"))

        with pytest.raises(BadRequest) as bad_unit:
            await upstox.intraday_candles(NIFTY, "months", 1)
        assert bad_unit.value.status == 400


async def test_logout_ends_the_token(twin: TwinServer, twin_token: str, rejected: Rejections) -> None:
    async with client_for(twin, twin_token, on_token_rejected=rejected) as upstox:
        assert await upstox.logout() is True
        with pytest.raises(TokenInvalid):
            await upstox.profile()
    assert len(rejected.told) == 1


async def test_bad_requests_carry_upstox_code_and_message(twin: TwinServer, twin_token: str) -> None:
    async with client_for(twin, twin_token) as upstox:
        with pytest.raises(BadRequest) as unknown:
            await upstox.option_chain("NSE_INDEX|Nifty 5O", WEEKLY)
        assert unknown.value.error_code == "UDAPI1087" and unknown.value.status == 400
        assert unknown.value.path is not None and unknown.value.path.startswith(CHAIN)
        assert "NSE_INDEX%7CNifty%205O" in unknown.value.path
        # A date that is not a listed expiry: an empty chain, as Upstox answers.
        assert (await upstox.option_chain(NIFTY, date(2026, 12, 2))).rows == []


async def test_analytics_token_reads_market_data_but_not_the_profile(
    twin: TwinServer, control: httpx.AsyncClient, rejected: Rejections
) -> None:
    analytics = await mint(control, "analytics")
    async with client_for(twin, analytics, on_token_rejected=rejected) as upstox:
        assert (await upstox.market_status("NSE")).status == "NORMAL_OPEN"
        assert await upstox.option_chain(NIFTY, WEEKLY)
        with pytest.raises(BadRequest) as refused:
            await upstox.profile()
    assert refused.value.status == 403 and not rejected.told  # refused for this call, not a dead token


# ---------------------------------------------------------------------------------------------------------
# Dead tokens: 401, never retried, the token service told once


@pytest.mark.parametrize("how", ["expire", "revoke", "clock_past_0330"])
async def test_dead_token_raises_token_invalid_tells_once_and_never_retries(
    twin: TwinServer,
    control: httpx.AsyncClient,
    twin_token: str,
    wire: CountingTransport,
    rejected: Rejections,
    how: str,
) -> None:
    async with client_for(twin, twin_token, transport=wire, on_token_rejected=rejected) as upstox:
        await upstox.market_status("NSE")
        if how == "expire":
            assert (await control.post("/twin/tokens/expire")).json()["expired"] >= 1
        elif how == "revoke":
            assert (await control.post("/twin/tokens/revoke", json={"access_token": twin_token})).json()[
                "revoked"
            ] == 1
        else:
            assert (await control.put("/twin/clock", json={"at": "2026-11-26T03:30:00"})).status_code == 200
        with pytest.raises(TokenInvalid) as caught:
            await upstox.option_chain(NIFTY, WEEKLY)
    assert wire.paths == ["/v2/market/status/NSE", CHAIN]
    assert rejected.told == [caught.value]
    failure = caught.value
    assert failure.status == 401 and failure.error_code == "UDAPI100050"
    assert failure.token_fingerprint == token_fingerprint(twin_token)
    assert failure.to_app_error().status_code == 503


# ---------------------------------------------------------------------------------------------------------
# Fault switches


async def test_429_burst_is_backed_off_and_then_succeeds(
    twin: TwinServer, control: httpx.AsyncClient, twin_token: str, wire: CountingTransport
) -> None:
    await set_faults(control, {"kind": "rate_limit", "count": 2, "path_prefix": CHAIN})
    async with client_for(twin, twin_token, transport=wire) as upstox:
        started = time.monotonic()
        chain = await upstox.option_chain(NIFTY, WEEKLY)
    assert chain and wire.paths == [CHAIN] * 3
    # Backed off between the tries: 2 × backoff × 2^(n−1), so at least 0.04 s then 0.08 s.
    assert time.monotonic() - started >= 0.12


async def test_429_beyond_the_budget_raises_rate_limited(
    twin: TwinServer, control: httpx.AsyncClient, twin_token: str, wire: CountingTransport
) -> None:
    await set_faults(control, {"kind": "rate_limit", "path_prefix": CHAIN})
    async with client_for(twin, twin_token, transport=wire, max_attempts=3) as upstox:
        with pytest.raises(RateLimited) as caught:
            await upstox.option_chain(NIFTY, WEEKLY)
        assert (await upstox.market_status("NSE")).status == "NORMAL_OPEN"  # other paths unaffected
    assert wire.paths.count(CHAIN) == 3
    assert caught.value.error_code == "UDAPI10005" and caught.value.status == 429
    assert caught.value.to_app_error().status_code == 503


async def test_429_stops_at_the_time_budget(
    twin: TwinServer, control: httpx.AsyncClient, twin_token: str, wire: CountingTransport
) -> None:
    await set_faults(control, {"kind": "rate_limit", "path_prefix": CHAIN})
    async with client_for(
        twin, twin_token, transport=wire, max_attempts=50, backoff=0.2, max_retry_seconds=1.0
    ) as upstox:
        started = time.monotonic()
        with pytest.raises(RateLimited):
            await upstox.option_chain(NIFTY, WEEKLY)
    assert time.monotonic() - started < 1.5
    assert 2 <= wire.paths.count(CHAIN) < 50


@pytest.mark.parametrize(("status", "code"), [(500, "UDAPI100500"), (503, "UDAPI100503")])
async def test_5xx_is_retried_then_succeeds(
    twin: TwinServer,
    control: httpx.AsyncClient,
    twin_token: str,
    wire: CountingTransport,
    status: int,
    code: str,
) -> None:
    await set_faults(control, {"kind": "server_error", "status": status, "count": 2, "path_prefix": CHAIN})
    async with client_for(twin, twin_token, transport=wire) as upstox:
        assert await upstox.option_chain(NIFTY, WEEKLY)
    assert wire.paths == [CHAIN] * 3


async def test_5xx_beyond_max_attempts_raises_upstream_unavailable(
    twin: TwinServer, control: httpx.AsyncClient, twin_token: str, wire: CountingTransport
) -> None:
    await set_faults(control, {"kind": "server_error", "status": 503})
    async with client_for(twin, twin_token, transport=wire, max_attempts=3) as upstox:
        with pytest.raises(UpstreamUnavailable) as caught:
            await upstox.option_chain(NIFTY, WEEKLY)
    assert wire.paths == [CHAIN] * 3
    assert caught.value.status == 503 and caught.value.error_code == "UDAPI100503"
    assert caught.value.to_app_error().status_code == 503


async def test_slow_answers_time_out_as_upstream_unavailable(
    twin: TwinServer, control: httpx.AsyncClient, twin_token: str, wire: CountingTransport
) -> None:
    await set_faults(control, {"kind": "slow", "delay_seconds": 1.5, "path_prefix": CHAIN})
    async with client_for(twin, twin_token, transport=wire, timeout=0.2, max_attempts=2) as upstox:
        started = time.monotonic()
        with pytest.raises(UpstreamUnavailable) as caught:
            await upstox.option_chain(NIFTY, WEEKLY)
        elapsed = time.monotonic() - started
    assert wire.paths == [CHAIN] * 2 and elapsed < 1.2
    assert "no answer within 0.2s" in caught.value.message and caught.value.status is None
    assert caught.value.path is not None and caught.value.path.startswith(CHAIN)


async def test_one_slow_answer_is_retried_and_succeeds(
    twin: TwinServer, control: httpx.AsyncClient, twin_token: str, wire: CountingTransport
) -> None:
    await set_faults(control, {"kind": "slow", "delay_seconds": 1.0, "count": 1, "path_prefix": CHAIN})
    async with client_for(twin, twin_token, transport=wire, timeout=0.3) as upstox:
        assert await upstox.option_chain(NIFTY, WEEKLY)
    assert wire.paths == [CHAIN] * 2


async def test_malformed_json_is_a_bad_response_with_the_path(
    twin: TwinServer, control: httpx.AsyncClient, twin_token: str, wire: CountingTransport
) -> None:
    await set_faults(control, {"kind": "malformed_json", "count": 1, "path_prefix": CHAIN})
    async with client_for(twin, twin_token, transport=wire) as upstox:
        with pytest.raises(BadResponse) as caught:
            await upstox.option_chain(NIFTY, WEEKLY)
        assert await upstox.option_chain(NIFTY, WEEKLY)  # the next call is fine
    assert wire.paths == [CHAIN] * 2  # not retried
    failure = caught.value
    assert failure.path == f"{CHAIN}?instrument_key=NSE_INDEX%7CNifty%2050&expiry_date=2026-12-01"
    assert failure.status == 200 and "malformed JSON" in str(failure) and CHAIN in str(failure)
    assert failure.to_app_error().status_code == 502


@pytest.mark.parametrize("mode", ["remove", "null"])
async def test_missing_greeks_and_market_data_are_tolerated(
    twin: TwinServer, control: httpx.AsyncClient, twin_token: str, mode: str
) -> None:
    # The twin's default: call greeks, the put's IV and the put's OI go missing on every row.
    await set_faults(control, {"kind": "missing_fields", "mode": mode, "path_prefix": CHAIN})
    async with client_for(twin, twin_token) as upstox:
        chain = await upstox.option_chain(NIFTY, WEEKLY)
    assert chain
    for row in chain:
        call, put = row.get("call_options"), row.get("put_options")
        assert call is not None and put is not None
        call_greeks, put_greeks = call.get("option_greeks") or {}, put.get("option_greeks") or {}
        assert call_greeks.get("delta") is None and chain.iv_fraction(call) is None
        assert put_greeks.get("iv") is None and chain.iv_fraction(put) is None
        assert put_greeks.get("delta") is not None
        put_market = put.get("market_data") or {}
        assert put_market.get("oi") is None and put_market.get("ltp") is not None


async def test_missing_greeks_on_some_rows_keep_the_unit_of_the_rest(
    twin: TwinServer, control: httpx.AsyncClient, twin_token: str
) -> None:
    await set_faults(
        control,
        {
            "kind": "missing_fields",
            "fields": ["call_options.option_greeks.iv"],
            "every": 3,
            "path_prefix": CHAIN,
        },
    )
    async with client_for(twin, twin_token) as upstox:
        chain = await upstox.option_chain(NIFTY, WEEKLY)
    calls = [call for row in chain if (call := row.get("call_options")) is not None]
    assert any((c.get("option_greeks") or {}).get("iv") is None for c in calls)
    assert chain.iv_unit == "percent"
    assert all(chain.iv_fraction(c) is not None for c in calls if (c.get("option_greeks") or {}).get("iv"))


@pytest.mark.parametrize("field", ["strike_price", "call_options.instrument_key"])
async def test_missing_essential_fields_are_a_bad_response(
    twin: TwinServer, control: httpx.AsyncClient, twin_token: str, field: str
) -> None:
    await set_faults(control, {"kind": "missing_fields", "fields": [field], "path_prefix": CHAIN})
    async with client_for(twin, twin_token) as upstox:
        with pytest.raises(BadResponse) as caught:
            await upstox.option_chain(NIFTY, WEEKLY)
    assert field.split(".")[-1] in caught.value.message and caught.value.endpoint == "option_chain"


async def test_empty_chain_is_an_empty_list(
    twin: TwinServer, control: httpx.AsyncClient, twin_token: str
) -> None:
    await set_faults(control, {"kind": "empty_chain", "count": 1})
    async with client_for(twin, twin_token) as upstox:
        assert (await upstox.option_chain(NIFTY, WEEKLY)).rows == []
        assert await upstox.option_chain(NIFTY, WEEKLY)


# ---------------------------------------------------------------------------------------------------------
# Limits and secrecy


async def test_the_limiter_keeps_a_burst_inside_the_twins_rate_limit(
    twin: TwinServer, control: httpx.AsyncClient, twin_token: str
) -> None:
    answer = await control.put(
        "/twin/config", json={"rate_per_second": 20, "rate_per_minute": None, "rate_per_30_minutes": None}
    )
    assert answer.status_code == 200, answer.text

    async def burst(limiter: UpstoxLimiter) -> list[Any]:
        async with client_for(twin, twin_token, limiter=limiter, max_attempts=1) as upstox:
            return await asyncio.gather(
                *(upstox.market_status("NSE") for _ in range(30)), return_exceptions=True
            )

    # Without our limiter the twin refuses part of the burst...
    unlimited = await burst(UpstoxLimiter((Budget(10_000, 1.0),)))
    assert any(isinstance(a, RateLimited) for a in unlimited)
    await asyncio.sleep(1.1)  # let the twin's one-second window pass
    # ...with a limiter on the same budget (20/s), none is refused.
    limited = await burst(UpstoxLimiter((Budget(20, 1.0),)))
    assert [type(a).__name__ for a in limited] == ["MarketStatus"] * 30


async def test_the_token_never_reaches_logs_or_errors_over_http(
    twin: TwinServer,
    control: httpx.AsyncClient,
    twin_token: str,
    rejected: Rejections,
    caplog: pytest.LogCaptureFixture,
) -> None:
    for logger in (None, "marketedge.upstox", "httpx", "httpcore"):
        caplog.set_level("DEBUG", logger=logger)
    failures: list[BaseException] = []
    async with client_for(
        twin, twin_token, on_token_rejected=rejected, timeout=0.2, max_attempts=2
    ) as upstox:
        for fault in (
            {"kind": "server_error", "status": 500},
            {"kind": "rate_limit"},
            {"kind": "malformed_json"},
            {"kind": "slow", "delay_seconds": 0.5},
            {"kind": "missing_fields", "fields": ["strike_price"]},
        ):
            await set_faults(control, fault)
            try:
                await upstox.option_chain(NIFTY, WEEKLY)
            except Exception as exc:
                failures.append(exc)
        await control.delete("/twin/faults")
        await control.post("/twin/tokens/expire")
        try:
            await upstox.profile()
        except Exception as exc:
            failures.append(exc)
    assert [type(f).__name__ for f in failures] == [
        "UpstreamUnavailable",
        "RateLimited",
        "BadResponse",
        "UpstreamUnavailable",
        "BadResponse",
        "TokenInvalid",
    ]
    assert any(getattr(r, "msg", None) and "upstox call" in r.getMessage() for r in caplog.records)
    for failure in [*failures, *rejected.told]:
        said = "".join(traceback.format_exception(failure)) + repr(failure) + repr(vars(failure))
        assert twin_token not in said
    assert twin_token not in caplog.text
