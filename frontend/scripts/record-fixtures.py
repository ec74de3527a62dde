"""Records real answers of a running Market Edge (e.g. `marketedge demo`) as the UI tests' fixtures.

    .venv/bin/python frontend/scripts/record-fixtures.py http://127.0.0.1:8000 EMAIL PASSWORD [ADMIN_EMAIL ADMIN_PASSWORD]

Writes frontend/src/test/fixtures/*.json, and the next live `minute` event of the stream as stream-minute.json
(it waits up to a minute for one). With CONSENT_REQUIRED on, a viewer who has not yet accepted the privacy
notice gives the consent screen's answers too (me-needs-consent, consent-needed, consent-given) and then
accepts it, as the screen would; a viewer who has already accepted it keeps the earlier recordings of those."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import httpx

OUT = Path(__file__).resolve().parents[1] / "src" / "test" / "fixtures"


def sign_in(base: str, email: str, password: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=30)
    answer = client.post("/api/v1/auth/login", json={"email": email, "password": password})
    answer.raise_for_status()
    save("login", answer.json() if email.startswith("ui@") else None)
    return client


def save(name: str, body: object) -> None:
    if body is None:
        return
    text = json.dumps(body, separators=(",", ":"), ensure_ascii=False)
    (OUT / f"{name}.json").write_text(text + "\n", encoding="utf-8")
    print("wrote", name)


def get(client: httpx.Client, path: str, *, ok: tuple[int, ...] = (200,)) -> object:
    answer = client.get(path)
    if answer.status_code not in ok:
        raise SystemExit(f"{path}: {answer.status_code} {answer.text[:300]}")
    return answer.json()


def stream_event(client: httpx.Client, path: str) -> object:
    """The second `minute` event of the stream: the first live one after the catch-up, as the UI receives it."""
    seen = 0
    with client.stream("GET", path, timeout=120) as answer:
        event = None
        for line in answer.iter_lines():
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: ") and event == "minute":
                seen += 1
                if seen == 2:
                    return json.loads(line[6:])
    raise SystemExit("no minute event")


def record_consent(client: httpx.Client) -> None:
    """The consent screen's answers, then the consent itself (the data routes need it)."""
    me = get(client, "/api/v1/auth/me")
    assert isinstance(me, dict)
    if not (me.get("consent") or {}).get("needed"):
        return
    save("me-needs-consent", me)
    asked = get(client, "/api/v1/account/consent")
    save("consent-needed", asked)
    assert isinstance(asked, dict)
    csrf = client.cookies.get("me_csrf") or ""
    given = client.post("/api/v1/account/consent", json=asked["required"], headers={"X-CSRF-Token": csrf})
    given.raise_for_status()
    save("consent-given", given.json())


def main() -> None:
    base, email, password = sys.argv[1:4]
    OUT.mkdir(parents=True, exist_ok=True)
    # The legal pages are public: recorded without signing in, as a visitor reads them.
    visitor = httpx.Client(base_url=base, timeout=30)
    for name in ("privacy", "terms", "disclaimer", "accessibility"):
        save(f"legal-{name}", get(visitor, f"/api/v1/legal/{name}"))
    viewer = sign_in(base, email, password)
    record_consent(viewer)
    save("me", get(viewer, "/api/v1/auth/me"))
    save("instruments", get(viewer, "/api/v1/instruments"))
    sessions = get(viewer, "/api/v1/sessions?instrument=NIFTY")
    save("sessions-nifty", sessions)
    assert isinstance(sessions, dict)
    day = sessions["sessions"][0]
    date, expiry = day["date"], day["expiries"][0]["expiry"]
    where = f"instrument=NIFTY&date={date}&expiry={expiry}"
    summary = get(viewer, f"/api/v1/greeks/summary?{where}&to=10:30")
    save("summary-nifty", summary)
    save("summary-nifty-band-20-50", get(viewer, f"/api/v1/greeks/summary?{where}&to=10:30&delta_min=0.2&delta_max=0.5"))
    save("summary-nifty-5min", get(viewer, f"/api/v1/greeks/summary?{where}&to=10:31&interval=5"))
    save("summary-nifty-1031", get(viewer, f"/api/v1/greeks/summary?{where}&to=10:31"))
    save("summary-error-no-day", get(viewer, "/api/v1/greeks/summary?instrument=NIFTY&date=2026-11-20", ok=(404,)))
    save("chain-nifty", get(viewer, f"/api/v1/chain?{where}&at=10:30&strikes=8"))
    save("chain-nifty-0930", get(viewer, f"/api/v1/chain?{where}&at=09:30&strikes=8"))
    chain = get(viewer, f"/api/v1/chain?{where}&at=10:30&strikes=8")
    assert isinstance(chain, dict)
    save("strike-nifty-ce", get(viewer, f"/api/v1/greeks/strike?{where}&strike={chain['atm_strike']}&side=CE"))
    save("status", get(viewer, "/api/v1/status"))
    save("stream-minute", stream_event(viewer, f"/api/v1/stream?{where}"))
    save("health-ready", get(viewer, "/health/ready", ok=(200, 503)))
    save("broker-forbidden", get(viewer, "/api/v1/broker/upstox/status", ok=(403,)))
    save("account-export", get(viewer, "/api/v1/account/export"))
    if len(sys.argv) >= 6:
        admin = sign_in(base, sys.argv[4], sys.argv[5])
        save("me-admin", get(admin, "/api/v1/auth/me"))
        save("broker-status", get(admin, "/api/v1/broker/upstox/status"))


if __name__ == "__main__":
    main()
