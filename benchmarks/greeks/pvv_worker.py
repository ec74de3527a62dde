"""Times py-vollib-vectorized on options handed over in an .npz; runs only inside .venv-pvv (see setup_pvv.sh).

usage: .venv-pvv/bin/python pvv_worker.py INPUT.npz OUTPUT.npz
"""

import sys
import time
import timeit
import warnings

import numpy as np
import py_vollib_vectorized as pvv


def best_seconds(call, repeat: int = 5) -> float:  # type: ignore[no-untyped-def]
    timer = timeit.Timer(call, timer=time.process_time)
    number, _ = timer.autorange()
    return min(timer.repeat(repeat=repeat, number=number)) / number


def main(source: str, target: str) -> None:
    data = np.load(source)
    S, K, t, r, q, prices = (data[name] for name in ("S", "K", "t", "r", "q", "price"))
    flag = np.where(data["is_call"], "c", "p")

    def iv() -> np.ndarray:
        return pvv.vectorized_implied_volatility(
            prices, S, K, t, r, flag, q=q, model="black_scholes_merton", return_as="numpy", on_error="ignore"
        )

    def all_greeks(sigma: np.ndarray) -> dict[str, np.ndarray]:
        return pvv.get_all_greeks(
            flag, S, K, t, r, sigma, q=q, model="black_scholes_merton", return_as="dict"
        )

    def iv_and_greeks() -> dict[str, np.ndarray]:
        return all_greeks(np.nan_to_num(iv(), nan=0.2))

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        iv_and_greeks()  # numba compiles on the first call; that is not what we time
        seconds = best_seconds(iv_and_greeks)
        sigma = iv()
        # Their greeks at the true sigma, to compare with closed forms at the same point.
        greeks = all_greeks(data["sigma"])
    np.savez(
        target, seconds=seconds, iv=sigma, **{name: np.asarray(v, dtype=float) for name, v in greeks.items()}
    )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
