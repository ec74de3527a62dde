"""GET /api/v1/tracker: the tracker screen's opening answer is the four answers it would otherwise ask for one by
one, byte for byte; a part its own endpoint answers 404 is null with that 404 beside it; bad parameters are a
422 for the whole request."""

from __future__ import annotations

import httpx
import pytest

from tests.api.test_market import BAD_QUESTIONS

TRACKER = "/api/v1/tracker"


async def test_each_part_is_what_its_own_endpoint_answers(day_client: httpx.AsyncClient) -> None:
    question = {"instrument": "NIFTY", "delta_min": 0.1, "delta_max": 0.5, "interval": 5, "baseline": "09:30"}
    answer = await day_client.get(TRACKER, params=question)
    assert answer.status_code == 200, answer.text
    assert answer.headers["cache-control"].startswith("private, max-age=") and answer.headers["etag"]
    bundle = answer.json()
    assert set(bundle) == {"status", "instruments", "sessions", "summary", "errors"}
    assert bundle["errors"] == {}
    own = {
        "status": await day_client.get("/api/v1/status"),
        "instruments": await day_client.get("/api/v1/instruments"),
        "sessions": await day_client.get("/api/v1/sessions", params={"instrument": "NIFTY"}),
        "summary": await day_client.get("/api/v1/greeks/summary", params=question),
    }
    for part, alone in own.items():
        assert alone.status_code == 200, part
        assert bundle[part] == alone.json(), part
    assert bundle["summary"]["band"] == {"delta_min": 0.1, "delta_max": 0.5, "selection": "dynamic"}


async def test_without_an_index_it_answers_for_the_first_tracked_one(day_client: httpx.AsyncClient) -> None:
    first = (await day_client.get("/api/v1/instruments")).json()["instruments"][0]["symbol"]
    unnamed = (await day_client.get(TRACKER)).json()
    named = (await day_client.get(TRACKER, params={"instrument": first})).json()
    assert unnamed == named and unnamed["summary"]["instrument"] == first and unnamed["errors"] == {}


# Every bad question /greeks/summary refuses, except the one without an index (/tracker picks the first).
@pytest.mark.parametrize(("params", "status", "fragment"), [q for q in BAD_QUESTIONS if q[0]])
async def test_a_bad_question_fails_the_part_it_concerns_or_the_whole(
    day_client: httpx.AsyncClient, params: dict[str, object], status: int, fragment: str
) -> None:
    answer = await day_client.get(TRACKER, params=params)
    summary = await day_client.get("/api/v1/greeks/summary", params=params)
    assert summary.status_code == status
    if status == 422:  # the question itself is malformed: nothing is answered
        assert answer.status_code == 422, answer.text
        assert answer.json()["error"]["message"] == summary.json()["error"]["message"]
        return
    assert answer.status_code == 200, answer.text
    bundle = answer.json()
    assert bundle["summary"] is None and bundle["status"] is not None and bundle["instruments"] is not None
    expected = summary.json()["error"]
    got = bundle["errors"]["summary"]
    assert got["status"] == 404
    assert {k: got["error"][k] for k in ("code", "message", "details")} == {
        k: expected[k] for k in ("code", "message", "details")
    }
    assert fragment.lower() in got["error"]["message"].lower()
    if params.get("instrument") == "NIFTX":  # no days with data for an unknown index either
        assert bundle["sessions"] is None and bundle["errors"]["sessions"]["status"] == 404
    else:
        assert bundle["sessions"]["instrument"] == "NIFTY"


async def test_csv_is_not_offered(day_client: httpx.AsyncClient) -> None:
    answer = await day_client.get(TRACKER, params={"instrument": "NIFTY", "format": "csv"})
    assert answer.status_code == 422
    assert "format" in answer.json()["error"]["message"]
