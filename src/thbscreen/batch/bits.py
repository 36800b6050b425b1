"""Indicator codes packed into bytes, one group of bytes per case.

Columnar results hold a ``k x n`` matrix of indicator codes (0 absent, 1 present,
2 unknown; one row per indicator, one column per case). Batch files store the fired
and unknown indicators of each case as ``ceil(k / 8)`` bytes, least significant bit
first: bit ``i`` stands for the ``i``-th indicator of the rule-set file.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["FIRED", "UNKNOWN", "joined_ids", "row_bytes"]

#: Which bit of a code says the indicator fired (code 1) or is unknown (code 2).
FIRED = 0
UNKNOWN = 1

_LOW_BITS = np.uint64(0x0101010101010101)


def row_bytes(
    codes: npt.NDArray[np.uint8], order: Sequence[int] | npt.NDArray[np.intp], bit: int
) -> npt.NDArray[np.uint8]:
    """``n x ceil(len(order) / 8)`` bytes: bit ``i`` of case ``j`` is bit ``bit`` of
    ``codes[order[i], j]``.

    Eight cases are handled per machine word: a row of codes seen as 64-bit words has
    one case per byte, so masking and shifting a whole word moves the bit of eight
    cases at once (numpy's shifts on single bytes are several times slower).
    """
    k = len(order)
    n = codes.shape[1]
    whole = n - n % 8
    out = np.zeros(((k + 7) // 8, n), np.uint8)
    if whole and codes.dtype == np.uint8 and codes.strides[1] == 1:
        words = out[:, :whole].view(np.uint64)
        tmp = np.empty(whole // 8, np.uint64)
        for i, s in enumerate(order):
            row = codes[s, :whole].view(np.uint64)
            if bit:
                np.right_shift(row, np.uint64(bit), out=tmp)
                np.bitwise_and(tmp, _LOW_BITS, out=tmp)
            else:
                np.bitwise_and(row, _LOW_BITS, out=tmp)
            if i & 7:
                np.left_shift(tmp, np.uint64(i & 7), out=tmp)
            np.bitwise_or(words[i >> 3], tmp, out=words[i >> 3])
        rest = slice(whole, n)
    else:
        rest = slice(0, n)
    for i, s in enumerate(order):  # the last n % 8 cases (or all, for odd layouts)
        flags = (codes[s, rest] >> bit) & 1
        out[i >> 3, rest] |= (flags << (i & 7)).astype(np.uint8)
    return np.ascontiguousarray(out.T)


def joined_ids(
    codes: npt.NDArray[np.uint8],
    order: Sequence[int] | npt.NDArray[np.intp],
    code: int,
    ids: Any,
) -> Any:
    """A pyarrow string array: for each case, the ids (``ids``, a pyarrow string array
    in ``order``'s order) of the indicators whose code is ``code``, joined by ``;``.

    Arrow gathers and joins them from the positions of the set flags, about seven
    times faster than joining case by case in Python.
    """
    import pyarrow as pa  # type: ignore[import-untyped,import-not-found,unused-ignore]
    import pyarrow.compute as pc  # type: ignore[import-untyped,import-not-found,unused-ignore]

    from ._arrays import from_numpy

    flags = np.ascontiguousarray((codes[np.asarray(order)] == code).T)  # cases x indicators
    n = flags.shape[0]
    cases, columns = np.nonzero(flags)  # case by case, indicators in order
    offsets = np.zeros(n + 1, np.int32)
    np.cumsum(np.bincount(cases, minlength=n), out=offsets[1:])
    values = ids.take(from_numpy(columns.astype(np.int32)))
    return pc.binary_join(pa.ListArray.from_arrays(from_numpy(offsets), values), ";")
