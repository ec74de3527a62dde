"""The market-data API over a simulated morning: the tracker's maths, gaps, validation, caching, CSV."""

from __future__ import annotations

import csv
import io

import httpx
import numpy as np
import pytest
from fastapi import FastAPI

from marketedge.core.clock import ManualClock, ist
from tests.api.conftest import GAP, LAST
from tests.conftest import QueryCounter

SUMMARY = "/api/v1/greeks/summary"


def arr(values: list[float | None]) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in values], dtype=float)


async def summary(client: httpx.AsyncClient, **params: object) -> dict:  # type: ignore[type-arg]
    response = await client.get(SUMMARY, params={"instrument": "NIFTY", **params})
    assert response.status_code == 200, response.text
    return response.json()


async def test_instruments_list_the_universe_with_lot_sizes_and_expiries(
    day_client: httpx.AsyncClient,
) -> None:
    body = (await day_client.get("/api/v1/instruments")).json()
    (nifty,) = [i for i in body["instruments"] if i["symbol"] == "NIFTY"]
    assert nifty["instrument_key"] == "NSE_INDEX|Nifty 50"
    assert nifty["lot_size"] > 0 and nifty["strike_step"] > 0
    assert len(nifty["expiries"]) == 1 and nifty["latest_date"] == "2026-11-25"


async def test_the_tracker_follows_its_definitions_with_gaps(day_client: httpx.AsyncClient) -> None:
    body = await summary(day_client, delta_min=0.1, delta_max=0.5)
    assert (
        body["baseline"]["minute"] == "2026-11-25T09:15:00+05:30" and body["baseline"]["late_by_minutes"] == 0
    )
    minutes = body["minutes"]
    assert minutes[0] == "2026-11-25T09:15:00+05:30" and minutes[-1] == LAST.isoformat()
    assert len(minutes) == 61
    gap_rows = [minutes.index(m.isoformat()) for m in GAP]
    for side in ("ce", "pe", "net"):
        for metric, series in body["series"][side].items():
            level, change, minute_change = (arr(series[k]) for k in ("level", "change", "minute_change"))
            assert change[0] == pytest.approx(0, abs=1e-9), (side, metric)
            ok = np.isfinite(level)
            np.testing.assert_allclose(
                change[ok], (level - level[0])[ok], atol=2e-6 * max(1, np.nanmax(abs(level)))
            )
            assert np.isnan(level[gap_rows]).all() and np.isnan(minute_change[gap_rows]).all(), (
                "gaps stay gaps"
            )
            after = gap_rows[-1] + 1
            assert minute_change[after] == pytest.approx(level[after] - level[gap_rows[0] - 1], abs=1e-4)
            for i in range(1, len(minutes)):
                if ok[i] and ok[i - 1]:
                    assert minute_change[i] == pytest.approx(level[i] - level[i - 1], abs=1e-4)
    assert body["span"][gap_rows[-1] + 1] == 4
    net, ce, pe = (body["series"][s]["delta"]["level"] for s in ("net", "ce", "pe"))
    assert net[5] == pytest.approx(ce[5] + pe[5], abs=1e-4)
    assert ce[5] > 0 > pe[5]


async def test_band_membership_agrees_with_the_chain_at_the_same_minute(
    day_client: httpx.AsyncClient,
) -> None:
    body = await summary(day_client, delta_min=0.2, delta_max=0.45)
    row = body["minutes"].index("2026-11-25T09:50:00+05:30")
    chain = (await day_client.get("/api/v1/chain", params={"instrument": "NIFTY", "at": "09:50"})).json()
    assert chain["minute"] == "2026-11-25T09:50:00+05:30"
    for side in ("ce", "pe"):
        delta = arr(chain[side]["delta"])
        inside = (np.abs(delta) >= 0.2) & (np.abs(delta) <= 0.45)
        assert body["series"][side]["strikes"]["level"][row] == inside.sum()
        assert body["series"][side]["delta"]["level"][row] == pytest.approx(delta[inside].sum(), abs=1e-3)


