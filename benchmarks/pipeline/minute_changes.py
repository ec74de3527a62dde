"""How much each greek of an option in the band moves in a minute, beside the stored quantum (docs/pipeline.md,
"Storage precision"): an hour of the twin's chains, normalised as the minute job does.

    .venv/bin/python benchmarks/pipeline/minute_changes.py
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

import numpy as np

from marketedge.chain.frames import FIELD_INDEX, GREEKS, QUANTUM
from marketedge.core.clock import ManualClock, ist, use_clock
from marketedge.ingest.normalise import normalise_chain
from marketedge.twin.config import TwinConfig
from marketedge.twin.server import TwinServer
from marketedge.upstox import UpstoxClient, UpstoxLimiter
from marketedge.upstox.limits import Budget

INDICES = {"NIFTY": "NSE_INDEX|Nifty 50", "BANKNIFTY": "NSE_INDEX|Nifty Bank", "SENSEX": "BSE_INDEX|SENSEX"}
OPEN = ist(2026, 11, 25, 9, 15)
MINUTES = 60


async def main() -> None:
    moved = ManualClock(OPEN)
    with use_clock(moved):
        twin = TwinServer(TwinConfig(rate_per_second=None, rate_per_minute=None, rate_per_30_minutes=None))
        twin.start()
        token = twin.state.mint_token()

        async def current() -> str:
            return token

        client = UpstoxClient(twin.url, current, limiter=UpstoxLimiter([Budget(1000, 1.0)]))
        print(
            "| index, expiry | greek | quantum (max error) | median / 10th percentile of a minute's change |"
        )
        print("|---|---|---|---|")
        for symbol, key in INDICES.items():
            expiry = sorted({c.expiry for c in await client.option_contracts(key)})[0]
            chains = []
            for i in range(MINUTES):
                minute = OPEN + timedelta(minutes=i)
                moved.set(minute + timedelta(seconds=3))
                answer = await client.option_chain(key, expiry)
                chains.append(normalise_chain(answer.rows, minute, expiry, 0.065)[0])
            values = np.stack([c.values for c in chains])
            delta = np.abs(values[:, FIELD_INDEX["delta"]])
            band = (delta >= 0.05) & (delta <= 0.6)
            both = band[1:] & band[:-1]
            for name in GREEKS:
                change = np.abs(np.diff(values[:, FIELD_INDEX[name]], axis=0))[both]
                q = QUANTUM[FIELD_INDEX[name]]
                print(
                    f"| {symbol} {expiry} | {name} | {q:g} ({q / 2:g}) | "
                    f"{np.nanmedian(change):.2g} / {np.nanpercentile(change, 10):.2g} |"
                )
        await client.aclose()
        twin.stop()


if __name__ == "__main__":
    asyncio.run(main())
