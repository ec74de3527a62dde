import httpx
import pytest

from marketedge.core.clock import ManualClock, ist, use_clock
from marketedge.twin import TwinConfig, create_twin_app
from marketedge.twin.server import TwinServer
from tests.twin.helpers import assert_upstox_error, bearer
from tests.twin_fixtures import TWIN_START

CHAIN = {"instrument_key": "NSE_INDEX|Nifty 50", "expiry_date": "2026-12-01"}


def test_clock_control(twin: TwinServer, control: httpx.Client) -> None:
    assert control.get("/twin/clock").json() == {
        "now": TWIN_START.isoformat(),
        "frozen": True,  # the fixture's ManualClock
        "market_open": True,
        "market_minute": TWIN_START.isoformat(),
    }
    moved = control.put("/twin/clock", json={"at": "2026-11-25T08:00:00"}).json()  # naive: read as IST
    assert moved["now"] == "2026-11-25T08:00:00+05:30" and moved["frozen"] is True
    assert moved["market_minute"] == "2026-11-23T15:30:00+05:30"
    advanced = control.put("/twin/clock", json={"advance_seconds": 3600 * 2 + 60}).json()
    assert advanced["now"] == "2026-11-25T10:01:00+05:30" and advanced["market_open"] is True
    running = control.put("/twin/clock", json={"at": "2026-11-25T09:15:00+05:30", "speed": 60}).json()
    assert running["frozen"] is False
    assert control.put("/twin/clock", json={"follow": True}).json()["now"] == TWIN_START.isoformat()
    assert control.put("/twin/clock", json={"at": "yesterday"}).status_code == 400
    assert control.put("/twin/clock", json={}).status_code == 400


def test_config_control_and_reset(twin: TwinServer, control: httpx.Client) -> None:
    config = control.get("/twin/config").json()
    assert config["client_id"] == "twin-client-id" and config["seed"] == 7
    changed = control.put("/twin/config", json={"seed": 8, "notifier_url": "http://127.0.0.1:9/n"}).json()
    assert changed["seed"] == 8 and changed["notifier_url"] == "http://127.0.0.1:9/n"
    assert twin.state.market.seed == 8
    assert control.put("/twin/config", json={"seed": "eight"}).status_code == 400
    assert control.put("/twin/config", json={"colour": "blue"}).status_code == 400
    token = twin.state.mint_token()
    twin.state.add_fault("rate_limit")
    assert control.post("/twin/reset").json() == {"reset": True}
    assert twin.state.config.seed == 7 and twin.state.market.seed == 7
    assert twin.state.faults.active() == [] and twin.state.tokens.count() == 0
    assert control.get("/v2/user/profile", headers=bearer(token)).status_code == 401


def test_mint_endpoint(control: httpx.Client) -> None:
    minted = control.post("/twin/tokens", json={"kind": "access"}).json()
    assert set(minted) == {"access_token", "kind", "expires_at"}
    assert minted["expires_at"] == "2026-11-26T03:30:00+05:30"
    assert control.post("/twin/tokens", json={"kind": "root"}).status_code == 400
    assert control.post("/twin/tokens", content=b"[1]").status_code == 400


def test_unknown_paths_answer_in_the_right_shape(control: httpx.Client) -> None:
    assert_upstox_error(control.get("/v2/portfolio/positions"), 404, "UDAPI100060")
    assert_upstox_error(control.post("/v2/user/profile"), 405, "UDAPI100061")
    missing = control.get("/twin/nothing")
    assert missing.status_code == 404 and "error" in missing.json()


def test_chain_and_contract_arguments(http: httpx.Client) -> None:
    assert_upstox_error(http.get("/v2/option/chain", params={"expiry_date": "2026-12-01"}), 400, "UDAPI1011")
    assert_upstox_error(
        http.get("/v2/option/chain", params={"instrument_key": "NSE_INDEX|Nifty 50"}), 400, "UDAPI1011"
    )
    bad_key = http.get("/v2/option/chain", params={**CHAIN, "instrument_key": "NSE_INDEX|Nifty 49"})
    assert_upstox_error(bad_key, 400, "UDAPI1087")
    assert bad_key.json()["errors"][0]["property_path"] == "instrument_key"
    assert_upstox_error(
        http.get("/v2/option/chain", params={**CHAIN, "expiry_date": "01-12-2026"}), 400, "UDAPI1088"
    )
    assert http.get("/v2/option/chain", params={**CHAIN, "expiry_date": "2026-12-02"}).json()["data"] == []
    assert_upstox_error(
        http.get("/v2/option/contract", params={"instrument_key": "NSE_EQ|INE002A01018"}), 400, "UDAPI1087"
    )
    assert http.get("/v2/option/contract", params={**CHAIN, "expiry_date": "2026-12-02"}).json()["data"] == []


