"""Broadcasting at the door and scalar-in, scalar-out at the exit, shared by every public function."""

import math
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

# Elements per block: the solver's few dozen temporaries of this size stay in cache, which makes large
# inputs faster than one pass over whole arrays (see docs/greeks.md, "API").
BLOCK = 16_384


class Inputs:
    """Flat float64 arrays of the broadcast arguments, plus what is needed to give the answer its shape back."""

    __slots__ = ("arrays", "is_call", "scalar", "shape")

    def __init__(self, numbers: tuple[ArrayLike, ...], is_call: ArrayLike | None = None) -> None:
        arrays = [np.asarray(value, dtype=np.float64) for value in numbers]
        flags = [] if is_call is None else [_as_flags(is_call)]
        self.scalar: bool = all(array.ndim == 0 for array in (*arrays, *flags))
        self.shape: tuple[int, ...] = np.broadcast(*arrays, *flags).shape
        # Flat views where the argument already has the full shape (nothing downstream writes to them),
        # flat copies where it broadcasts.
        self.arrays: tuple[FloatArray, ...] = tuple(self._flat(array) for array in arrays)
        self.is_call: BoolArray = self._flat(flags[0]) if flags else np.zeros(0, dtype=np.bool_)

    def _flat(self, array: NDArray[Any]) -> NDArray[Any]:
        if array.shape == self.shape:
            return array.reshape(-1)
        if array.ndim == 0:
            return np.full(math.prod(self.shape), array[()], dtype=array.dtype)
        return np.broadcast_to(array, self.shape).reshape(-1)

    def finish(self, values: FloatArray) -> Any:
        """`values` (flat) in the callers' shape: a Python float when every argument was a scalar."""
        if self.scalar:
            return float(values[0])
        return values.reshape(self.shape)


def _as_flags(is_call: ArrayLike) -> BoolArray:
    flags = np.asarray(is_call)
    if flags.dtype.kind == "b":
        return flags
    if flags.dtype.kind in "iu":
        # 1/0 flags come from CSVs and databases; anything else ('c', 'CE', 1.0) is a caller's bug.
        return flags != 0
    raise TypeError(f"is_call must be boolean (True for a call, False for a put), got dtype {flags.dtype}")


def call_put_sign(is_call: BoolArray) -> FloatArray:
    """The sign w of the payoff max(w (S - K), 0): +1 for a call, -1 for a put."""
    return np.where(is_call, 1.0, -1.0)


def blank_invalid(valid: BoolArray, *arrays: FloatArray) -> None:
    """Set the elements of `arrays` where `valid` is False to NaN, in place (cheaper than np.where when, as
    usual, every element is valid)."""
    if valid.all():
        return
    invalid = ~valid
    for array in arrays:
        array[invalid] = np.nan


def blockwise(core: Callable[..., FloatArray], *arrays: NDArray[Any]) -> FloatArray:
    """core(*arrays) on flat arrays, computed BLOCK elements at a time (a loop over blocks, not options)."""
    size = arrays[0].size
    if size <= BLOCK:
        return core(*arrays)
    return np.concatenate([core(*(a[i : i + BLOCK] for a in arrays)) for i in range(0, size, BLOCK)])


def blockwise_many(
    core: Callable[..., tuple[FloatArray, ...]], *arrays: NDArray[Any]
) -> tuple[FloatArray, ...]:
    """blockwise for a core that returns several arrays."""
    size = arrays[0].size
    if size <= BLOCK:
        return core(*arrays)
    blocks = [core(*(a[i : i + BLOCK] for a in arrays)) for i in range(0, size, BLOCK)]
    return tuple(np.concatenate(parts) for parts in zip(*blocks, strict=True))