async def test_fixed_selection_keeps_the_baseline_strikes(day_client: httpx.AsyncClient) -> None:
    fixed = await summary(day_client, selection="fixed", delta_min=0.25, delta_max=0.4)
    counts = {c for c in fixed["series"]["ce"]["strikes"]["level"] if c is not None}
    assert len(counts) == 1
    baseline_chain = (
        await day_client.get("/api/v1/chain", params={"instrument": "NIFTY", "at": "09:15"})
    ).json()
    delta = arr(baseline_chain["ce"]["delta"])
    assert counts == {int(((delta >= 0.25) & (delta <= 0.4)).sum())}


async def test_intervals_and_baseline_and_window(day_client: httpx.AsyncClient) -> None:
    five = await summary(day_client, interval=5, baseline="09:30", **{"from": "09:30", "to": "10:00"})
    assert [m[11:16] for m in five["minutes"]] == [
        "09:30",
        "09:35",
        "09:40",
        "09:45",
        "09:50",
        "09:55",
        "10:00",
    ]
    assert five["series"]["net"]["delta"]["change"][0] == 0
    # 09:40 was never stored, but its five-minute bucket (09:36–09:40) holds 09:36–09:39: the row shows 09:39.
    assert five["series"]["net"]["delta"]["level"][2] is not None
    late = await summary(day_client, baseline="09:41")
    assert (
        late["baseline"]["minute"] == "2026-11-25T09:43:00+05:30" and late["baseline"]["late_by_minutes"] == 2
    )


async def test_csv_is_the_same_table(day_client: httpx.AsyncClient) -> None:
    body = await summary(day_client)
    response = await day_client.get(SUMMARY, params={"instrument": "NIFTY", "format": "csv"})
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [r["time"] for r in rows] == body["minutes"]
    for i, row in enumerate(rows):
        expected = body["series"]["net"]["theta"]["change"][i]
        assert (row["net_theta_change"] == "") == (expected is None)
        if expected is not None:
            assert float(row["net_theta_change"]) == pytest.approx(expected, abs=1e-4)
    accept = await day_client.get(SUMMARY, params={"instrument": "NIFTY"}, headers={"Accept": "text/csv"})
    assert accept.text == response.text


async def test_one_strike_with_both_changes(day_client: httpx.AsyncClient) -> None:
    chain = (await day_client.get("/api/v1/chain", params={"instrument": "NIFTY", "strikes": 3})).json()
    assert len(chain["strikes"]) == 7 and chain["atm_strike"] == chain["strikes"][3]
    strike = chain["atm_strike"]
    body = (
        await day_client.get(
            "/api/v1/greeks/strike", params={"instrument": "NIFTY", "strike": strike, "side": "PE"}
        )
    ).json()
    level = arr(body["series"]["delta"]["level"])
    assert (level[np.isfinite(level)] < 0).all()
    assert body["series"]["delta"]["change"][0] == 0
    assert body["series"]["ltp"]["level"][-1] == chain["pe"]["ltp"][3]
    missing = await day_client.get(
        "/api/v1/greeks/strike", params={"instrument": "NIFTY", "strike": 1, "side": "CE"}
    )
    assert missing.status_code == 404 and missing.json()["error"]["details"]["nearest"]


async def test_a_repeated_question_is_a_304_and_gzip_is_offered(
    day_client: httpx.AsyncClient, day_app: FastAPI
) -> None:
    first = await day_client.get(SUMMARY, params={"instrument": "NIFTY"}, headers={"Accept-Encoding": "gzip"})
    assert first.headers["content-encoding"] == "gzip" and first.headers["etag"]
    assert "max-age=" in first.headers["cache-control"]
    again = await day_client.get(
        SUMMARY, params={"instrument": "NIFTY"}, headers={"If-None-Match": first.headers["etag"]}
    )
    assert again.status_code == 304 and again.content == b""
    builds = day_app.state.rendered.builds
    await day_client.get(SUMMARY, params={"instrument": "NIFTY"})
    assert day_app.state.rendered.builds == builds, "built once per question and minute"