def test_quote_arguments(http: httpx.Client) -> None:
    keys = ",".join(f"NSE_FO|1098310{5000 + 10 * i:04d}" for i in range(51))
    assert_upstox_error(
        http.get("/v3/market-quote/option-greek", params={"instrument_key": keys}), 400, "UDAPI1095"
    )
    assert_upstox_error(
        http.get("/v3/market-quote/ltp", params={"instrument_key": "nonsense"}), 400, "UDAPI1087"
    )
    known_and_unknown = http.get(
        "/v3/market-quote/ltp", params={"instrument_key": "NSE_FO|10983105200,NSE_FO|99"}
    )
    assert list(known_and_unknown.json()["data"]) == ["NSE_FO:NIFTY26D0126000CE"]
    indices = http.get(
        "/v3/market-quote/ltp", params={"instrument_key": "BSE_INDEX|SENSEX,NSE_INDEX|Nifty Bank"}
    )
    assert set(indices.json()["data"]) == {"BSE_INDEX:SENSEX", "NSE_INDEX:Nifty Bank"}


def test_market_status_phases(twin: TwinServer, http: httpx.Client) -> None:
    def status(exchange: str = "NSE") -> str:
        return http.get(f"/v2/market/status/{exchange}").json()["data"]["status"]

    expected = [
        ((9, 3), "PRE_OPEN_START"),
        ((9, 10), "PRE_OPEN_END"),
        ((12, 0), "NORMAL_OPEN"),
        ((15, 35), "CLOSING_START"),
        ((15, 45), "CLOSING_END"),
        ((17, 0), "NORMAL_CLOSE"),
    ]
    for (hour, minute), name in expected:
        twin.state.set_clock(ist(2026, 11, 25, hour, minute))
        assert status() == name, (hour, minute)
    twin.state.set_clock(ist(2026, 11, 25, 9, 10))
    assert status("NFO") == "NORMAL_CLOSE"
    twin.state.set_clock(ist(2026, 11, 24, 12, 0))  # a holiday
    assert status() == "NORMAL_CLOSE"
    assert_upstox_error(http.get("/v2/market/status/LSE"), 400, "UDAPI1096")


def test_before_the_open_the_chain_shows_the_last_close(twin: TwinServer, http: httpx.Client) -> None:
    twin.state.set_clock(ist(2026, 11, 23, 15, 30, 20))
    close = http.get("/v2/option/chain", params=CHAIN).json()["data"]
    twin.state.set_clock(ist(2026, 11, 25, 8, 0))
    early = http.get("/v2/option/chain", params=CHAIN).json()["data"]
    assert early == close
    twin.state.set_clock(ist(2026, 11, 25, 9, 15))
    opening = http.get("/v2/option/chain", params=CHAIN).json()["data"]
    assert (
        opening[70]["call_options"]["market_data"]["close_price"]
        == close[70]["call_options"]["market_data"]["ltp"]
    )
    assert opening[70]["underlying_spot_price"] != close[70]["underlying_spot_price"]


async def test_the_app_runs_in_process_on_the_apps_clock() -> None:
    app = create_twin_app(TwinConfig(seed=11))
    state = app.state.twin
    with use_clock(ManualClock(ist(2026, 11, 25, 10, 0))):
        token = state.mint_token()
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://twin") as client:
            first = (await client.get("/v2/option/chain", params=CHAIN, headers=bearer(token))).json()["data"]
            state.clock.advance(60)
            later = (await client.get("/v2/option/chain", params=CHAIN, headers=bearer(token))).json()["data"]
    assert first[0]["underlying_spot_price"] != later[0]["underlying_spot_price"]
    with pytest.raises(ValueError, match="seed"):
        state.configure(seed=None)


def test_the_server_binds_a_free_port_and_stops() -> None:
    server = TwinServer(clock=ManualClock(TWIN_START))
    with pytest.raises(RuntimeError):
        _ = server.url
    with server:
        assert httpx.get(f"{server.url}/twin/health").json() == {"ok": True}
        assert server.state is server.app.state.twin
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{server.port}/twin/health", timeout=1)


def test_outside_the_simulated_years_the_data_is_empty(twin: TwinServer, http: httpx.Client) -> None:
    twin.state.set_clock(ist(2019, 5, 2, 10, 0))
    token = twin.state.mint_token()
    http.headers["Authorization"] = f"Bearer {token}"
    assert http.get("/v2/option/chain", params={**CHAIN, "expiry_date": "2019-05-07"}).json()["data"] == []
    assert (
        http.get("/v2/option/contract", params={"instrument_key": CHAIN["instrument_key"]}).json()["data"]
        == []
    )
    assert (
        http.get("/v3/market-quote/ltp", params={"instrument_key": CHAIN["instrument_key"]}).json()["data"]
        == {}
    )
    candles = http.get("/v3/historical-candle/NSE_INDEX%7CNifty%2050/days/1/2019-05-01/2019-04-01")
    assert candles.json() == {"status": "success", "data": {"candles": []}}
