"""A query's vector as it travels through a query pipeline: read-only, never copied.

Haystack deep-copies every value a component receives, and walks a ``list`` element by
element, checking each against its ``Component`` protocol (a ``typing`` runtime check that
costs tens of microseconds). A plain ``list[float]`` of 384 numbers handed to two components
cost ~25 ms a query, half of the whole hybrid pipeline at 100k passages on a quiet machine.
A ``QueryVector`` is checked once and handed on as it is; it reads like a sequence of floats
and like a numpy array (``np.asarray`` gives a private copy).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any, overload

import numpy as np


class QueryVector(Sequence[float]):
    """An immutable float32 vector that Haystack passes between components without copying."""

    __slots__ = ("_array",)

    def __init__(self, values: Iterable[float] | np.ndarray) -> None:
        array = np.array(values, dtype=np.float32).reshape(-1)  # a private copy, then frozen
        array.flags.writeable = False
        self._array = array

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        # Always a fresh, writable array (1.5 KB): callers (torch.from_numpy among them) may
        # write to what they get, and the vector itself must stay as it was.
        return self._array.astype(dtype or self._array.dtype, copy=True)

    @overload
    def __getitem__(self, index: int) -> float: ...

    @overload
    def __getitem__(self, index: slice) -> list[float]: ...

    def __getitem__(self, index: int | slice) -> float | list[float]:
        if isinstance(index, slice):
            return self._array[index].tolist()
        return float(self._array[index])

    def __len__(self) -> int:
        return int(self._array.shape[0])

    def __iter__(self) -> Iterator[float]:
        return iter(self._array.tolist())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (QueryVector, np.ndarray, list, tuple)):
            values = np.asarray(other, dtype=np.float32)
            return values.shape == self._array.shape and bool(np.array_equal(values, self._array))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # equal to lists, which are unhashable

    def __repr__(self) -> str:
        return f"QueryVector({len(self)} dimensions)"

    def __deepcopy__(self, memo: dict[int, Any]) -> QueryVector:
        return self

    def tolist(self) -> list[float]:
        """Plain floats, for JSON bodies (OpenSearch) and responses."""
        return self._array.tolist()


def as_query_vector(values: Sequence[float] | np.ndarray) -> QueryVector:
    """``values`` as a QueryVector (itself when it already is one)."""
    return values if isinstance(values, QueryVector) else QueryVector(values)