async def test_a_fresh_cache_answers_every_endpoint_without_the_database(
    day_client: httpx.AsyncClient, day_app: FastAPI
) -> None:
    paths = [
        ("/api/v1/instruments", {}),
        ("/api/v1/sessions", {"instrument": "NIFTY"}),
        ("/api/v1/chain", {"instrument": "NIFTY", "at": "10:00"}),
        (SUMMARY, {"instrument": "NIFTY", "delta_min": 0.1}),
        ("/api/v1/greeks/strike", {"instrument": "NIFTY", "strike": 26000, "side": "CE"}),
    ]
    for path, params in paths:  # the first asks load the day and the universe: once
        assert (await day_client.get(path, params=params)).status_code in (200, 404)
    counter = QueryCounter(day_app.state.db.engine)
    try:
        for path, params in paths:
            await day_client.get(path, params=params)
        await day_client.get(SUMMARY, params={"instrument": "NIFTY", "delta_min": 0.33, "delta_max": 0.44})
    finally:
        counter.close()
    assert counter.statements == []


async def test_sessions_report_counts_and_gaps(day_client: httpx.AsyncClient) -> None:
    body = (await day_client.get("/api/v1/sessions", params={"instrument": "NIFTY"})).json()
    (day,) = body["sessions"]
    (expiry,) = day["expiries"]
    assert day["date"] == "2026-11-25" and day["expected_minutes"] == 62  # 09:15 … 10:16 (the clock's minute)
    assert expiry["minutes"] == 58 and expiry["gaps"] == 4


async def test_sessions_count_a_past_day_as_they_counted_it_on_the_day(
    day_client: httpx.AsyncClient, pinned_clock: ManualClock
) -> None:
    """Today's counts are read each minute, earlier days' are kept a while (analytics/service.py): both ways
    of reading must give the same numbers."""
    nifty = {"instrument": "NIFTY"}
    (on_the_day,) = (await day_client.get("/api/v1/sessions", params=nifty)).json()["sessions"]
    pinned_clock.set(ist(2026, 11, 26, 10, 0))
    (next_day,) = (await day_client.get("/api/v1/sessions", params=nifty)).json()["sessions"]
    assert next_day["date"] == "2026-11-25" and next_day["expected_minutes"] == 376  # 09:15 … 15:30
    assert [(e["expiry"], e["minutes"], e["first"], e["last"]) for e in next_day["expiries"]] == [
        (e["expiry"], e["minutes"], e["first"], e["last"]) for e in on_the_day["expiries"]
    ]
    assert next_day["expiries"][0]["gaps"] == 376 - 58


# The tracker's bad questions, and what /greeks/summary answers each (tests/api/test_tracker_page.py asks them
# of /tracker too).
BAD_QUESTIONS = [
    ({"instrument": "NIFTX"}, 404, "Unknown instrument"),
    ({"instrument": "NIFTY", "expiry": "2030-01-01"}, 404, "no tracked expiry"),
    ({"instrument": "NIFTY", "expiry": "01-01-2030"}, 422, "expiry: expected a date"),
    ({"instrument": "NIFTY", "date": "2026-11-22"}, 404, "No trading session"),
    ({"instrument": "NIFTY", "date": "2026-11-24"}, 404, "No trading session"),
    ({"instrument": "NIFTY", "date": "2026-11-23"}, 404, "No data stored"),
    ({"instrument": "NIFTY", "date": "2027-01-04"}, 404, "in the future"),
    ({"instrument": "NIFTY", "delta_min": 0.6, "delta_max": 0.2}, 422, "delta_min"),
    ({"instrument": "NIFTY", "delta_max": 1.5}, 422, "delta_max"),
    ({"instrument": "NIFTY", "delta_min": "lots"}, 422, "delta_min"),
    ({"instrument": "NIFTY", "baseline": "9.15am"}, 422, "baseline"),
    ({"instrument": "NIFTY", "from": "2026-11-25T09:30:00"}, 422, "offset"),
    ({"instrument": "NIFTY", "baseline": "15:00"}, 404, "no stored minute"),
    ({"instrument": "NIFTY", "interval": 2}, 422, "interval"),
    ({"instrument": "NIFTY", "selection": "static"}, 422, "selection"),
    ({"instrument": "NIFTY", "band": "0.1-0.5"}, 422, "Unknown query parameter: band"),
    ({}, 422, "instrument"),
]


@pytest.mark.parametrize(("params", "status", "fragment"), BAD_QUESTIONS)
async def test_bad_questions_get_clear_answers(
    day_client: httpx.AsyncClient, params: dict[str, object], status: int, fragment: str
) -> None:
    response = await day_client.get(SUMMARY, params=params)
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert fragment.lower() in (error["message"] + str(error["details"])).lower()
