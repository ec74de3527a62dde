import time

import httpx
import orjson
import pytest

from marketedge.twin.server import TwinServer
from tests.twin.helpers import assert_upstox_error, bearer

NIFTY = {"instrument_key": "NSE_INDEX|Nifty 50", "expiry_date": "2026-12-01"}


def chain(http: httpx.Client) -> httpx.Response:
    return http.get("/v2/option/chain", params=NIFTY)


def test_rate_limit_burst_for_the_next_n_calls(
    twin: TwinServer, control: httpx.Client, http: httpx.Client
) -> None:
    put = control.put("/twin/faults", json={"faults": [{"kind": "rate_limit", "count": 2}]})
    assert put.json()["faults"][0]["count"] == 2
    assert_upstox_error(chain(http), 429, "UDAPI10005")
    assert_upstox_error(http.get("/v2/user/profile"), 429, "UDAPI10005")
    assert chain(http).status_code == 200
    assert control.get("/twin/faults").json() == {"faults": []}


@pytest.mark.parametrize(("status", "code"), [(500, "UDAPI100500"), (503, "UDAPI100503")])
def test_server_errors(
    twin: TwinServer, control: httpx.Client, http: httpx.Client, status: int, code: str
) -> None:
    twin.state.add_fault("server_error", status=status, count=1)
    assert_upstox_error(chain(http), status, code)
    assert chain(http).status_code == 200


def test_faults_can_be_scoped_to_a_path_prefix(
    twin: TwinServer, control: httpx.Client, http: httpx.Client
) -> None:
    control.post("/twin/faults", json={"kind": "server_error", "path_prefix": "/v2/option/"})
    assert http.get("/v2/user/profile").status_code == 200
    assert chain(http).status_code == 500
    assert chain(http).status_code == 500  # no count: until cleared
    control.delete("/twin/faults")
    assert chain(http).status_code == 200


def test_slow_answers_run_past_a_client_timeout(
    twin: TwinServer, control: httpx.Client, http: httpx.Client
) -> None:
    twin.state.add_fault("slow", delay_seconds=0.6, count=1, path_prefix="/v2/user")
    started = time.monotonic()
    with pytest.raises(httpx.ReadTimeout):
        http.get("/v2/user/profile", timeout=0.2)
    assert time.monotonic() - started < 0.5
    assert http.get("/v2/user/profile", timeout=2).status_code == 200


def test_malformed_json(twin: TwinServer, control: httpx.Client, http: httpx.Client) -> None:
    twin.state.add_fault("malformed_json", count=1)
    response = chain(http)
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    with pytest.raises(orjson.JSONDecodeError):
        orjson.loads(response.content)


def test_missing_fields_in_chain_rows(twin: TwinServer, control: httpx.Client, http: httpx.Client) -> None:
    twin.state.add_fault("missing_fields", count=1)
    rows = chain(http).json()["data"]
    assert rows and all("option_greeks" not in row["call_options"] for row in rows)
    assert all("iv" not in row["put_options"]["option_greeks"] for row in rows)
    assert all("oi" not in row["put_options"]["market_data"] for row in rows)
    twin.state.add_fault("missing_fields", fields=["underlying_spot_price"], mode="null", every=2, count=1)
    rows = chain(http).json()["data"]
    assert [row["underlying_spot_price"] is None for row in rows[:4]] == [True, False, True, False]
    intact = chain(http).json()["data"]
    assert "option_greeks" in intact[0]["call_options"]


def test_empty_chain(twin: TwinServer, control: httpx.Client, http: httpx.Client) -> None:
    twin.state.add_fault("empty_chain", count=1)
    assert chain(http).json() == {"status": "success", "data": []}
    assert len(chain(http).json()["data"]) > 100


def test_expire_and_revoke_all_tokens(twin: TwinServer, control: httpx.Client, http: httpx.Client) -> None:
    answer = control.put("/twin/faults", json={"faults": [{"kind": "expire_tokens"}]}).json()
    assert answer["applied"] == ["expire_tokens"]
    assert_upstox_error(chain(http), 401, "UDAPI100050")
    fresh = twin.state.mint_token()
    assert control.get("/v2/user/profile", headers=bearer(fresh)).status_code == 200
    control.post("/twin/faults", json={"kind": "revoke_tokens"})
    assert control.get("/v2/user/profile", headers=bearer(fresh)).status_code == 401


def test_bad_fault_rules_are_refused(twin: TwinServer, control: httpx.Client) -> None:
    for rule in (
        {"kind": "flood"},
        {"kind": "server_error", "status": 418},
        {"kind": "slow", "count": 0},
        {"kind": "slow", "colour": 1},
    ):
        response = control.post("/twin/faults", json=rule)
        assert response.status_code == 400 and "error" in response.json()


def test_rate_limits_per_token(twin: TwinServer, control: httpx.Client, http: httpx.Client) -> None:
    twin.state.configure(rate_per_second=5)
    answers = [http.get("/v2/market/status/NSE").status_code for _ in range(7)]
    assert answers[:5] == [200] * 5 and 429 in answers[5:]
    other = twin.state.mint_token()
    assert control.get("/v2/market/status/NSE", headers=bearer(other)).status_code == 200
    time.sleep(1.05)
    assert http.get("/v2/market/status/NSE").status_code == 200


def test_the_default_limits_are_upstoxs(twin: TwinServer, control: httpx.Client) -> None:
    config = control.get("/twin/config").json()
    assert (config["rate_per_second"], config["rate_per_minute"], config["rate_per_30_minutes"]) == (
        50,
        500,
        2000,
    )
    minute = twin.state.limiter
    twin.state.configure(rate_per_second=None, rate_per_minute=3)
    assert [minute.allow("t") for _ in range(4)] == [True, True, True, False]
