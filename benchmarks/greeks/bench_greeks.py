"""Speed and accuracy of marketedge.greeks against one vectorised price(), vollib's scalar loop and
py-vollib-vectorized, on a seeded index-option grid; prints a markdown table and writes it into docs/greeks.md.

usage: .venv/bin/python benchmarks/greeks/bench_greeks.py [--no-write]
(py-vollib-vectorized is timed only if benchmarks/greeks/setup_pvv.sh has created benchmarks/greeks/.venv-pvv)
"""

import argparse
import contextlib
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
import timeit
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import scipy

from marketedge.greeks import greeks, implied_volatility, price

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
DOCS = ROOT / "docs" / "greeks.md"
PVV_PYTHON = HERE / ".venv-pvv" / "bin" / "python"
COMMAND = ".venv/bin/python benchmarks/greeks/bench_greeks.py"
SIZES = (1_000, 10_000, 100_000)
LOOP_SUBSET = 10_000  # the vollib loop runs on at most this many options; larger N is extrapolated from it
MINUTE = 1.0 / (365 * 24 * 60)
QUALIFYING_VEGA = 0.01
GREEKS = ("delta", "gamma", "theta", "vega", "rho")
START, END = "<!-- benchmark:start -->", "<!-- benchmark:end -->"


def index_options(n: int, seed: int) -> dict[str, np.ndarray]:
    """S near 24,000, strikes within ±20 % on a 50-point grid, t log-uniform from one minute to two years,
    sigma 5-80 %, r 5-7.5 %, q 0-2 %, calls and puts alike; priced with our price() at the true sigma."""
    rng = np.random.default_rng(seed)
    S = 24_000.0 * np.exp(rng.normal(0.0, 0.01, n))
    options = {
        "S": S,
        "K": np.round(S * rng.uniform(0.8, 1.2, n) / 50.0) * 50.0,
        "t": np.exp(rng.uniform(np.log(MINUTE), np.log(2.0), n)),
        "r": rng.uniform(0.05, 0.075, n),
        "q": rng.uniform(0.0, 0.02, n),
        "sigma": rng.uniform(0.05, 0.8, n),
        "is_call": rng.random(n) < 0.5,
    }
    options["price"] = price(*_bsm_args(options, options["sigma"]))
    return options


def _bsm_args(o: dict[str, np.ndarray], sigma: np.ndarray) -> tuple[np.ndarray, ...]:
    return o["S"], o["K"], o["t"], o["r"], o["q"], sigma, o["is_call"]


def best_seconds(calls: list[Callable[[], object]], repeat: int = 9) -> list[float]:
    """Best of `repeat` timings of each call, each timing over enough calls to last 0.2 s (timeit's autorange).
    The calls take turns, so a busy spell on a shared machine slows all of them rather than one."""
    timers = [timeit.Timer(call, timer=time.process_time) for call in calls]
    numbers = [timer.autorange()[0] for timer in timers]
    best = [float("inf")] * len(calls)
    for _ in range(repeat):
        for i, (timer, number) in enumerate(zip(timers, numbers, strict=True)):
            best[i] = min(best[i], timer.timeit(number) / number)
    return best


def ours(o: dict[str, np.ndarray]) -> tuple[np.ndarray, object]:
    sigma = implied_volatility(o["price"], o["S"], o["K"], o["t"], o["r"], o["q"], o["is_call"])
    return sigma, greeks(*_bsm_args(o, sigma))


def vollib_loop(o: dict[str, np.ndarray], n: int, repeat: int = 3) -> tuple[float, np.ndarray]:
    """vollib one option at a time: IV from the price, then its five analytical greeks at that IV.
    Returns the best of `repeat` runs' seconds per option, and the values."""
    from vollib.black_scholes_merton.greeks import analytical
    from vollib.black_scholes_merton.implied_volatility import implied_volatility as vollib_iv

    functions = (analytical.delta, analytical.gamma, analytical.theta, analytical.vega, analytical.rho)
    out = np.full((6, n), np.nan)
    S, K, t, r, q, p = (o[name][:n].tolist() for name in ("S", "K", "t", "r", "q", "price"))
    flags = ["c" if c else "p" for c in o["is_call"][:n]]
    best = float("inf")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # vollib divides by zero on one-minute options
        for _ in range(repeat):
            started = time.process_time()
            for i in range(n):
                # vollib raises where there is no IV; the loop records NaN and carries on, as a pipeline would.
                with contextlib.suppress(Exception):
                    sigma = vollib_iv(p[i], S[i], K[i], t[i], r[i], q[i], flags[i])
                    out[0, i] = sigma
                    for row, function in enumerate(functions, start=1):
                        out[row, i] = function(flags[i], S[i], K[i], t[i], r[i], sigma, q[i])
            best = min(best, time.process_time() - started)
    return best / n, out


