"""Deterministic randomness for the simulated market: seeded generators and counter-based hashes.

Two tools, both pure functions of their inputs so that any day, minute or contract can be computed on its own
(random access, no stepping): `generator(seed, *labels)` for a whole stream (a day's path), and
`hash_bits` / `hash_uniform` / `hash_normal` for one number per contract, vectorised over arrays of integer
labels (a value keyed by strike stays the same whatever other strikes are listed beside it).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import ndtri

FloatArray = NDArray[np.float64]
UIntArray = NDArray[np.uint64]

_MASK = 0xFFFFFFFFFFFFFFFF
_GOLDEN = 0x9E3779B97F4A7C15
_MIX1 = 0xBF58476D1CE4E5B9
_MIX2 = 0x94D049BB133111EB


def generator(seed: int, *labels: int) -> np.random.Generator:
    """A PCG64 generator for one named stream, e.g. generator(seed, NIFTY.code, day.toordinal(), PURPOSE)."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, *labels])))


def _mix(x: int) -> int:
    """splitmix64's finaliser on a Python int: a bijective mix with good avalanche."""
    x = ((x ^ (x >> 30)) * _MIX1) & _MASK
    x = ((x ^ (x >> 27)) * _MIX2) & _MASK
    return x ^ (x >> 31)


def _mix_array(x: UIntArray) -> UIntArray:
    # The same finaliser over an array (wrapping uint64 arithmetic is intended).
    x = (x ^ (x >> np.uint64(30))) * np.uint64(_MIX1)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(_MIX2)
    return x ^ (x >> np.uint64(31))


def hash_bits(key: tuple[int, ...], *labels: ArrayLike) -> UIntArray:
    """64 random bits per element of the broadcast integer labels, for a scalar key (seed, purpose, …).

    The scalar key is folded in Python first, so only the array labels cost numpy passes.
    """
    state = 0
    for part in key:
        state = _mix((state + _GOLDEN + part) & _MASK)
    arrays = np.broadcast_arrays(*(np.asarray(label, dtype=np.int64) for label in labels))
    if not arrays:
        return np.array(state, dtype=np.uint64)
    bits = np.full(arrays[0].shape, state, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for label in arrays:
            bits = _mix_array(bits + np.uint64(_GOLDEN) + label.astype(np.uint64))
    return bits


def to_uniform(bits: UIntArray) -> FloatArray:
    """The top 53 bits as a number in (0, 1), never exactly 0 or 1."""
    return ((bits >> np.uint64(11)).astype(np.float64) + 0.5) / float(1 << 53)


def hash_uniform(key: tuple[int, ...], *labels: ArrayLike) -> FloatArray:
    """Uniform numbers in (0, 1) keyed like `hash_bits`; same key and labels, same number."""
    return to_uniform(hash_bits(key, *labels))


def hash_normal(key: tuple[int, ...], *labels: ArrayLike) -> FloatArray:
    """Standard normal numbers keyed like `hash_bits`."""
    return np.asarray(ndtri(hash_uniform(key, *labels)), dtype=np.float64)
