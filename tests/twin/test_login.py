import json
import threading
from collections.abc import Iterator
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from marketedge.core.clock import IST, ist
from marketedge.twin.server import TwinServer
from marketedge.twin.tokens import access_token_expiry
from tests.twin.helpers import assert_upstox_error, bearer

REDIRECT = "http://127.0.0.1:9/callback"


def test_access_tokens_die_at_0330_ist() -> None:
    assert access_token_expiry(ist(2026, 11, 25, 2, 30)) == ist(2026, 11, 25, 3, 30)
    assert access_token_expiry(ist(2026, 11, 25, 3, 30)) == ist(2026, 11, 26, 3, 30)
    assert access_token_expiry(ist(2026, 11, 25, 9, 0)) == ist(2026, 11, 26, 3, 30)
    assert access_token_expiry(datetime(2026, 11, 24, 22, 0, tzinfo=IST).astimezone(IST)) == ist(
        2026, 11, 25, 3, 30
    )


def test_a_token_works_until_0330_on_the_twins_clock(twin: TwinServer, control: httpx.Client) -> None:
    twin.state.set_clock(ist(2026, 11, 25, 2, 30))
    token = twin.state.mint_token()
    profile = "/v2/user/profile"
    assert control.get(profile, headers=bearer(token)).status_code == 200
    twin.state.set_clock(ist(2026, 11, 25, 3, 29, 59))
    assert control.get(profile, headers=bearer(token)).status_code == 200
    twin.state.advance_clock(1)
    assert_upstox_error(control.get(profile, headers=bearer(token)), 401, "UDAPI100050")

    twin.state.set_clock(ist(2026, 11, 25, 9, 0))
    morning = twin.state.mint_token()
    twin.state.set_clock(ist(2026, 11, 26, 3, 29))
    assert control.get(profile, headers=bearer(morning)).status_code == 200
    twin.state.set_clock(ist(2026, 11, 26, 3, 30))
    assert control.get(profile, headers=bearer(morning)).status_code == 401


def test_unknown_missing_and_revoked_tokens_get_401(control: httpx.Client, twin_token: str) -> None:
    chain = "/v2/option/chain?instrument_key=NSE_INDEX|Nifty 50&expiry_date=2026-12-01"
    assert_upstox_error(control.get(chain), 401, "UDAPI100050")
    assert_upstox_error(control.get(chain, headers=bearer("not-a-token")), 401, "UDAPI100050")
    assert control.get(chain, headers=bearer(twin_token)).status_code == 200
    logout = control.delete("/v2/logout", headers=bearer(twin_token))
    assert logout.json() == {"status": "success", "data": True}
    assert_upstox_error(control.get(chain, headers=bearer(twin_token)), 401, "UDAPI100050")


def test_token_kinds(twin: TwinServer, control: httpx.Client) -> None:
    analytics = control.post("/twin/tokens", json={"kind": "analytics"}).json()["access_token"]
    extended = control.post("/twin/tokens", json={"kind": "extended"}).json()["access_token"]
    status = "/v2/market/status/NSE"
    assert control.get(status, headers=bearer(analytics)).status_code == 200
    assert_upstox_error(control.get("/v2/user/profile", headers=bearer(analytics)), 403, "UDAPI100072")
    assert_upstox_error(control.get(status, headers=bearer(extended)), 401, "UDAPI100067")
    # A year later the analytics token still works; an access token made with it would not.
    twin.state.advance_clock(364 * 86400)
    assert control.get(status, headers=bearer(analytics)).status_code == 200
    # A new analytics token revokes the old one.
    twin.state.mint_token("analytics")
    assert control.get(status, headers=bearer(analytics)).status_code == 401


