from urllib.parse import quote

import httpx

from marketedge.core.clock import ist
from marketedge.twin.server import TwinServer
from tests.twin.helpers import assert_upstox_error

NIFTY = "NSE_INDEX|Nifty 50"
EXPIRY = "2026-12-01"


def path_key(key: str) -> str:
    return quote(key, safe="")


def chain_at(http: httpx.Client) -> list[dict]:
    return http.get("/v2/option/chain", params={"instrument_key": NIFTY, "expiry_date": EXPIRY}).json()[
        "data"
    ]


def test_one_minute_candles_close_on_the_chains_ltp(twin: TwinServer, http: httpx.Client) -> None:
    rows = chain_at(http)
    picks = [rows[len(rows) // 2], rows[len(rows) // 2 + 5]]
    seen: dict[str, dict[str, float]] = {}
    for minute in (9 * 60 + 15, 10 * 60 + 2, 11 * 60):
        twin.state.set_clock(ist(2026, 11, 25, minute // 60, minute % 60, 30))
        for row in chain_at(http):
            for side in ("call_options", "put_options"):
                if row["strike_price"] in {p["strike_price"] for p in picks}:
                    seen.setdefault(row[side]["instrument_key"], {})[
                        f"{minute // 60:02d}:{minute % 60:02d}"
                    ] = row[side]["market_data"]["ltp"]
    twin.state.set_clock(ist(2026, 11, 25, 11, 0, 30))
    for key, by_minute in seen.items():
        candles = http.get(f"/v3/historical-candle/intraday/{path_key(key)}/minutes/1").json()["data"][
            "candles"
        ]
        assert candles[0][0] == "2026-11-25T11:00:00+05:30"  # newest first, up to the current minute
        assert len(candles) == 106
        closes = {row[0][11:16]: row[4] for row in candles}
        for hhmm, ltp in by_minute.items():
            assert closes[hhmm] == ltp, (key, hhmm)
        first = candles[-1]
        assert first[0] == "2026-11-25T09:15:00+05:30"
        assert all(
            len(row) == 7 and row[2] >= max(row[1], row[4]) and row[3] <= min(row[1], row[4])
            for row in candles
        )


def test_index_candles_match_the_chains_spot(twin: TwinServer, http: httpx.Client) -> None:
    twin.state.set_clock(ist(2026, 11, 25, 10, 7, 10))
    spot = chain_at(http)[0]["underlying_spot_price"]
    candles = http.get(f"/v3/historical-candle/intraday/{path_key(NIFTY)}/minutes/1").json()["data"][
        "candles"
    ]
    assert candles[0][0] == "2026-11-25T10:07:00+05:30" and candles[0][4] == spot
    assert candles[0][5] == 0 and candles[0][6] == 0  # an index has no volume or OI


def test_grouped_candles_agree_with_one_minute_candles(twin: TwinServer, http: httpx.Client) -> None:
    base = f"/v3/historical-candle/{path_key(NIFTY)}"
    ones = http.get(f"{base}/minutes/1/2026-11-23/2026-11-23").json()["data"]["candles"][::-1]
    assert len(ones) == 376
    thirty = http.get(f"{base}/minutes/30/2026-11-23/2026-11-23").json()["data"]["candles"][::-1]
    assert len(thirty) == 13
    first = ones[:30]
    assert thirty[0] == [
        "2026-11-23T09:15:00+05:30",
        first[0][1],
        max(r[2] for r in first),
        min(r[3] for r in first),
        first[-1][4],
        0,
        0,
    ]
    days = http.get(f"{base}/days/1/2026-11-24/2026-11-16").json()["data"]["candles"]
    assert [row[0][:10] for row in days] == [
        "2026-11-23",
        "2026-11-20",
        "2026-11-19",
        "2026-11-18",
        "2026-11-17",
        "2026-11-16",
    ]
    assert days[0][4] == ones[-1][4] and days[0][1] == ones[0][1]
    weeks = http.get(f"{base}/weeks/1/2026-11-24/2026-11-01").json()["data"]["candles"]
    assert weeks[0][0] == "2026-11-23T00:00:00+05:30" and weeks[0][4] == days[0][4]


def test_historical_candles_stop_before_today_and_contracts_before_expiry(
    twin: TwinServer, http: httpx.Client
) -> None:
    base = f"/v3/historical-candle/{path_key(NIFTY)}"
    candles = http.get(f"{base}/days/1/2026-11-30/2026-11-20").json()["data"]["candles"]
    assert candles[0][0].startswith("2026-11-23")  # 24th a holiday, 25th is today
    expired = "NSE_FO|10981705200"  # NIFTY 26000 CE of 2026-11-17
    rows = http.get(f"/v3/historical-candle/{path_key(expired)}/days/1/2026-11-24/2026-11-01").json()["data"][
        "candles"
    ]
    assert rows[0][0].startswith("2026-11-17") and rows[0][6] >= 0


def test_candles_need_no_token_and_check_their_arguments(twin: TwinServer, control: httpx.Client) -> None:
    base = f"/v3/historical-candle/{path_key(NIFTY)}"
    assert control.get(f"{base}/days/1/2026-11-24").status_code == 200
    assert_upstox_error(control.get(f"{base}/fortnights/1/2026-11-24"), 400, "UDAPI1146")
    assert_upstox_error(control.get(f"{base}/minutes/0/2026-11-24"), 400, "UDAPI1146")
    assert_upstox_error(control.get(f"{base}/minutes/1/24-11-2026"), 400, "UDAPI1088")
    assert_upstox_error(control.get(f"{base}/minutes/1/2026-11-01/2026-11-24"), 400, "UDAPI1148")
    assert_upstox_error(control.get(f"{base}/minutes/1/2026-11-24/2026-09-01"), 400, "UDAPI1148")
    assert_upstox_error(
        control.get(f"/v3/historical-candle/{path_key('NSE_FO|1')}/days/1/2026-11-24"), 400, "UDAPI1087"
    )


def test_no_intraday_candles_before_the_open_or_on_a_holiday(twin: TwinServer, control: httpx.Client) -> None:
    url = f"/v3/historical-candle/intraday/{path_key(NIFTY)}/minutes/1"
    twin.state.set_clock(ist(2026, 11, 25, 9, 0))
    assert control.get(url).json() == {"status": "success", "data": {"candles": []}}
    twin.state.set_clock(ist(2026, 11, 24, 12, 0))
    assert control.get(url).json()["data"]["candles"] == []
