"""Every token flow, with every logger at DEBUG: no token value (nor the OAuth code or the client secret)
appears in any log line, API answer, audit event or metric."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import orjson
import pytest
from sqlalchemy import select

from marketedge.models import AuditEvent
from tests.broker.conftest import PREFIX, Live, delivered
from tests.broker.test_oauth import approve_on_dialog


@pytest.fixture
def captured_logs() -> Iterator[io.StringIO]:
    captured = io.StringIO()
    handler = logging.StreamHandler(captured)
    root = logging.getLogger()
    handler.setFormatter(root.handlers[0].formatter if root.handlers else None)
    handler.setLevel(logging.DEBUG)
    previous = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield captured
    finally:
        root.removeHandler(handler)
        root.setLevel(previous)


async def test_no_token_in_logs_answers_audit_or_metrics(live: Live, captured_logs: io.StringIO) -> None:
    twin = live.twin.state
    secrets: list[str] = [twin.config.client_secret]

    # Paste (a good one, a bad one in a body that fails validation, a refused one).
    pasted = twin.mint_token()
    secrets.append(pasted)
    await live.admin.post(f"{PREFIX}/token", json={"token": pasted, "kind": "access"})
    await live.admin.post(f"{PREFIX}/token", json={"token": pasted, "kind": "nonsense"})
    extended = twin.mint_token("extended")
    secrets.append(extended)
    await live.admin.post(f"{PREFIX}/token", json={"token": extended, "kind": "access"})

    # OAuth: the code and the access token it buys.
    callback = await approve_on_dialog(live)
    secrets.append(parse_qs(urlsplit(callback).query)["code"][0])
    assert (await live.admin.get(callback)).headers["location"] == "/broker?result=connected"
    oauth_token = await live.tokens.current_token()
    assert oauth_token
    secrets.append(oauth_token)

    # v3: request, approval, the notifier; then forged posts carrying real tokens.
    await live.admin.post(f"{PREFIX}/request")
    assert await delivered(live.twin) == [200]
    secrets += [d.payload["access_token"] for d in twin.tokens.deliveries]
    forged = twin.mint_token()
    secrets.append(forged)
    body = {**twin.tokens.deliveries[0].payload, "access_token": forged}
    await live.anonymous.post(f"{PREFIX}/notifier", json={**body, "client_id": "other"})
    await live.anonymous.post(f"{PREFIX}/notifier", json={**body, "user_id": "ZZ1"})
    await live.anonymous.post(f"{PREFIX}/notifier", content=orjson.dumps(body)[:-5])
    await live.anonymous.post(f"{PREFIX}/notifier", json={**body, "access_token": [forged]})

    # A 401 mid-session (the stored token revoked at Upstox), the renewal it starts, status, disconnect.
    current = await live.tokens.current_token()
    assert current
    twin.tokens.revoke(current)
    await live.runtime.job.run(force=True)
    await live.renewal.wait_idle()
    await live.status()
    await live.admin.delete(PREFIX)
    metrics = await live.admin.get("/metrics")

    answers = [(a.request.method, str(a.request.url.path), a.status_code, a) for a in live.answers]
    assert len(answers) >= 12
    texts = [
        a.text + "\n" + "\n".join(f"{k}: {v}" for k, v in a.headers.items() if k.lower() != "set-cookie")
        for *_, a in answers
    ]
    if metrics.status_code == 200:
        texts.append(metrics.text)
    async with live.database.sessions() as session:
        events = list(
            await session.scalars(select(AuditEvent).where(AuditEvent.action.startswith("broker.")))
        )
    assert len(events) >= 8
    logs = captured_logs.getvalue()
    assert "broker: token stored" in logs and "notifier post refused" in logs
    for secret in secrets:
        assert secret not in logs, "a secret reached the logs"
        for (method, path, status, _), text in zip(answers, texts, strict=False):
            assert secret not in text, f"a secret in the answer to {method} {path} ({status})"
        for event in events:
            assert secret not in orjson.dumps(event.details).decode(), f"a secret in audit {event.action}"
