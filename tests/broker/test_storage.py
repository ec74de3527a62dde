"""The token at rest and in the cache: encrypted (Fernet, newest key first), answered from the cache until its
expiry (at most 24 h), key rotation, the CLI, the UPSTOX_ACCESS_TOKEN bootstrap and the demo's token."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta

import orjson
import pytest
from click.testing import Result
from cryptography.fernet import Fernet
from pydantic import SecretStr
from sqlalchemy import select
from typer.testing import CliRunner

from marketedge.broker.crypto import TokenCipher, TokenUnreadable
from marketedge.broker.lifetimes import TokenKind, TokenSource
from marketedge.cli import app as cli
from marketedge.core.clock import ManualClock, ist
from marketedge.core.config import Settings, get_settings
from marketedge.core.db import Database
from marketedge.core.logs import configure_logging
from marketedge.models import BrokerToken
from marketedge.runtime import Runtime
from marketedge.twin.server import TwinServer
from tests.broker.conftest import PREFIX, Live, clean_broker_tables
from tests.conftest import QueryCounter


async def _row(database: Database) -> BrokerToken:
    async with database.sessions() as session:
        row = await session.scalar(select(BrokerToken).where(BrokerToken.broker == "upstox"))
    assert row is not None
    return row


async def test_the_database_and_the_cache_hold_only_the_encrypted_token(live: Live) -> None:
    token = live.twin.state.mint_token()
    assert (
        await live.admin.post(f"{PREFIX}/token", json={"token": token, "kind": "access"})
    ).status_code == 200
    row = await _row(live.database)
    assert token not in row.ciphertext and row.ciphertext.startswith("gAAAAA")  # a Fernet token
    assert TokenCipher(live.runtime.settings.token_encryption_key).decrypt(row.ciphertext) == token
    raw = await live.runtime.backend.get("broker:upstox:token")
    assert raw is not None and token.encode() not in raw
    assert orjson.loads(raw)["ct"] == row.ciphertext


async def test_reads_come_from_the_cache_until_expiry_and_at_most_24_hours(
    live: Live, shared_clock: ManualClock
) -> None:
    token = live.twin.state.mint_token("analytics")  # lives a year: the 24-hour bound decides
    assert (
        await live.admin.post(f"{PREFIX}/token", json={"token": token, "kind": "analytics"})
    ).status_code == 200
    counter = QueryCounter(live.runtime.db.engine)
    try:
        for _ in range(20):
            assert await live.runtime.current_token() == token
        assert counter.statements == [], "answered from the cache"
        shared_clock.advance(timedelta(hours=24, seconds=1))
        assert await live.runtime.current_token() == token
        assert counter.statements, "after 24 hours the database is read again"
    finally:
        counter.close()


async def test_the_cache_never_serves_a_token_past_its_expiry(live: Live, shared_clock: ManualClock) -> None:
    token = live.twin.state.mint_token()
    assert (
        await live.admin.post(f"{PREFIX}/token", json={"token": token, "kind": "access"})
    ).status_code == 200
    shared_clock.set(ist(2026, 11, 26, 3, 29))
    assert await live.runtime.current_token() == token
    shared_clock.set(ist(2026, 11, 26, 3, 30))
    assert await live.runtime.current_token() is None


async def test_a_rejected_token_leaves_the_cache_at_once(live: Live) -> None:
    token = live.twin.state.mint_token()
    assert (
        await live.admin.post(f"{PREFIX}/token", json={"token": token, "kind": "access"})
    ).status_code == 200
    live.twin.state.tokens.revoke(token)
    from marketedge.upstox import TokenInvalid

    try:
        await live.runtime.client.profile()
    except TokenInvalid:
        pass
    else:  # pragma: no cover
        raise AssertionError("the twin should refuse a revoked token")
    assert await live.runtime.backend.get("broker:upstox:token") is None
    assert await live.runtime.current_token() is None


async def test_rotation_re_encrypts_with_the_newest_key(live: Live) -> None:
    token = live.twin.state.mint_token()
    assert (
        await live.admin.post(f"{PREFIX}/token", json={"token": token, "kind": "access"})
    ).status_code == 200
    old_keys = live.runtime.settings.token_encryption_key
    new_key = Fernet.generate_key().decode()
    service = live.tokens
    service.cipher = TokenCipher([new_key, *old_keys])
    assert await service.rotate_keys("test") == 1
    row = await _row(live.database)
    assert TokenCipher([new_key]).decrypt(row.ciphertext) == token, "the new key alone opens it"
    with pytest.raises(TokenUnreadable):
        TokenCipher(old_keys).decrypt(row.ciphertext)
    assert await live.runtime.backend.get("broker:upstox:token") is None, "the cached old ciphertext is gone"
    service.cipher = TokenCipher([new_key])  # the old key removed from TOKEN_ENCRYPTION_KEY
    assert await live.runtime.current_token() == token
    service.cipher = TokenCipher([Fernet.generate_key().decode()])  # a key too many removed
    await live.runtime.backend.delete("broker:upstox:token")
    assert await live.runtime.current_token() is None
    status = await live.status()
    assert status["token"]["readable"] is False and not status["usable"]


@pytest.fixture
def cli_env(
    database_url: str,
    cache_url: str | None,
    twin: TwinServer,
    shared_clock: ManualClock,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[dict[str, str]]:
    key = Fernet.generate_key().decode()
    env = {
        "MARKETEDGE_ENV": "test",
        "DATABASE_URL": database_url,
        "REDIS_URL": cache_url or "",
        "CACHE_PREFIX": "tcli:",
        "UPSTOX_BASE_URL": twin.url,
        "UPSTOX_CLIENT_ID": twin.state.config.client_id,
        "UPSTOX_CLIENT_SECRET": twin.state.config.client_secret,
        "TOKEN_ENCRYPTION_KEY": key,
        "DATA_SOURCE": "upstox",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    yield env
    get_settings.cache_clear()
    configure_logging("INFO", "json")  # the CLI set its own


async def test_the_token_commands(
    cli_env: dict[str, str], database: Database, twin: TwinServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    await clean_broker_tables(database)

    def run(args: list[str], stdin: str | None = None) -> Result:
        get_settings.cache_clear()
        return CliRunner().invoke(cli, args, stdin)

    token = twin.state.mint_token()
    unsaid = await asyncio.to_thread(run, ["token", "set"], token + "\n")
    assert unsaid.exit_code == 2 and "say which kind of token" in unsaid.output
    stored = await asyncio.to_thread(run, ["token", "set", "--kind", "access"], token + "\n")
    assert stored.exit_code == 0, stored.output
    assert "stored: access token, valid until 2026-11-26 03:30 IST" in stored.output

    shown = await asyncio.to_thread(run, ["token", "status"])
    assert shown.exit_code == 0, shown.output
    assert "Upstox: usable" in shown.output and "access via cli" in shown.output
    as_json = await asyncio.to_thread(run, ["token", "status", "--json"])
    assert orjson.loads(as_json.stdout)["token"]["kind"] == "access"

    refused = await asyncio.to_thread(
        run, ["token", "set", "--kind", "access"], "not-a-real-token-at-all-000\n"
    )
    assert refused.exit_code == 1 and "refused, nothing stored" in refused.output

    requested = await asyncio.to_thread(run, ["token", "request"])
    assert requested.exit_code == 0, requested.output
    assert "approve it in the Upstox app" in requested.output and len(twin.state.tokens.requests) == 1

    new_key = Fernet.generate_key().decode()
    monkeypatch.setenv("TOKEN_ENCRYPTION_KEY", f"{new_key},{cli_env['TOKEN_ENCRYPTION_KEY']}")
    rotated = await asyncio.to_thread(run, ["token", "rotate-key"])
    assert rotated.exit_code == 0 and "re-encrypted 1 stored token" in rotated.output
    monkeypatch.setenv("TOKEN_ENCRYPTION_KEY", new_key)
    assert (await asyncio.to_thread(run, ["token", "status"])).exit_code == 0
    monkeypatch.setenv("TOKEN_ENCRYPTION_KEY", cli_env["TOKEN_ENCRYPTION_KEY"])  # only the old key
    stale = await asyncio.to_thread(run, ["token", "status"])
    assert stale.exit_code == 1 and "cannot be decrypted" in stale.output
    unrotatable = await asyncio.to_thread(run, ["token", "rotate-key"])
    assert unrotatable.exit_code == 1 and "nothing was changed" in unrotatable.output

    for result in (stored, shown, as_json, requested, rotated, stale):
        assert token not in result.output


async def test_upstox_access_token_is_stored_on_start_when_none_is(
    settings: Settings, database: Database, twin: TwinServer, shared_clock: ManualClock
) -> None:
    await clean_broker_tables(database)
    first = twin.state.mint_token("analytics")
    runtime = Runtime(
        settings.model_copy(
            update={
                "upstox_base_url": twin.url,
                "upstox_access_token": SecretStr(first),
                "upstox_access_token_kind": "analytics",
            }
        )
    )
    try:
        await runtime._token_then_warm()  # what start() runs in the background
        assert await runtime.current_token() == first
        stored = await runtime.tokens.token()
        assert stored is not None and stored.kind is TokenKind.analytics
        assert stored.source is TokenSource.bootstrap
        # Another value at a later start does not replace what is stored.
        assert await runtime.tokens.bootstrap(twin.state.mint_token()) is False
        assert await runtime.current_token() == first
    finally:
        await runtime.stop()


async def test_the_demo_stores_a_minted_analytics_token(settings: Settings, database: Database) -> None:
    await clean_broker_tables(database)
    runtime = await Runtime.create(settings.model_copy(update={"data_source": "twin"}))
    try:
        stored = await runtime.tokens.token()
        assert stored is not None and stored.kind is TokenKind.analytics and stored.source is TokenSource.demo
        assert runtime.tokens.simulated and runtime.tokens.broker == "upstox-twin"
        assert (await runtime.client.market_status()).exchange == "NSE"
    finally:
        await runtime.stop()
    async with database.sessions() as session:
        real = await session.scalar(select(BrokerToken).where(BrokerToken.broker == "upstox"))
    assert real is None, "the demo never touches the real connection's row"
