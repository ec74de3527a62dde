"""`marketedge ingest --once` on a closed market, and `marketedge calendar set | show | unset`."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from click.testing import Result
from sqlalchemy import func, select
from typer.testing import CliRunner

from marketedge.cli import app as cli
from marketedge.core import clock
from marketedge.core.clock import ManualClock, ist
from marketedge.core.config import get_settings
from marketedge.core.db import Database
from marketedge.models import ChainMinuteRecord, IngestRun


@pytest.fixture
def cli_env(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("MARKETEDGE_ENV", "test")
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("LOG_LEVEL", "WARNING")
    monkeypatch.setenv("UPSTOX_BASE_URL", "http://127.0.0.1:9")  # nothing there: no call may be made
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


async def _stored(database: Database) -> tuple[int, int]:
    async with database.sessions() as session:
        chains = await session.scalar(select(func.count()).select_from(ChainMinuteRecord))
        runs = await session.scalar(select(func.count()).select_from(IngestRun))
    return int(chains or 0), int(runs or 0)


@pytest.mark.parametrize(
    ("now", "says"),
    [
        (ist(2026, 11, 29, 11, 0), "closed today (weekend)"),
        (ist(2027, 1, 26, 11, 0), "closed today (Republic Day)"),
        (ist(2026, 11, 25, 8, 30), "opens at 09:15"),
        (ist(2026, 11, 25, 15, 31), "closed at 15:30"),
    ],
    ids=["sunday", "republic-day-2027", "before-the-open", "after-the-close"],
)
async def test_ingest_once_on_a_closed_market_says_so_and_stores_nothing(
    cli_env: None, database: Database, now: object, says: str
) -> None:
    before = await _stored(database)
    with clock.use_clock(ManualClock(now)):  # type: ignore[arg-type]
        result = await asyncio.to_thread(run, "ingest", "--once")
    assert result.exit_code == 2, result.output
    assert says in result.stdout and "nothing stored" in result.stdout
    assert len(result.stdout.strip().splitlines()) == 1
    assert await _stored(database) == before


async def test_the_calendar_from_a_shell(cli_env: None, database: Database, clean_calendar: None) -> None:
    closed = await asyncio.to_thread(
        run, "calendar", "set", "2027-03-01", "--closed", "--description", "exchange notice", "--actor", "ops"
    )
    assert closed.exit_code == 0, closed.output
    assert "2027-03-01: closed (operator)" in closed.stdout
    shown = await asyncio.to_thread(run, "calendar", "show", "--year", "2027")
    assert shown.exit_code == 0, shown.output
    assert "2027: list from provisional" in shown.stdout
    line = next(x for x in shown.stdout.splitlines() if "2027-03-01" in x)
    assert "closed" in line and "[operator]" in line and "exchange notice" in line
    assert await asyncio.to_thread(run, "calendar", "set", "2027-03-01") != 0
    both = await asyncio.to_thread(run, "calendar", "set", "2027-03-01", "--closed", "--open", "09:15-12:00")
    assert both.exit_code == 2 and "either --closed or --open" in both.output
    bad = await asyncio.to_thread(run, "calendar", "set", "2027-03-01", "--open", "12:00-09:15")
    assert bad.exit_code == 2 and "before the close" in bad.output
    removed = await asyncio.to_thread(run, "calendar", "unset", "2027-03-01")
    assert removed.exit_code == 0 and "now decided by provisional" in removed.stdout
    again = await asyncio.to_thread(run, "calendar", "unset", "2027-03-01")
    assert again.exit_code == 1 and "no override" in again.output
