"""NumPy arrays and short word lists as Arrow arrays, built from buffers.

``pa.array`` would do the same but imports pandas on first use (about a second lost
at the start of every batch run), and copies.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa  # type: ignore[import-untyped,import-not-found,unused-ignore]

__all__ = ["from_numpy", "strings"]

_ARROW_TYPES = {"i1": "int8", "i4": "int32", "i8": "int64", "f8": "float64"}


def from_numpy(values: npt.NDArray[Any]) -> Any:
    """A numpy array (bool, int8, int32, int64 or float64) as an Arrow array, without a
    copy where the array is contiguous."""
    if values.dtype == np.bool_:
        bits = np.packbits(values, bitorder="little")
        return pa.Array.from_buffers(pa.bool_(), len(values), [None, pa.py_buffer(bits)])
    values = np.ascontiguousarray(values)
    kind = values.dtype.str[1:]
    t = getattr(pa, _ARROW_TYPES[kind])()
    return pa.Array.from_buffers(t, len(values), [None, pa.py_buffer(values)])


@functools.lru_cache(maxsize=64)
def strings(words: tuple[str, ...]) -> Any:
    """A small string array (band names, statuses, indicator ids)."""
    data = [w.encode("utf-8") for w in words]
    offsets = np.zeros(len(data) + 1, np.int32)
    offsets[1:] = np.cumsum([len(d) for d in data])
    return pa.Array.from_buffers(
        pa.string(), len(data), [None, pa.py_buffer(offsets), pa.py_buffer(b"".join(data))]
    )
