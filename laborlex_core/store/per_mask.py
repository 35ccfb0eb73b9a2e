"""What a filter's mask gives that does not depend on the query, remembered per mask.

A snapshot keeps each filter's mask as one array for as long as it caches the filter
(``IndexSnapshot.mask``), so the array's identity names the filter: a weak reference checks
that it is still that array (a new one may reuse a dead one's id). ``None`` is no filter.
What is remembered belongs to one snapshot's rows (an update makes new tables), so nothing
expires but masks that are gone.
"""

from __future__ import annotations

import threading
import weakref
from typing import Generic, TypeVar

import numpy as np

V = TypeVar("V")


class PerMask(Generic[V]):
    """A value per filter mask (e.g. a dense index's rows per partition under the filter,
    or which provisions a filter passes), for the filters a snapshot still caches."""

    LIMIT = 256  # filters remembered; the oldest are dropped past it

    def __init__(self) -> None:
        self._values: dict[int, tuple[weakref.ref[np.ndarray] | None, V]] = {}
        self._lock = threading.Lock()  # queries on other threads compute and read at once

    def get(self, mask: np.ndarray | None) -> V | None:
        with self._lock:
            found = self._values.get(id(mask))
        if found is None or (found[0] is not None and found[0]() is not mask):
            return None
        return found[1]

    def put(self, mask: np.ndarray | None, value: V) -> V:
        with self._lock:
            if len(self._values) >= self.LIMIT:
                alive = [(k, v) for k, v in self._values.items() if v[0] is None or v[0]() is not None]
                self._values = dict(alive[-(self.LIMIT // 2) :])
            self._values[id(mask)] = (None if mask is None else weakref.ref(mask), value)
        return value
