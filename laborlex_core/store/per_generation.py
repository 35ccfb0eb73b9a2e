"""Answers that hold for one state of the index, forgotten as soon as it changes.

Why: some read-side answers are costly to compute and never change between writes. How many
other provisions cite a provision is one: at 1M passages a count for a much-cited article
(``count(DISTINCT ...)`` over its thousands of citing rows) took 60-70 ms, and the same
articles come back on page after page. Every write moves the store's generation, and a
rebuilt index gets a new index id, so an answer kept under (index id, generation) is never
served for another state of the index.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable
from typing import Generic, TypeVar

V = TypeVar("V")
State = tuple[str, int]  # (index id, generation)


class PerGeneration(Generic[V]):
    """A map of answers for one index state; a different state starts it empty.

    An answer computed while a write commits may be stored under the state read just before:
    the next call then reads the new state and drops it, so a stale answer is never kept past
    one call that began before the write. ``limit`` bounds the map (it starts again empty)."""

    def __init__(self, limit: int = 100_000) -> None:
        self.limit = limit
        self._state: State | None = None
        self._values: dict[Hashable, V] = {}
        self._lock = threading.Lock()

    def known(self, state: State) -> dict[Hashable, V]:
        """The answers kept for ``state`` (a dict to read and add to)."""
        with self._lock:
            if self._state != state or len(self._values) >= self.limit:
                self._state, self._values = state, {}
            return self._values