def test_oauth_dialog_approve_and_code_exchange(twin: TwinServer) -> None:
    config = twin.state.config
    with httpx.Client(base_url=twin.url) as http:
        params = {
            "response_type": "code",
            "client_id": config.client_id,
            "redirect_uri": REDIRECT,
            "state": "s-1",
        }
        page = http.get("/v2/login/authorization/dialog", params=params)
        assert page.status_code == 200 and "text/html" in page.headers["content-type"]
        assert "Approve" in page.text and "<script" not in page.text
        approved = http.post(
            "/v2/login/authorization/dialog",
            data={
                "client_id": config.client_id,
                "redirect_uri": REDIRECT,
                "state": "s-1",
                "decision": "approve",
            },
        )
        assert approved.status_code == 302
        location = urlsplit(approved.headers["location"])
        assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT
        query = parse_qs(location.query)
        assert query["state"] == ["s-1"]
        form = {
            "code": query["code"][0],
            "client_id": config.client_id,
            "client_secret": config.client_secret,
            "redirect_uri": REDIRECT,
            "grant_type": "authorization_code",
        }
        exchanged = http.post("/v2/login/authorization/token", data=form)
        assert exchanged.status_code == 200
        body = exchanged.json()
        assert "status" not in body  # the flat object, no envelope
        assert body["user_id"] == config.user_id and body["broker"] == "UPSTOX"
        assert http.get("/v2/user/profile", headers=bearer(body["access_token"])).status_code == 200
        assert_upstox_error(
            http.get("/v2/market/status/NSE", headers=bearer(body["extended_token"])), 401, "UDAPI100067"
        )
        # Codes are single-use.
        assert_upstox_error(http.post("/v2/login/authorization/token", data=form), 400, "UDAPI100057")


def test_wrong_client_id_or_redirect_uri_is_refused(twin: TwinServer, control: httpx.Client) -> None:
    twin.state.configure(redirect_uri=REDIRECT)
    dialog = "/v2/login/authorization/dialog"
    config = twin.state.config
    wrong_client = {"response_type": "code", "client_id": "someone", "redirect_uri": REDIRECT}
    wrong_uri = {
        "response_type": "code",
        "client_id": config.client_id,
        "redirect_uri": "http://evil.invalid/cb",
    }
    assert_upstox_error(control.get(dialog, params=wrong_client), 400, "UDAPI100068")
    assert_upstox_error(control.get(dialog, params=wrong_uri), 400, "UDAPI100068")
    exchange = {
        "code": "x",
        "client_id": config.client_id,
        "client_secret": "wrong",
        "redirect_uri": REDIRECT,
        "grant_type": "authorization_code",
    }
    assert control.post("/v2/login/authorization/token", data=exchange).status_code == 401


class Notifier:
    """A webhook receiver on a free port that keeps what it is sent."""

    def __init__(self) -> None:
        received: list[dict[str, str]] = []
        arrived = threading.Event()

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", 0))
                received.append(json.loads(self.rfile.read(length)))
                arrived.set()
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.received, self.arrived = received, arrived
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/notify"
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def notifier() -> Iterator[Notifier]:
    receiver = Notifier()
    yield receiver
    receiver.close()


def test_v3_token_request_is_delivered_to_the_notifier_once_approved(
    twin: TwinServer, control: httpx.Client, notifier: Notifier
) -> None:
    config = twin.state.configure(notifier_url=notifier.url)
    assert control.post("/twin/v3/approve").status_code == 409  # nothing pending yet
    asked = control.post(
        f"/v3/login/auth/token/request/{config.client_id}",
        json={"client_secret": config.client_secret},
    )
    assert asked.status_code == 200
    data = asked.json()["data"]
    assert data["notifier_url"] == notifier.url
    assert int(data["authorization_expiry"]) == int(ist(2026, 11, 26, 3, 30).timestamp() * 1000)
    assert not notifier.received
    approved = control.post("/twin/v3/approve", json={"wait": True}).json()
    assert approved["approved"] == 1 and approved["deliveries"][0]["status"] == 200
    assert notifier.arrived.wait(5)
    (message,) = notifier.received
    assert message["client_id"] == config.client_id and message["user_id"] == config.user_id
    assert message["token_type"] == "Bearer" and message["message_type"] == "access_token"
    assert int(message["expires_at"]) == int(ist(2026, 11, 26, 3, 30).timestamp() * 1000)
    assert message["issued_at"].isdigit()
    assert control.get("/v2/user/profile", headers=bearer(message["access_token"])).status_code == 200


def test_v3_token_request_checks_the_app(twin: TwinServer, control: httpx.Client) -> None:
    config = twin.state.config
    url = "/v3/login/auth/token/request"
    assert_upstox_error(
        control.post(f"{url}/other", json={"client_secret": config.client_secret}), 400, "UDAPI100068"
    )
    assert control.post(f"{url}/{config.client_id}", json={"client_secret": "nope"}).status_code == 401