def vollib_greeks_at(o: dict[str, np.ndarray], n: int) -> np.ndarray:
    """vollib's analytical greeks at the true sigma (for the accuracy comparison, not timed)."""
    from vollib.black_scholes_merton.greeks import analytical

    functions = (analytical.delta, analytical.gamma, analytical.theta, analytical.vega, analytical.rho)
    args = [o[name][:n].tolist() for name in ("S", "K", "t", "r", "sigma", "q")]
    flags = ["c" if c else "p" for c in o["is_call"][:n]]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # vollib divides by zero on one-minute options
        return np.array([[f(flags[i], *(a[i] for a in args)) for i in range(n)] for f in functions])


def py_vollib_vectorized(o: dict[str, np.ndarray]) -> dict[str, np.ndarray] | None:
    if not PVV_PYTHON.exists():
        return None
    with tempfile.TemporaryDirectory() as folder:
        source, target = Path(folder) / "in.npz", Path(folder) / "out.npz"
        np.savez(source, **o)
        subprocess.run([str(PVV_PYTHON), str(HERE / "pvv_worker.py"), str(source), str(target)], check=True)
        with np.load(target) as result:
            return {name: result[name] for name in result.files}


def relative_error(value: np.ndarray, reference: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """|value - reference| / |reference| where the reference is at least 1e-9 of its largest magnitude
    (smaller values are rounding noise in both) and both are finite."""
    ok = mask & np.isfinite(value) & np.isfinite(reference)
    floor = 1e-9 * np.max(np.abs(reference[ok]))
    ok &= np.abs(reference) >= floor
    return np.abs(value[ok] - reference[ok]) / np.abs(reference[ok])


def machine() -> str:
    model = "unknown"
    with contextlib.suppress(OSError):
        match = re.search(r"^model name\s*:\s*(.+)$", Path("/proc/cpuinfo").read_text(), re.MULTILINE)
        model = match.group(1).strip() if match else model
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (
        f"nproc {cores}, CPU {model}, Python {platform.python_version()}, numpy {np.__version__}, "
        f"scipy {scipy.__version__}"
    )


def _load() -> str:
    return " / ".join(f"{x:.1f}" for x in os.getloadavg())


def run() -> str:
    load_before = _load()
    rows, notes = [], []
    accuracy: list[str] = []
    for n in SIZES:
        o = index_options(n, seed=n)
        floor, mine = best_seconds([lambda o=o: price(*_bsm_args(o, o["sigma"])), lambda o=o: ours(o)])
        loop_n = min(n, LOOP_SUBSET)
        per_option, theirs = vollib_loop(o, loop_n)
        loop = per_option * n
        pvv = py_vollib_vectorized(o)
        pvv_seconds = float(pvv["seconds"]) if pvv is not None else float("nan")
        rows.append(
            f"| {n:,} | {floor * 1e3:.2f} | {mine * 1e3:.2f} | {mine / floor:.1f}× | "
            f"{loop * 1e3:,.0f}{' (*)' if loop_n < n else ''} | {loop / mine:,.0f}× | "
            + (
                f"{pvv_seconds * 1e3:.1f} | {pvv_seconds / mine:.1f}× |"
                if pvv is not None
                else "not run | – |"
            )
        )
        if loop_n < n:
            notes.append(
                f"(*) vollib loop for N = {n:,}: timed on the first {loop_n:,} options and scaled ×{n // loop_n}."
            )
        if n == 10_000:
            accuracy = accuracy_report(o, theirs, pvv)
    header = (
        "| N options | (c) one price() [ms] | ours: IV + all greeks [ms] | ours / price() | "
        "(a) vollib loop [ms] | (a) / ours | (b) py-vollib-vectorized [ms] | (b) / ours |\n"
        "|---:|---:|---:|---:|---:|---:|---:|---:|"
    )
    return "\n".join(
        [
            f"Command: `{COMMAND}` (run from the repository root); {machine()}.",
            "",
            header,
            *rows,
            "",
            *notes,
            "Times are CPU time of the process (time.process_time: everything here runs on one thread, and a busy"
            " shared machine disturbs CPU time less than wall time), best of 9 repeats (each long enough to last"
            " 0.2 s; price() and ours take turns), except"
            " the vollib loop, best of 3, and py-vollib-vectorized, best of 5 in its own process after a warm-up"
            " call (numba compiles on the first). Ours is implied_volatility() on the prices, then greeks() at"
            " the volatilities found; (a) and (b) do the same.",
            f"Load average while it ran: {load_before} at the start, {_load()} at the end (the machine is shared).",
            "",
            *accuracy,
        ]
    )


def accuracy_report(
    o: dict[str, np.ndarray], theirs: np.ndarray, pvv: dict[str, np.ndarray] | None
) -> list[str]:
    n = o["S"].size
    true_greeks = greeks(*_bsm_args(o, o["sigma"]))
    qualifying = true_greeks.vega >= QUALIFYING_VEGA
    sigma, _ = ours(o)
    lines = [
        f"Accuracy, same run, N = {n:,} ({qualifying.sum():,} options with vega ≥ 0.01 a volatility point, "
        "the set on which IV is well defined to 1e-9):",
        "",
        "| measure | value |",
        "|---|---:|",
        f"| ours: max abs IV error vs the true sigma, vega ≥ 0.01 | {np.nanmax(np.abs(sigma - o['sigma'])[qualifying]):.1e} |",
        f"| ours: IV found (not NaN) on the vega ≥ 0.01 set | {np.isfinite(sigma[qualifying]).mean():.2%} |",
        f"| vollib (Let's be rational): max abs IV error vs the true sigma, vega ≥ 0.01 | "
        f"{np.nanmax(np.abs(theirs[0] - o['sigma'])[qualifying]):.1e} |",
        f"| max abs difference ours vs vollib IV, vega ≥ 0.01 | {np.nanmax(np.abs(sigma - theirs[0])[qualifying]):.1e} |",
    ]
    everyone = np.ones(n, dtype=bool)
    reference = vollib_greeks_at(o, n)
    for row, name in enumerate(GREEKS):
        error = relative_error(getattr(true_greeks, name), reference[row], everyone)
        lines.append(
            f"| {name}: max relative difference ours vs vollib analytical, all options | {error.max():.1e} |"
        )
    if pvv is not None:
        lines.append(
            f"| py-vollib-vectorized: max abs IV error vs the true sigma, vega ≥ 0.01 | "
            f"{np.nanmax(np.abs(pvv['iv'] - o['sigma'])[qualifying]):.1e} |"
        )
        for name in GREEKS:
            error = relative_error(pvv[name], getattr(true_greeks, name), qualifying)
            lines.append(
                f"| py-vollib-vectorized {name} (finite differences) vs our closed form, vega ≥ 0.01: "
                f"median / max relative error | {np.median(error):.1e} / {error.max():.1e} |"
            )
    lines += [
        "",
        "Relative differences leave out values below 1e-9 of the largest magnitude of that greek (rounding noise"
        " in both). All greeks compared at the true sigma.",
    ]
    return lines


def write_docs(section: str) -> None:
    text = DOCS.read_text()
    if START not in text or END not in text:
        raise SystemExit(f"{DOCS} has no {START} … {END} markers to write between")
    before, rest = text.split(START, 1)
    _, after = rest.split(END, 1)
    DOCS.write_text(f"{before}{START}\n{section}\n{END}{after}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/greeks.md alone")
    args = parser.parse_args()
    section = run()
    print(section)
    if not args.no_write:
        write_docs(section)
        print(f"\nwritten to {DOCS.relative_to(ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
