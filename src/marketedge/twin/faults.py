"""Fault switches: make the twin misbehave the ways Upstox does, for the next N calls or until cleared.

Each rule has a kind (a 429, a 5xx, a slow answer, a truncated body, chain rows missing fields, an empty
chain), an optional path prefix (only Upstox paths are ever affected, never /twin/) and an optional count of
calls it still applies to, so a test can script the failures a client must survive (docs/twin.md, "Control
API", the fault kinds).
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

FaultKind = Literal["rate_limit", "server_error", "slow", "malformed_json", "missing_fields", "empty_chain"]
FAULT_KINDS: tuple[str, ...] = (
    "rate_limit",
    "server_error",
    "slow",
    "malformed_json",
    "missing_fields",
    "empty_chain",
)
DEFAULT_MISSING = ("call_options.option_greeks", "put_options.option_greeks.iv", "put_options.market_data.oi")


class FaultError(ValueError):
    """A fault rule that makes no sense; the message says which field."""


@dataclass
class Fault:
    kind: FaultKind
    path_prefix: str = "/"
    count: int | None = None  # calls it still applies to; None until cleared
    status: int = 500  # server_error: 500 or 503
    delay_seconds: float = 5.0  # slow
    fields: list[str] = field(default_factory=lambda: list(DEFAULT_MISSING))  # missing_fields
    mode: Literal["remove", "null"] = "remove"  # missing_fields
    every: int = 1  # missing_fields: every n-th row

    @classmethod
    def from_json(cls, raw: Any) -> Fault:
        if not isinstance(raw, dict):
            raise FaultError('each fault is an object such as {"kind": "rate_limit", "count": 3}')
        unknown = set(raw) - {f for f in cls.__dataclass_fields__}
        if unknown:
            raise FaultError(f"unknown fault fields: {sorted(unknown)}")
        kind = raw.get("kind")
        if kind not in FAULT_KINDS:
            raise FaultError(f"kind must be one of {list(FAULT_KINDS)} (or expire_tokens/revoke_tokens)")
        fault = cls(**raw)
        if not isinstance(fault.path_prefix, str) or not fault.path_prefix.startswith("/"):
            raise FaultError("path_prefix must start with /")
        if fault.count is not None and (not isinstance(fault.count, int) or fault.count < 1):
            raise FaultError("count must be a positive integer, or null for until cleared")
        if fault.kind == "server_error" and fault.status not in (500, 503):
            raise FaultError("status must be 500 or 503")
        if not isinstance(fault.delay_seconds, int | float) or not 0 <= fault.delay_seconds <= 600:
            raise FaultError("delay_seconds must be between 0 and 600")
        if fault.mode not in ("remove", "null"):
            raise FaultError("mode must be remove or null")
        if not isinstance(fault.every, int) or fault.every < 1:
            raise FaultError("every must be a positive integer")
        if not isinstance(fault.fields, list) or not all(isinstance(f, str) and f for f in fault.fields):
            raise FaultError("fields must be a list of dotted paths such as call_options.option_greeks")
        return fault

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


class FaultBoard:
    """The active fault rules, consulted on every Upstox call (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []

    def set(self, faults: list[Fault]) -> None:
        with self._lock:
            self._faults = list(faults)

    def add(self, fault: Fault) -> None:
        with self._lock:
            self._faults.append(fault)

    def clear(self) -> None:
        self.set([])

    def active(self) -> list[Fault]:
        with self._lock:
            return [Fault(**asdict(f)) for f in self._faults]

    def take(self, kinds: tuple[str, ...], path: str) -> Fault | None:
        """The first active rule of these kinds for this path, counting this call against it."""
        with self._lock:
            if not self._faults:
                return None
            for fault in self._faults:
                if fault.kind in kinds and path.startswith(fault.path_prefix):
                    if fault.count is not None:
                        fault.count -= 1
                        if fault.count <= 0:
                            self._faults.remove(fault)
                    return fault
            return None


def strip_fields(rows: list[dict[str, Any]], fault: Fault) -> list[dict[str, Any]]:
    """Copies of chain rows with the fault's fields removed or nulled on every `every`-th row."""
    result = []
    for position, row in enumerate(rows):
        if position % fault.every:
            result.append(row)
            continue
        row = _copy_nested(row)
        for dotted in fault.fields:
            *parents, leaf = dotted.split(".")
            target: Any = row
            for name in parents:
                target = target.get(name) if isinstance(target, dict) else None
            if isinstance(target, dict) and leaf in target:
                if fault.mode == "remove":
                    del target[leaf]
                else:
                    target[leaf] = None
        result.append(row)
    return result


def _copy_nested(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy_nested(v) for k, v in value.items()}
    return value
