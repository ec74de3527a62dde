"""Call budgets: at most N calls in any T-second window. Parsed from the settings (UPSTOX_RATE_LIMITS) and kept
by the Upstox client's limiter (upstox/limits.py)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Budget:
    """At most `calls` requests in any `seconds`-long window."""

    calls: int
    seconds: float

    def __post_init__(self) -> None:
        if self.calls < 2 or not self.seconds > 0:
            raise ValueError(f"a budget needs at least 2 calls over a positive period, got {self}")


def parse_budgets(text: str) -> tuple[Budget, ...]:
    """`50/1s,500/1m,2000/30m` → budgets (UPSTOX_RATE_LIMITS)."""
    units = {"s": 1.0, "m": 60.0, "h": 3600.0}
    budgets = []
    for part in text.split(","):
        calls, _, period = part.strip().partition("/")
        try:
            number, unit = float(period[:-1] or "1"), units[period[-1:]]
            budgets.append(Budget(int(calls), number * unit))
        except (KeyError, ValueError, IndexError):
            raise ValueError(f"{part.strip()!r}: expected CALLS/PERIOD such as 500/1m (s, m or h)") from None
    if not budgets:
        raise ValueError("give at least one budget, such as 50/1s,500/1m,2000/30m")
    return tuple(budgets)
