"""Broadcasting at the door and scalar-in, scalar-out at the exit, shared by every public function."""

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


class Inputs:
    """Flat float64 copies of broadcast arguments, plus what is needed to give the answer its shape back."""

    __slots__ = ("arrays", "is_call", "scalar", "shape")

    def __init__(self, numbers: tuple[ArrayLike, ...], is_call: ArrayLike | None = None) -> None:
        arrays = [np.asarray(value, dtype=np.float64) for value in numbers]
        flags = [] if is_call is None else [_as_flags(is_call)]
        broadcast = np.broadcast_arrays(*arrays, *flags)
        self.scalar: bool = all(array.ndim == 0 for array in (*arrays, *flags))
        self.shape: tuple[int, ...] = broadcast[0].shape
        self.arrays: tuple[FloatArray, ...] = tuple(
            np.array(array, dtype=np.float64).reshape(-1) for array in broadcast[: len(arrays)]
        )
        self.is_call: BoolArray = (
            np.array(broadcast[-1], dtype=np.bool_).reshape(-1) if flags else np.zeros(0, dtype=np.bool_)
        )

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
